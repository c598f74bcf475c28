"""The audit log is evidence: an edited, deleted or forged entry is named by `verify`."""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.store import Database, audit


def _fill(db: Database, n: int = 5) -> list[int]:
    return [audit.record(db, "read", f"thing.{i}", detail={"i": i}) for i in range(n)]


def test_an_intact_chain_verifies_and_links_every_entry(db):
    ids = _fill(db)
    result = audit.verify(db)
    assert result.ok and result.entries == 5 and result.broken is None
    rows = db.rows("SELECT prev_hash, row_hash FROM audit_log ORDER BY event_id")
    assert rows[0][0] == audit.GENESIS
    assert all(rows[i][0] == rows[i - 1][1] for i in range(1, len(rows)))
    assert result.head == audit.head(db) and result.head["event_id"] == ids[-1]


def test_an_edited_entry_is_named(db):
    ids = _fill(db)
    db.execute("UPDATE audit_log SET actor = 'someone-else' WHERE event_id = ?", [ids[2]])
    result = audit.verify(db)
    assert not result.ok
    assert result.broken["event_id"] == ids[2]
    assert result.broken["reason"] == "content-changed"


def test_an_edited_detail_is_named(db):
    ids = _fill(db)
    db.execute("UPDATE audit_log SET detail = '{\"i\": 99}' WHERE event_id = ?", [ids[1]])
    assert audit.verify(db).broken["event_id"] == ids[1]


def test_a_deleted_entry_is_named_by_the_one_after_it(db):
    ids = _fill(db)
    db.execute("DELETE FROM audit_log WHERE event_id = ?", [ids[2]])
    result = audit.verify(db)
    assert not result.ok
    assert result.broken["event_id"] == ids[3]
    assert result.broken["reason"] == "previous-hash-mismatch"
    assert f"entry {ids[1]}" in result.broken["message"]


def test_a_forged_entry_without_hash_is_named(db):
    _fill(db, 2)
    db.execute("INSERT INTO audit_log (event_id, occurred_at, actor, action, resource, detail) "
               "VALUES (999, now(), 'x', 'read', 'y', '{}')")
    assert audit.verify(db).broken["event_id"] == 999


def test_deleting_the_newest_entries_is_caught_with_an_exported_head(db):
    ids = _fill(db)
    exported = audit.head(db)["hash"]
    assert audit.verify(db, expected_head=exported).ok
    db.execute("DELETE FROM audit_log WHERE event_id = ?", [ids[-1]])
    assert audit.verify(db).ok  # the chain alone cannot tell
    result = audit.verify(db, expected_head=exported)
    assert not result.ok and result.broken["reason"] == "expected-head-missing"


def test_the_actor_is_the_os_account_not_dollar_user(db, monkeypatch):
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    audit.record(db, "read", "thing")
    expected = pwd.getpwuid(os.getuid()).pw_name
    assert expected != "alice"
    assert db.scalar("SELECT actor FROM audit_log") == expected


def test_entries_from_before_the_chain_are_sealed_by_the_next_one(db):
    db.execute("ALTER TABLE audit_log DROP COLUMN prev_hash")  # a store as it was before 0003
    db.execute("ALTER TABLE audit_log DROP COLUMN row_hash")
    db.execute("INSERT INTO audit_log VALUES (nextval('audit_seq'), now(), 'old', 'read', "
               "'x', '{}')")
    db.execute("ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR")
    db.execute("ALTER TABLE audit_log ADD COLUMN row_hash VARCHAR")
    assert audit.verify(db).unsealed == 1
    audit.record(db, "read", "new")
    result = audit.verify(db)
    assert result.ok and result.entries == 2 and result.unsealed == 0


def test_a_failed_write_appends_nothing(db):
    _fill(db, 1)
    with pytest.raises(RuntimeError), db.transaction():
        audit.record(db, "write", "thing")
        raise RuntimeError("the write it records failed")
    assert db.scalar("SELECT count(*) FROM audit_log") == 1
    assert audit.verify(db).ok


# -- the command line --------------------------------------------------------------


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_cli_verify_list_and_head(db_path: Path):
    with Database(db_path) as db:
        ids = _fill(db)
    code, out = _cli("audit", "verify", "--db", str(db_path), "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    code, out = _cli("audit", "list", "--db", str(db_path), "--last", "2", "--json")
    listed = json.loads(out)
    assert code == 0 and [e["event_id"] for e in listed["entries"]] == ids[-2:]
    code, out = _cli("audit", "head", "--db", str(db_path), "--json")
    head = json.loads(out)
    with Database(db_path) as db:
        db.execute("UPDATE audit_log SET resource = 'elsewhere' WHERE event_id = ?", [ids[0]])
    code, out = _cli("audit", "verify", "--db", str(db_path), "--json")
    assert code == 1 and json.loads(out)["broken"]["event_id"] == ids[0]
    code, out = _cli("audit", "verify", "--db", str(db_path))
    assert code == 1 and f"audit entry {ids[0]}" in out
    code, _ = _cli("audit", "verify", "--db", str(db_path), "--head", head["hash"])
    assert code == 1


def test_cli_verify_refuses_a_missing_store(tmp_path: Path):
    code, out = _cli("audit", "verify", "--db", str(tmp_path / "none.duckdb"))
    assert code != 0 and "thb init" in out


def test_an_entry_rolled_back_with_its_callers_write_is_not_chained_onto(db):
    """The connection keeps the last head it wrote (no scan of the log per entry); an entry
    written inside a caller's transaction that then rolls back must not become the head."""
    _fill(db, 2)
    with pytest.raises(RuntimeError), db.transaction():
        audit.record(db, "write", "thing.rolled-back")
        raise RuntimeError("the caller's write failed")
    _fill(db, 2)
    result = audit.verify(db)
    assert result.ok and result.entries == 4, result.broken


def test_an_id_taken_in_between_makes_the_next_entry_read_the_head(db):
    """When the sequence moved by more than one since this connection's last entry (an id
    taken by a write that failed, or by another writer), the head is read from the log."""
    _fill(db, 2)
    taken = int(db.scalar("SELECT nextval('audit_seq')"))
    ids = _fill(db, 2)
    assert ids[0] == taken + 1
    result = audit.verify(db)
    assert result.ok and result.entries == 4, result.broken
