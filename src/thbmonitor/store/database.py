"""The one database wrapper: connections, transactions, migrations, settings.

Every import runs in one transaction (`Database.transaction`), so a crash,
even SIGKILL, leaves the file as it was: DuckDB writes a transaction to its
write-ahead log only at commit.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from thbmonitor.errors import StoreError
from thbmonitor.store.migrations import MIGRATIONS
from thbmonitor.store.settings import SETTINGS

if TYPE_CHECKING:  # pandas is imported lazily: `thb status` should not pay for it
    import pandas as pd

log = logging.getLogger(__name__)

#: Tables whose row counts `thb status` reports (CONTRACTS §2), in order.
STATUS_TABLES: tuple[str, ...] = (
    "reports", "persons", "locations", "investigations", "suspects", "cases",
    "verdicts", "quarantine",
)

MEMORY = ":memory:"
MEMORY_ENV = "THB_MEMORY_LIMIT"
DEFAULT_MEMORY = "2GB"


class Database:
    """A DuckDB file holding everything THB Monitor knows.

    >>> db = Database(":memory:")
    >>> db.status()["reports"]
    0
    """

    def __init__(self, path: str | Path, *, create: bool = True, read_only: bool = False) -> None:
        self.path = Path(path) if str(path) != MEMORY else None
        if self.path is not None and not self.path.exists() and not create:
            raise StoreError(
                f"database {self.path} does not exist; create it with `thb init --db {self.path}`"
            )
        if self.path is not None and self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = duckdb.connect(str(self.path) if self.path else MEMORY, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot open database {self.path}: {exc}. Is another process using it?"
            ) from exc
        self.conn.execute("SET enable_progress_bar = false")
        # DuckDB would otherwise take up to 80% of the machine's memory; a bounded
        # buffer pool spills to disk instead (a million-row import stays under 4 GB).
        self.conn.execute("SET memory_limit = ?", [os.environ.get(MEMORY_ENV, DEFAULT_MEMORY)])
        self._in_transaction = False
        if not read_only:
            self.migrate()

    # -- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def name(self) -> str:
        return str(self.path) if self.path else MEMORY

    # -- SQL -------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        """Run one statement with parameters (never values formatted into SQL)."""
        return self.conn.execute(sql, params) if params is not None else self.conn.execute(sql)

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[Any]:
        result: list[Any] = self.execute(sql, params).fetchall()
        return result

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def frame(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
              ) -> pd.DataFrame:
        frame: pd.DataFrame = self.execute(sql, params).df()
        return frame

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One transaction; rolled back on any exception. Nested use joins the outer one."""
        if self._in_transaction:
            yield self
            return
        self.conn.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            yield self
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._in_transaction = False

    # -- migrations --------------------------------------------------------------

    def applied_migrations(self) -> list[str]:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)"
        )
        return [r[0] for r in self.rows("SELECT name FROM migrations ORDER BY name")]

    def migrate(self) -> list[str]:
        """Apply the migrations this file has not seen; return their names."""
        done = set(self.applied_migrations())
        applied = []
        for migration in MIGRATIONS:
            if migration.name in done:
                continue
            with self.transaction():
                for statement in _statements(migration.sql):
                    self.conn.execute(statement)
                self.execute(
                    "INSERT INTO migrations VALUES (?, ?)", [migration.name, _now()]
                )
            log.info("applied migration %s", migration.name)
            applied.append(migration.name)
        return applied

    # -- the pseudonymisation key -------------------------------------------------

    def check_key(self, key: bytes) -> None:
        """Refuse a key other than the one this database's tokens were made with."""
        from thbmonitor.errors import KeyMissingError
        from thbmonitor.store.keys import key_check

        stored = self.get_meta("key_check")
        if stored is None:
            self.set_meta("key_check", key_check(key))
        elif stored != key_check(key):
            raise KeyMissingError(
                "the pseudonymisation key does not match the key this database was created "
                "with; set $THB_KEY to that key or restore the key file that belongs to it"
            )

    # -- meta and settings -------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", [key])
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def setting(self, name: str) -> Any:
        """The stored value of a declared setting, else its default."""
        declared = SETTINGS.get(name)
        stored = self.scalar("SELECT value FROM settings WHERE name = ?", [name])
        if stored is not None:
            return json.loads(stored)
        return declared.default

    def set_setting(self, name: str, value: Any) -> None:
        declared = SETTINGS.get(name)
        checked = declared.check(value)
        self.execute(
            "INSERT INTO settings VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
            "SET value = excluded.value, updated_at = excluded.updated_at",
            [name, json.dumps(checked), _now()],
        )

    def settings(self) -> dict[str, Any]:
        """Every declared setting with its effective value."""
        return {s.name: self.setting(s.name) for s in SETTINGS}

    # -- what the store holds ---------------------------------------------------

    def status(self) -> dict[str, int]:
        """Row counts (CONTRACTS §2 `thb status --json`)."""
        return {t: int(self.scalar(f"SELECT count(*) FROM {t}")) for t in STATUS_TABLES}

    def data_hash(self) -> str:
        """A hash of what was imported: the file hashes of every import, in order.

        Together with the settings and the seed it identifies the input of
        every published number.
        """
        import hashlib

        digest = hashlib.sha256()
        for kind, file_hash, stored in self.rows(
            "SELECT kind, file_hash, rows_stored FROM imports ORDER BY import_id"
        ):
            digest.update(f"{kind}:{file_hash}:{stored}\n".encode())
        return digest.hexdigest()[:16]


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
