"""A record-level extract in the layout of the CTDC Global Synthetic Dataset, k-anonymous.

One row per victim (person) of the year, with the 27 columns of the
Counter-Trafficking Data Collaborative's global synthetic data set (see
`COLUMNS`). What the monitor does not record (duration, means of control,
recruiter relation, pornography) is left empty, as CTDC leaves unknown values
empty; flags are ``1``/``0`` when the underlying fact is known.

The extract is **k-anonymous over all 27 columns** with ``k`` = the
publication threshold: every combination of values that occurs, occurs in at
least ``k`` rows. Rows in smaller groups are generalised step by step (only
those rows): the sector flags are emptied, then the country of exploitation,
then the citizenship, then the age band is widened to ``0--17`` / ``18+``,
then emptied, then the gender, then the exploitation flags; rows still in a
group smaller than ``k`` are left out. `KAnonymity` reports the smallest
group, the number of values generalised and of rows left out.

This is the one export that reads person-level rows (one per person-year,
already classified in SQL); no identifier leaves the function.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

import pycountry

from thbmonitor.figures.age import BIRTH_REFERENCE, PERSON_BIRTH_CTE, age_at_first
from thbmonitor.figures.annual import require_year
from thbmonitor.publish.exports.csv_out import write_rows
from thbmonitor.store import Database

__all__ = ["COLUMNS", "CtdcExport", "KAnonymity", "ctdc_export", "k_anonymity"]

MEANS = ("meansDebtBondageEarnings", "meansThreats", "meansAbusePsyPhySex",
         "meansFalsePromises", "meansDrugsAlcohol", "meansDenyBasicNeeds",
         "meansExcessiveWorkHours", "meansWithholdDocs")
EXPLOIT_FLAGS = ("isForcedLabour", "isSexualExploit", "isOtherExploit")
SECTOR_FLAGS = ("sectorOfLabourAgriculture", "sectorOfLabourConstruction",
                "sectorOfLabourDomesticWork", "sectorOfLabourHospitality",
                "sectorOfSexProstitution", "sectorOfSexPornography")
RECRUITER = ("recruiterRelationIntimatePartner", "recruiterRelationFriend",
             "recruiterRelationFamily", "recruiterRelationOther")
#: The 27 columns of the CTDC Global Synthetic Dataset, in its order.
COLUMNS: tuple[str, ...] = (
    "yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation",
    "traffickMonths", *MEANS, *EXPLOIT_FLAGS, *SECTOR_FLAGS, *RECRUITER,
)
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 8, "0--8"), (9, 17, "9--17"), (18, 20, "18--20"), (21, 23, "21--23"),
    (24, 26, "24--26"), (27, 29, "27--29"), (30, 38, "30--38"), (39, 47, "39--47"),
    (48, None, "48+"),
)
GENDER = {"female": "Woman", "male": "Man", "other": "Trans/Transgender/NonConforming"}
LABOUR_SECTORS = {
    "sectorOfLabourAgriculture": "agriculture", "sectorOfLabourConstruction": "construction",
    "sectorOfLabourDomesticWork": "domestic_work", "sectorOfLabourHospitality": "hospitality",
}
SEX_WORK_SECTORS = {"window", "club", "escort", "home", "hotel"}
OTHER_FORMS = {"criminal", "organ_removal", "other"}

#: One row per person of the year; the age on the first report date as the figures compute
#: it (figures/age.py: the store keeps no date of birth in clear).
PERSONS_SQL = f"""
WITH person_report AS (
    SELECT coalesce(pr.person_id, 'report:' || r.source || '/' || r.report_id) AS person_id,
           year(r.report_date) AS yr, r.age_at_report, r.birth_month,
           coalesce(r.dob_token, r.source || '/' || r.report_id) AS birth_key,
           r.report_date, r.source, r.report_id, r.birth_year, r.sex,
           r.nationality, r.exploitation, r.sector, r.exploitation_countries, r.scope
    FROM reports AS r
    LEFT JOIN person_reports AS pr ON pr.source = r.source AND pr.report_id = r.report_id
    WHERE r.report_date >= $start AND r.report_date < $end
),{PERSON_BIRTH_CTE},
person AS (
    SELECT person_id, min(yr) AS yr, min(report_date) AS first_date,
{BIRTH_REFERENCE}
    FROM person_birth GROUP BY person_id
)
SELECT min(report_date) AS first_date,
       any_value({age_at_first('p')}) AS age,
       arg_max(birth_year, (report_date, source, report_id))
           FILTER (WHERE birth_year IS NOT NULL) AS birth_year,
       arg_max(sex, (report_date, source, report_id))
           FILTER (WHERE sex IS NOT NULL AND sex <> 'unknown') AS sex,
       arg_max(nationality, (report_date, source, report_id))
           FILTER (WHERE nationality IS NOT NULL AND nationality <> 'unknown') AS nationality,
       list_distinct(flatten(list(exploitation))) AS forms,
       list_distinct(list(sector) FILTER (WHERE sector IS NOT NULL)) AS sectors,
       list_distinct(flatten(list(coalesce(exploitation_countries, []::VARCHAR[]))))
           AS countries,
       bool_or(scope = 'domestic') AS any_domestic
FROM person_report JOIN person AS p USING (person_id)
GROUP BY person_id
ORDER BY min(report_date), hash(person_id)
"""


def _alpha3(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code)
    return country.alpha_3 if country is not None else ""


def _band(age: int) -> str:
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return ""


def _age_band(first: date, age: int | None, birth_year: int | None) -> str:
    if age is not None:
        return _band(age)
    if birth_year is not None:
        youngest, oldest = _band(first.year - birth_year - 1), _band(first.year - birth_year)
        return youngest if youngest == oldest else ""
    return ""


def _flag(value: bool, known: bool) -> str:
    return ("1" if value else "0") if known else ""


def _record(year: int, geo: str, row: Sequence[Any]) -> dict[str, str]:
    first, age, birth_year, sex, nationality, forms, sectors, countries, domestic = row
    known_forms = {f for f in (forms or []) if f and f != "unknown"}
    sectors = set(sectors or [])
    countries = [c for c in (countries or []) if c]
    if geo in countries or (not countries and domestic):
        exploited_in = geo
    elif len(countries) == 1:
        exploited_in = countries[0]
    else:
        exploited_in = ""
    record = {column: "" for column in COLUMNS}
    record.update({
        "yearOfRegistration": str(year),
        "gender": GENDER.get(sex or "", ""),
        "ageBroad": _age_band(first, age, birth_year),
        "citizenship": _alpha3(nationality),
        "CountryOfExploitation": _alpha3(exploited_in),
        "isForcedLabour": _flag("labour" in known_forms, bool(known_forms)),
        "isSexualExploit": _flag("sexual" in known_forms, bool(known_forms)),
        "isOtherExploit": _flag(bool(known_forms & OTHER_FORMS), bool(known_forms)),
        "sectorOfSexProstitution": _flag(
            "sexual" in known_forms and bool(sectors & SEX_WORK_SECTORS), bool(sectors)),
    })
    for column, sector in LABOUR_SECTORS.items():
        record[column] = _flag(sector in sectors, bool(sectors))
    return record


def _coarse_age(record: dict[str, str]) -> None:
    band = record["ageBroad"]
    if band in ("0--8", "9--17"):
        record["ageBroad"] = "0--17"
    elif band:
        record["ageBroad"] = "18+"


def _blank(*columns: str) -> Callable[[dict[str, str]], None]:
    def apply(record: dict[str, str]) -> None:
        for column in columns:
            record[column] = ""
    return apply


#: Generalisation steps, least useful information first.
STEPS: tuple[tuple[str, Callable[[dict[str, str]], None]], ...] = (
    ("sector flags emptied", _blank(*SECTOR_FLAGS)),
    ("country of exploitation emptied", _blank("CountryOfExploitation")),
    ("citizenship emptied", _blank("citizenship")),
    ("age band widened", _coarse_age),
    ("age band emptied", _blank("ageBroad")),
    ("gender emptied", _blank("gender")),
    ("exploitation flags emptied", _blank(*EXPLOIT_FLAGS)),
)


def _signature(record: dict[str, str]) -> tuple[str, ...]:
    return tuple(record[column] for column in COLUMNS)


@dataclass
class KAnonymity:
    """The k-anonymity of an extract over all its columns."""

    k: int
    rows: int
    smallest_group: int | None
    generalised: dict[str, int] = field(default_factory=dict)
    rows_left_out: int = 0

    @property
    def ok(self) -> bool:
        return self.smallest_group is None or self.smallest_group >= self.k

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "k": self.k, "rows": self.rows,
                "smallest_group": self.smallest_group, "generalised": dict(self.generalised),
                "rows_left_out": self.rows_left_out}


def k_anonymity(records: Sequence[dict[str, str]], k: int,
                columns: Sequence[str] = COLUMNS) -> KAnonymity:
    """The smallest group of identical rows (over all ``columns``) and whether it is at least k."""
    groups = Counter(tuple(r[column] for column in columns) for r in records)
    return KAnonymity(k=k, rows=len(records), smallest_group=min(groups.values(), default=None))


def anonymise(records: list[dict[str, str]], k: int) -> tuple[list[dict[str, str]], KAnonymity]:
    """Generalise rows in groups smaller than ``k`` step by step; leave out what remains."""
    generalised: dict[str, int] = {}
    for name, step in STEPS:
        groups = Counter(_signature(r) for r in records)
        small = [r for r in records if groups[_signature(r)] < k]
        if not small:
            break
        for record in small:
            step(record)
        generalised[name] = len(small)
    groups = Counter(_signature(r) for r in records)
    # Sorted by value: the order of the rows carries no information.
    kept = sorted((r for r in records if groups[_signature(r)] >= k), key=_signature)
    report = k_anonymity(kept, k)
    report.generalised = generalised
    report.rows_left_out = len(records) - len(kept)
    return kept, report


@dataclass
class CtdcExport:
    """The k-anonymous extract of one year and its k-anonymity report."""

    year: int
    records: list[dict[str, str]]
    report: KAnonymity

    @property
    def audit(self) -> KAnonymity:
        """Recomputed from the rows as published."""
        audit = k_anonymity(self.records, self.report.k)
        audit.generalised = dict(self.report.generalised)
        audit.rows_left_out = self.report.rows_left_out
        return audit

    def write_csv(self, handle: IO[str]) -> int:
        return write_rows(handle, COLUMNS, self.records)


def ctdc_export(db: Database, year: int, *, k: int | None = None, geo: str = "NL") -> CtdcExport:
    """The victims of ``year`` as CTDC records, k-anonymous (k: publication.threshold)."""
    require_year(db, year)
    limit = int(k if k is not None else db.setting("publication.threshold"))
    params = {"start": date(year, 1, 1), "end": date(year + 1, 1, 1)}
    records = [_record(year, geo, row) for row in db.rows(PERSONS_SQL, params)]
    kept, report = anonymise(records, limit)
    return CtdcExport(year=year, records=kept, report=report)
