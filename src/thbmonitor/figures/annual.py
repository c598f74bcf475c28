"""The annual figures (CONTRACTS §3): one year with its previous year and its series.

A year without data is refused, never a table of zeros:

>>> from thbmonitor.store import Database
>>> try:
...     compute_figures(Database(":memory:"), 2024)
... except UsageError as exc:
...     print(exc)
no data for 2024: the store holds no data yet; import files with `thb import`
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


#: Every year in which something the figures count is dated.
YEARS_SQL = """
SELECT DISTINCT y FROM (
    SELECT year(report_date) AS y FROM reports
    UNION ALL SELECT year(start_date) FROM investigations
    UNION ALL SELECT year(registered_date) FROM suspects
    UNION ALL SELECT year(registered_date) FROM cases
    UNION ALL SELECT year(decision_date) FROM cases WHERE decision_date IS NOT NULL
    UNION ALL SELECT year(verdict_date) FROM verdicts
) ORDER BY y
"""
#: Reports without a person: the linkage has not seen them.
UNLINKED_SQL = """
SELECT count(*) FROM reports AS r
WHERE NOT EXISTS (SELECT 1 FROM person_reports AS pr
                  WHERE pr.source = r.source AND pr.report_id = r.report_id)
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
    #: Whether the year before has data at all; without, nothing is compared with it.
    previous_available: bool = True
    #: Whether this year has data at all (a year inside the series may have none).
    available: bool = True

    def to_dict(self) -> dict[str, Any]:
        """``year``, ``victims``, ``reports`` and ``chain`` exactly as in CONTRACTS §3.

        When the year before has no data, its values (``previous``,
        ``previous_by``, ``change``, ``previous_summons_pct``) are null, never
        zeros, and ``previous_available`` is false.
        """
        known = self.previous_available
        victims = {
            "total": self.victims.total,
            "previous": self.previous_victims.total if known else None,
            "change": self.victims.total - self.previous_victims.total if known else None,
            "by": copy.deepcopy(self.victims.by),
            "cross": copy.deepcopy(self.victims.cross),
            "previous_by": copy.deepcopy(self.previous_victims.by) if known else None,
        }
        chain = chain_dict(self.chain, self.previous_chain)
        if not known:
            chain = _without_previous(chain)
        return {
            "year": self.year,
            "available": self.available,
            "previous_available": known,
            "victims": victims,
            "reports": self.reports.to_dict(),
            "chain": chain,
        }


def _without_previous(node: Any) -> Any:
    """A copy with every ``previous*`` value null (the year before has no data)."""
    if isinstance(node, dict):
        return {k: (None if k.startswith("previous") else _without_previous(v))
                for k, v in node.items()}
    return node


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
    #: Caveats a reader must see (reports counted as persons, ...).
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `thb figures --json`: CONTRACTS §3 plus ``series`` and ``warnings``."""
        return self.current.to_dict() | {
            "findings": copy.deepcopy(self.findings),
            "warnings": list(self.warnings),
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


def years_with_data(db: Database) -> list[int]:
    """The years in which anything the figures count is dated, oldest first."""
    return [int(y) for (y,) in db.rows(YEARS_SQL)]


def require_year(db: Database, year: int) -> None:
    """Refuse a year without any data (figures, report and exports): never a table of zeros."""
    if not dt.MINYEAR < year < dt.MAXYEAR:
        raise UsageError(f"year {year} is out of range; give a calendar year such as 2024")
    available = years_with_data(db)
    if year not in available:
        held = (f"the store holds data for {_span(available)}" if available
                else "the store holds no data yet; import files with `thb import`")
        raise UsageError(f"no data for {year}: {held}")


def compute_figures(db: Database, year: int, *, allow_unlinked: bool = False) -> Figures:
    """The annual figures of ``year`` and every earlier year with data.

    Every count is computed in DuckDB, all years at once; see docs/figures.md
    for the counting rules. A year without any data is refused (never a table
    of zeros), and so is a store whose reports were never linked into persons
    (its counts would be reports, not victims) unless ``allow_unlinked``; reports
    imported after the last linkage count as persons of their own, with a warning.
    """
    require_year(db, year)
    available = set(years_with_data(db))
    unlinked = int(db.scalar(UNLINKED_SQL))
    warnings: list[str] = []
    if unlinked and not allow_unlinked and not db.scalar("SELECT count(*) FROM person_reports"):
        raise UsageError(
            "the reports are not linked into persons yet: the figures would count reports, not "
            "victims. Run `thb link` first.")
    if unlinked:
        warnings.append(
            f"{unlinked:,} {'report is' if unlinked == 1 else 'reports are'} not linked into "
            "persons (imported after the last linkage) and counted as persons of their own; "
            "run `thb link` to count victims.")
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
            previous_available=(y - 1) in available,
            available=y in available,
        )
        for y in range(first_year, year + 1)
    ]
    return Figures(year=year, current=series[-1], series=series, warnings=warnings)


def _span(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}"
