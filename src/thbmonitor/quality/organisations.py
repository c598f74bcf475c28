"""Per organisation and year: reports, unknown shares, quarantine, lateness, delay, overlap.

All numbers are aggregates computed in DuckDB over the organisation's reports
dated in the year (``report_date``); no person-level value leaves the query.

* ``reports``: reports dated in the year;
* ``unknown``: per field (`FIELDS`), the share of those reports where the
  field is empty or ``unknown`` (the forms: no known form);
* ``quarantined``: the organisation's report rows in the quarantine now
  whose report date (as delivered) falls in the year; ``rejected_at_import``:
  report rows quarantined by the imports of files delivered by this
  organisation alone (files of several organisations are not attributed);
* ``late``: reports imported after ``first_release_date`` (the year's first
  release); None when no date is given (not computed);
* ``median_delay_days``: the median of import date minus report date;
* ``linked_elsewhere``: the share of its reports whose person was also
  reported, in the same year, by another organisation (after linkage);
* ``gone``: organisations that delivered reports in an earlier year but none
  dated in this year, with the last year they did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from thbmonitor.errors import UsageError
from thbmonitor.figures.annual import require_year
from thbmonitor.store import Database

__all__ = ["FIELDS", "DataQuality", "OrganisationQuality", "data_quality"]

#: The fields whose unknown share is measured, with the SQL of "unknown" in a report.
FIELDS: dict[str, str] = {
    "sex": "r.sex IS NULL OR r.sex = 'unknown'",
    "birth_year": "r.birth_year IS NULL",
    "nationality": "r.nationality IS NULL OR r.nationality IN ('', 'unknown')",
    "exploitation": "len(list_filter(r.exploitation, x -> x IS NOT NULL AND x <> 'unknown')) = 0",
    "scope": "r.scope IS NULL OR r.scope = 'unknown'",
    "sector": "r.sector IS NULL OR r.sector IN ('', 'unknown')",
    "region": "r.region IS NULL OR r.region IN ('', 'unknown')",
}

_REPORTS_SQL = f"""
WITH year_reports AS (
    SELECT r.*, i.imported_at
    FROM reports AS r JOIN imports AS i ON i.import_id = r.import_id
    WHERE r.report_date >= $start AND r.report_date < $end
),
person AS (
    SELECT pr.source, pr.report_id, pr.person_id FROM person_reports AS pr
),
elsewhere AS (
    SELECT DISTINCT a.source, a.report_id
    FROM year_reports AS a
    JOIN person AS pa ON pa.source = a.source AND pa.report_id = a.report_id
    JOIN person AS pb ON pb.person_id = pa.person_id AND pb.source <> a.source
    JOIN year_reports AS b ON b.source = pb.source AND b.report_id = pb.report_id
)
SELECT r.source, count(*) AS reports,
       {", ".join(f"avg(CASE WHEN {sql} THEN 1 ELSE 0 END) AS unknown_{name}"
                  for name, sql in FIELDS.items())},
       count(*) FILTER (WHERE $release IS NOT NULL AND r.imported_at > $release) AS late,
       median(date_diff('day', r.report_date, CAST(r.imported_at AS DATE))) AS delay,
       avg(CASE WHEN e.source IS NOT NULL THEN 1 ELSE 0 END) AS linked_elsewhere
FROM year_reports AS r
LEFT JOIN elsewhere AS e ON e.source = r.source AND e.report_id = r.report_id
GROUP BY r.source
ORDER BY r.source
"""

_QUARANTINE_SQL = """
SELECT lower(trim(row_data->>'source')) AS source, count(*)
FROM quarantine
WHERE kind = 'reports'
  AND year(try_cast(trim(row_data->>'report_date') AS DATE)) = $year
GROUP BY ALL
"""

_REJECTED_SQL = """
SELECT sources[1] AS source, sum(rows_quarantined)
FROM imports
WHERE kind = 'reports' AND len(sources) = 1
  AND list_contains($sources, sources[1])
GROUP BY ALL
"""

_GONE_SQL = """
SELECT source, max(year(report_date)) AS last_year
FROM reports
WHERE report_date < $start
GROUP BY source
HAVING source NOT IN (SELECT source FROM reports WHERE report_date >= $start
                      AND report_date < $end)
ORDER BY source
"""


@dataclass(frozen=True)
class OrganisationQuality:
    """The quality of one organisation's reports of the year."""

    source: str
    source_type: str
    reports: int
    unknown: dict[str, float]
    quarantined: int
    rejected_at_import: int
    late: int | None
    median_delay_days: float | None
    linked_elsewhere: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "source_type": self.source_type, "reports": self.reports,
            "unknown": {k: round(v, 4) for k, v in self.unknown.items()},
            "quarantined": self.quarantined, "rejected_at_import": self.rejected_at_import,
            "late": self.late, "median_delay_days": self.median_delay_days,
            "linked_elsewhere": round(self.linked_elsewhere, 4),
        }


@dataclass
class DataQuality:
    """Data quality per organisation for one year (`thb quality --year Y --json`)."""

    year: int
    organisations: list[OrganisationQuality]
    gone: list[dict[str, Any]] = field(default_factory=list)
    first_release_date: str | None = None
    notes: list[str] = field(default_factory=list)

    def worst(self, name: str, *, minimum_reports: int = 1) -> OrganisationQuality | None:
        """The organisation with the highest unknown share of ``name`` (ties: most reports)."""
        eligible = [o for o in self.organisations if o.reports >= minimum_reports]
        if not eligible:
            return None
        return max(eligible, key=lambda o: (o.unknown[name], o.reports, o.source))

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year, "first_release_date": self.first_release_date,
            "fields": list(FIELDS),
            "organisations": [o.to_dict() for o in self.organisations],
            "gone": list(self.gone), "notes": list(self.notes),
        }


def _release_moment(value: date | datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, 23, 59, 59)
    try:
        return _release_moment(date.fromisoformat(value))
    except ValueError:
        raise UsageError(f"first release date {value!r} is not a date YYYY-MM-DD") from None


def data_quality(db: Database, year: int, *,
                 first_release_date: date | datetime | str | None = None) -> DataQuality:
    """Per organisation: the quality of its reports dated in ``year``.

    ``first_release_date`` is when the year was first published: reports
    imported after it are late. Without it lateness is not computed (the
    store keeps no release yet; `late` is None and a note says so).
    """
    require_year(db, year)
    release = _release_moment(first_release_date)
    params = {"start": date(year, 1, 1), "end": date(year + 1, 1, 1)}
    types = dict(db.rows("SELECT source, arg_max(source_type, report_date) FROM reports "
                         "GROUP BY source"))
    rows = db.rows(_REPORTS_SQL, {**params, "release": release})
    quarantined = dict(db.rows(_QUARANTINE_SQL, {"year": year}))
    sources = [str(r[0]) for r in rows]
    rejected = dict(db.rows(_REJECTED_SQL, {"sources": sources})) if sources else {}
    organisations = []
    for row in rows:
        source, reports = str(row[0]), int(row[1])
        shares = {name: float(row[2 + i]) for i, name in enumerate(FIELDS)}
        late, delay, elsewhere = row[2 + len(FIELDS):]
        organisations.append(OrganisationQuality(
            source=source, source_type=str(types.get(source, "")), reports=reports,
            unknown=shares, quarantined=int(quarantined.get(source, 0)),
            rejected_at_import=int(rejected.get(source, 0) or 0),
            late=None if release is None else int(late),
            median_delay_days=None if delay is None else float(delay),
            linked_elsewhere=float(elsewhere)))
    gone = [{"source": str(s), "last_year": int(y)} for s, y in db.rows(_GONE_SQL, params)]
    notes = []
    if release is None:
        notes.append("late reports not computed: no first release date of the year was given")
    return DataQuality(year=year, organisations=organisations, gone=gone,
                       first_release_date=None if release is None else release.isoformat(),
                       notes=notes)
