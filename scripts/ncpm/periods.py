"""Periods, parsed and written in one place.

The measures are quarterly and annual over the UK financial year (April to March, written
``2019/20``; quarter 1 is April-June). A quarter is named by its last day; a rolling year by
the quarter it ends with (``YE Jun 2019``). A publication period is written ``YYYY-MM``, the
month its quarter ends in.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

QUARTER_END_MONTHS = (3, 6, 9, 12)
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


class PeriodError(ValueError):
    """A period written in a form the project does not accept; the message says which."""


def month_end(year: int, month: int) -> date:
    """The last day of a month: ``month_end(2019, 6)`` is 2019-06-30."""
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_year_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` -> (year, month), the month checked to be 1-12."""
    match = _YEAR_MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"{text!r} is not a month written YYYY-MM (e.g. 2019-06)")
    return int(match.group(1)), int(match.group(2))


def parse_period_end(text: str) -> date:
    """``2019-06`` -> 2019-06-30 (the month's last day); ``2019-06-30`` as it is."""
    parts = (text or "").strip().split("-")
    try:
        if len(parts) == 2:
            return month_end(int(parts[0]), int(parts[1]))
        if len(parts) == 3:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        pass
    raise PeriodError(f"period {text!r} is not YYYY-MM or YYYY-MM-DD")


@dataclass(frozen=True)
class PublicationPeriod:
    """A quarterly publication: ``label`` 2026-06, ``end`` 2026-06-30."""

    label: str
    end: date


PUBLICATION_PERIOD_HINT = (
    "PERIOD is the month the publication quarter ends in, written YYYY-MM with the month "
    "03, 06, 09 or 12 (e.g. make publish PERIOD=2026-06 for the quarter ending 30 June 2026)"
)


def parse_publication_period(text: str) -> PublicationPeriod:
    """``YYYY-MM`` of a quarter-end month -> PublicationPeriod; PeriodError otherwise."""
    match = _YEAR_MONTH.match(text or "")
    if not match:
        raise PeriodError(f"malformed PERIOD {text!r}: {PUBLICATION_PERIOD_HINT}.")
    year, month = int(match.group(1)), int(match.group(2))
    if month not in QUARTER_END_MONTHS:
        raise PeriodError(
            f"PERIOD {text!r} is not the end of a quarter: {PUBLICATION_PERIOD_HINT}."
        )
    if not 2000 <= year <= 2100:
        raise PeriodError(f"PERIOD {text!r} has an implausible year: {PUBLICATION_PERIOD_HINT}.")
    return PublicationPeriod(text, month_end(year, month))


def fy_label(start: int) -> str:
    """The label of the financial year starting in April of ``start``: ``2017/18``."""
    return f"{start}/{(start + 1) % 100:02d}"


def parse_fy_label(text: str) -> int:
    """``2018/19`` -> 2018; PeriodError unless YYYY/YY with consecutive years."""
    match = _FINANCIAL_YEAR.match((text or "").strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise PeriodError(f"{text!r} is not a financial year written YYYY/YY (e.g. 2018/19)")
    return int(match.group(1))


def financial_quarters(first: int, last_year: int, last_quarter: int) -> Iterator[tuple[int, int]]:
    """(financial year start, quarter 1-4) from ``first`` Q1 to ``last_year`` Q``last_quarter``.

    ``financial_quarters(2017, 2018, 2)`` yields (2017, 1) ... (2017, 4), (2018, 1), (2018, 2).
    """
    for year in range(first, last_year + 1):
        for quarter in range(1, 5):
            if year == last_year and quarter > last_quarter:
                return
            yield year, quarter


def financial_quarter_start(fy: int, quarter: int) -> date:
    """The first day of quarter ``quarter`` (1 = April-June) of the year starting ``fy``."""
    month = 3 * quarter + 1
    return date(fy + (month > 12), (month - 1) % 12 + 1, 1)


def financial_quarter_end(fy: int, quarter: int) -> date:
    """The last day (the quarter's name) of quarter ``quarter`` of the year starting ``fy``."""
    month = 3 * quarter + 3
    return month_end(fy + (month > 12), (month - 1) % 12 + 1)


def months(first: tuple[int, int], last: tuple[int, int]) -> Iterator[tuple[int, int]]:
    """(year, month) from ``first`` to ``last``, both included; nothing if ``last < first``."""
    year, month = first
    while (year, month) <= last:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def quarter_ends_of_year(period_end: date) -> list[date]:
    """The four quarter ends of the rolling year ending at ``period_end``, oldest first."""
    ends = []
    year, month = period_end.year, period_end.month
    for _ in range(4):
        ends.append(month_end(year, month))
        month -= 3
        if month <= 0:
            month += 12
            year -= 1
    return ends[::-1]


def ye_label(period_end: date) -> str:
    """The label of the rolling year ending at ``period_end``: ``YE Jun 2019``."""
    return f"YE {calendar.month_abbr[period_end.month]} {period_end.year}"
