"""Encryption at rest: a store file encrypted with AES-GCM by DuckDB itself.

`thb init --encrypt` creates a store that DuckDB encrypts (its database file,
write-ahead log and spill files: `temp_file_encryption`) under a key from
`$THB_STORE_KEY`: a random key of at least 32 bytes as hexadecimal, separate
from the pseudonymisation key and never written beside the store (nor
anywhere by THB Monitor). Without it an encrypted store cannot be opened.

DuckDB 1.4 reads encrypted files with its built-in crypto module but writes
them only with OpenSSL, which comes with its httpfs extension. Extension
auto-loading and auto-installation stay off (`identity.CONNECT_CONFIG`): the
extension is loaded explicitly from the `duckdb-ext-httpfs` package (a wheel
of DuckDB's own signed build, installed with THB Monitor, so nothing is
fetched at run time). DuckDB 2.0 has no such package yet, hence duckdb 1.4.4
in pyproject.toml.

An encrypted file is opened by attaching it (`ATTACH ... (ENCRYPTION_KEY ...)`)
to an in-memory connection and making it the default catalog (`USE`), so the
rest of the code sees the same connection as for a plain file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from thbmonitor.errors import KeyMissingError, StoreError, StoreRefusedError

__all__ = ["STORE_KEY_ENV", "connect", "is_encrypted", "store_key"]

STORE_KEY_ENV = "THB_STORE_KEY"
MIN_STORE_KEY_BYTES = 32
_CATALOG = "store"
_HEX = re.compile(r"[0-9a-fA-F]+")
_NO_KEY = "without a key"
_NOT_ENCRYPTED = "is not encrypted"
_WRONG_KEY = "wrong encryption key"


def store_key() -> str | None:
    """The store-encryption key from `$THB_STORE_KEY` (checked), None when it is not set."""
    value = os.environ.get(STORE_KEY_ENV, "").strip()
    if not value:
        return None
    if not (_HEX.fullmatch(value) and len(value) >= 2 * MIN_STORE_KEY_BYTES):
        raise KeyMissingError(
            f"${STORE_KEY_ENV} must be a random key of at least {MIN_STORE_KEY_BYTES} bytes "
            f"written as {2 * MIN_STORE_KEY_BYTES} or more hex digits (make one with "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'` and keep it apart "
            "from the store and from the pseudonymisation key)")
    return value.lower()


def _httpfs() -> Path:
    """The httpfs extension file of the installed duckdb-ext-httpfs package."""
    import duckdb_ext

    version = duckdb.__version__
    for root in duckdb_ext.__path__:
        found = sorted(Path(root).glob(f"extensions/v{version}/*/httpfs.duckdb_extension"))
        if found:
            return found[0]
    raise StoreError(
        f"writing an encrypted store needs the httpfs extension for DuckDB {version} (package "
        "duckdb-ext-httpfs); reinstall THB Monitor (`make setup`)")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect(path: Path, *, read_only: bool, config: dict[str, str | bool | int | float | list[str]],
            key: str | None) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """A connection to the store at `path` (encrypted when `key` is given and the file is
    encrypted or new); returns it and whether the store is encrypted.

    Raises duckdb.Error as DuckDB gives it, except for the key errors, which become
    messages that say what to do.
    """
    if key is None:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config), False
        except duckdb.Error as exc:
            if _NO_KEY in str(exc):
                raise StoreRefusedError(
                    f"{path} is an encrypted store; set ${STORE_KEY_ENV} to its store key "
                    "(it was left untouched)") from None
            raise
    conn = duckdb.connect(":memory:", config=config)
    try:
        if not read_only:
            conn.execute(f"LOAD {_literal(str(_httpfs()))}")
        options = f"ENCRYPTION_KEY {_literal(key)}" + (", READ_ONLY" if read_only else "")
        try:
            conn.execute(f"ATTACH {_literal(str(path))} AS {_CATALOG} ({options})")
        except duckdb.Error as exc:
            text = str(exc)
            if _NOT_ENCRYPTED in text:
                conn.close()
                return duckdb.connect(str(path), read_only=read_only, config=config), False
            if _WRONG_KEY in text.lower():
                raise StoreRefusedError(
                    f"${STORE_KEY_ENV} is not the key {path} was encrypted with (it was left "
                    "untouched); set it to the store's key") from None
            raise
        conn.execute(f"USE {_CATALOG}")
        conn.execute("SET temp_file_encryption = true")
        conn.execute("SET temp_directory = ?", [str(path.with_name(path.name + ".tmp"))])
    except BaseException:
        conn.close()
        raise
    return conn, True


def is_encrypted(conn: duckdb.DuckDBPyConnection) -> bool:
    row = conn.execute("SELECT encrypted FROM duckdb_databases() "
                       "WHERE database_name = current_database()").fetchone()
    return bool(row and row[0])
