"""The disclosure rule on column names, shared by every check that guards the marts.

No respondent- or incident-level identifier and no weight may reach a published table
(docs/survey.md). ``ncpm check personal-data`` applies it to the marts models of the dbt
manifest; the serving database's loader (``ncpm.serve``) to every table it loads. It
imports nothing of the package, so any module may use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Column names that identify a respondent, interview, victim form or incident, or carry a weight.
FORBIDDEN_COLUMN_PATTERNS = [
    re.compile(r"respondent"),
    re.compile(r"victim_form"),
    re.compile(r"(^|_)(interview|incident|series)_id$"),
    re.compile(r"weight"),
]


def personal_columns(columns: Iterable[str], flagged: Iterable[str] = ()) -> list[str]:
    """The names among ``columns`` that are a respondent or incident identifier or a weight:
    they match a pattern above or are among ``flagged`` (names that `personal` models flag
    with ``meta: {personal_data: identifier | weight}``)."""
    flagged = {name.lower() for name in flagged}
    return sorted(
        name
        for name in columns
        if name.lower() in flagged or any(p.search(name.lower()) for p in FORBIDDEN_COLUMN_PATTERNS)
    )
