"""What the file at a store path is, decided before anything is written to it.

CONTRACTS §2: only `thb init` (and `thb demo`, for its own store) creates a
store; a file that is not a THB Monitor store, or a store made by a newer
version, is refused and left byte-for-byte as it was. So a file is looked at
in two steps that cannot change it: its first bytes (a DuckDB file carries
`DUCK` at offset 8; an empty, text, SQLite or other file is refused without
DuckDB ever opening it, so DuckDB cannot try to install a reader extension
over the network), then a read-only connection that lists its tables and
the migrations it records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from thbmonitor.errors import StoreError, StoreRefusedError
from thbmonitor.store.migrations import MIGRATIONS

__all__ = ["CONNECT_CONFIG", "MARKER", "StoreIdentity", "identify", "sniff"]

#: Never fetch or load a DuckDB extension behind the user's back (a SQLite file would
#: otherwise make DuckDB try to download its sqlite extension).
CONNECT_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

#: The `meta` row that says "this is a THB Monitor store" (written when a store is created).
MARKER = ("store", "thbmonitor")

_DUCKDB_MAGIC = b"DUCK"  # bytes 8 to 11 of every DuckDB database file
_SQLITE_MAGIC = b"SQLite format 3\x00"
_FIRST_MIGRATION = MIGRATIONS[0].name
_UNTOUCHED = "it was left untouched"


@dataclass(frozen=True)
class StoreIdentity:
    """A THB Monitor store as found on disk."""

    path: Path
    applied: tuple[str, ...]
    marked: bool

    @property
    def pending(self) -> tuple[str, ...]:
        """Migrations of this version the store has not had yet."""
        return tuple(m.name for m in MIGRATIONS if m.name not in self.applied)


def missing(path: Path) -> StoreRefusedError:
    return StoreRefusedError(
        f"database {path} does not exist; create it with `thb init --db {path}` "
        "(only `thb init` creates a store)")


def sniff(path: Path) -> None:
    """Refuse, from its first bytes alone, a file that cannot be a DuckDB database."""
    if not path.exists():
        raise missing(path)
    if path.is_dir():
        raise StoreRefusedError(f"{path} is a directory, not a THB Monitor store; give the "
                                "path of the database file with --db or $THB_DB")
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise StoreRefusedError(f"cannot read {path}: {exc.strerror}; check its permissions"
                                ) from None
    if not head:
        raise StoreRefusedError(
            f"{path} is an empty file, not a THB Monitor store; {_UNTOUCHED}. Remove it, or "
            f"create a store elsewhere with `thb init --db NEW_PATH`")
    if head.startswith(_SQLITE_MAGIC):
        raise StoreRefusedError(
            f"{path} is a SQLite database, not a THB Monitor store (a DuckDB file); "
            f"{_UNTOUCHED}. Check --db or $THB_DB")
    if head[8:12] != _DUCKDB_MAGIC:
        raise StoreRefusedError(
            f"{path} is not a DuckDB database (THB Monitor stores are DuckDB files); "
            f"{_UNTOUCHED}. Check --db or $THB_DB")


def connect_error(path: Path, exc: duckdb.Error) -> StoreError:
    """A DuckDB connection error as a message that says what to do."""
    text = str(exc)
    if "lock" in text.lower():
        return StoreError(f"cannot open database {path}: another process is using it "
                          "(one process may write at a time); wait for it or stop it, "
                          "then try again")
    if "not a valid DuckDB database" in text or "Extension" in text:
        return StoreRefusedError(f"{path} is not a DuckDB database THB Monitor can read; "
                                 f"{_UNTOUCHED}. Check --db or $THB_DB")
    if "newer" in text.lower() or "version" in text.lower():
        return StoreRefusedError(f"{path} was written by a newer DuckDB than this THB Monitor "
                                 f"uses; {_UNTOUCHED}. Upgrade THB Monitor to use it")
    return StoreError(f"cannot open database {path}: {text.splitlines()[0]}")


def identify(path: Path) -> StoreIdentity:
    """The store at `path`, read without writing; refuse anything this version must not use."""
    from thbmonitor.store.encryption import connect, store_key

    sniff(path)
    try:
        conn, _ = connect(path, read_only=True, config=dict(CONNECT_CONFIG), key=store_key())
    except duckdb.Error as exc:
        raise connect_error(path, exc) from None
    try:
        tables = {str(name) for (name,) in conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND database_name = current_database()").fetchall()}
        applied: tuple[str, ...] = ()
        marked = False
        if {"migrations", "meta"} <= tables:
            applied = tuple(str(name) for (name,) in conn.execute(
                "SELECT name FROM migrations ORDER BY name").fetchall())
            marked = conn.execute("SELECT count(*) FROM meta WHERE key = ? AND value = ?",
                                  list(MARKER)).fetchone() == (1,)
    except duckdb.Error as exc:
        raise connect_error(path, exc) from None
    finally:
        conn.close()
    if not marked and _FIRST_MIGRATION not in applied:
        raise StoreRefusedError(
            f"{path} is a DuckDB database but not a THB Monitor store; {_UNTOUCHED}. Check "
            "--db or $THB_DB, or create a store with `thb init --db NEW_PATH`")
    known = {m.name for m in MIGRATIONS}
    unknown = [name for name in applied if name not in known]
    if unknown:
        from thbmonitor import __version__

        raise StoreRefusedError(
            f"{path} was made by a newer THB Monitor (it has migration "
            f"{', '.join(unknown)}, which version {__version__} does not know); {_UNTOUCHED}. "
            "Upgrade THB Monitor to use it")
    return StoreIdentity(path, applied, marked)
