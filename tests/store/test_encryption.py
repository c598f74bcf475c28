"""Issue 11 item 5: encryption at rest (`thb init --encrypt`, `$THB_STORE_KEY`).

Before: the store was a plain DuckDB file (mode 0644) with its key file beside it; anyone
who copied the file read every table. Now the file, its WAL and spill files are encrypted
by DuckDB (AES-GCM) under a key that only `$THB_STORE_KEY` holds.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from thbmonitor.errors import StoreRefusedError, UsageError
from thbmonitor.ingest import import_file
from thbmonitor.store import open_store

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
CANARY = "CANARY-Oost-Nederland-7Q"


def _canary_file(tmp_path: Path) -> Path:
    """The valid reports fixture with a canary in a column stored in clear (region)."""
    text = (FIXTURES / "reports-valid.csv").read_text(encoding="utf-8")
    path = tmp_path / "reports-canary.csv"
    path.write_text(text.replace("Oost-Nederland", CANARY), encoding="utf-8")
    return path


def _store_with_canary(path: Path, tmp_path: Path, *, encrypt: bool) -> None:
    with open_store(path, "create", key=True, encrypt=encrypt) as store:
        report = import_file(store.db, "reports", _canary_file(tmp_path), key=store.key)
        assert report.valid and report.stored > 0
        stored = store.db.scalar("SELECT count(*) FROM reports WHERE region = ?", [CANARY])
        assert stored > 0
        store.db.execute("CREATE TABLE canary_wal AS SELECT ? AS v", [CANARY])  # in the WAL


def _bytes(path: Path) -> bytes:
    out = b""
    for file in (path, path.with_name(path.name + ".wal")):
        if file.exists():
            out += file.read_bytes()
    return out


@pytest.fixture
def store_key(monkeypatch) -> str:
    value = secrets.token_hex(32)
    monkeypatch.setenv("THB_STORE_KEY", value)
    return value


def test_a_plain_store_shows_the_canary(tmp_path, monkeypatch):
    """The check can fail: without encryption the canary is in the file."""
    monkeypatch.delenv("THB_STORE_KEY", raising=False)
    path = tmp_path / "plain.duckdb"
    _store_with_canary(path, tmp_path, encrypt=False)
    assert CANARY.encode() in _bytes(path)


def test_an_encrypted_store_holds_no_canary_and_opens_only_with_its_key(
        tmp_path, store_key, monkeypatch):
    path = tmp_path / "sealed.duckdb"
    _store_with_canary(path, tmp_path, encrypt=True)
    assert CANARY.encode() not in _bytes(path)
    assert b"Oost" not in _bytes(path) and b"police-oost" not in _bytes(path)
    with open_store(path, "read") as store:
        assert store.db.encrypted
        assert store.db.scalar("SELECT count(*) FROM reports WHERE region = ?", [CANARY]) > 0
    monkeypatch.setenv("THB_STORE_KEY", secrets.token_hex(32))
    with pytest.raises(StoreRefusedError, match="not the key"), open_store(path, "read"):
        pass
    monkeypatch.delenv("THB_STORE_KEY")
    for mode in ("read", "write"):
        with pytest.raises(StoreRefusedError, match="encrypted store; set \\$THB_STORE_KEY"), \
                open_store(path, mode):
            pass


def test_encrypt_without_a_key_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("THB_STORE_KEY", raising=False)
    path = tmp_path / "new" / "thb.duckdb"
    with pytest.raises(UsageError, match="THB_STORE_KEY"), open_store(path, "create",
                                                                      encrypt=True):
        pass
    assert not path.parent.exists()


@pytest.mark.parametrize("weak", ["secret", "ab" * 16])
def test_a_weak_store_key_is_refused(tmp_path, monkeypatch, weak):
    from thbmonitor.errors import KeyMissingError

    monkeypatch.setenv("THB_STORE_KEY", weak)
    with pytest.raises(KeyMissingError, match="at least 32 bytes"), \
            open_store(tmp_path / "x.duckdb", "create", encrypt=True):
        pass


def test_thb_init_encrypt_and_every_command_needs_the_key(tmp_path, store_key):
    """The real command line: exit 2 and a clear message without the key."""
    db = tmp_path / "thb.duckdb"
    base = {k: v for k, v in os.environ.items() if k not in ("THB_KEY", "THB_DB",
                                                            "THB_STORE_KEY")}

    def thb(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "thbmonitor.cli", *args],
                              capture_output=True, text=True, env={**base, **env},
                              check=False, timeout=120)

    made = thb("init", "--encrypt", "--db", str(db), "--json", THB_STORE_KEY=store_key)
    assert made.returncode == 0, made.stderr
    assert '"encrypted": true' in made.stdout
    refused = thb("status", "--db", str(db))
    assert refused.returncode == 2 and "THB_STORE_KEY" in refused.stderr
    assert "Traceback" not in refused.stderr
    wrong = thb("status", "--db", str(db), THB_STORE_KEY=secrets.token_hex(32))
    assert wrong.returncode == 2 and "not the key" in wrong.stderr
    fine = thb("status", "--db", str(db), "--json", THB_STORE_KEY=store_key)
    assert fine.returncode == 0 and '"reports": 0' in fine.stdout
