"""The one front door to a store, for the command line and the web app alike.

`open_store(path, mode)` opens the database in one of three modes (CONTRACTS
§2):

- `create`: make the store when the file does not exist (with its key file,
  mode 0600, unless `$THB_KEY` is set); an existing THB Monitor store is
  opened and brought up to date. Only `thb init` and `thb demo` use it.
- `write`: an existing store, migrated when this version has new migrations;
  a missing file is refused with a message naming `thb init`.
- `read`: an existing store opened read-only: never written, never migrated.

Whatever the mode, a file that is not a THB Monitor store, or one made by a
newer version, is refused and left untouched (`store.identity`). The
pseudonymisation key is loaded only when asked for (`key=True`): only where
pseudonymisation happens (an import), never for `thb status`, `thb link` or
`thb settings`. The settings are read once (`Database.snapshot_settings`), so
a run uses one consistent set of values.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from thbmonitor.errors import KeyMissingError
from thbmonitor.store.database import Database
from thbmonitor.store.keys import key_path, load_secret

__all__ = ["DB_ENV", "DEFAULT_DB", "Mode", "Store", "default_path", "open_store"]

DB_ENV = "THB_DB"
DEFAULT_DB = "thb.duckdb"


class Mode(StrEnum):
    CREATE = "create"
    WRITE = "write"
    READ = "read"


@dataclass
class Store:
    """An open store: the database and, when asked for, the pseudonymisation key."""

    db: Database
    path: Path
    created: bool
    key_file: Path | None
    _key: bytes | None = None

    @property
    def key(self) -> bytes:
        if self._key is None:
            raise KeyMissingError("this store was opened without its key (open_store(key=True))")
        return self._key


def default_path() -> Path:
    """`$THB_DB`, else `./thb.duckdb` (CONTRACTS §2)."""
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


@contextmanager
def open_store(path: str | Path | None = None, mode: Mode | str = Mode.WRITE, *,
               key: bool = False, encrypt: bool = False) -> Iterator[Store]:
    """The store at `path` (default: `default_path()`), closed when the block is left.

    `key`: load (in `create` mode for a new store: make) the pseudonymisation key and
    check it against the store; a wrong or missing key is a KeyMissingError. A passphrase
    is derived with scrypt under the store's salt (`store.keys`). `encrypt`: a store this
    call creates is encrypted at rest under `$THB_STORE_KEY` (`store.encryption`); an
    encrypted store is opened with that key in every mode.
    """
    target = Path(path) if path is not None else default_path()
    mode = Mode(mode)
    db = Database(target, create=mode is Mode.CREATE, read_only=mode is Mode.READ,
                  encrypt=encrypt)
    try:
        loaded: bytes | None = None
        if key or db.created:  # a new store gets its key file (unless $THB_KEY is set)
            loaded = db.resolve_key(load_secret(target, create=db.created))
        db.snapshot_settings()
        made = key_path(target)
        yield Store(db, target, db.created, made if made.exists() else None,
                    loaded if key else None)
    finally:
        db.close()
