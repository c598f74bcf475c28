"""Victims per year: distinct persons with a report dated in the year, with breakdowns.

All years of a range are counted in one pass: the reports are grouped into
person-years, each person-year is classified once (exploitation category,
age group, sex, scope, nationality and its group), and every table of every
year comes out of one ``GROUPING SETS`` query. The rules are in
``docs/figures.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from thbmonitor.figures.age import BIRTH_REFERENCE, PERSON_BIRTH_CTE, age_at_first
from thbmonitor.figures.categories import exclusive_category_sql, zero_filled
from thbmonitor.store import Database
from thbmonitor.vocab import (
    AGE_GROUPS,
    EXPLOITATION_CATEGORIES,
    NATIONALITY_GROUPS,
    SCOPES,
    SEXES,
    SOURCE_TYPES,
    nationality_groups,
)

if TYPE_CHECKING:
    import pandas as pd

#: Keys of the nationality table that are not ISO codes; always present.
NATIONALITY_SPECIAL: tuple[str, ...] = ("stateless", "unknown")
#: A report with no person_reports row (linkage not run, or run before the
#: report was imported) counts as a person of its own under this id.
UNLINKED_PREFIX = "report:"

#: One row per report dated in the range, with the person it belongs to.
PERSON_REPORTS_CTE = f"""
person_report AS (
    SELECT coalesce(pr.person_id, '{UNLINKED_PREFIX}' || r.source || '/' || r.report_id)
               AS person_id,
           year(r.report_date) AS yr,
           r.report_date, r.source, r.report_id, r.source_type, r.age_at_report,
           r.birth_month, r.birth_year, r.sex, r.nationality, r.exploitation, r.scope,
           coalesce(r.dob_token, r.source || '/' || r.report_id) AS birth_key
    FROM reports AS r
    LEFT JOIN person_reports AS pr ON pr.source = r.source AND pr.report_id = r.report_id
    WHERE r.report_date >= $start AND r.report_date < $end
)"""

#: Most recent value first: by report date, ties broken by source and report id.
_RECENT = "(report_date, source, report_id)"

_CATEGORY = exclusive_category_sql("forms")

#: The person-year classification as a CTE named `classified` (one row per person and
#: year: exploitation, age_group, sex, scope, nationality, nationality_group); the
#: figures, the exports and the dark-figure covariates all count from it.
CLASSIFIED_SQL = f"""
WITH {PERSON_REPORTS_CTE},{PERSON_BIRTH_CTE},
nationality_group AS (
    SELECT unnest($codes) AS code, unnest($groups) AS grp
),
person_year AS (
    SELECT person_id, yr,
           min(report_date) AS first_date,
{BIRTH_REFERENCE},
           arg_max(birth_year, {_RECENT}) FILTER (WHERE birth_year IS NOT NULL) AS birth_year,
           arg_max(sex, {_RECENT}) FILTER (WHERE sex IS NOT NULL AND sex <> 'unknown') AS sex,
           arg_max(nationality, {_RECENT})
               FILTER (WHERE nationality IS NOT NULL AND nationality <> 'unknown') AS nationality,
           bool_or(scope = 'cross_border') AS any_cross_border,
           bool_or(scope = 'domestic') AS any_domestic,
           flatten(list(exploitation)) AS forms
    FROM person_birth
    GROUP BY person_id, yr
),
classified AS (
    SELECT person_id, yr,
           {_CATEGORY} AS exploitation,
           CASE
               WHEN p.ref_age IS NOT NULL THEN
                   CASE WHEN {age_at_first('p')} < 18 THEN 'minor' ELSE 'adult' END
               WHEN birth_year IS NULL THEN 'unknown'
               WHEN yr - birth_year < 18 THEN 'minor'
               WHEN yr - birth_year
                    - CASE WHEN month(first_date) = 12 AND day(first_date) = 31
                           THEN 0 ELSE 1 END >= 18 THEN 'adult'
               ELSE 'unknown'
           END AS age_group,
           coalesce(sex, 'unknown') AS sex,
           CASE WHEN any_cross_border THEN 'cross_border'
                WHEN any_domestic THEN 'domestic'
                ELSE 'unknown' END AS scope,
           coalesce(p.nationality, 'unknown') AS nationality,
           CASE WHEN p.nationality IS NULL THEN 'unknown'
                ELSE coalesce(g.grp, 'other') END AS nationality_group
    FROM person_year AS p
    LEFT JOIN nationality_group AS g ON g.code = p.nationality
)
"""

#: One row per person and year: the classification every table counts.
PERSON_YEARS_SQL = CLASSIFIED_SQL + """
SELECT person_id, yr AS year, exploitation, age_group, sex, scope, nationality,
       nationality_group
FROM classified
ORDER BY yr, person_id
"""

VICTIMS_SQL = CLASSIFIED_SQL + """
SELECT yr,
       GROUPING(exploitation, age_group, sex, scope, nationality, nationality_group) AS grouping_id,
       exploitation, age_group, sex, scope, nationality, nationality_group,
       count(*) AS n
FROM classified
GROUP BY GROUPING SETS (
    (yr), (yr, exploitation), (yr, age_group), (yr, sex), (yr, scope), (yr, nationality),
    (yr, nationality_group), (yr, exploitation, age_group), (yr, exploitation, nationality_group)
)
"""

SOURCE_TYPE_SQL = f"""
WITH {PERSON_REPORTS_CTE}
SELECT yr, source_type, count(DISTINCT person_id) AS n
FROM person_report
GROUP BY yr, source_type
"""

#: The dimensions of VICTIMS_SQL, in the order of its GROUPING() call.
DIMENSIONS: tuple[str, ...] = (
    "exploitation", "age_group", "sex", "scope", "nationality", "nationality_group",
)
#: The cross tables: name, row dimension, column dimension.
CROSSES: tuple[tuple[str, str, str], ...] = (
    ("exploitation_by_age_group", "exploitation", "age_group"),
    ("exploitation_by_nationality_group", "exploitation", "nationality_group"),
)
#: The declared keys of each `by` table (nationality: only the special keys).
BY_KEYS: dict[str, tuple[str, ...]] = {
    "exploitation": EXPLOITATION_CATEGORIES,
    "age_group": AGE_GROUPS,
    "sex": SEXES,
    "scope": SCOPES,
    "source_type": SOURCE_TYPES,
    "nationality": (),
    "nationality_group": NATIONALITY_GROUPS,
}


@dataclass(frozen=True)
class VictimTables:
    """The victims of one year: total, one-way tables (`by`) and cross tables."""

    total: int = 0
    by: dict[str, dict[str, int]] = field(default_factory=dict)
    cross: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)


def count_victims(db: Database, first_year: int, last_year: int) -> dict[int, VictimTables]:
    """Victim tables for every year from ``first_year`` to ``last_year``, zero-filled."""
    groups = nationality_groups()
    years: dict[str, Any] = {"start": date(first_year, 1, 1), "end": date(last_year + 1, 1, 1)}
    params = years | {"codes": list(groups), "groups": list(groups.values())}
    totals: dict[int, int] = {}
    one_way: dict[tuple[int, str], dict[str, int]] = {}
    two_way: dict[tuple[int, str], dict[tuple[str, str], int]] = {}
    crosses = {(row, col): name for name, row, col in CROSSES}
    for yr, grouping_id, *values, n in db.rows(VICTIMS_SQL, params):
        # GROUPING() sets the bit of each dimension that is aggregated away.
        grouped = [
            (dim, values[i]) for i, dim in enumerate(DIMENSIONS)
            if not grouping_id & (1 << (len(DIMENSIONS) - 1 - i))
        ]
        if not grouped:
            totals[yr] = int(n)
        elif len(grouped) == 1:
            (dim, key), = grouped
            one_way.setdefault((yr, dim), {})[key] = int(n)
        else:
            (row_dim, row_key), (col_dim, col_key) = grouped
            name = crosses[(row_dim, col_dim)]
            two_way.setdefault((yr, name), {})[(row_key, col_key)] = int(n)
    for yr, source_type, n in db.rows(SOURCE_TYPE_SQL, years):
        one_way.setdefault((yr, "source_type"), {})[source_type] = int(n)

    return {
        yr: VictimTables(
            total=totals.get(yr, 0),
            by=_by_tables(yr, one_way),
            cross=_cross_tables(yr, two_way),
        )
        for yr in range(first_year, last_year + 1)
    }


def _by_tables(
    yr: int, one_way: dict[tuple[int, str], dict[str, int]]
) -> dict[str, dict[str, int]]:
    tables = {dim: zero_filled(keys, one_way.get((yr, dim), {})) for dim, keys in BY_KEYS.items()}
    tables["nationality"] = _nationality_table(one_way.get((yr, "nationality"), {}))
    return tables


def _nationality_table(counts: dict[str, int]) -> dict[str, int]:
    """ISO codes present, largest first (ties by code), then `stateless` and `unknown`."""
    codes = sorted(
        (code for code in counts if code not in NATIONALITY_SPECIAL),
        key=lambda code: (-counts[code], code),
    )
    return {code: counts[code] for code in codes} | {
        key: counts.get(key, 0) for key in NATIONALITY_SPECIAL
    }


def _cross_tables(
    yr: int, two_way: dict[tuple[int, str], dict[tuple[str, str], int]]
) -> dict[str, dict[str, dict[str, int]]]:
    tables: dict[str, dict[str, dict[str, int]]] = {}
    for name, row_dim, col_dim in CROSSES:
        cells = two_way.get((yr, name), {})
        row_keys = list(zero_filled(BY_KEYS[row_dim], {r: 0 for r, _ in cells}))
        col_keys = list(zero_filled(BY_KEYS[col_dim], {c: 0 for _, c in cells}))
        tables[name] = {
            row: zero_filled(col_keys, {c: n for (r, c), n in cells.items() if r == row})
            for row in row_keys
        }
    return tables


def person_years(db: Database, first_year: int, last_year: int) -> pd.DataFrame:
    """One row per victim and year with the classification the tables count.

    Columns: person_id, year, exploitation, age_group, sex, scope, nationality,
    nationality_group. The dark-figure estimate uses it for its covariates, so
    an estimate by age group uses exactly the age groups of the figures.
    """
    groups = nationality_groups()
    params = {"start": date(first_year, 1, 1), "end": date(last_year + 1, 1, 1),
              "codes": list(groups), "groups": list(groups.values())}
    return db.frame(PERSON_YEARS_SQL, params)
