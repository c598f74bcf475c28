"""The Rapporteur's further breakdowns: what the annual tables need beyond CONTRACTS §3.

Counted from the same person-years as the figures (`CLASSIFIED_SQL`, one
person-report definition), all years of a range in one set-based query per
subject:

* victims by age band: the figures' adults split into 18–22 and 23 and older
  (minors and unknown age are the figures' own cells, so they are not repeated);
* victims by form of exploitation and scope (the four victim groups: domestic
  and cross-border sexual, labour, criminal), by region, by sector and by
  form × sector (a person-year's most recent known region and sector);
* victims per reporter type by age group and by Dutch / non-Dutch nationality
  (a person reported by several types counts for each, as in ``by.source_type``);
* the chain: suspects by sex and age band, prosecution decisions by type,
  first-instance verdicts by outcome, convictions by custodial sentence length.

Every table is zero-filled over its vocabulary; `Breakdowns.year(y)` is a
nested dict in the figures' path style (``victims.by.region.<name>``), which
the publication protects together with the figures (`thbmonitor.publish.protection`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from thbmonitor.figures.age import age_at_first
from thbmonitor.figures.categories import zero_filled
from thbmonitor.figures.victims import CLASSIFIED_SQL
from thbmonitor.store import Database
from thbmonitor.vocab import (
    DECISIONS,
    EXPLOITATION_CATEGORIES,
    OUTCOMES,
    SCOPES,
    SECTORS,
    SEXES,
    SOURCE_TYPES,
    UNDECIDED,
    nationality_groups,
)

__all__ = ["ADULT_BANDS", "CUSTODIAL_BANDS", "SUSPECT_AGES", "Breakdowns", "count_breakdowns"]

#: The figures' adults split by age on the first report date of the year.
ADULT_BANDS: tuple[str, ...] = ("18_22", "23_plus")
#: Suspects' age in the year of registration (year minus birth year).
SUSPECT_AGES: tuple[str, ...] = ("minor", "18_22", "23_29", "30_39", "40_plus", "unknown")
#: Convictions by the custodial sentence imposed (months): none recorded, under a year, ...
CUSTODIAL_BANDS: tuple[str, ...] = ("none", "lt_12", "12_24", "24_48", "48_plus")
DUTCH: tuple[str, ...] = ("NL", "non_NL", "unknown")
#: The forms whose victims are published by sector (the sector within the form); a
#: person with several forms or none has no sector table.
SECTOR_FORMS: tuple[str, ...] = ("sexual", "labour", "criminal")
#: Decisions other than a summons (the figures count summonses), and verdicts other than a
#: conviction (the figures count convictions).
DECIDED_TYPES: tuple[str, ...] = tuple(
    d for d in DECISIONS if d not in UNDECIDED and d != "summons")
OTHER_OUTCOMES: tuple[str, ...] = tuple(o for o in OUTCOMES if o != "conviction")

#: Age on the first report date; with a birth year only the lower of the two possible
#: ages (the figures' conservative rule), so every adult of the figures gets a band.
_AGE = f"""
CASE WHEN p.ref_age IS NOT NULL THEN {age_at_first('p')}
     WHEN p.birth_year IS NOT NULL THEN
         p.yr - p.birth_year - CASE WHEN month(p.first_date) = 12 AND day(p.first_date) = 31
                                    THEN 0 ELSE 1 END
END"""

#: One row per person-year: the figures' classification plus band, region, sector, dutch.
_PERSON_SQL = CLASSIFIED_SQL + f""",
recent AS (
    SELECT pr.person_id, pr.yr,
           arg_max(r.region, (pr.report_date, pr.source, pr.report_id))
               FILTER (WHERE r.region IS NOT NULL AND r.region <> '') AS region,
           arg_max(r.sector, (pr.report_date, pr.source, pr.report_id))
               FILTER (WHERE r.sector IS NOT NULL AND r.sector <> '') AS sector
    FROM person_report AS pr
    JOIN reports AS r ON r.source = pr.source AND r.report_id = pr.report_id
    GROUP BY pr.person_id, pr.yr
),
person AS (
    SELECT c.person_id, c.yr, c.exploitation, c.age_group, c.scope,
           CASE WHEN c.age_group <> 'adult' THEN c.age_group
                WHEN {_AGE} <= 22 THEN '18_22' ELSE '23_plus' END AS age_band,
           coalesce(rc.region, 'unknown') AS region,
           coalesce(rc.sector, 'unknown') AS sector,
           CASE WHEN c.nationality = 'unknown' THEN 'unknown'
                WHEN c.nationality = 'NL' THEN 'NL' ELSE 'non_NL' END AS dutch
    FROM classified AS c
    JOIN person_year AS p ON p.person_id = c.person_id AND p.yr = c.yr
    LEFT JOIN recent AS rc ON rc.person_id = c.person_id AND rc.yr = c.yr
)"""

VICTIMS_SQL = _PERSON_SQL + """
SELECT yr, GROUPING(exploitation, scope, age_band, region, sector) AS g,
       exploitation, scope, age_band, region, sector, count(*) AS n
FROM person
GROUP BY GROUPING SETS ((yr, age_band), (yr, region),
                        (yr, exploitation, scope), (yr, exploitation, sector))
"""

REPORTERS_SQL = _PERSON_SQL + """,
reporter AS (SELECT DISTINCT person_id, yr, source_type FROM person_report)
SELECT r.yr, GROUPING(p.age_group, p.dutch) AS g, r.source_type, p.age_group, p.dutch,
       count(*) AS n
FROM reporter AS r JOIN person AS p ON p.person_id = r.person_id AND p.yr = r.yr
GROUP BY GROUPING SETS ((r.yr, r.source_type, p.age_group), (r.yr, r.source_type, p.dutch))
"""

CHAIN_SQL = """
SELECT 'suspects_by_sex' AS tbl, year(registered_date) AS yr,
       CASE WHEN sex IN ('female', 'male', 'other') THEN sex ELSE 'unknown' END AS k, count(*)
FROM suspects WHERE registered_date >= $start AND registered_date < $end GROUP BY ALL
UNION ALL
SELECT 'suspects_by_age', year(registered_date) AS yr,
       CASE WHEN birth_year IS NULL THEN 'unknown'
            WHEN year(registered_date) - birth_year < 18 THEN 'minor'
            WHEN year(registered_date) - birth_year <= 22 THEN '18_22'
            WHEN year(registered_date) - birth_year <= 29 THEN '23_29'
            WHEN year(registered_date) - birth_year <= 39 THEN '30_39'
            ELSE '40_plus' END, count(*)
FROM suspects WHERE registered_date >= $start AND registered_date < $end GROUP BY ALL
UNION ALL
SELECT 'by_decision', year(decision_date) AS yr, decision, count(*)
FROM cases
WHERE decision_date >= $start AND decision_date < $end
  AND decision IS NOT NULL AND NOT list_contains($undecided, decision)
  AND decision <> 'summons'
GROUP BY ALL
UNION ALL
SELECT 'by_outcome', year(verdict_date) AS yr, outcome, count(*)
FROM verdicts
WHERE verdict_date >= $start AND verdict_date < $end AND outcome <> 'conviction'
GROUP BY ALL
UNION ALL
SELECT 'custodial', year(verdict_date) AS yr,
       CASE WHEN coalesce(custodial_months, 0) <= 0 THEN 'none'
            WHEN custodial_months < 12 THEN 'lt_12'
            WHEN custodial_months < 24 THEN '12_24'
            WHEN custodial_months < 48 THEN '24_48'
            ELSE '48_plus' END, count(*)
FROM verdicts
WHERE verdict_date >= $start AND verdict_date < $end AND outcome = 'conviction'
GROUP BY ALL
"""

#: Name of each table in the year dict (dotted) and its declared keys.
TABLES: dict[str, tuple[str, ...]] = {
    "victims.by.age_band": ADULT_BANDS,
    "victims.by.region": ("unknown",),
    "chain.suspects.by_sex": SEXES,
    "chain.suspects.by_age": SUSPECT_AGES,
    "chain.prosecution.by_decision": DECIDED_TYPES,
    "chain.verdicts.by_outcome": OTHER_OUTCOMES,
    "chain.verdicts.custodial": CUSTODIAL_BANDS,
}


@dataclass
class Breakdowns:
    """The further tables of each year: ``tables[year][dotted table][key]`` (or row.col)."""

    first_year: int
    last_year: int
    tables: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def year(self, year: int) -> dict[str, Any]:
        """The year's tables as a nested dict: ``{"victims": {"by": {"region": {...}}}}``."""
        out: dict[str, Any] = {}
        for dotted, table in self.tables.get(year, {}).items():
            node = out
            for part in dotted.split("."):
                node = node.setdefault(part, {})
            node.update(table)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {str(y): self.year(y) for y in range(self.first_year, self.last_year + 1)}


def count_breakdowns(db: Database, first_year: int, last_year: int) -> Breakdowns:
    """The further tables of every year from ``first_year`` to ``last_year``, zero-filled."""
    groups = nationality_groups()
    years: dict[str, Any] = {"start": date(first_year, 1, 1), "end": date(last_year + 1, 1, 1)}
    params = years | {"codes": list(groups), "groups": list(groups.values())}
    one: dict[tuple[int, str], dict[str, int]] = {}
    two: dict[tuple[int, str], dict[tuple[str, str], int]] = {}
    for yr, g, form, scope, band, region, sector, n in db.rows(VICTIMS_SQL, params):
        if g == 0b11011:
            one.setdefault((yr, "victims.by.age_band"), {})[band] = int(n)
        elif g == 0b11101:
            one.setdefault((yr, "victims.by.region"), {})[region] = int(n)
        elif g == 0b00111:
            two.setdefault((yr, "victims.cross.exploitation_by_scope"), {})[(form, scope)] = n
        elif form in SECTOR_FORMS:
            two.setdefault((yr, "victims.cross.exploitation_by_sector"), {})[(form, sector)] = n
    for yr, g, source_type, age_group, dutch, n in db.rows(REPORTERS_SQL, params):
        if g == 0b01:
            two.setdefault((yr, "victims.cross.source_type_by_age_group"), {})[
                (source_type, age_group)] = n
        else:
            two.setdefault((yr, "victims.cross.source_type_by_dutch"), {})[
                (source_type, dutch)] = n
    names = {"suspects_by_sex": "chain.suspects.by_sex", "suspects_by_age": "chain.suspects.by_age",
             "by_decision": "chain.prosecution.by_decision",
             "by_outcome": "chain.verdicts.by_outcome", "custodial": "chain.verdicts.custodial"}
    for tbl, yr, key, n in db.rows(CHAIN_SQL, years | {"undecided": list(UNDECIDED)}):
        one.setdefault((yr, names[tbl]), {})[str(key)] = int(n)

    regions = sorted({k for (_, t), c in one.items() if t == "victims.by.region" for k in c}
                     - {"unknown"})
    crosses: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
        "victims.cross.exploitation_by_scope": (EXPLOITATION_CATEGORIES, SCOPES),
        "victims.cross.exploitation_by_sector": (SECTOR_FORMS, (*SECTORS, "unknown")),
        "victims.cross.source_type_by_age_group": (SOURCE_TYPES, ("minor", "adult", "unknown")),
        "victims.cross.source_type_by_dutch": (SOURCE_TYPES, DUTCH),
    }
    result = Breakdowns(first_year, last_year)
    for yr in range(first_year, last_year + 1):
        tables: dict[str, dict[str, Any]] = {}
        for name, keys in TABLES.items():
            declared = (*regions, "unknown") if name == "victims.by.region" else keys
            tables[name] = zero_filled(declared, one.get((yr, name), {}))
        tables["victims.by.age_band"] = {
            k: tables["victims.by.age_band"].get(k, 0) for k in ADULT_BANDS}
        for name, (rows, cols) in crosses.items():
            cells = two.get((yr, name), {})
            tables[name] = {r: zero_filled(cols, {c: int(n) for (rr, c), n in cells.items()
                                                  if rr == r}) for r in rows}
        result.tables[yr] = tables
    return result
