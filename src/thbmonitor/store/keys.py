"""The pseudonymisation key: from `$THB_KEY`, else the key file `<db>.key`.

Two kinds of secret are accepted (docs/security.md):

* a random key of at least 32 bytes, written as hexadecimal (64 or more hex
  digits): `thb init` makes one in the key file (mode 0600); it is used as is;
* a passphrase of at least `MIN_PASSPHRASE` characters: it goes through scrypt
  (`hashlib.scrypt`, memory-hard: n = 2**15, r = 8, p = 1, 32 MiB a guess),
  with a random salt kept in the store (`meta.key_kdf`), and the 32-byte
  result is the key. scrypt from the standard library rather than Argon2:
  no new dependency, and RFC 7914 parameters that cost the same memory per
  guess as Argon2id's recommended 32 MiB second option (RFC 9106 §4).

The key never enters the database. The database keeps a verifier (an HMAC of a
fixed label under the *derived* key), so that a wrong key is refused instead
of silently producing tokens that match nothing. For a passphrase, checking a
guess against the verifier costs one scrypt derivation (32 MiB, about 0.1 s),
not one HMAC: the word list that found a 16-character passphrase in 51 fast
guesses now pays the derivation for every guess, and passphrases shorter than
`MIN_PASSPHRASE` characters are refused for new stores.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from thbmonitor.errors import KeyMissingError

log = logging.getLogger(__name__)

ENV_VAR = "THB_KEY"
_CHECK_LABEL = b"thbmonitor key check v1"
#: A random key: at least 32 bytes (256 bits), given as hexadecimal.
MIN_KEY_BYTES = 32
#: A passphrase: at least this many characters (and then scrypt).
MIN_PASSPHRASE = 20
#: scrypt parameters (RFC 7914): 128 * n * r bytes = 32 MiB of memory for each guess.
SCRYPT_N = 2 ** 15
SCRYPT_R = 8
SCRYPT_P = 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024
KDF_META = "key_kdf"
_HEX = re.compile(r"[0-9a-fA-F]+")


@dataclass(frozen=True)
class Secret:
    """What the administrator gave: a random key, or a passphrase to derive one from."""

    material: bytes
    passphrase: bool
    source: str

    def __repr__(self) -> str:
        return f"Secret(<withheld>, passphrase={self.passphrase}, source={self.source!r})"


def key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".key")


def load_secret(db_path: Path | None, *, create: bool) -> Secret:
    """The secret for this database; a new random key file (mode 0600) when allowed."""
    env = os.environ.get(ENV_VAR)
    if env:
        return parse_secret(env, source=f"${ENV_VAR}")
    if db_path is None:
        raise KeyMissingError(
            f"an in-memory database has no key file; set ${ENV_VAR} to a random key of at "
            f"least {MIN_KEY_BYTES} bytes in hexadecimal")
    path = key_path(db_path)
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise KeyMissingError(
                f"key file {path} is readable by others (mode {mode:o}); run `chmod 600 {path}`"
            )
        return parse_secret(path.read_text(encoding="ascii").strip(), source=str(path))
    if not create:
        raise KeyMissingError(
            f"no pseudonymisation key: set ${ENV_VAR} or restore the key file {path}"
        )
    key = secrets.token_bytes(MIN_KEY_BYTES)
    write_key_file(db_path, key)
    return Secret(key, passphrase=False, source=str(path))


def load_key(db_path: Path | None, *, create: bool) -> bytes:
    """The key of a random-key secret (a passphrase needs its store: `derive_key`)."""
    secret = load_secret(db_path, create=create)
    if secret.passphrase:
        raise KeyMissingError(
            f"the key from {secret.source} is a passphrase; it is derived with the salt kept "
            "in its store (open the store with open_store(key=True))")
    return secret.material


def write_key_file(db_path: Path, key: bytes) -> Path:
    """Write `key` as the key file beside `db_path` (mode 0600 whatever the umask; never
    over an existing file)."""
    path = key_path(db_path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode is masked by the umask; this is not
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            fd = -1
            handle.write(key.hex() + "\n")
    finally:
        if fd >= 0:
            os.close(fd)
    return path


def parse_secret(text: str, *, source: str) -> Secret:
    """A random hex key of at least 32 bytes, else a passphrase of at least 20 characters."""
    if _HEX.fullmatch(text) and len(text) % 2 == 0 and len(text) >= 2 * MIN_KEY_BYTES:
        return Secret(bytes.fromhex(text), passphrase=False, source=source)
    if len(text) < MIN_PASSPHRASE:
        raise KeyMissingError(
            f"the key from {source} is too weak: give a random key of at least "
            f"{MIN_KEY_BYTES} bytes as {2 * MIN_KEY_BYTES} hex digits (`thb init` makes one "
            f"in the key file) or a passphrase of at least {MIN_PASSPHRASE} characters")
    return Secret(text.encode("utf-8"), passphrase=True, source=source)


def new_kdf_params() -> str:
    """Fresh scrypt parameters with a random salt, as kept in `meta.key_kdf`."""
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${secrets.token_hex(16)}"


def derive(passphrase: bytes, params: str) -> bytes:
    """The 32-byte key of `passphrase` under the stored parameters `params`."""
    try:
        name, n, r, p, salt = params.split("$")
        if name != "scrypt":
            raise ValueError(name)
        return hashlib.scrypt(passphrase, salt=bytes.fromhex(salt), n=int(n), r=int(r),
                              p=int(p), maxmem=_SCRYPT_MAXMEM, dklen=32)
    except ValueError:
        raise KeyMissingError(
            f"the store's key-derivation parameters ({KDF_META}) are damaged; restore the "
            "store from a backup") from None


def legacy_key(secret: Secret) -> bytes:
    """How versions before key derivation read a secret (the text itself, or its hex)."""
    text = secret.material.decode("utf-8") if secret.passphrase else secret.material.hex()
    try:
        return bytes.fromhex(text) if len(text) % 2 == 0 else text.encode()
    except ValueError:
        return text.encode()


def key_check(key: bytes) -> str:
    """A value that identifies the (derived) key without revealing it."""
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).hexdigest()[:32]


def warn_legacy(source: str) -> None:
    log.warning("the key from %s is a passphrase used without key derivation (a store made "
                "before THB Monitor derived keys); rotate it as docs/security.md describes",
                source)
