"""Import one file of one kind: read, validate, pseudonymise, store.

All-or-nothing by default: one bad row and nothing of the file is stored.
With `partial`, valid rows are stored and each bad row goes, with its
errors, to the quarantine table (personal values withheld). Rows already
stored with identical content are skipped, so importing a file twice stores
nothing new. The store step is one transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from thbmonitor.errors import DataError, UsageError
from thbmonitor.ingest import checks
from thbmonitor.ingest.catalogue import CATALOGUE
from thbmonitor.ingest.kinds import KINDS, PERSONAL_HINTS, REFERENCES, Kind, Type
from thbmonitor.ingest.pseudonymise import Pseudonymiser
from thbmonitor.ingest.quarantine import leave_quarantine, record_key_sql
from thbmonitor.ingest.reader import ROW, read_table
from thbmonitor.ingest.report import ImportReport, RowError
from thbmonitor.ingest.stored import STORED, final_select
from thbmonitor.ingest.values import MAPPERS
from thbmonitor.store import Database

log = logging.getLogger(__name__)

ProgressFn = Callable[[str], None]
WITHHELD = "<withheld>"
_STATE = "_ing_state"
_OK = "_ing_ok"


def import_file(
    db: Database,
    kind: str,
    path: str | Path,
    *,
    key: bytes,
    partial: bool = False,
    replace: bool = False,
    vintage: str | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Import `path` as `kind` into `db`; the report says what happened."""
    spec = KINDS.get(kind)
    if spec is None:
        raise UsageError(f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist or is not a file")
    notify = progress or (lambda _stage: None)
    db.check_key(key)
    pseudo = Pseudonymiser(key)

    notify("read")
    read = read_table(path)
    report = ImportReport(file=path.name, kind=kind, file_hash=read.file_hash, partial=partial,
                          encoding=read.encoding, delimiter=read.delimiter,
                          errors=list(read.errors))
    if read.table is None or report.file_errors:
        return report
    missing = [c.name for c in spec.columns if c.required and c.name not in read.header]
    if missing:
        report.errors += [RowError.make(path.name, None, c, "missing-column") for c in missing]
        return report
    malformed: set[int] = {e.row for e in report.errors if e.row is not None}
    report.rows = read.table.num_rows + len(malformed)
    report.already_imported = bool(db.scalar(
        "SELECT count(*) FROM imports WHERE file_hash = ? AND kind = ?", [read.file_hash, kind]))

    con = db.conn
    created: list[str] = []
    try:
        notify("pseudonymise")
        staging = _staging(read.table, spec, pseudo)
        _temp(con, created, checks.STAGING, staging)
        if any(col.type is Type.NAME for col in spec.columns):  # the names' birth salt
            con.execute(f"ALTER TABLE {checks.STAGING} ADD COLUMN {checks.SALT} VARCHAR")
            con.execute(f"UPDATE {checks.STAGING} SET {checks.SALT} = {checks.salt_sql(spec)}")
        _mappings(con, created, spec, pseudo)
        notify("validate")
        created += [checks.CHECKED, checks.ERRORS, checks.FINAL, _STATE, _OK]
        con.execute(checks.checked_select(spec))
        con.execute(checks.cell_errors_select(spec))
        for sql in checks.range_errors(spec, int(db.setting("ingest.max_age_years"))):
            con.execute(sql)
        if kind == "reports":
            _source_type_errors(con)
        con.execute(f"CREATE TEMP TABLE {checks.FINAL} AS {final_select(kind, checks.CHECKED)}")
        _key_errors(con, spec, replace)
        report.errors += _collect_errors(con, path.name)
        report.errors.sort(key=lambda e: (e.row or 0, e.column or "", e.code))
        if report.errors and not partial:
            return report
        notify("store")
        _store(db, spec, report, path.name, vintage, replace, malformed)
    finally:
        for table in created:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    log.info("imported %s as %s: %s", path.name, kind, report.stats())
    return report


# -- staging ------------------------------------------------------------------------


def _staging(table: pa.Table, spec: Kind, pseudo: Pseudonymiser) -> pa.Table:
    """The kind's columns (absent ones empty), `_row`, and unknown columns as `_extra`."""
    n = table.num_rows
    arrays: dict[str, pa.Array] = {}
    for col in spec.columns:
        arrays[col.name] = (table.column(col.name) if col.name in table.column_names
                            else pa.array([""] * n, pa.string()))
    unknown = [c for c in table.column_names if c not in spec.names and c != ROW]
    if unknown:
        fields = []
        for name in unknown:
            values = table.column(name).to_pylist()
            if any(hint in name for hint in PERSONAL_HINTS):
                tokens = pseudo.free_text("extra", set(values))
                values = [tokens.get(v) for v in values]
            fields.append(pa.array(values, pa.string()))
        arrays["_extra"] = pa.StructArray.from_arrays(fields, names=unknown)
    else:
        arrays["_extra"] = pa.nulls(n, pa.string())
    arrays[ROW] = table.column(ROW)
    return pa.table(arrays)


def _temp(con: Any, created: list[str], name: str, data: pa.Table) -> None:
    view = name + "_arrow"
    con.register(view, data)
    try:
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {view}")
    finally:
        con.unregister(view)
    created.append(name)


def _distinct(con: Any, column: str) -> list[str]:
    rows = con.execute(f"SELECT DISTINCT {checks.quote(column)} FROM {checks.STAGING}").fetchall()
    return [r[0] for r in rows]


def _mappings(con: Any, created: list[str], spec: Kind, pseudo: Pseudonymiser) -> None:
    """One mapping table per coded or personal column: distinct raw value -> result."""
    names: set[str] = set()
    salted: set[tuple[str, str]] = set()
    for col in spec.columns:
        c = col.name
        if col.type in MAPPERS:
            mapped = MAPPERS[col.type](col, _distinct(con, c))
            listed = col.type in (Type.MULTI_ENUM, Type.MULTI_COUNTRY)
            _temp(con, created, checks.mapping_table(c), pa.table({
                "raw": pa.array([m.raw for m in mapped], pa.string()),
                "value": pa.array([m.value for m in mapped],
                                  pa.list_(pa.string()) if listed else pa.string()),
                "code": pa.array([m.code for m in mapped], pa.string()),
                "detail": pa.array([m.detail for m in mapped], pa.string()),
            }))
        elif col.type is Type.NAME:
            names.update(_distinct(con, c))
            salted.update((str(r), str(t)) for r, t in con.execute(
                f"SELECT DISTINCT {checks.quote(c)}, {checks.SALT} FROM {checks.STAGING}"
            ).fetchall())
        elif col.type is Type.PHONE:
            phones = pseudo.phones(v for v in _distinct(con, c) if v.strip())
            _token_table(con, created, c, phones)
        elif col.type in (Type.ADDRESS, Type.BOOKING):
            domain = "address" if col.type is Type.ADDRESS else "booking"
            _token_table(con, created, c, pseudo.free_text(domain, _distinct(con, c)))
        elif col.type is Type.PERSON_REF:
            pairs = con.execute(
                f"SELECT DISTINCT lower(trim(source)), {checks.quote(c)} FROM {checks.STAGING} "
                f"WHERE trim({checks.quote(c)}) <> ''").fetchall()
            _temp(con, created, checks.mapping_table(c), pa.table({
                "source": pa.array([p[0] for p in pairs], pa.string()),
                "raw": pa.array([p[1] for p in pairs], pa.string()),
                "token": pa.array([pseudo.person_ref(p[0], p[1]) for p in pairs], pa.string()),
            }))
    if any(col.type is Type.NAME for col in spec.columns):
        encoded = pseudo.names(names)
        raws = list(encoded)
        _temp(con, created, checks.NAMES, pa.table({
            "raw": pa.array(raws, pa.string()),
            "token": pa.array([(encoded[r] or ("",))[0] or None for r in raws], pa.string()),
            "phonetic": pa.array([e[1] if (e := encoded[r]) else None for r in raws], pa.string()),
        }))
        blooms = pseudo.blooms(salted)
        _temp(con, created, checks.BLOOMS, pa.table({
            "raw": pa.array([p[0] for p in blooms], pa.string()),
            "salt": pa.array([p[1] for p in blooms], pa.string()),
            "bloom": pa.array(list(blooms.values()), pa.string()),
        }))


def _token_table(con: Any, created: list[str], column: str, tokens: dict[str, str | None]) -> None:
    _temp(con, created, checks.mapping_table(column), pa.table({
        "raw": pa.array(list(tokens), pa.string()),
        "token": pa.array(list(tokens.values()), pa.string()),
    }))


# -- checks across rows and against the store -----------------------------------------


def _source_type_errors(con: Any) -> None:
    ins = f"INSERT INTO {checks.ERRORS} "
    con.execute(f"""{ins} SELECT _row, 'source_type', 'missing-value',
        ' for a source that is not registered yet' FROM {checks.CHECKED}
        WHERE source IS NOT NULL AND source_type IS NULL AND registered_type IS NULL
          AND e_source_type IS NULL""")
    con.execute(f"""{ins} SELECT _row, 'source_type', 'source-type-mismatch',
        ' (registered: ' || registered_type || ')' FROM {checks.CHECKED}
        WHERE source_type IS NOT NULL AND registered_type IS NOT NULL
          AND source_type <> registered_type""")
    con.execute(f"""{ins} SELECT _row, 'source_type', 'source-type-mismatch',
        ' (row ' || first_row || ', line ' || (first_row + 1) || ', of this file gives '
        || first_type || ')' FROM (
          SELECT _row, source_type,
                 first_value(source_type) OVER w AS first_type,
                 first_value(_row) OVER w AS first_row
          FROM {checks.CHECKED} WHERE source IS NOT NULL AND source_type IS NOT NULL
            AND registered_type IS NULL
          WINDOW w AS (PARTITION BY source ORDER BY _row))
        WHERE source_type <> first_type""")


def _key_errors(con: Any, spec: Kind, replace: bool) -> None:
    ins = f"INSERT INTO {checks.ERRORS} "
    final = checks.FINAL
    if spec.key is None:  # locations: the key is the content
        con.execute(f"""{ins} SELECT _row, NULL, 'duplicate-row', '' FROM (
            SELECT _row, first_value(_row) OVER (PARTITION BY row_hash ORDER BY _row) AS first
            FROM {final}) WHERE _row <> first""")
        con.execute(f"""CREATE TEMP TABLE {_STATE} AS SELECT f._row,
            CASE WHEN t.location_key IS NULL THEN 'new' ELSE 'unchanged' END AS state
            FROM {final} f LEFT JOIN locations t ON t.location_key = f.location_key""")
        con.execute(f"""{ins} SELECT f._row, 'report_id', 'unknown-reference', 'a report'
            FROM {final} f WHERE f.source IS NOT NULL AND f.report_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM reports r
                              WHERE r.source = f.source AND r.report_id = f.report_id)""")
    else:
        keys = spec.key
        last = keys[-1]
        present = " AND ".join(f"{k} IS NOT NULL" for k in keys)
        partition = ", ".join(keys)
        con.execute(f"""{ins} SELECT _row, '{last}', 'duplicate-id',
            ' (first used in row ' || first || ', line ' || (first + 1) || ')' FROM (
            SELECT _row, first_value(_row) OVER (PARTITION BY {partition} ORDER BY _row) AS first
            FROM {final} WHERE {present}) WHERE _row <> first""")
        join = " AND ".join(f"t.{k} = f.{k}" for k in keys)
        con.execute(f"""CREATE TEMP TABLE {_STATE} AS SELECT f._row,
            CASE WHEN t.row_hash IS NULL THEN 'new' WHEN t.row_hash = f.row_hash THEN 'unchanged'
                 ELSE 'changed' END AS state
            FROM {final} f LEFT JOIN {spec.table} t ON {join}""")
        if not replace:
            con.execute(f"""{ins} SELECT _row, '{last}', 'conflicting-id', '' FROM {_STATE}
                WHERE state = 'changed'""")
    references = [r for r in REFERENCES if r[0] == spec.name]
    if spec.name == "reports":
        references.append(("reports", "investigation_id", "investigations", "investigation_id",
                           "an investigation"))
    for _, column, table, target, label in references:
        con.execute(f"""{ins} SELECT f._row, '{column}', 'unknown-reference', '{label}'
            FROM {final} f WHERE f.{column} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{target} = f.{column})""")


def _collect_errors(con: Any, file: str) -> list[RowError]:
    rows = con.execute(
        f"SELECT DISTINCT _row, col, code, detail FROM {checks.ERRORS} ORDER BY _row, col, code"
    ).fetchall()
    return [RowError.make(file, int(r), col, code, detail or "") for r, col, code, detail in rows]


# -- storing ------------------------------------------------------------------------


def _store(db: Database, spec: Kind, report: ImportReport, file: str, vintage: str | None,
           replace: bool, malformed: set[int]) -> None:
    con = db.conn
    con.execute(f"""CREATE TEMP TABLE {_OK} AS SELECT s._row, s.state FROM {_STATE} s
        WHERE s._row NOT IN (SELECT _row FROM {checks.ERRORS})""")
    counts = dict(con.execute(f"SELECT state, count(*) FROM {_OK} GROUP BY state").fetchall())
    new = int(counts.get("new", 0)) + (int(counts.get("changed", 0)) if replace else 0)
    report.unchanged = int(counts.get("unchanged", 0))
    bad_rows = sorted({e.row for e in report.errors if e.row is not None})
    quarantine = bad_rows if (report.partial and not report.already_imported) else []
    if new == 0 and not quarantine:
        return
    columns = list(STORED[spec.name])
    if spec.name == "locations":
        columns = ["location_key", *columns]
    target = ", ".join([*columns, "row_hash", "import_id", "row_number"])
    with db.transaction():
        import_id = int(db.scalar("SELECT nextval('import_seq')"))
        sources = [r[0] for r in con.execute(
            f"SELECT DISTINCT source FROM {checks.FINAL} WHERE source IS NOT NULL ORDER BY 1"
        ).fetchall()] if "source" in STORED[spec.name] else None
        db.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [import_id, spec.name, file, report.file_hash, sources,
             vintage or datetime.now(UTC).date().isoformat(), _now(), report.encoding,
             report.delimiter, report.rows, new, report.unchanged, len(quarantine),
             report.partial],
        )
        if spec.name == "reports":
            con.execute(f"""INSERT INTO organisations
                SELECT source, arg_min(source_type, _row), ? FROM {checks.FINAL}
                WHERE _row IN (SELECT _row FROM {_OK}) AND source_type IS NOT NULL
                  AND source NOT IN (SELECT source FROM organisations)
                GROUP BY source""", [import_id])
        if replace and spec.key:
            join = " AND ".join(f"t.{k} = f.{k}" for k in spec.key)
            con.execute(f"""DELETE FROM {spec.table} t USING {checks.FINAL} f
                WHERE {join} AND f._row IN (SELECT _row FROM {_OK} WHERE state = 'changed')""")
        states = "('new', 'changed')" if replace else "('new')"
        con.execute(f"""INSERT INTO {spec.table} ({target})
            SELECT {', '.join(columns)}, row_hash, ?, _row FROM {checks.FINAL}
            WHERE _row IN (SELECT _row FROM {_OK} WHERE state IN {states})""", [import_id])
        report.resolved = leave_quarantine(
            db, spec.name, f"SELECT {record_key_sql(spec.name, 'f')} FROM {checks.FINAL} f "
            f"WHERE f._row IN (SELECT _row FROM {_OK} WHERE state IN {states})", import_id,
            reason="stored")
        if quarantine:
            _quarantine(db, spec, report, file, import_id, quarantine, malformed)
    report.import_id = import_id
    report.stored = new
    report.quarantined = len(quarantine)


def _quarantine(db: Database, spec: Kind, report: ImportReport, file: str, import_id: int,
                rows: list[int], malformed: set[int]) -> None:
    """Bad rows with their errors; personal values withheld (see docs/privacy.md)."""
    con = db.conn
    personal = {c.name for c in spec.columns if c.personal or c.pseudonymised}
    wanted = [r for r in rows if r not in malformed]
    raw: dict[int, dict[str, Any]] = {}
    if wanted:
        cursor = con.execute(
            f"SELECT * FROM {checks.STAGING} WHERE _row IN (SELECT unnest(?::INTEGER[]))", [wanted])
        names = [d[0] for d in cursor.description]
        for values in cursor.fetchall():
            record = dict(zip(names, values, strict=True))
            row = int(record.pop(ROW))
            extra = record.pop("_extra", None)
            data = {k: (WITHHELD if k in personal and str(v).strip() else v)
                    for k, v in record.items()}
            if isinstance(extra, dict):
                data.update({k: v for k, v in extra.items()})
            raw[row] = data
    by_row: dict[int, list[dict[str, Any]]] = {}
    for error in report.errors:
        if error.row is not None:
            by_row.setdefault(error.row, []).append(
                {"column": error.column, "code": error.code, "message": error.message})
    keys = dict(con.execute(
        f"SELECT _row, {record_key_sql(spec.name, 'f')} FROM {checks.FINAL} f "
        "WHERE _row IN (SELECT unnest(?::INTEGER[]))", [wanted]).fetchall()) if wanted else {}
    if wanted:
        leave_quarantine(
            db, spec.name, f"SELECT {record_key_sql(spec.name, 'f')} FROM {checks.FINAL} f "
            "WHERE _row IN (SELECT unnest(?::INTEGER[]))", import_id,
            reason="quarantined again", params=[wanted])
    params = [
        [import_id, spec.name, file, row, json.dumps(by_row.get(row, [])),
         json.dumps(raw.get(row, {"malformed": True}), default=str), keys.get(row)]
        for row in rows
    ]
    con.executemany(
        "INSERT INTO quarantine (quarantine_id, import_id, kind, file_name, row_number, errors, "
        "row_data, record_key) VALUES (nextval('quarantine_seq'), ?, ?, ?, ?, ?, ?, ?)", params)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


assert set(CATALOGUE)  # the catalogue is loaded before any import
