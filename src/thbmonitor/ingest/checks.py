"""Set-based validation in DuckDB SQL: normalised values and their errors.

`checked_select` builds the SELECT that turns the staging table (see
staging.py: free-text columns as written, every other column an index into
its mapping of tokens, vocabulary values, dates and numbers) into normalised
columns and one error code (or NULL) per cell. Only column names from the
kind specifications (our constants) are placed in SQL text; values always
travel as data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from thbmonitor.ingest.kinds import Column, Kind, Type
from thbmonitor.ingest.staging import BIRTH_DATE, mapped

STAGING = "_ing_stg"
CHECKED = "_ing_chk"
FINAL = "_ing_final"
ERRORS = "_ing_errs"
NAMES = "_ing_names"


def mapping_table(column: str) -> str:
    return f"_ing_m_{column}"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass
class Checked:
    select: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)
    #: (column, error expression, detail expression)
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    kind: str = ""


def _column(col: Column, checked: Checked) -> None:
    """Value, error and detail of one column (mapped columns: as staging.py computed them)."""
    c = col.name
    raw = f"s.{quote(c)}"
    type_error = "NULL"
    detail = "''"
    if not mapped(col):
        trimmed = f"trim({raw})"
        present = f"({trimmed} <> '')"
        value = (f"NULLIF(lower({trimmed}), '')" if col.type is Type.SOURCE
                 else f"NULLIF({trimmed}, '')")
    else:
        def part(name: str) -> str:
            return f"s.{quote(c + ':' + name)}"

        present = part("present")
        value = raw
        type_error = part("code")
        detail = f"coalesce({part('detail')}, '')"
        if col.type is Type.NAME:
            alias = f"m_{c}"
            checked.joins.append(
                f"LEFT JOIN {mapping_table(c)} {alias} ON {alias}.idx = {part('idx')}")
            prefix = c.split("_")[0]
            checked.select += [f"{part('phonetic')} AS {prefix}_phonetic",
                               f"{part('romanised')} AS {prefix}_romanised",
                               f"{alias}.bloom AS {prefix}_bloom"]
        elif c == BIRTH_DATE and checked.kind == "reports":
            checked.select += [
                f"{part('swap')} AS dob_swap_token", f"{part('near')} AS dob_near_tokens",
                f"{part('year')} AS dob_year", f"{part('month')} AS birth_month",
                "s._dob_age AS age_at_report", "s._dob_future AS dob_future",
                "s._dob_after_report AS dob_after_report", "s._dob_too_old AS dob_too_old",
            ]
    required = "TRUE" if col.required else "FALSE"
    error = (
        f"CASE WHEN {present} THEN coalesce({type_error}, "
        f"CASE WHEN {value} IS NULL AND {required} THEN 'missing-value' END) "
        f"WHEN {required} THEN 'missing-value' END"
    )
    checked.select += [f"{value} AS {quote(c)}", f"{error} AS {quote('e_' + c)}",
                       f"{detail} AS {quote('d_' + c)}"]
    checked.errors.append((c, quote("e_" + c), quote("d_" + c)))


def checked_select(kind: Kind) -> str:
    """SQL creating the checked table from the staging table."""
    checked = Checked(select=["s._row AS _row", "s._extra AS _extra"], kind=kind.name)
    for col in kind.columns:
        _column(col, checked)
    if kind.name == "reports":
        checked.joins.append("LEFT JOIN organisations o ON o.source = lower(trim(s.source))")
        checked.select.append("o.source_type AS registered_type")
    return (
        f"CREATE TEMP TABLE {CHECKED} AS SELECT {', '.join(checked.select)} "
        f"FROM {STAGING} s {' '.join(checked.joins)}"
    )


def cell_errors_select(kind: Kind) -> str:
    """One row per cell error found by `checked_select`."""
    parts = [
        f"SELECT _row, '{c}' AS col, {err} AS code, {det} AS detail FROM {CHECKED} "
        f"WHERE {err} IS NOT NULL"
        for c, err, det in (
            (col.name, quote("e_" + col.name), quote("d_" + col.name)) for col in kind.columns
        )
    ]
    return f"CREATE TEMP TABLE {ERRORS} AS " + " UNION ALL ".join(parts)


def _dates(kind: Kind) -> list[str]:
    return [c.name for c in kind.columns if c.type is Type.DATE]


def range_errors(kind: Kind, max_age_years: int) -> list[str]:
    """INSERTs of the cross-column and range errors into the errors table."""
    ins = f"INSERT INTO {ERRORS} "
    out = []
    for c in _dates(kind):
        q = quote(c)
        if c == BIRTH_DATE:
            continue  # checked against the report date in Arrow (staging.py)
        if not c.endswith("end_date"):
            out.append(f"{ins} SELECT _row, '{c}', 'date-in-future', '' FROM {CHECKED} "
                       f"WHERE {q} > current_date")
        if c != BIRTH_DATE:
            out.append(f"{ins} SELECT _row, '{c}', 'date-out-of-range', '1900 to today' "
                       f"FROM {CHECKED} WHERE {q} < DATE '1900-01-01'")
    if kind.name == "reports":
        out += [
            f"{ins} SELECT _row, 'date_of_birth', 'date-in-future', '' FROM {CHECKED} "
            f"WHERE dob_future",
            f"{ins} SELECT _row, 'date_of_birth', 'inconsistent-dates', 'is after report_date' "
            f"FROM {CHECKED} WHERE dob_after_report",
            f"{ins} SELECT _row, 'date_of_birth', 'date-out-of-range', "
            f"'at most {int(max_age_years)} years before report_date' FROM {CHECKED} "
            f"WHERE dob_too_old",
            f"{ins} SELECT _row, 'birth_year', 'date-out-of-range', '1900 to the report year' "
            f"FROM {CHECKED} WHERE birth_year < 1900 OR birth_year > year(report_date)",
            f"{ins} SELECT _row, 'birth_year', 'inconsistent-dates', "
            f"'differs from the year of date_of_birth' FROM {CHECKED} "
            f"WHERE birth_year <> dob_year",
        ]
    if kind.name == "suspects":
        out.append(f"{ins} SELECT _row, 'birth_year', 'date-out-of-range', "
                   f"'1900 to the registration year' FROM {CHECKED} "
                   f"WHERE birth_year < 1900 OR birth_year > year(registered_date)")
    if kind.name == "verdicts":
        out.append(f"{ins} SELECT _row, 'custodial_months', 'invalid-number', "
                   f"'a number of months, 0 or more' FROM {CHECKED} WHERE custodial_months < 0")
    from thbmonitor.ingest.kinds import DATE_ORDER

    for name, earlier, later in DATE_ORDER:
        if name == kind.name:
            out.append(f"{ins} SELECT _row, '{later}', 'inconsistent-dates', 'is before {earlier}' "
                       f"FROM {CHECKED} WHERE {quote(later)} < {quote(earlier)}")
    return out
