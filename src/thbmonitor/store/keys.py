"""The pseudonymisation key: from `$THB_KEY`, else the key file `<db>.key`.

The key never enters the database. The database keeps only a check value
(an HMAC of a fixed label under the key), so that a wrong key is refused
instead of silently producing tokens that match nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from thbmonitor.errors import KeyMissingError

ENV_VAR = "THB_KEY"
_CHECK_LABEL = b"thbmonitor key check v1"
MIN_KEY_BYTES = 16


def key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".key")


def load_key(db_path: Path | None, *, create: bool) -> bytes:
    """The key for this database; a new key file (mode 0600) when allowed and none exists."""
    env = os.environ.get(ENV_VAR)
    if env:
        return _parse(env, source=f"${ENV_VAR}")
    if db_path is None:
        raise KeyMissingError(
            f"an in-memory database has no key file; set ${ENV_VAR} to a secret of at least "
            f"{MIN_KEY_BYTES} bytes"
        )
    path = key_path(db_path)
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise KeyMissingError(
                f"key file {path} is readable by others (mode {mode:o}); run `chmod 600 {path}`"
            )
        return _parse(path.read_text(encoding="ascii").strip(), source=str(path))
    if not create:
        raise KeyMissingError(
            f"no pseudonymisation key: set ${ENV_VAR} or restore the key file {path}"
        )
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return bytes.fromhex(key)


def write_key_file(db_path: Path, key: bytes) -> Path:
    """Write `key` as the key file beside `db_path` (mode 0600; never over an existing one)."""
    path = key_path(db_path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return path


def _parse(text: str, *, source: str) -> bytes:
    try:
        key = bytes.fromhex(text) if len(text) % 2 == 0 else text.encode()
    except ValueError:
        key = text.encode()
    if len(key) < MIN_KEY_BYTES:
        raise KeyMissingError(f"the key from {source} is shorter than {MIN_KEY_BYTES} bytes")
    return key


def key_check(key: bytes) -> str:
    """A value that identifies the key without revealing it."""
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).hexdigest()[:32]
