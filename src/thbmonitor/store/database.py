"""The one database wrapper: connections, transactions, migrations, settings.

Every import runs in one transaction (`Database.transaction`), so a crash,
even SIGKILL, leaves the file as it was: DuckDB writes a transaction to its
write-ahead log only at commit.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from thbmonitor import interrupts
from thbmonitor.errors import KeyMissingError, StoreRefusedError, UsageError
from thbmonitor.store import encryption, files
from thbmonitor.store.identity import CONNECT_CONFIG, MARKER, connect_error, identify, missing
from thbmonitor.store.migrations import MIGRATIONS
from thbmonitor.store.settings import SETTINGS

if TYPE_CHECKING:  # pandas is imported lazily: `thb status` should not pay for it
    import pandas as pd

    from thbmonitor.store.keys import Secret

log = logging.getLogger(__name__)

#: `meta` entry naming the name encodings the store's reports carry (ingest/pseudonymise.py):
#: Bloom filters salted per report with the keyed birth year and month (issue 11 item 3),
#: names in other scripts transliterated before they are encoded (v2, issue 16).
#: A store whose reports predate it holds other encodings: see `_check_encodings`.
ENCODING_META = ("name_encoding", "bloom-birth-salt-translit-v2")
#: The marker of stores salted but not yet transliterated.
SALTED_V1 = "bloom-birth-salt-v1"

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

    def __init__(self, path: str | Path, *, create: bool = True, read_only: bool = False,
                 encrypt: bool = False) -> None:
        """Open the store at `path` (`":memory:"` for a store in memory).

        `create`: make a new store when there is no file (CONTRACTS §2: only `thb init`
        and `thb demo` do; `thb.store.open_store` is the front door). An existing file
        is identified first without writing to it (`store.identity`) and refused when it
        is not a THB Monitor store of this or an older version. `read_only`: never
        writes, so never migrates. `encrypt`: a new store is encrypted at rest under
        `$THB_STORE_KEY` (`store.encryption`); an existing encrypted store is opened with
        that key whatever `encrypt` says.
        """
        self.path = Path(path) if str(path) != MEMORY else None
        self.read_only = read_only
        self.created = False
        self._in_transaction = False
        self._settings: dict[str, Any] | None = None
        self.encrypted = False
        if self.path is None:
            self.conn = self._connect(MEMORY, read_only=False)
            self.migrate()
            self.set_meta(*MARKER)
            self.set_meta(*ENCODING_META)
            return
        if not read_only:
            files.private_umask()
        if not self.path.exists():
            if not create or read_only:
                raise missing(self.path)
            _create(self.path, encrypt=encrypt)
            self.created = True
        found = identify(self.path)
        if read_only and found.pending:
            raise StoreRefusedError(
                f"{self.path} was made by an older THB Monitor and needs its schema brought up "
                f"to date ({', '.join(found.pending)}); run `thb init --db {self.path}` once")
        self.conn = self._connect(str(self.path), read_only=read_only,
                                  key=encryption.store_key())
        self.encrypted = encryption.is_encrypted(self.conn)
        if not read_only:
            # This process now holds the write lock: what is in the temp folder is a
            # killed run's leftover, and the files become owner-only (store.files).
            files.remove_leftovers(self.path)
            files.tighten(self.path)
            self.migrate()
            if not found.marked:
                self.set_meta(*MARKER)
            self._check_encodings()

    def _check_encodings(self) -> None:
        """Mark the store's name encodings; warn when its reports predate the salted ones.

        Encodings cannot be re-made in place (the store keeps no clear name): the reports
        of a store made before the hardening keep their unsalted encodings, which the
        known-plaintext attack of issue 11 decodes and which do not compare by Dice with the
        salted ones of later imports (exact and phonetic tokens still do). A store without
        reports is simply marked."""
        name, value = ENCODING_META
        found = self.get_meta(name)
        if found == value:
            return
        if not self.scalar("SELECT count(*) FROM reports"):
            self.set_meta(name, value)
            return
        if found == SALTED_V1:
            log.warning("%s holds reports imported before names in other scripts were "
                        "transliterated: a name written in Cyrillic or Greek there does not "
                        "match the same name imported since (names in Latin script are "
                        "unaffected); to link them, import every delivered file into a new "
                        "store (docs/privacy.md)", self.path.name if self.path else "the store")
            return
        log.warning("%s holds name encodings made before they were salted per report: they "
                    "are open to a known-plaintext attack and do not compare by similarity "
                    "with new imports; rebuild the store by importing every delivered file "
                    "into a new one (docs/security.md, 'Rotating the keys')", self.path.name
                    if self.path else "the store")

    @staticmethod
    def _connect(target: str, *, read_only: bool,
                 key: str | None = None) -> duckdb.DuckDBPyConnection:
        try:
            if target == MEMORY:
                conn = duckdb.connect(target, read_only=read_only, config=CONNECT_CONFIG)
            else:
                conn, _ = encryption.connect(Path(target), read_only=read_only,
                                             config=dict(CONNECT_CONFIG), key=key)
        except duckdb.Error as exc:
            raise connect_error(Path(target), exc) from None
        conn.execute("SET enable_progress_bar = false")
        # DuckDB would otherwise take up to 80% of the machine's memory; a bounded
        # buffer pool spills to disk instead (a million-row import stays under 4 GB).
        conn.execute("SET memory_limit = ?", [os.environ.get(MEMORY_ENV, DEFAULT_MEMORY)])
        return conn

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
        """One transaction; rolled back on any exception. Nested use joins the outer one.

        Never committed after Ctrl-C (`thbmonitor.interrupts`): rolled back with a
        `KeyboardInterrupt` even when the signal's exception was lost in C code.
        """
        if self._in_transaction:
            yield self
            return
        self.conn.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            yield self
            interrupts.raise_if_requested()
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._in_transaction = False

    # -- migrations --------------------------------------------------------------

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT name FROM migrations ORDER BY name")]

    def migrate(self) -> list[str]:
        """Apply the migrations this file has not seen; return their names."""
        if self._in_transaction:
            raise StoreRefusedError("cannot migrate inside a transaction")
        return _migrate(self.conn)

    # -- the pseudonymisation key -------------------------------------------------

    def check_key(self, key: bytes) -> None:
        """Refuse a key other than the one this database's tokens were made with."""
        from thbmonitor.store.keys import key_check

        stored = self.get_meta("key_check")
        if stored is None:
            if not self.read_only:
                self.set_meta("key_check", key_check(key))
        elif not hmac.compare_digest(stored, key_check(key)):
            raise KeyMissingError(
                "the pseudonymisation key does not match the key this database was created "
                "with; set $THB_KEY to that key or restore the key file that belongs to it"
            )

    def resolve_key(self, secret: Secret) -> bytes:
        """The pseudonymisation key of `secret` for this store, checked against it.

        A random key is used as is. A passphrase is derived with scrypt under the salt kept
        in `meta.key_kdf` (made at the first use). A store made before key derivation whose
        verifier matches the passphrase itself keeps working, with a warning to rotate.
        """
        from thbmonitor.store import keys

        if not secret.passphrase:
            self.check_key(secret.material)
            return secret.material
        params = self.get_meta(keys.KDF_META)
        if params is None:
            stored = self.get_meta("key_check")
            legacy = keys.legacy_key(secret)
            if stored is not None and hmac.compare_digest(stored, keys.key_check(legacy)):
                keys.warn_legacy(secret.source)
                return legacy
            if stored is not None:
                self.check_key(legacy)  # raises: the passphrase is not this store's
            if self.read_only:
                raise KeyMissingError(
                    f"{self.name} has no key derivation yet; open it once for writing "
                    "(`thb init`) before reading it with a passphrase")
            params = keys.new_kdf_params()
            self.set_meta(keys.KDF_META, params)
        key = keys.derive(secret.material, params)
        self.check_key(key)
        return key

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
        """The effective value of a declared setting: stored, else its default.

        Within one run the values come from one snapshot (`snapshot_settings`), so a
        change made meanwhile by another process cannot mix two settings in one result.
        """
        declared = SETTINGS.get(name)
        if self._settings is not None:
            return self._settings[name]
        stored = self.scalar("SELECT value FROM settings WHERE name = ?", [name])
        if stored is not None:
            return json.loads(stored)
        return declared.default

    def snapshot_settings(self) -> dict[str, Any]:
        """Read every setting once; later `setting()` calls of this run use these values."""
        stored = {str(n): json.loads(v) for n, v in self.rows("SELECT name, value FROM settings")}
        self._settings = {s.name: stored.get(s.name, s.default) for s in SETTINGS}
        return dict(self._settings)

    def set_setting(self, name: str, value: Any, *, actor: str | None = None) -> Any:
        """Store a checked value (a UsageError names what is allowed) and audit the change
        with the old and the new value; return the value stored."""
        from thbmonitor.store import audit
        from thbmonitor.store.settings import check_consistent

        declared = SETTINGS.get(name)
        checked = declared.check(value)
        old = self.setting(name)
        check_consistent({**self.settings(), name: checked})
        with self.transaction():
            self.execute(
                "INSERT INTO settings VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                "SET value = excluded.value, updated_at = excluded.updated_at",
                [name, json.dumps(checked), _now()],
            )
            audit.record(self, "settings.change", name, actor=actor,
                         detail={"old": old, "new": checked})
        if self._settings is not None:
            self._settings[name] = checked
        return checked

    def settings(self) -> dict[str, Any]:
        """Every declared setting with its effective value."""
        if self._settings is not None:
            return dict(self._settings)
        stored = {str(n): json.loads(v) for n, v in self.rows("SELECT name, value FROM settings")}
        return {s.name: stored.get(s.name, s.default) for s in SETTINGS}

    # -- what the store holds ---------------------------------------------------

    def status(self) -> dict[str, int]:
        """Row counts (CONTRACTS §2 `thb status --json`)."""
        return {t: int(self.scalar(f"SELECT count(*) FROM {t}")) for t in STATUS_TABLES}

    def last_import_id(self) -> int:
        """The id of the latest recorded import (0 for none)."""
        return int(self.scalar("SELECT coalesce(max(import_id), 0) FROM imports"))

    def imports_after(self, import_id: int) -> list[dict[str, Any]]:
        """Imports recorded after `import_id`: what an interrupted command had committed."""
        return [{"import_id": int(i), "kind": str(k), "file": str(f), "stored": int(n)}
                for i, k, f, n in self.rows(
                    "SELECT import_id, kind, file_name, rows_stored FROM imports "
                    "WHERE import_id > ? ORDER BY import_id", [import_id])]

    def latest_link_run(self) -> dict[str, Any] | None:
        """The latest linkage run (id, method, reports, persons), None before the first."""
        row = self.execute("SELECT run_id, method, reports, persons FROM link_runs "
                           "ORDER BY started_at DESC, run_id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        return {"run_id": str(row[0]), "method": str(row[1]), "reports": int(row[2]),
                "persons": int(row[3])}

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


def _create(path: Path, *, encrypt: bool = False) -> None:
    """A new store at `path`, built under a temporary name and then put in place, so that
    an interrupted creation never leaves a half-made store (nor replaces a file).
    `encrypt`: encrypted at rest under `$THB_STORE_KEY`, which must then be set."""
    key = encryption.store_key()
    if encrypt and key is None:
        raise UsageError(
            f"an encrypted store needs its key in ${encryption.STORE_KEY_ENV} (a random key "
            "of at least 32 bytes as 64 hex digits, kept apart from the store and from the "
            "pseudonymisation key); nothing was created")
    if not path.parent.exists():
        files.private_dir(path.parent)
    building = path.with_name(f".{path.name}.creating-{os.getpid()}")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        conn = Database._connect(str(building), read_only=False, key=key if encrypt else None)
        try:
            _migrate(conn)
            conn.execute("INSERT INTO meta VALUES (?, ?)", list(MARKER))
            conn.execute("INSERT INTO meta VALUES (?, ?)", list(ENCODING_META))
            conn.execute("CHECKPOINT")
        finally:
            conn.close()
        try:
            os.link(building, path)  # fails instead of replacing a file made meanwhile
        except FileExistsError:
            raise StoreRefusedError(f"{path} appeared while the store was being created; "
                                    "nothing was changed, try again") from None
    finally:
        building.unlink(missing_ok=True)


def _migrate(conn: duckdb.DuckDBPyConnection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    done = {r[0] for r in conn.execute("SELECT name FROM migrations").fetchall()}
    applied = []
    for migration in MIGRATIONS:
        if migration.name in done:
            continue
        conn.execute("BEGIN TRANSACTION")
        try:
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute("INSERT INTO migrations VALUES (?, ?)", [migration.name, _now()])
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        log.info("applied migration %s", migration.name)
        applied.append(migration.name)
    return applied


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
