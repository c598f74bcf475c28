"""The staging of an import, computed in Arrow before anything reaches DuckDB.

DuckDB spills what does not fit its memory limit to `<store>.tmp/`, and its
WAL holds what a transaction wrote until the next checkpoint; neither is
encrypted, and a killed import leaves both behind. So no clear personal value
may ever be in a DuckDB table, temp table or query result: every cell of a
personal, coded or typed column is mapped here, once per distinct value, and
DuckDB receives per row only the result: whether the cell had anything in
it (`<column>:present`), the value (a keyed token, a vocabulary value, a
date or a number) and an error code with a detail that never contains the
value (`<column>:code`, `<column>:detail`). The Bloom encodings of names
stay one per distinct name in a table joined by index (`<column>:idx`).
Columns declared as free text or codes (`report_id`, `source`, `region`,
`place`, `investigation_id`, ...) are stored in clear by design and reach
DuckDB as written. Unknown columns are dropped unless allow-listed as
non-personal (`ingest.extra_columns`).

The date of birth is never given to DuckDB as a date: its mapping holds keyed
tokens of the full date, of the date with day and month in canonical order
(a swap gives the same token) and of the date with one digit masked or two
neighbouring digits in canonical order (one digit off or transposed gives a
shared token), and the year and month in clear; the age at the report date
and the range checks against the report date are computed per row here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from thbmonitor.ingest.kinds import PERSONAL_HINTS, Column, Kind, Type
from thbmonitor.ingest.pseudonymise import Pseudonymiser, birth_salt, normalise_name
from thbmonitor.ingest.reader import ROW
from thbmonitor.ingest.values import MAPPERS

#: The column that holds a date of birth (reports); see the module docstring.
BIRTH_DATE = "date_of_birth"
#: Accepted date formats (Python strptime, the same as DuckDB's in checks.py), tried in order.
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y")
#: Date-times accepted when their time is 00:00 (Excel, pandas and ISO 8601 exports).
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                    "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f", "%d-%m-%Y %H:%M:%S",
                    "%d-%m-%Y %H:%M")
TIME_OF_DAY = " (it has a time of day other than 00:00; give the date only)"
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?")
_INT32 = 2**31 - 1
#: Domain labels of the birth-date tokens (Pseudonymiser.token): never reused for another value.
DOB_DOMAIN = "dob"
DOB_SWAP_DOMAIN = "dob_swap"
DOB_DIGIT_DOMAIN = "dob_digit"
DOB_ADJACENT_DOMAIN = "dob_adjacent"


@dataclass
class Staged:
    """What DuckDB gets: the staging table, and the Bloom encodings of each name column."""

    table: pa.Table
    mappings: dict[str, pa.Table] = field(default_factory=dict)
    #: Unknown columns of the file that were not stored (names only).
    dropped: list[str] = field(default_factory=list)
    #: Unknown columns kept in `extra` (allow-listed as non-personal).
    kept: list[str] = field(default_factory=list)


def mapped(col: Column) -> bool:
    """Columns that reach DuckDB as an index into their mapping, never as written."""
    return col.type not in (Type.TEXT, Type.CODE, Type.SOURCE)


def stage(table: pa.Table, spec: Kind, pseudo: Pseudonymiser, *, max_age_years: int,
          extra_columns: Iterable[str] = ()) -> Staged:
    """The staging table of `table` (strings as read) for `spec`."""
    n = table.num_rows
    raw: dict[str, pa.Array] = {}
    for col in spec.columns:
        raw[col.name] = (_flat(table.column(col.name)) if col.name in table.column_names
                         else pa.array([""] * n, pa.string()))
    allowed = {c.strip().lower() for c in extra_columns}
    unknown = [c for c in table.column_names if c not in spec.names and c != ROW]
    kept = [c for c in unknown if c in allowed and not _hints_personal(c)]
    staged = Staged(pa.table({ROW: table.column(ROW)}), dropped=[c for c in unknown
                                                                 if c not in kept], kept=kept)
    arrays: dict[str, pa.Array] = {}
    salts = (birth_salts(raw, spec) if any(c.type is Type.NAME for c in spec.columns)
             else None)
    for col in spec.columns:
        if not mapped(col):
            arrays[col.name] = raw[col.name]
            continue
        if col.type is Type.NAME and salts is not None:
            # One mapping row per distinct (name, birth salt): the salted Bloom encoding
            # (ingest/pseudonymise.py, issue 11 item 3) differs per birth month.
            keyed = pc.binary_join_element_wise(pc.fill_null(raw[col.name], ""), salts, _SEP)
            indices, distinct = _encode(keyed)
            mapping = _salted_names(distinct, pseudo)
        elif col.type is Type.PERSON_REF:
            source = pc.utf8_lower(pc.utf8_trim_whitespace(raw["source"]))
            keyed = pc.binary_join_element_wise(source, raw[col.name], "\x1f")
            indices, distinct = _encode(keyed)
            mapping = _person_refs(distinct, pseudo)
        else:
            indices, distinct = _encode(raw[col.name])
            if col.name == BIRTH_DATE and spec.name == "reports":
                mapping, born = _birth_dates(distinct, pseudo)
                arrays.update(_ages(born, indices, raw["report_date"], max_age_years))
            else:
                mapping = _MAPPINGS[col.type](col, distinct, pseudo)
        arrays.update(_taken(col.name, mapping, indices))
        if col.type is Type.NAME:
            # The Bloom encodings (1,024 bits) stay one per distinct name, joined by index.
            arrays[f"{col.name}:idx"] = indices
            staged.mappings[col.name] = mapping.select(["idx", "bloom"])
    if kept:
        arrays["_extra"] = pa.StructArray.from_arrays(
            [_flat(table.column(c)) for c in kept], names=kept)
    else:
        arrays["_extra"] = pa.nulls(n, pa.string())
    for name, array in arrays.items():
        staged.table = staged.table.append_column(name, array)
    return staged


def _taken(name: str, mapping: pa.Table, indices: pa.Array) -> dict[str, pa.Array]:
    """Each row's mapped value (`name`), and `name:present`, `name:code`, `name:detail`, ...

    Taken per row here rather than joined in DuckDB: a chain of twenty hash joins holds
    every build side in memory at once and ran out of a small memory limit.
    """
    out = {}
    for field_name in mapping.column_names:
        if field_name in ("idx", "bloom"):
            continue
        key = name if field_name == "value" else f"{name}:{field_name}"
        out[key] = pc.take(mapping.column(field_name), indices)
    return out


def _hints_personal(name: str) -> bool:
    return any(hint in name for hint in PERSONAL_HINTS)


def _flat(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _encode(array: pa.Array) -> tuple[pa.Array, list[str]]:
    """Per row the index of its value among the distinct values; the distinct values."""
    encoded = pc.dictionary_encode(array)
    return encoded.indices.cast(pa.int32()), encoded.dictionary.to_pylist()


def _mapping(distinct: list[str], value: pa.Array, code: list[str | None],
             detail: list[str], **extra: pa.Array) -> pa.Table:
    return pa.table({
        "idx": pa.array(range(len(distinct)), pa.int32()),
        "present": pa.array([bool(v.strip()) for v in distinct], pa.bool_()),
        "value": value,
        "code": pa.array(code, pa.string()),
        "detail": pa.array(detail, pa.string()),
        **extra,
    })


# -- coded values, dates and numbers ----------------------------------------------------


def _vocabulary(col: Column, distinct: list[str], _pseudo: Pseudonymiser) -> pa.Table:
    result = MAPPERS[col.type](col, distinct)
    listed = col.type in (Type.MULTI_ENUM, Type.MULTI_COUNTRY)
    return _mapping(distinct,
                    pa.array([m.value for m in result],
                             pa.list_(pa.string()) if listed else pa.string()),
                    [m.code for m in result], [m.detail for m in result])


def parse_date(text: str) -> tuple[date | None, str]:
    """A date in one of the accepted formats, or None with the detail of the error."""
    value = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date(), ""
        except ValueError:
            pass
    for fmt in DATETIME_FORMATS:
        try:
            stamp = datetime.strptime(value, fmt)
        except ValueError:
            continue
        if stamp.time() == datetime.min.time():
            return stamp.date(), ""
        return None, TIME_OF_DAY
    return None, ""


def _dates(_col: Column, distinct: list[str], _pseudo: Pseudonymiser) -> pa.Table:
    values, codes, details = [], [], []
    for text in distinct:
        day, detail = parse_date(text) if text.strip() else (None, "")
        values.append(day)
        codes.append("invalid-date" if day is None and text.strip() else None)
        details.append(detail)
    return _mapping(distinct, pa.array(values, pa.date32()), codes, details)


def _integers(_col: Column, distinct: list[str], _pseudo: Pseudonymiser) -> pa.Table:
    values: list[int | None] = []
    for text in distinct:
        value = text.strip()
        number = int(value) if _INTEGER.fullmatch(value) else None
        values.append(number if number is not None and abs(number) <= _INT32 else None)
    return _mapping(distinct, pa.array(values, pa.int32()),
                    [("invalid-number" if v is None and t.strip() else None)
                     for t, v in zip(distinct, values, strict=True)],
                    ["a whole number"] * len(distinct))


def _decimals(_col: Column, distinct: list[str], _pseudo: Pseudonymiser) -> pa.Table:
    values: list[float | None] = []
    for text in distinct:
        value = text.strip().replace(",", ".")
        values.append(float(value) if _DECIMAL.fullmatch(value) else None)
    return _mapping(distinct, pa.array(values, pa.float64()),
                    [("invalid-number" if v is None and t.strip() else None)
                     for t, v in zip(distinct, values, strict=True)],
                    ["a number"] * len(distinct))


# -- personal values: keyed tokens only -------------------------------------------------

#: Separates a name from its birth salt in the staging's keys (a salt never holds it).
_SEP = "\x1f"


def birth_salts(raw: dict[str, pa.Array], spec: Kind) -> pa.Array:
    """Per row the salt of its name encodings (`pseudonymise.birth_salt`): 'YYYY-MM' from a
    valid date of birth, else 'YYYY' from a valid birth year, else '' (the salt is then the
    name itself: the encoding compares with no other)."""
    n = len(next(iter(raw.values()))) if raw else 0
    salts = pa.array([""] * n, pa.string())
    if "birth_year" in spec.names:
        indices, distinct = _encode(pc.fill_null(raw["birth_year"], ""))
        years = [int(v) if _INTEGER.fullmatch(v := t.strip()) and 0 < int(v) < 10000 else None
                 for t in distinct]
        salts = pc.take(pa.array([birth_salt(y) for y in years], pa.string()), indices)
    if BIRTH_DATE in spec.names:
        indices, distinct = _encode(pc.fill_null(raw[BIRTH_DATE], ""))
        days = [parse_date(t)[0] if t.strip() else None for t in distinct]
        dated = pc.take(pa.array([birth_salt(d.year, d.month) if d else None for d in days],
                                 pa.string()), indices)
        salts = pc.coalesce(dated, salts)
    return salts


def _salted_names(distinct: list[str], pseudo: Pseudonymiser) -> pa.Table:
    """`distinct` holds `name \x1f salt`: tokens of the name, Bloom encoding under the salt."""
    pairs = [keyed.rpartition(_SEP) for keyed in distinct]
    names = [p[0] for p in pairs]
    normalised = {v: normalise_name(v) for v in set(names)}
    tokens = {v: (pseudo.name_token(norm), pseudo.phonetic_token(norm)) if norm else None
              for v, norm in normalised.items()}
    rows = [tokens[v] for v in names]
    blooms = [pseudo.bloom(normalised[name], salt) if normalised[name] else None
              for name, _, salt in pairs]
    romanised = {v: pseudo.romanised_token(norm) for v, norm in normalised.items()}
    return _mapping(names, pa.array([r[0] if r else None for r in rows], pa.string()),
                    [None] * len(names), [""] * len(names),
                    phonetic=pa.array([r[1] if r else None for r in rows], pa.string()),
                    romanised=pa.array([romanised[v] for v in names], pa.string()),
                    bloom=pa.array(blooms, pa.string()))



def _names(_col: Column, distinct: list[str], pseudo: Pseudonymiser) -> pa.Table:
    encoded = pseudo.names(distinct)
    rows = [encoded[v] for v in distinct]
    romanised = [pseudo.romanised_token(normalise_name(v)) if r else None
                 for v, r in zip(distinct, rows, strict=True)]
    return _mapping(distinct, pa.array([r[0] if r else None for r in rows], pa.string()),
                    [None] * len(distinct), [""] * len(distinct),
                    phonetic=pa.array([r[1] if r else None for r in rows], pa.string()),
                    romanised=pa.array(romanised, pa.string()),
                    bloom=pa.array([r[2] if r else None for r in rows], pa.string()))


def _phones(_col: Column, distinct: list[str], pseudo: Pseudonymiser) -> pa.Table:
    tokens = pseudo.phones(v for v in distinct if v.strip())
    values = [tokens.get(v) for v in distinct]
    return _mapping(distinct, pa.array(values, pa.string()),
                    [("invalid-phone" if t is None and v.strip() else None)
                     for v, t in zip(distinct, values, strict=True)], [""] * len(distinct))


def _free_text(col: Column, distinct: list[str], pseudo: Pseudonymiser) -> pa.Table:
    domain = "address" if col.type is Type.ADDRESS else "booking"
    tokens = pseudo.free_text(domain, distinct)
    return _mapping(distinct, pa.array([tokens[v] for v in distinct], pa.string()),
                    [None] * len(distinct), [""] * len(distinct))


def _person_refs(distinct: list[str], pseudo: Pseudonymiser) -> pa.Table:
    """`distinct` holds `source \\x1f ref`; the token is meaningful only within the source."""
    values: list[str | None] = []
    refs: list[str] = []
    for keyed in distinct:
        source, _, ref = keyed.partition("\x1f")
        refs.append(ref)
        values.append(pseudo.person_ref(source, ref) if ref.strip() else None)
    return _mapping(refs, pa.array(values, pa.string()), [None] * len(distinct),
                    [""] * len(distinct))


# -- the date of birth ------------------------------------------------------------------


def birth_tokens(pseudo: Pseudonymiser, born: date) -> tuple[str, str, list[int]]:
    """The keyed tokens of a date of birth: the date, its swap form and its near forms.

    The swap form is the date with day and month in canonical order (two dates
    that differ only by a swapped day and month share it); the near forms are
    the eight-digit date (YYYYMMDD) with each digit masked in turn and with each
    pair of neighbouring digits in canonical order: two dates one digit apart,
    or with two neighbouring digits transposed (Damerau-Levenshtein distance 1),
    share one of them. Near forms are 64-bit integers (truncated keyed tokens,
    each domain label carrying its position) to keep the stored list small.
    """
    digits = born.strftime("%Y%m%d")
    low, high = sorted((born.month, born.day))
    swap = pseudo.token(DOB_SWAP_DOMAIN, f"{born.year:04d}{low:02d}{high:02d}")
    near = [pseudo.token(f"{DOB_DIGIT_DOMAIN}{i}", digits[:i] + "_" + digits[i + 1:])
            for i in range(len(digits))]
    near += [pseudo.token(f"{DOB_ADJACENT_DOMAIN}{i}",
                          digits[:i] + "".join(sorted(digits[i:i + 2])) + digits[i + 2:])
             for i in range(len(digits) - 1)]
    return (pseudo.token(DOB_DOMAIN, digits), swap,
            [int(t[:16], 16) - (1 << 63) for t in near])


def _birth_dates(distinct: list[str], pseudo: Pseudonymiser
                 ) -> tuple[pa.Table, list[date | None]]:
    born: list[date | None] = []
    codes: list[str | None] = []
    details: list[str] = []
    tokens: list[tuple[str, str, list[int]] | None] = []
    for text in distinct:
        day, detail = parse_date(text) if text.strip() else (None, "")
        born.append(day)
        codes.append("invalid-date" if day is None and text.strip() else None)
        details.append(detail)
        tokens.append(birth_tokens(pseudo, day) if day is not None else None)
    table = _mapping(
        distinct, pa.array([t[0] if t else None for t in tokens], pa.string()), codes, details,
        swap=pa.array([t[1] if t else None for t in tokens], pa.string()),
        near=pa.array([t[2] if t else None for t in tokens], pa.list_(pa.int64())),
        year=pa.array([d.year if d else None for d in born], pa.int32()),
        month=pa.array([d.month if d else None for d in born], pa.int32()),
    )
    return table, born


def _ymd(days: list[date | None], indices: pa.Array) -> np.ndarray:
    """Per row YYYYMMDD as an integer (0 when there is no date)."""
    lookup = np.array([d.year * 10000 + d.month * 100 + d.day if d else 0 for d in days],
                      dtype=np.int64)
    if lookup.size == 0:
        return np.zeros(len(indices), dtype=np.int64)
    return lookup[indices.to_numpy(zero_copy_only=False)]


def _ages(born: list[date | None], indices: pa.Array, report_dates: pa.Array,
          max_age_years: int) -> dict[str, pa.Array]:
    """Per row: the age at the report date and the birth date's checks against it.

    Computed here so that the date itself never reaches DuckDB: `_dob_future`
    (after today), `_dob_after_report`, `_dob_too_old` (more than
    `max_age_years` years before the report date).
    """
    report_indices, report_distinct = _encode(report_dates)
    reported = _ymd([parse_date(t)[0] if t.strip() else None for t in report_distinct],
                    report_indices)
    birth = _ymd(born, indices)
    today = datetime.now(UTC).date()
    known = birth > 0
    both = known & (reported > 0)
    age = reported // 10000 - birth // 10000 - ((reported % 10000) < (birth % 10000))
    return {
        "_dob_age": pa.array(np.where(both, age, 0), pa.int32(), mask=~both),
        "_dob_future": pa.array(known & (birth > today.year * 10000 + today.month * 100
                                         + today.day)),
        "_dob_after_report": pa.array(both & (birth > reported)),
        "_dob_too_old": pa.array(both & (birth < reported - max_age_years * 10000)),
    }


_MAPPINGS: dict[Type, Callable[[Column, list[str], Pseudonymiser], pa.Table]] = {
    **{t: _vocabulary for t in MAPPERS},
    Type.DATE: _dates,
    Type.INT: _integers,
    Type.FLOAT: _decimals,
    Type.NAME: _names,
    Type.PHONE: _phones,
    Type.ADDRESS: _free_text,
    Type.BOOKING: _free_text,
}
