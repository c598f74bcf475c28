"""Flag rates by nationality group: a check for disparity, not an input to any rule.

Nationality never enters the carousel rule. This report shows, per
nationality group (CONTRACTS §3 groups; the most recent known nationality in
the year), how many persons there are, how many the full rule and the
mobility-only baseline flag, and the rates, so a reviewer can see whether
the rule falls on one group more than its movement explains. Counts from 1
to `patterns.fairness.min_cell` − 1 are suppressed (null, listed in
`suppressed`), and so is a rate computed from a suppressed count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from thbmonitor.patterns.carousel import compute_flags
from thbmonitor.patterns.settings import effective_settings, run_record
from thbmonitor.store import Database, audit
from thbmonitor.vocab import NATIONALITY_GROUPS, nationality_group

__all__ = ["FairnessReport", "flag_rates"]

_NATIONALITY_SQL = """
SELECT pr.person_id, arg_max(r.nationality, r.report_date) AS nationality
FROM reports r JOIN person_reports pr USING (source, report_id)
WHERE r.report_date BETWEEN $start AND $end
  AND r.nationality IS NOT NULL AND r.nationality NOT IN ('unknown', 'stateless')
GROUP BY pr.person_id
"""


@dataclass
class FairnessReport:
    year: int
    window: str
    groups: dict[str, dict[str, Any]]
    suppressed: list[str]
    settings: dict[str, Any]
    run: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        data = {"year": self.year, "window": self.window, "groups": self.groups,
                "suppressed": self.suppressed, "settings": self.settings, "run": self.run}
        result: dict[str, Any] = json.loads(json.dumps(data, sort_keys=True))
        return result


def flag_rates(db: Database, year: int, window: str = "year", *,
               actor: str | None = None) -> FairnessReport:
    """Persons, leads and mobility-only flags per nationality group in `year`."""
    settings = effective_settings(db)
    min_cell = int(settings["patterns.fairness.min_cell"])
    flags = compute_flags(db, year, window, settings)
    nat = db.frame(_NATIONALITY_SQL, {"start": date(year, 1, 1), "end": date(year, 12, 31)})
    group_of = {str(p): nationality_group(n) for p, n in zip(nat["person_id"],
                                                               nat["nationality"], strict=True)}
    flags["group"] = flags["person_id"].map(group_of).fillna("unknown")
    keys = list(dict.fromkeys([*NATIONALITY_GROUPS, "unknown", *sorted(set(flags["group"]))]))
    counts = flags.groupby("group").agg(persons=("person_id", "size"), leads=("lead", "sum"),
                                        mobility_only=("mobility", "sum"))
    counts = counts.reindex(keys, fill_value=0)
    groups: dict[str, dict[str, Any]] = {}
    suppressed: list[str] = []
    for key, row in counts.iterrows():
        cell: dict[str, Any] = {}
        for name in ("persons", "leads", "mobility_only"):
            value = int(row[name])
            hidden = 0 < value < min_cell
            cell[name] = None if hidden else value
            if hidden:
                suppressed.append(f"groups.{key}.{name}")
        for name, rate in (("lead_rate", "leads"), ("mobility_rate", "mobility_only")):
            ok = cell["persons"] and cell[rate] is not None
            cell[name] = round(cell[rate] / cell["persons"], 4) if ok else None
        groups[str(key)] = cell
    result = FairnessReport(year, window, groups, sorted(suppressed), settings, run_record(db))
    audit.record(db, "read", "patterns.fairness", actor=actor,
                 detail={"year": year, "window": window})
    return result
