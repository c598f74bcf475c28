"""Issue 11 item 5: key strength, key derivation and a verifier that resists word lists.

Before: a 16-character passphrase was accepted as the pseudonymisation key with no key
derivation, and the store's check value (HMAC of a fixed label under the key) let a word
list find it offline in 51 guesses of one HMAC each.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

import pytest

from thbmonitor.errors import KeyMissingError
from thbmonitor.store import keys, open_store

WORDS = [f"{w}{w}{w}{w}"[:16] for w in (
    "summer", "winter", "autumn", "spring", "dragon", "monkey", "shadow", "master",
    "sunshine", "princess", "football", "baseball", "welcome", "letmein", "trustno1",
)] + [f"Amsterdam{year}!xy" for year in range(1990, 2026)]
PASSPHRASE = "Amsterdam2024!xy correct horse"  # 30 characters


def _fast_guess(stored: str, words: list[str]) -> str | None:
    """The old offline attack: one HMAC per word against the stored check value."""
    label = b"thbmonitor key check v1"
    for word in words:
        if hmac.new(word.encode(), label, hashlib.sha256).hexdigest()[:32] == stored:
            return word
    return None


def test_the_old_check_value_fell_to_a_word_list():
    """Reproduction: the check value of a 16-character passphrase used as the key."""
    secret = WORDS[-3]
    assert len(secret) == 16
    old_check = keys.key_check(secret.encode())
    assert _fast_guess(old_check, WORDS) == secret


def test_a_16_character_passphrase_is_refused(db_path, monkeypatch):
    monkeypatch.setenv("THB_KEY", WORDS[-3])
    with pytest.raises(KeyMissingError, match="too weak"), \
            open_store(db_path, "create", key=True):
        pass


def test_keys_are_32_random_bytes_or_go_through_the_kdf():
    assert not keys.parse_secret("ab" * 32, source="$THB_KEY").passphrase
    # Shorter hex is no random key: as a passphrase (20+ characters) it is derived.
    assert keys.parse_secret("ab" * 16, source="$THB_KEY").passphrase
    with pytest.raises(KeyMissingError, match="at least 32 bytes"):
        keys.parse_secret("ab" * 8, source="$THB_KEY")


def test_a_passphrase_is_derived_with_scrypt_and_its_verifier_resists_a_word_list(
        db_path, monkeypatch):
    monkeypatch.setenv("THB_KEY", PASSPHRASE)
    with open_store(db_path, "create", key=True) as store:
        derived = store.key
        stored = store.db.get_meta("key_check")
        params = store.db.get_meta(keys.KDF_META)
    assert stored is not None and params is not None
    assert derived != PASSPHRASE.encode() and len(derived) == 32
    # The fast attack finds nothing, even with the passphrase in its list...
    assert _fast_guess(stored, [*WORDS, PASSPHRASE]) is None
    # ...every guess needs a scrypt derivation of at least 32 MiB under the store's salt.
    name, n, r, p, salt = params.split("$")
    assert name == "scrypt" and 128 * int(n) * int(r) >= 32 * 1024 * 1024 and len(salt) == 32
    assert keys.key_check(keys.derive(PASSPHRASE.encode(), params)) == stored
    assert keys.key_check(keys.derive(b"Amsterdam2024!xy correct horsf", params)) != stored
    # The same passphrase opens the store again with the same key; another is refused.
    with open_store(db_path, "write", key=True) as store:
        assert store.key == derived
    with open_store(db_path, "read", key=True) as store:
        assert store.key == derived
    monkeypatch.setenv("THB_KEY", PASSPHRASE + "!")
    with pytest.raises(KeyMissingError, match="does not match"), \
            open_store(db_path, "write", key=True):
        pass


def test_the_salt_differs_per_store(tmp_path, monkeypatch):
    monkeypatch.setenv("THB_KEY", PASSPHRASE)
    made = []
    for name in ("a.duckdb", "b.duckdb"):
        with open_store(tmp_path / name, "create", key=True) as store:
            made.append(store.key)
    assert made[0] != made[1], "one passphrase, two stores: two keys (no shared tables)"


def test_a_store_made_before_key_derivation_still_opens_with_a_warning(
        db_path, monkeypatch, caplog):
    """A legacy store: its check value is the HMAC under the passphrase itself."""
    legacy = "an old sixteen+ passphrase"
    with open_store(db_path, "create") as store:
        store.db.set_meta("key_check", keys.key_check(legacy.encode()))
    monkeypatch.setenv("THB_KEY", legacy)
    with caplog.at_level(logging.WARNING), open_store(db_path, "write", key=True) as store:
        assert store.key == legacy.encode()
        assert store.db.get_meta(keys.KDF_META) is None
    assert "rotate" in caplog.text


def test_the_key_file_is_0600_whatever_the_umask(db_path, monkeypatch):
    monkeypatch.delenv("THB_KEY", raising=False)
    import os

    old = os.umask(0)
    try:
        path = keys.write_key_file(db_path, os.urandom(32))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(bytes.fromhex(path.read_text().strip())) == 32
