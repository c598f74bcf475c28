"""Set-based validation in DuckDB SQL: normalised values and their errors.

`checked_select` builds the SELECT that turns the staging table of strings
into normalised columns, one error code (or NULL) per cell, and the
pseudonymised tokens. Only column names from the kind specifications (our
constants) are placed in SQL text; values always travel as data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from thbmonitor.ingest.kinds import Column, Kind, Type

STAGING = "_ing_stg"
CHECKED = "_ing_chk"
FINAL = "_ing_final"
ERRORS = "_ing_errs"
NAMES = "_ing_names"
#: (raw name, birth salt) -> salted Bloom encoding (ingest/pseudonymise.py `birth_salt`).
BLOOMS = "_ing_blooms"
#: The staging column holding each row's birth salt (set by the importer).
SALT = "_salt"


def salt_sql(kind: Kind) -> str:
    """SQL over the staging row for its birth salt, as `pseudonymise.birth_salt` writes it:
    'YYYY-MM' from a valid date of birth, else 'YYYY' from the birth year, else ''."""
    if "date_of_birth" not in kind.names:
        return "''"
    dob = "trim(date_of_birth)"
    day = f"try_strptime({dob}, {DATE_FORMATS})"
    stamp = f"try_strptime({dob}, {DATETIME_FORMATS})"
    year = ("CASE WHEN regexp_full_match(trim(birth_year), '[0-9]{1,4}') "
            "THEN lpad(CAST(CAST(trim(birth_year) AS INTEGER) AS VARCHAR), 4, '0') END"
            if "birth_year" in kind.names else "NULL")
    return (f"coalesce(strftime(coalesce({day}, CASE WHEN {stamp} = date_trunc('day', {stamp}) "
            f"THEN {stamp} END), '%Y-%m'), {year}, '')")


#: Accepted date formats (DuckDB strptime), tried in order.
DATE_FORMATS = "['%Y-%m-%d', '%d-%m-%Y']"
#: Date-times accepted when their time is 00:00 (Excel, pandas and ISO 8601 exports).
DATETIME_FORMATS = ("['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', "
                    "'%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f', '%d-%m-%Y %H:%M:%S', "
                    "'%d-%m-%Y %H:%M']")
TIME_OF_DAY = " (it has a time of day other than 00:00; give the date only)"


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


def _column(col: Column, checked: Checked) -> None:
    c = col.name
    raw = f"s.{quote(c)}"
    trimmed = f"trim({raw})"
    present = f"({trimmed} <> '')"
    type_error = "NULL"
    detail = "''"
    if col.type in (Type.TEXT, Type.CODE):
        value = f"NULLIF({trimmed}, '')"
    elif col.type is Type.SOURCE:
        value = f"NULLIF(lower({trimmed}), '')"
    elif col.type is Type.DATE:
        # A date, or a date with a zero time as Excel and pandas write it
        # ("2024-01-15 00:00:00"); a time of day other than midnight is an error that
        # says so (the time is not shown: the column may be a date of birth).
        day = f"try_strptime({trimmed}, {DATE_FORMATS})"
        stamp = f"try_strptime({trimmed}, {DATETIME_FORMATS})"
        value = (f"CAST(CASE WHEN {day} IS NOT NULL THEN {day} "
                 f"WHEN {stamp} = date_trunc('day', {stamp}) THEN {stamp} END AS DATE)")
        type_error = f"CASE WHEN {value} IS NULL THEN 'invalid-date' END"
        detail = (f"CASE WHEN {day} IS NULL AND {stamp} IS NOT NULL THEN "
                  f"'{TIME_OF_DAY}' ELSE '' END")
    elif col.type is Type.INT:
        value = f"TRY_CAST({trimmed} AS INTEGER)"
        type_error = f"CASE WHEN {value} IS NULL THEN 'invalid-number' END"
        detail = "'a whole number'"
    elif col.type is Type.FLOAT:
        value = f"TRY_CAST(replace({trimmed}, ',', '.') AS DOUBLE)"
        type_error = f"CASE WHEN {value} IS NULL THEN 'invalid-number' END"
        detail = "'a number'"
    elif col.type in (Type.ENUM, Type.MULTI_ENUM, Type.COUNTRY, Type.MULTI_COUNTRY):
        alias = f"m_{c}"
        checked.joins.append(f"LEFT JOIN {mapping_table(c)} {alias} ON {alias}.raw = {raw}")
        value = f"{alias}.value"
        type_error = f"{alias}.code"
        detail = f"coalesce({alias}.detail, '')"
    elif col.type is Type.NAME:
        alias = f"n_{c}"
        checked.joins.append(f"LEFT JOIN {NAMES} {alias} ON {alias}.raw = {raw}")
        checked.joins.append(f"LEFT JOIN {BLOOMS} b_{c} ON b_{c}.raw = {raw} "
                             f"AND b_{c}.salt = s.{SALT}")
        value = f"{alias}.token"
        prefix = c.split("_")[0]
        checked.select += [
            f"{alias}.phonetic AS {prefix}_phonetic",
            f"CAST(b_{c}.bloom AS BITSTRING) AS {prefix}_bloom",
        ]
    elif col.type is Type.PERSON_REF:
        alias = f"m_{c}"
        checked.joins.append(
            f"LEFT JOIN {mapping_table(c)} {alias} ON {alias}.raw = {raw} "
            f"AND {alias}.source = lower(trim(s.source))"
        )
        value = f"{alias}.token"
    else:  # PHONE, ADDRESS, BOOKING
        alias = f"m_{c}"
        checked.joins.append(f"LEFT JOIN {mapping_table(c)} {alias} ON {alias}.raw = {raw}")
        value = f"{alias}.token"
        if col.type is Type.PHONE:
            type_error = f"CASE WHEN {value} IS NULL THEN 'invalid-phone' END"
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
    checked = Checked(select=["s._row AS _row", "s._extra AS _extra"])
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
        if not c.endswith("end_date"):
            out.append(f"{ins} SELECT _row, '{c}', 'date-in-future', '' FROM {CHECKED} "
                       f"WHERE {q} > current_date")
        if c != "date_of_birth":
            out.append(f"{ins} SELECT _row, '{c}', 'date-out-of-range', '1900 to today' "
                       f"FROM {CHECKED} WHERE {q} < DATE '1900-01-01'")
    if kind.name == "reports":
        out += [
            f"{ins} SELECT _row, 'date_of_birth', 'inconsistent-dates', 'is after report_date' "
            f"FROM {CHECKED} WHERE date_of_birth > report_date",
            f"{ins} SELECT _row, 'date_of_birth', 'date-out-of-range', "
            f"'at most {int(max_age_years)} years before report_date' FROM {CHECKED} "
            f"WHERE date_of_birth < report_date - INTERVAL {int(max_age_years)} YEAR",
            f"{ins} SELECT _row, 'birth_year', 'date-out-of-range', '1900 to the report year' "
            f"FROM {CHECKED} WHERE birth_year < 1900 OR birth_year > year(report_date)",
            f"{ins} SELECT _row, 'birth_year', 'inconsistent-dates', "
            f"'differs from the year of date_of_birth' FROM {CHECKED} "
            f"WHERE birth_year <> year(date_of_birth)",
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
