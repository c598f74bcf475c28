"""The annual figures (CONTRACTS §3): one year with its previous year and its series.

>>> from thbmonitor.store import Database
>>> figures = compute_figures(Database(":memory:"), 2024)
>>> figures.to_dict()["victims"]["total"]
0
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from thbmonitor.errors import UsageError
from thbmonitor.figures.chain import ChainCounts, chain_dict, count_chain
from thbmonitor.figures.reports import ReportTables, count_reports
from thbmonitor.figures.victims import VictimTables, count_victims
from thbmonitor.store import Database

#: The earliest date of anything the figures count, over every dated table.
FIRST_DATE_SQL = """
SELECT min(d) FROM (
    SELECT min(report_date) AS d FROM reports
    UNION ALL SELECT min(start_date) FROM investigations
    UNION ALL SELECT min(registered_date) FROM suspects
    UNION ALL SELECT min(registered_date) FROM cases
    UNION ALL SELECT min(decision_date) FROM cases
    UNION ALL SELECT min(verdict_date) FROM verdicts
)
"""


@dataclass(frozen=True)
class YearFigures:
    """The figures of one year, with the year before it for `previous` and `change`."""

    year: int
    victims: VictimTables
    previous_victims: VictimTables
    reports: ReportTables
    chain: ChainCounts
    previous_chain: ChainCounts

    def to_dict(self) -> dict[str, Any]:
        """``year``, ``victims``, ``reports`` and ``chain`` exactly as in CONTRACTS §3."""
        victims = {
            "total": self.victims.total,
            "previous": self.previous_victims.total,
            "change": self.victims.total - self.previous_victims.total,
            "by": copy.deepcopy(self.victims.by),
            "cross": copy.deepcopy(self.victims.cross),
            "previous_by": copy.deepcopy(self.previous_victims.by),
        }
        return {
            "year": self.year,
            "victims": victims,
            "reports": self.reports.to_dict(),
            "chain": chain_dict(self.chain, self.previous_chain),
        }


@dataclass
class Figures:
    """The result of `compute_figures`: the year asked for, its series, and findings.

    ``findings`` starts empty; `thbmonitor.publish` fills it. ``series`` holds
    every year from the first year with data up to and including ``year``,
    oldest first; its last entry is ``current``.
    """

    year: int
    current: YearFigures
    series: list[YearFigures]
    findings: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `thb figures --json`: CONTRACTS §3 plus ``series``."""
        return self.current.to_dict() | {
            "findings": copy.deepcopy(self.findings),
            "series": [year.to_dict() for year in self.series],
        }

    def value(self, metric: str, year: int | None = None) -> Any:
        """The value at a dotted path (``victims.by.age_group.minor``) in a year of the series.

        Raises KeyError when the path or the year is not in the figures.
        """
        wanted = self.year if year is None else year
        for entry in self.series:
            if entry.year == wanted:
                node: Any = entry.to_dict()
                for part in metric.split("."):
                    node = node[part]
                return node
        raise KeyError(f"year {wanted} is not in the series {self.series[0].year}-{self.year}")


def compute_figures(db: Database, year: int) -> Figures:
    """The annual figures of ``year`` and every earlier year with data.

    Every count is computed in DuckDB, all years at once; see docs/figures.md
    for the counting rules.
    """
    if not dt.MINYEAR < year < dt.MAXYEAR:
        raise UsageError(f"year {year} is out of range; give a calendar year such as 2024")
    first_date = db.scalar(FIRST_DATE_SQL)
    first_year = year if first_date is None else min(first_date.year, year)
    # One year more at the start, so that the first year has a `previous`.
    victims = count_victims(db, first_year - 1, year)
    reports = count_reports(db, first_year - 1, year)
    chain = count_chain(db, first_year - 1, year)
    series = [
        YearFigures(
            year=y,
            victims=victims[y],
            previous_victims=victims[y - 1],
            reports=reports[y],
            chain=chain[y],
            previous_chain=chain[y - 1],
        )
        for y in range(first_year, year + 1)
    ]
    return Figures(year=year, current=series[-1], series=series)
