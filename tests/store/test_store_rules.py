"""CONTRACTS §2 store rules: only `thb init` creates a store; anything that is not a THB
Monitor store of this (or an older) version is refused and left byte-for-byte untouched.

Each test reproduced a defect of issue #10 before the fix: `thb status --db other.duckdb`
wrote 17 THB tables into another application's file; `thb import` without a store made
`thb.duckdb` and a new key; a store with an unknown migration was used and written; a
non-DuckDB file gave "Is another process using it?"; a SQLite file made DuckDB try to
download its sqlite extension.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.errors import StoreRefusedError
from thbmonitor.store import Database, open_store

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
MODES = ("create", "write", "read")


def thb(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real `thb` in a subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in ("THB_KEY", "THB_DB")}
    return subprocess.run([sys.executable, "-m", "thbmonitor.cli", *args], capture_output=True,
                          text=True, env=env, check=False, timeout=120, cwd=cwd)


def thb_here(*args: str) -> tuple[int, str]:
    """The command in this process (fast); the exit code and its output."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()}


@pytest.fixture
def foreign_duckdb(tmp_path: Path) -> Path:
    path = tmp_path / "other.duckdb"
    conn = duckdb.connect(str(path))
    conn.execute("CREATE TABLE invoices (id INTEGER, amount DOUBLE)")
    conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    conn.close()
    return path


@pytest.fixture
def newer_store(tmp_path: Path) -> Path:
    path = tmp_path / "newer.duckdb"
    with Database(path) as db:
        db.execute("INSERT INTO migrations VALUES ('9999_from_the_future', now())")
    return path


def _not_duckdb(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.duckdb"
    if kind == "sqlite":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    elif kind == "text":
        path.write_text("report_id,source\n1,police-oost\n", encoding="utf-8")
    elif kind == "garbage":
        path.write_bytes(bytes(range(256)) * 64)
    else:
        path.write_bytes(b"")
    return path


@pytest.mark.parametrize("mode", MODES)
def test_a_foreign_duckdb_file_is_refused_and_untouched(foreign_duckdb, mode):
    before = digest(foreign_duckdb)
    with pytest.raises(StoreRefusedError, match="not a THB Monitor store"), \
            open_store(foreign_duckdb, mode):
        pass
    assert digest(foreign_duckdb) == before
    assert files(foreign_duckdb.parent) == {"other.duckdb"}


def test_thb_status_on_a_foreign_duckdb_file_writes_nothing(foreign_duckdb):
    before = digest(foreign_duckdb)
    result = thb("status", "--db", str(foreign_duckdb))
    assert result.returncode == 2, result.stderr
    assert "not a THB Monitor store" in result.stderr and "Traceback" not in result.stderr
    assert digest(foreign_duckdb) == before
    conn = duckdb.connect(str(foreign_duckdb), read_only=True)
    assert conn.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("invoices",)]
    conn.close()


@pytest.mark.parametrize("mode", MODES)
def test_a_store_with_an_unknown_migration_is_refused_and_untouched(newer_store, mode):
    before = digest(newer_store)
    with pytest.raises(StoreRefusedError, match="made by a newer THB Monitor.*[Uu]pgrade"), \
            open_store(newer_store, mode):
        pass
    assert digest(newer_store) == before


@pytest.mark.parametrize("kind", ["sqlite", "text", "garbage", "empty"])
def test_a_file_that_is_not_duckdb_gets_a_clear_message_and_no_network(tmp_path, kind,
                                                                       monkeypatch):
    path = _not_duckdb(tmp_path, kind)
    before = digest(path)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    code, message = thb_here("status", "--db", str(path))
    assert code == 2
    assert "not a THB Monitor store" in message or "not a DuckDB database" in message
    assert "another process" not in message and "Traceback" not in message
    if kind == "sqlite":
        assert "SQLite" in message
    # DuckDB downloads extensions into ~/.duckdb/extensions: nothing may be attempted.
    assert not (home / ".duckdb").exists()
    assert digest(path) == before


def test_import_without_a_store_refuses_and_creates_nothing(tmp_path):
    result = thb("import", "reports", str(FIXTURES / "reports-valid.csv"), cwd=tmp_path)
    assert result.returncode == 2
    assert "thb init" in result.stderr and "Traceback" not in result.stderr
    assert files(tmp_path) == set(), "no thb.duckdb and no new key file"


@pytest.mark.parametrize("command", [
    ["status"], ["link"], ["figures", "--year", "2024"], ["settings"], ["export", "persons"],
    ["estimate", "--year", "2024"], ["review"], ["patterns", "carousel"],
])
def test_every_command_but_init_refuses_a_missing_store(tmp_path, command):
    code, message = thb_here(*command, "--db", str(tmp_path / "none.duckdb"))
    assert code == 2, (command, message)
    assert "thb init" in message
    assert files(tmp_path) == set()


def test_read_mode_never_writes_nor_migrates(tmp_path):
    path = tmp_path / "r.duckdb"
    with open_store(path, "create"):
        pass
    before = digest(path)
    with open_store(path, "read") as store:
        assert store.db.status()["reports"] == 0
        with pytest.raises(duckdb.Error):
            store.db.execute("CREATE TABLE x (y INTEGER)")
    assert digest(path) == before
    assert thb_here("status", "--db", str(path))[0] == 0
    code, message = thb_here("figures", "--year", "2024", "--db", str(path), "--json")
    assert (code, "no data for 2024" in message) == (2, True)  # empty: refused, not zeros
    assert thb_here("settings", "--db", str(path))[0] == 0
    assert digest(path) == before


def test_an_older_store_is_migrated_on_write_and_refused_read_only(tmp_path):
    """A store of the first release (no identity marker, one migration) is recognised."""
    from thbmonitor.store.migrations import MIGRATIONS

    path = tmp_path / "old.duckdb"
    conn = duckdb.connect(str(path))
    conn.execute("CREATE TABLE migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    for statement in MIGRATIONS[0].sql.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO migrations VALUES (?, now())", [MIGRATIONS[0].name])
    conn.close()
    with pytest.raises(StoreRefusedError, match="older THB Monitor.*thb init"), \
            open_store(path, "read"):
        pass
    with open_store(path, "write") as store:
        assert store.db.applied_migrations() == [m.name for m in MIGRATIONS]
        assert store.db.get_meta("store") == "thbmonitor"


def test_init_makes_the_store_and_its_key_atomically(tmp_path):
    path = tmp_path / "new.duckdb"
    with open_store(path, "create") as store:
        assert store.created and store.key_file == tmp_path / "new.duckdb.key"
    assert files(tmp_path) == {"new.duckdb", "new.duckdb.key"}, "no half-made leftovers"
    with open_store(path, "create") as again:
        assert not again.created


def test_the_key_is_loaded_only_when_asked_for(tmp_path, monkeypatch):
    monkeypatch.delenv("THB_KEY", raising=False)
    path = tmp_path / "k.duckdb"
    with open_store(path, "create"):
        pass
    (tmp_path / "k.duckdb.key").unlink()
    with open_store(path, "write") as store:  # link, settings, review: no key needed
        assert store.db.status()["reports"] == 0
    from thbmonitor.errors import KeyMissingError

    with pytest.raises(KeyMissingError, match="THB_KEY"), open_store(path, "write", key=True):
        pass
