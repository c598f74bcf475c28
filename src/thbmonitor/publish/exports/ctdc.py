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
from typing import IO, TYPE_CHECKING, Any

import pycountry

from thbmonitor.disclosure import AuditReport, Relation
from thbmonitor.figures.age import BIRTH_REFERENCE, PERSON_BIRTH_CTE, age_at_first
from thbmonitor.figures.annual import require_year
from thbmonitor.publish.exports.csv_out import write_rows
from thbmonitor.store import Database

if TYPE_CHECKING:
    from thbmonitor.publish.protection import ProtectedYear

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
    #: l-diversity in the exploitation flags: the l required, the groups that miss it.
    diversity: int = 1
    homogeneous: int = 0
    #: The joint audit of every table of the year, with the rows' bounds.
    joint_ok: bool = True

    @property
    def ok(self) -> bool:
        k_ok = self.smallest_group is None or self.smallest_group >= self.k
        return k_ok and self.homogeneous == 0 and self.joint_ok

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "k": self.k, "rows": self.rows,
                "smallest_group": self.smallest_group, "generalised": dict(self.generalised),
                "rows_left_out": self.rows_left_out, "l": self.diversity,
                "homogeneous_groups": self.homogeneous, "joint_audit_ok": self.joint_ok}


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


#: Distinct exploitation-flag combinations required in every (gender, age, citizenship,
#: country of exploitation) group: 2 (distinct l-diversity), so that no group tells the
#: form of exploitation of all its members.
L_DIVERSITY = 2
QUASI_IDENTIFIERS = ("yearOfRegistration", "gender", "ageBroad", "citizenship",
                     "CountryOfExploitation")

#: l-diversity steps for the rows of a homogeneous group, least useful information first;
#: the last one empties the flags (and the sector flags, which would tell the form).
DIVERSITY_STEPS: tuple[tuple[str, Callable[[dict[str, str]], None]], ...] = (
    ("country of exploitation emptied", _blank("CountryOfExploitation")),
    ("citizenship emptied", _blank("citizenship")),
    ("age band widened", _coarse_age),
    ("age band emptied", _blank("ageBroad")),
    ("gender emptied", _blank("gender")),
    ("exploitation flags emptied", _blank(*EXPLOIT_FLAGS, *SECTOR_FLAGS)),
)


def _quasi(record: dict[str, str]) -> tuple[str, ...]:
    return tuple(record[column] for column in QUASI_IDENTIFIERS)


def _flags(record: dict[str, str]) -> tuple[str, ...]:
    return tuple(record[column] for column in EXPLOIT_FLAGS)


def homogeneous_groups(records: Sequence[dict[str, str]], diversity: int = L_DIVERSITY
                       ) -> list[tuple[str, ...]]:
    """Quasi-identifier groups whose known exploitation flags take fewer than ``diversity`` values.

    A group whose rows all have empty flags tells nothing about the form and is not counted.
    """
    flags: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for record in records:
        flags.setdefault(_quasi(record), set()).add(_flags(record))
    return sorted(q for q, seen in flags.items()
                  if len(seen) < diversity and seen != {("",) * len(EXPLOIT_FLAGS)})


def diversify(records: list[dict[str, str]], diversity: int = L_DIVERSITY) -> dict[str, int]:
    """Generalise the rows of homogeneous groups step by step (whole groups move together,
    so k-anonymity is kept); returns the rows changed per step."""
    changed: dict[str, int] = {}
    for name, step in DIVERSITY_STEPS:
        bad = set(homogeneous_groups(records, diversity))
        if not bad:
            break
        rows = [r for r in records if _quasi(r) in bad]
        for record in rows:
            step(record)
        changed[name] = len(rows)
    return changed


# -- what a CTDC row says about the cells of the year's tables ---------------------------------

_SEX_OF = {label: sex for sex, label in GENDER.items()}
_MINOR_BANDS = {"0--8", "9--17", "0--17"}
_OTHER_CATEGORIES = frozenset({"criminal", "organ_removal", "other", "multiple"})
#: The CTDC columns that carry each dimension (emptied to hide it).
DIMENSION_COLUMNS: dict[str, tuple[str, ...]] = {
    "sex": ("gender",), "age": ("ageBroad",), "group": ("citizenship",),
    "nationality": ("citizenship",), "exploit": (*EXPLOIT_FLAGS, *SECTOR_FLAGS),
}
Facts = dict[str, frozenset[str] | None]
Predicate = dict[str, frozenset[str]]


def record_facts(record: dict[str, str]) -> Facts:
    """The values a row allows in each dimension of the figures (None: any value)."""
    from thbmonitor.vocab import nationality_groups

    facts: Facts = {"sex": None, "age": None, "group": None, "nationality": None,
                    "exploit": None}
    if record["gender"] in _SEX_OF:
        facts["sex"] = frozenset({_SEX_OF[record["gender"]]})
    if record["ageBroad"]:
        facts["age"] = frozenset({"minor" if record["ageBroad"] in _MINOR_BANDS else "adult"})
    if record["citizenship"]:
        country = pycountry.countries.get(alpha_3=record["citizenship"])
        if country is not None:
            facts["nationality"] = frozenset({country.alpha_2})
            facts["group"] = frozenset({nationality_groups().get(country.alpha_2, "other")})
    flags = _flags(record)
    if "" not in flags:
        if flags.count("1") > 1:
            facts["exploit"] = frozenset({"multiple"})
        elif flags[0] == "1":
            facts["exploit"] = frozenset({"labour"})
        elif flags[1] == "1":
            facts["exploit"] = frozenset({"sexual"})
        else:
            facts["exploit"] = _OTHER_CATEGORIES
    return facts


_FIGURE_DIMENSION = {"sex": "sex", "age_group": "age", "nationality_group": "group",
                     "nationality": "nationality", "exploitation": "exploit"}


def cell_predicate(key: str) -> Predicate | None:
    """The predicate of a victims cell of the year's tables over the CTDC dimensions.

    None when the cell is not one the CTDC rows say anything certain about.
    """
    from thbmonitor.publish.exports.cells import VICTIM_PARTS

    path = key.split(":", 1)[1]
    parts = path.split(".")
    if path == "victims.total":
        return {}
    if parts[:2] == ["victims", "by"] and len(parts) == 4 and parts[2] in _FIGURE_DIMENSION:
        return {_FIGURE_DIMENSION[parts[2]]: frozenset({parts[3]})}
    if parts[:2] == ["victims", "cross"] and len(parts) == 5:
        row, _, col = parts[2].partition("_by_")
        if row in _FIGURE_DIMENSION and col in _FIGURE_DIMENSION:
            return {_FIGURE_DIMENSION[row]: frozenset({parts[3]}),
                    _FIGURE_DIMENSION[col]: frozenset({parts[4]})}
    if path.startswith("eurostat.victims."):
        codes = path.removeprefix("eurostat.victims.").split("|")
        dims = {"sex": "sex", "age": "age", "citizen": "group", "exploit": "exploit"}
        predicate: Predicate = {}
        for dim, code in zip(("sex", "age", "citizen", "exploit"), codes, strict=True):
            if code in ("T", "TOTAL"):
                continue
            predicate[dims[dim]] = frozenset(p.rsplit(".", 1)[1] for p in VICTIM_PARTS[dim][code])
        return predicate
    return None


def certainly_in(facts: Facts, predicate: Predicate) -> bool:
    return all((v := facts[d]) is not None and v <= allowed for d, allowed in predicate.items())


def certainly_out(facts: Facts, predicate: Predicate) -> bool:
    return any((v := facts[d]) is not None and not v & allowed for d, allowed in predicate.items())


def record_bounds(year: int, records: Sequence[dict[str, str]], cells: Sequence[str]
                  ) -> tuple[dict[str, int | None], list[Relation]]:
    """What the rows tell an attacker about ``cells``: published bound cells and relations.

    For a cell with predicate P: at least the rows certainly in P, at most the
    total minus the rows certainly outside P (the rows are victims of the
    year, each counted once; left-out rows only widen the upper bound).
    """
    facts = [record_facts(r) for r in records]
    total = f"{year}:victims.total"
    published: dict[str, int | None] = {}
    relations: list[Relation] = []
    for cell in cells:
        predicate = cell_predicate(cell)
        if not predicate:
            continue
        inside = sum(certainly_in(f, predicate) for f in facts)
        outside = sum(certainly_out(f, predicate) for f in facts)
        low, out = f"{year}:ctdc.in.{cell}", f"{year}:ctdc.out.{cell}"
        published[low], published[out] = inside, outside
        relations.append(Relation(((cell, 1), (low, -1)), "ge", f"CTDC rows in {cell}"))
        relations.append(Relation(((total, 1), (cell, -1), (out, -1)), "ge",
                                  f"CTDC rows outside {cell}"))
    return published, relations


#: The dimension emptied first to take a row out of an unpublished cell (least useful first).
HIDE_ORDER = ("nationality", "group", "age", "sex", "exploit")


def hide_cells(records: list[dict[str, str]], predicates: Sequence[Predicate]) -> int:
    """Take every row out of the unpublished cells it is certainly in; return the rows changed.

    Of the cell's dimensions, the least useful column is emptied (citizenship
    before age, age before gender, gender before the forms): the row is then
    no longer certainly inside the cell.
    """
    changed = 0
    for record in records:
        facts = record_facts(record)
        touched = False
        for predicate in predicates:
            if predicate and certainly_in(facts, predicate):
                dim = next(d for d in HIDE_ORDER if d in predicate)
                for column in DIMENSION_COLUMNS[dim]:
                    record[column] = ""
                facts = record_facts(record)
                touched = True
        changed += touched
    return changed


@dataclass
class CtdcExport:
    """The k-anonymous, l-diverse extract of one year, its report and the joint audit."""

    year: int
    records: list[dict[str, str]]
    report: KAnonymity
    joint_audit: AuditReport | None = None

    @property
    def audit(self) -> KAnonymity:
        """Recomputed from the rows as published (k-anonymity and l-diversity)."""
        audit = k_anonymity(self.records, self.report.k)
        audit.generalised = dict(self.report.generalised)
        audit.rows_left_out = self.report.rows_left_out
        audit.diversity = self.report.diversity
        audit.homogeneous = len(homogeneous_groups(self.records, self.report.diversity))
        audit.joint_ok = self.joint_audit.ok if self.joint_audit is not None else True
        return audit

    def write_csv(self, handle: IO[str]) -> int:
        return write_rows(handle, COLUMNS, self.records)


#: Rounds of widening the hidden columns when the joint audit still fails.
MAX_ROUNDS = 3


def ctdc_export(db: Database, year: int, *, k: int | None = None, geo: str = "NL",
                diversity: int = L_DIVERSITY, protected: ProtectedYear | None = None) -> CtdcExport:
    """The victims of ``year`` as CTDC records, cut to what the year's protection publishes.

    Rows certainly inside a cell the year's tables do not publish lose the
    columns of that cell (so they cannot pin it), then the rows are made
    k-anonymous (k: ``publication.threshold``) and l-diverse in the
    exploitation flags; the joint audit of every table of the year, with the
    bounds an attacker reads from the rows, decides (`CtdcExport.audit`).
    """
    from thbmonitor.publish.protection import audit_year, protect_year, year_model

    require_year(db, year)
    if protected is None or protected.year != year:
        protected = protect_year(db, year, threshold=k)  # the setting (and its floor) if None
    limit = int(k if k is not None else protected.threshold)
    published, _relations, _hidden, _conflicts = year_model(
        year, protected.figures, protected.breakdowns.tables.get(year),
        protected.breakdowns.exports.get(year))
    unpublished = [c for c, v in published.items() if v is None]
    predicates = [p for c in unpublished if (p := cell_predicate(c))]
    params = {"start": date(year, 1, 1), "end": date(year + 1, 1, 1)}
    records = [_record(year, geo, row) for row in db.rows(PERSONS_SQL, params)]
    hidden_rows = hide_cells(records, predicates)
    kept, report = anonymise(records, limit)
    report.diversity = diversity
    diversified = diversify(kept, diversity)
    report.generalised = {**({"unpublished cells hidden": hidden_rows} if hidden_rows else {}),
                          **report.generalised,
                          **{f"l-diversity: {name}": n for name, n in diversified.items()}}
    cells = [c for c in published if cell_predicate(c)]
    audit = None
    for _ in range(MAX_ROUNDS):
        bounds, relations = record_bounds(year, kept, cells)
        audit = audit_year(protected, extra_published=bounds, extra_relations=relations)
        failing = [p for f in audit.failures if (p := cell_predicate(f.path))]
        if audit.ok or not failing:
            break
        for predicate in failing:  # the attacker still narrows it: empty its columns
            for dim in predicate:
                for record in kept:
                    for column in DIMENSION_COLUMNS[dim]:
                        record[column] = ""
        report.generalised["joint audit: columns emptied"] = len(kept)
    kept.sort(key=_signature)
    report.homogeneous = len(homogeneous_groups(kept, diversity))
    report.joint_ok = audit.ok if audit is not None else True
    return CtdcExport(year=year, records=kept, report=report, joint_audit=audit)
