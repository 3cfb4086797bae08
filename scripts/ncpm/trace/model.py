"""What a trace is: the Trace document (printed, or --json), TraceError, and number helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

TOLERANCE = 1e-6


class TraceError(Exception):
    """A figure that cannot be traced (unknown metric, no such figure, unsupported feed)."""


@dataclass
class Trace:
    """Everything printed, also the --json document."""

    metric: dict[str, Any]
    figure: dict[str, Any]
    lineage: list[str] = field(default_factory=list)
    raw_files: list[str] = field(default_factory=list)
    raw_rows: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    baseline: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Survey figures: the estimate, SE and CI recomputed from the printed weighted sums.
    recomputed: dict[str, Any] = field(default_factory=dict)

    def check(self, name: str, computed: float | None, published: float | None) -> bool:
        ok = (computed is None and published is None) or (
            computed is not None
            and published is not None
            and abs(float(computed) - float(published)) <= TOLERANCE
        )
        self.checks.append(
            {"check": name, "computed": num(computed), "published": num(published), "ok": ok}
        )
        return ok

    @property
    def raw_contributions_total(self) -> float | None:
        """Sum of the raw rows that count towards the figure (counts; None for surveys)."""
        if self.recomputed or any("value" not in r for r in self.raw_rows):
            return None
        return sum_values(r["value"] for r in self.raw_rows if r.get("contributes", True))

    @property
    def reconciles(self) -> bool:
        return all(c["ok"] for c in self.checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "figure": self.figure,
            "lineage": self.lineage,
            "raw_files": self.raw_files,
            "raw_rows": self.raw_rows,
            "raw_contributions_total": num(self.raw_contributions_total),
            "recomputed_from_weighted_sums": self.recomputed or None,
            "steps": self.steps,
            "baseline": self.baseline,
            "checks": self.checks,
            "reconciles": self.reconciles,
            "notes": self.notes,
        }


def num(value: Any) -> Any:
    """Numbers as JSON numbers (integers when whole), dates as ISO text."""
    if value is None:
        return None
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        f = float(value)
        return int(f) if f.is_integer() else f
    if isinstance(value, date):
        return value.isoformat()
    return value


def sum_values(values) -> float | None:
    values = list(values)
    return None if any(v is None for v in values) else float(sum(Decimal(str(v)) for v in values))


def records(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [{c: num(v) for c, v in zip(columns, row, strict=True)} for row in cursor.fetchall()]


def fmt(value: Any) -> str:
    """A number as printed: thousands separated, 4 decimals unless whole; null for None."""
    if value is None:
        return "null"
    value = num(value)
    return (
        f"{value:,}"
        if isinstance(value, int)
        else (f"{value:,.4f}" if isinstance(value, float) else str(value))
    )


def mark(ok: bool) -> str:
    return "ok" if ok else "DOES NOT RECONCILE"
