"""The counts the exports start from, aggregated in DuckDB.

Victims are classified exactly as in the annual figures (the person-year
classification of `thbmonitor.figures.victims`: exploitation category, age
group, sex, nationality and its group), so that an export's margins equal
the figures' tables. Suspects are counted by ``registered_date``.
Only aggregates leave the database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from thbmonitor.figures.victims import CLASSIFIED_SQL
from thbmonitor.store import Database
from thbmonitor.vocab import nationality_groups

VICTIM_CUBE_SQL = CLASSIFIED_SQL + """
SELECT exploitation, age_group, sex, nationality, nationality_group, count(*) AS n
FROM classified
WHERE yr = $year
GROUP BY ALL
"""

SUSPECT_CUBE_SQL = """
SELECT sex, birth_year, nationality, count(*) AS n
FROM suspects
WHERE registered_date >= $start AND registered_date < $end
GROUP BY ALL
"""


def _year_params(year: int) -> dict[str, Any]:
    return {"start": date(year, 1, 1), "end": date(year + 1, 1, 1)}


def victim_counts(db: Database, year: int) -> list[dict[str, Any]]:
    """Victims of ``year`` per exploitation, age group, sex, nationality and group."""
    groups = nationality_groups()
    params = _year_params(year) | {
        "year": year, "codes": list(groups), "groups": list(groups.values())}
    columns = ("exploitation", "age_group", "sex", "nationality", "nationality_group", "n")
    return [dict(zip(columns, row, strict=True)) for row in db.rows(VICTIM_CUBE_SQL, params)]


def suspect_counts(db: Database, year: int) -> list[dict[str, Any]]:
    """Suspects registered in ``year`` per sex, age group and nationality group.

    The age group follows the breakdowns' suspect age bands
    (`thbmonitor.figures.breakdowns`: year of registration minus birth year
    under 18 is a minor, else an adult), so that the export's margins are
    the published breakdowns' cells.
    """
    groups = nationality_groups()
    return [_person_row(year, sex, birth_year, nationality, n, groups)
            for sex, birth_year, nationality, n in db.rows(SUSPECT_CUBE_SQL, _year_params(year))]


def _person_row(year: int, sex: Any, birth_year: Any, nationality: Any, n: int,
                groups: dict[str, str]) -> dict[str, Any]:
    """One aggregate row of persons of the chain, classified as the suspects are."""
    if birth_year is None:
        age_group = "unknown"
    elif year - birth_year < 18:
        age_group = "minor"
    else:
        age_group = "adult"
    known = nationality not in (None, "", "unknown")
    return {
        "sex": sex if sex in ("female", "male", "other") else "unknown",
        "age_group": age_group,
        "nationality": nationality if known else "unknown",
        "nationality_group": (groups.get(nationality, "other") if known else "unknown"),
        "n": int(n),
    }


def chain_person_counts(db: Database, year: int) -> dict[str, list[dict[str, Any]]]:
    """The prosecuted and convicted of ``year`` per sex, age group and nationality group.

    From the chain's aggregates (`thbmonitor.figures.chain.count_chain_persons`):
    *prosecuted* are the cases registered at the prosecution service in the
    year, *convicted* the convictions of the year; sex, age group (year minus
    birth year under 18: a minor, as for the suspects) and nationality are the
    suspect's the case names (unknown when the case names none).
    """
    from thbmonitor.figures.chain import count_chain_persons

    groups = nationality_groups()
    return {stage: [_person_row(year, *row, groups=groups) for row in rows]
            for stage, rows in count_chain_persons(db, year).items()}


SEX_CODE = {"female": "F", "male": "M"}
AGE_CODE = {"minor": "Y_LT18", "adult": "Y_GE18"}
FORM_CODE = {"sexual": "SEXUAL", "labour": "LABOUR", "unknown": "UNK"}


def citizen_code(group: str, reporting_group: str = "NL") -> str:
    """Eurostat's citizenship code of a nationality group (the reporting country's is NAT)."""
    if group == reporting_group:
        return "NAT"
    if group == "EU":
        return "EU27_2020_FOR"
    return "UNK" if group == "unknown" else "NEU27_2020_FOR"


def victim_cube(db: Database, year: int, geo: str = "NL") -> dict[tuple[str, ...], int]:
    """Victims of ``year`` per Eurostat (sex, age, citizen, exploit) codes."""
    cube: dict[tuple[str, ...], int] = {}
    for row in victim_counts(db, year):
        cell = (SEX_CODE.get(row["sex"], "UNK"), AGE_CODE.get(row["age_group"], "UNK"),
                citizen_code(row["nationality_group"], geo),
                FORM_CODE.get(row["exploitation"], "OTHER"))
        cube[cell] = cube.get(cell, 0) + int(row["n"])
    return cube


def suspect_cube(db: Database, year: int, geo: str = "NL") -> dict[tuple[str, ...], int]:
    """Suspects registered in ``year`` per Eurostat (sex, age, citizen) codes."""
    cube: dict[tuple[str, ...], int] = {}
    for row in suspect_counts(db, year):
        cell = (SEX_CODE.get(row["sex"], "UNK"), AGE_CODE.get(row["age_group"], "UNK"),
                citizen_code(row["nationality_group"], geo))
        cube[cell] = cube.get(cell, 0) + int(row["n"])
    return cube


def chain_cubes(db: Database, year: int, geo: str = "NL"
                ) -> dict[str, dict[tuple[str, ...], int]]:
    """The prosecuted and convicted of ``year`` per Eurostat (sex, age, citizen) codes."""
    cubes: dict[str, dict[tuple[str, ...], int]] = {}
    for stage, rows in chain_person_counts(db, year).items():
        cube = cubes.setdefault(stage, {})
        for row in rows:
            cell = (SEX_CODE.get(row["sex"], "UNK"), AGE_CODE.get(row["age_group"], "UNK"),
                    citizen_code(row["nationality_group"], geo))
            cube[cell] = cube.get(cell, 0) + int(row["n"])
    return cubes
