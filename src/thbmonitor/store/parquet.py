"""The Parquet hand-off: a store's tables as Parquet files for Spark, and back.

`export_parquet(db, folder)` writes the tables the engines read (reports,
persons and their links, the linkage's runs, review and decisions, the
criminal-justice chain) as one Parquet file each, plus `manifest.json` (row
counts, columns, SHA-256 of every file). `import_parquet(db, folder)`
checks the manifest and the columns against the store and replaces the
store's tables with the files' rows in one transaction. The DuckDB store stays
the system of record; the folder holds only what the store holds (keyed
tokens and Bloom filters, never a clear value), in a 0700 folder of 0600
files.

Bloom filters (DuckDB BITSTRING, no Parquet or Spark type) travel as
`array<bigint>`: 64-bit words, most significant bit first, the last word padded
with zeros (`link.dialect` compares them on Spark). The audit log, users,
sessions and quarantined rows never leave the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thbmonitor.errors import DataError, UsageError
from thbmonitor.store.database import Database

__all__ = ["EXCHANGE_TABLES", "FORMAT", "Exchange", "exchange_folder", "export_parquet",
           "import_parquet", "remove_run_folder", "run_folder"]

#: What a Parquet folder may hold, in the order of import (parents first).
EXCHANGE_TABLES: tuple[str, ...] = (
    "reports", "investigations", "suspects", "cases", "verdicts",
    "link_runs", "persons", "person_reports", "link_review", "link_decisions",
)
#: The tables an engine needs to link (Spark reads these).
LINK_TABLES: tuple[str, ...] = ("reports", "link_decisions")
#: The tables the linkage writes (what `thb import parquet` takes back by default).
LINKED_TABLES: tuple[str, ...] = ("link_runs", "persons", "person_reports", "link_review")
FORMAT = "thbmonitor-parquet-1"
MANIFEST = "manifest.json"
WORD_BITS = 64


@dataclass
class Exchange:
    """What an export or import moved: the folder and the rows per table."""

    folder: Path
    direction: str
    tables: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "direction": self.direction,
                "tables": dict(self.tables)}


def exchange_folder(db: Database) -> Path:
    """The Parquet folder a store names: `<store file>.parquet/` beside it."""
    if db.path is None:
        raise UsageError("a store in memory has no Parquet folder; give --folder")
    return db.path.with_name(db.path.name + ".parquet")


def _columns(db: Database, table: str) -> list[tuple[str, str]]:
    return [(str(name), str(kind)) for name, kind in db.rows(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [table])]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _words_sql(column: str) -> str:
    """A BITSTRING column as a list of 64-bit words (zero-padded), NULL stays NULL."""
    c = _quoted(column)
    return (f"CASE WHEN {c} IS NULL THEN NULL ELSE list_transform("
            f"range(0, (bit_length({c}) + {WORD_BITS - 1}) // {WORD_BITS}), "
            f"i -> substring({c}::VARCHAR || repeat('0', {WORD_BITS - 1}), "
            f"i * {WORD_BITS} + 1, {WORD_BITS})::BIT::BIGINT) END")


def _bits_sql(column: str, bits: int) -> str:
    """The inverse of `_words_sql`: 64-bit words back to a BITSTRING of `bits` bits."""
    c = _quoted(column)
    return (f"CASE WHEN {c} IS NULL THEN NULL ELSE substring(list_reduce(list_transform("
            f"{c}, x -> x::BIT::VARCHAR), (a, b) -> a || b), 1, {int(bits)})::BIT END")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)


def _bloom_bits(db: Database, table: str, column: str) -> int | None:
    low, high = db.rows(f"SELECT min(bit_length({_quoted(column)})), "
                        f"max(bit_length({_quoted(column)})) FROM {_quoted(table)}")[0]
    if low != high:
        raise DataError(f"table {table}, column {column}: Bloom filters of {low} and {high} "
                        "bits; re-import the reports with one encoding before exporting")
    return None if low is None else int(low)


def export_parquet(db: Database, folder: Path | None = None,
                   tables: tuple[str, ...] = EXCHANGE_TABLES) -> Exchange:
    """Write `tables` of the store to `folder` (default: `exchange_folder(db)`).

    Files already in the folder for these tables are replaced; the manifest
    lists what this export wrote.
    """
    unknown = sorted(set(tables) - set(EXCHANGE_TABLES))
    if unknown:
        raise UsageError(f"cannot export {', '.join(unknown)}: the Parquet hand-off holds "
                         f"only {', '.join(EXCHANGE_TABLES)}")
    target = exchange_folder(db) if folder is None else Path(folder)
    _private_folder(target)
    manifest: dict[str, Any] = {"format": FORMAT, "tables": {}}
    result = Exchange(target, "export")
    for table in tables:
        columns = _columns(db, table)
        select, blooms = [], {}
        for name, kind in columns:
            if kind == "BIT":
                select.append(f"{_words_sql(name)} AS {_quoted(name)}")
                blooms[name] = _bloom_bits(db, table, name)
            else:
                select.append(_quoted(name))
        path = target / f"{table}.parquet"
        partial = path.with_name(path.name + ".partial")
        # DuckDB writes the file; the folder is 0700 already, the file is made 0600 below.
        db.execute(f"COPY (SELECT {', '.join(select)} FROM {_quoted(table)}) TO "
                   f"'{_literal_path(partial)}' (FORMAT parquet, COMPRESSION zstd)")
        partial.chmod(0o600)
        os.replace(partial, path)
        rows = int(db.scalar(f"SELECT count(*) FROM {_quoted(table)}"))
        manifest["tables"][table] = {
            "file": path.name, "rows": rows, "sha256": _sha256(path),
            "columns": [[name, kind] for name, kind in columns], "bloom_bits": blooms}
        result.tables[table] = rows
    manifest_path = target / MANIFEST
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                             encoding="utf-8")
    manifest_path.chmod(0o600)
    return result


def run_folder(db: Database, folder: Path | None = None) -> Path:
    """A private (0700) folder for one engine run, inside `folder` or the store's folder.

    An engine run (`thb link --engine spark`) exports its own copy there and
    removes it when done (`remove_run_folder`); a store in memory gets a
    temporary folder.
    """
    import tempfile

    if folder is None and db.path is None:
        return Path(tempfile.mkdtemp(prefix="thb-spark-"))
    base = exchange_folder(db) if folder is None else Path(folder)
    _private_folder(base)
    return Path(tempfile.mkdtemp(prefix="run-", dir=base))


def remove_run_folder(run: Path) -> None:
    """Delete a run's folder, and the store's Parquet folder when nothing else is in it."""
    shutil.rmtree(run, ignore_errors=True)
    if run.parent.name.endswith(".parquet"):
        with contextlib.suppress(OSError):
            run.parent.rmdir()  # only when empty: a `thb export parquet` stays


def _literal_path(path: Path) -> str:
    """A path inside a SQL string literal (COPY takes no parameter for its target)."""
    return str(path).replace("'", "''")


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise UsageError(f"{folder} is not a Parquet folder of THB Monitor (no {MANIFEST}); "
                         "make one with `thb export parquet`")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: not a readable manifest ({type(exc).__name__}); export "
                        "the folder again") from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("tables"), dict):
        raise DataError(f"{path}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    return manifest


def import_parquet(db: Database, folder: Path | None = None,
                   tables: tuple[str, ...] | None = None) -> Exchange:
    """Replace the store's `tables` with those of a Parquet folder (one transaction).

    Default: the linkage's tables present in the folder (`LINKED_TABLES`, what
    a Spark linkage writes). Every file must match its SHA-256 in the manifest
    and its columns the store's, by name and type; nothing is written otherwise.
    """
    source = exchange_folder(db) if folder is None else Path(folder)
    manifest = read_manifest(source)
    held: dict[str, Any] = manifest["tables"]
    wanted = tables if tables is not None else tuple(t for t in LINKED_TABLES if t in held)
    unknown = sorted(set(wanted) - set(EXCHANGE_TABLES))
    if unknown:
        raise UsageError(f"cannot import {', '.join(unknown)}: the Parquet hand-off holds "
                         f"only {', '.join(EXCHANGE_TABLES)}")
    missing = [t for t in wanted if t not in held]
    if missing:
        raise UsageError(f"{source / MANIFEST} lists no {', '.join(missing)}")
    if not wanted:
        raise UsageError(f"{source} holds none of {', '.join(LINKED_TABLES)}; name tables "
                         "with --table")
    plans = [_plan(db, source, table, held[table]) for table in _ordered(wanted)]
    result = Exchange(source, "import")
    with db.transaction():
        for table, _, _ in reversed(plans):  # children first
            db.execute(f"DELETE FROM {_quoted(table)}")
        for table, select, rows in plans:
            db.execute(f"INSERT INTO {_quoted(table)} {select}")
            result.tables[table] = rows
    return result


def _ordered(tables: tuple[str, ...]) -> list[str]:
    return [t for t in EXCHANGE_TABLES if t in tables]


def _plan(db: Database, folder: Path, table: str, entry: dict[str, Any]
          ) -> tuple[str, str, int]:
    """The checked INSERT ... SELECT of one file; a DataError names what does not match."""
    path = folder / str(entry.get("file", ""))
    if not path.is_file() or path.parent != folder:
        raise DataError(f"{folder}: the file of table {table} is missing; export again")
    if _sha256(path) != entry.get("sha256"):
        raise DataError(f"{path}: its content is not what the manifest says (SHA-256 differs); "
                        "the file was changed or cut short, export it again")
    ours = _columns(db, table)
    theirs = [tuple(c) for c in entry.get("columns", [])]
    if theirs != ours:
        extra = sorted({n for n, _ in theirs} - {n for n, _ in ours})
        lacking = sorted({n for n, _ in ours} - {n for n, _ in theirs})
        detail = "; ".join(part for part in (
            f"columns the store does not have: {', '.join(extra)}" if extra else "",
            f"columns missing: {', '.join(lacking)}" if lacking else "",
        ) if part) or "the column types differ"
        raise DataError(f"{path}: table {table} does not match this store ({detail}); export "
                        "from a store of this version")
    found = [str(name) for name, *_ in db.rows(
        f"DESCRIBE SELECT * FROM read_parquet('{_literal_path(path)}')")]
    if found != [name for name, _ in ours]:
        raise DataError(f"{path}: its columns are not the manifest's; export it again")
    blooms: dict[str, Any] = entry.get("bloom_bits") or {}
    select = []
    for name, kind in ours:
        if kind == "BIT":
            bits = blooms.get(name)
            select.append(f"{_bits_sql(name, int(bits))}" if bits else "NULL::BIT")
        else:
            select.append(_quoted(name))
    rows = int(db.scalar(f"SELECT count(*) FROM read_parquet('{_literal_path(path)}')"))
    if rows != entry.get("rows"):
        raise DataError(f"{path}: {rows:,} rows, the manifest says {entry.get('rows')}")
    return table, (f"SELECT {', '.join(select)} FROM read_parquet('{_literal_path(path)}')"), rows
