"""Reports per year: reports are not victims, so they are counted apart.

``reports.total`` and ``reports.by_source_type`` count report rows dated in
the year, whatever person they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from thbmonitor.figures.categories import zero_filled
from thbmonitor.store import Database
from thbmonitor.vocab import SOURCE_TYPES

REPORTS_SQL = """
SELECT year(report_date) AS yr, GROUPING(source_type) AS grouping_id, source_type,
       count(*) AS n
FROM reports
WHERE report_date >= $start AND report_date < $end
GROUP BY GROUPING SETS ((yr), (yr, source_type))
"""


@dataclass(frozen=True)
class ReportTables:
    """The reports of one year."""

    total: int = 0
    by_source_type: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"total": self.total, "by_source_type": dict(self.by_source_type)}


def count_reports(db: Database, first_year: int, last_year: int) -> dict[int, ReportTables]:
    """Report counts for every year from ``first_year`` to ``last_year``, zero-filled."""
    params = {"start": date(first_year, 1, 1), "end": date(last_year + 1, 1, 1)}
    totals: dict[int, int] = {}
    by_type: dict[int, dict[str, int]] = {}
    for yr, grouping_id, source_type, n in db.rows(REPORTS_SQL, params):
        if grouping_id:
            totals[yr] = int(n)
        else:
            by_type.setdefault(yr, {})[source_type] = int(n)
    return {
        yr: ReportTables(
            total=totals.get(yr, 0),
            by_source_type=zero_filled(SOURCE_TYPES, by_type.get(yr, {})),
        )
        for yr in range(first_year, last_year + 1)
    }
