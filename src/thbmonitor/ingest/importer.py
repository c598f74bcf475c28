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
from thbmonitor.ingest.kinds import KINDS, REFERENCES, Column, Kind
from thbmonitor.ingest.pseudonymise import Pseudonymiser
from thbmonitor.ingest.quarantine import leave_quarantine, record_key_sql
from thbmonitor.ingest.reader import Limits, read_table
from thbmonitor.ingest.report import ImportReport, RowError
from thbmonitor.ingest.staging import mapped, stage
from thbmonitor.ingest.stored import STORED, final_select
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
    limits = Limits.from_settings(db.setting)
    read = read_table(path, limits=limits)
    report = ImportReport(file=path.name, kind=kind, file_hash=read.file_hash, partial=partial,
                          encoding=read.encoding, delimiter=read.delimiter,
                          errors=list(read.errors))
    if read.table is None or report.file_errors:
        return report
    if kind == "concerns":  # counted, never linked: no personal column at all (CONTRACTS §8)
        from thbmonitor.ingest.concerns import personal_columns

        refused = personal_columns(read.header)
        report.errors += [RowError.make(path.name, None, c, "personal-column") for c in refused]
        if refused:
            return report
    missing = [c.name for c in spec.columns if c.required and c.name not in read.header]
    if missing:
        report.errors += [RowError.make(path.name, None, c, "missing-column") for c in missing]
        return report
    malformed: set[int] = set(read.malformed)
    report.rows = read.table.num_rows + len(malformed)
    report.already_imported = bool(db.scalar(
        "SELECT count(*) FROM imports WHERE file_hash = ? AND kind = ?", [read.file_hash, kind]))

    con = db.conn
    created: list[str] = []
    try:
        notify("pseudonymise")
        staged = stage(read.table, spec, pseudo,
                       max_age_years=int(db.setting("ingest.max_age_years")),
                       extra_columns=db.setting("ingest.extra_columns"))
        report.dropped_columns = staged.dropped
        read.table = None  # the strings as read are not needed any more
        _temp(con, created, checks.STAGING, staged.table)
        for column, mapping in staged.mappings.items():
            _temp(con, created, checks.mapping_table(column), mapping)
        del staged
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
        _collect_errors(con, report, path.name, limits.errors, malformed)
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


def _temp(con: Any, created: list[str], name: str, data: pa.Table) -> None:
    """A temp table of `data`, which holds no clear personal value (staging.py).

    Bloom encodings arrive as text of '0'/'1' and are kept as BITSTRING, an eighth
    of the memory (a temp table spills to disk when the memory limit is reached).
    """
    view = name + "_arrow"
    select = ("* REPLACE (CAST(bloom AS BITSTRING) AS bloom)" if "bloom" in data.column_names
              else "*")
    con.register(view, data)
    try:
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT {select} FROM {view}")
    finally:
        con.unregister(view)
    created.append(name)


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


def _collect_errors(con: Any, report: ImportReport, file: str, cap: int,
                    malformed: set[int]) -> None:
    """The first `cap` errors (by row, column, code) into the report, and the totals."""
    total, rows = con.execute(
        f"SELECT count(*), count(DISTINCT _row) FROM (SELECT DISTINCT _row, col, code "
        f"FROM {checks.ERRORS})").fetchone()
    listed = con.execute(
        f"SELECT DISTINCT _row, col, code, detail FROM {checks.ERRORS} "
        f"ORDER BY _row, col, code LIMIT {int(cap)}").fetchall()
    report.errors += [RowError.make(file, int(r), col, code, detail or "")
                      for r, col, code, detail in listed]
    report.errors.sort(key=lambda e: (e.row or 0, e.column or "", e.code))
    del report.errors[cap:]
    file_errors = sum(1 for e in report.errors if e.row is None)
    report.errors_total = int(total) + len(malformed) + file_errors
    bad = set() if not malformed else malformed - {int(r) for (r,) in con.execute(
        f"SELECT DISTINCT _row FROM {checks.ERRORS}").fetchall()}
    report.rows_with_errors = int(rows) + len(bad)


def _bad_rows(con: Any) -> list[int]:
    return [int(r) for (r,) in con.execute(
        f"SELECT DISTINCT _row FROM {checks.ERRORS} ORDER BY 1").fetchall()]


def _row_errors(con: Any, file: str, rows: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each row's errors as the quarantine keeps them (all of them, not only those listed)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for r, col, code, detail in con.execute(
            f"SELECT DISTINCT _row, col, code, detail FROM {checks.ERRORS} "
            "WHERE _row IN (SELECT unnest(?::INTEGER[])) ORDER BY _row, col, code", [rows]
    ).fetchall():
        error = RowError.make(file, int(r), col, code, detail or "")
        out.setdefault(int(r), []).append(
            {"column": error.column, "code": error.code, "message": error.message})
    return out


# -- storing ------------------------------------------------------------------------


def _store(db: Database, spec: Kind, report: ImportReport, file: str, vintage: str | None,
           replace: bool, malformed: set[int]) -> None:
    con = db.conn
    con.execute(f"""CREATE TEMP TABLE {_OK} AS SELECT s._row, s.state FROM {_STATE} s
        WHERE s._row NOT IN (SELECT _row FROM {checks.ERRORS})""")
    counts = dict(con.execute(f"SELECT state, count(*) FROM {_OK} GROUP BY state").fetchall())
    new = int(counts.get("new", 0)) + (int(counts.get("changed", 0)) if replace else 0)
    report.unchanged = int(counts.get("unchanged", 0))
    bad_rows = sorted(set(_bad_rows(con)) | malformed)
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
    """Bad rows with their errors; only what may be in clear (see docs/privacy.md).

    A quarantined row keeps the normalised values of its non-personal columns
    (vocabulary values, dates, numbers, codes and free-text columns declared
    non-personal) and of allow-listed extra columns; a personal value, and any
    value that failed its check (a name typed in a vocabulary column, say), is
    `<withheld>`.
    """
    con = db.conn
    wanted = [r for r in rows if r not in malformed]
    raw: dict[int, dict[str, Any]] = {}
    if wanted:
        columns = [c.name for c in spec.columns]
        select = ", ".join(f"{checks.quote(c)}, {checks.quote('e_' + c)}" for c in columns)
        cursor = con.execute(
            f"SELECT _row, _extra, {select} FROM {checks.CHECKED} "
            "WHERE _row IN (SELECT unnest(?::INTEGER[]))", [wanted])
        for values in cursor.fetchall():
            row, extra, cells = int(values[0]), values[1], values[2:]
            data = {col.name: _shown(col, cells[2 * i], cells[2 * i + 1])
                    for i, col in enumerate(spec.columns)}
            if isinstance(extra, dict):
                data.update(extra)
            raw[row] = data
    by_row = _row_errors(con, file, rows)
    for error in report.errors:
        if error.row in malformed:
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


def _shown(col: Column, value: Any, code: str | None) -> Any:
    """A checked cell as the quarantine keeps it."""
    if code == "missing-value":
        return ""
    if code is not None or (value is not None and (col.personal or col.pseudonymised)):
        return WITHHELD
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value if mapped(col) or isinstance(value, str) else str(value)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


assert set(CATALOGUE)  # the catalogue is loaded before any import
