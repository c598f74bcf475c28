"""`thb init`, `status`, `import`, `quarantine`: the real command in a subprocess."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
THB = [sys.executable, "-m", "thbmonitor.cli"]


def thb(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("THB_KEY", "THB_DB")}
    full_env.update(env or {})
    return subprocess.run([*THB, *args], capture_output=True, text=True, env=full_env,
                          check=False, timeout=120)


def test_init_creates_database_and_private_key_file(tmp_path):
    db = tmp_path / "new.duckdb"
    result = thb("init", "--db", str(db))
    assert result.returncode == 0, result.stderr
    key = tmp_path / "new.duckdb.key"
    assert db.exists() and key.exists()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    status = json.loads(thb("status", "--db", str(db), "--json").stdout)
    assert status == {"reports": 0, "persons": 0, "locations": 0, "investigations": 0,
                      "suspects": 0, "cases": 0, "verdicts": 0, "quarantine": 0}


def init(db: str | Path, env: dict[str, str] | None = None) -> None:
    """`thb init` in this process (faster); the real command is tested above."""
    from thbmonitor.store import open_store

    saved = os.environ.pop("THB_KEY", None)
    os.environ.update(env or {})
    try:
        with open_store(db, "create") as store:
            assert store.created
    finally:
        os.environ.pop("THB_KEY", None)
        if saved is not None:
            os.environ["THB_KEY"] = saved


def test_import_json_is_the_report_and_exit_codes(tmp_path):
    db = str(tmp_path / "x.duckdb")
    init(db)
    ok = thb("import", "reports", str(FIXTURES / "reports-valid.csv"), "--db", db, "--json")
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert data["valid"] is True and data["stats"]["stored"] == 4
    bad = thb("import", "reports", str(FIXTURES / "reports-invalid-date.csv"), "--db", db,
              "--json")
    assert bad.returncode == 1
    errors = json.loads(bad.stdout)["errors"]
    assert [(e["row"], e["column"], e["code"]) for e in errors][0] == (
        1, "report_date", "invalid-date")
    assert "Traceback" not in bad.stderr
    human = thb("import", "reports", str(FIXTURES / "reports-invalid-date.csv"), "--db", db)
    assert human.returncode == 1 and "invalid-date" in human.stdout
    assert "nothing was stored" in " ".join(human.stdout.split())


def test_usage_errors_exit_2_without_traceback(tmp_path):
    db = str(tmp_path / "x.duckdb")
    init(db)
    unknown_kind = thb("import", "victims", str(FIXTURES / "reports-valid.csv"), "--db", db)
    assert unknown_kind.returncode == 2 and "unknown kind" in unknown_kind.stderr
    bad_option = thb("status", "--db", db, "--frobnicate")
    assert bad_option.returncode == 2
    for result in (unknown_kind, bad_option):
        assert "Traceback" not in result.stderr


def test_missing_database_and_missing_key_are_clear_errors(tmp_path):
    missing = thb("status", "--db", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2 and "thb init" in missing.stderr  # CONTRACTS §2
    db = tmp_path / "k.duckdb"
    assert thb("init", "--db", str(db)).returncode == 0
    (tmp_path / "k.duckdb.key").unlink()
    no_key = thb("import", "reports", str(FIXTURES / "reports-valid.csv"), "--db", str(db))
    assert no_key.returncode == 1 and "THB_KEY" in no_key.stderr
    wrong = thb("import", "reports", str(FIXTURES / "reports-valid.csv"), "--db", str(db),
                env={"THB_KEY": "ab" * 32})
    assert wrong.returncode == 1 and "does not match" in wrong.stderr


def test_thb_key_from_environment_writes_no_key_file(tmp_path):
    db = tmp_path / "env.duckdb"
    init(db, env={"THB_KEY": "cd" * 32})
    assert not (tmp_path / "env.duckdb.key").exists()
    result = thb("import", "reports", str(FIXTURES / "reports-valid.csv"), "--db", str(db),
                 env={"THB_KEY": "cd" * 32})
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "env.duckdb.key").exists()


def test_db_from_environment(tmp_path):
    db = tmp_path / "envdb.duckdb"
    assert thb("init", env={"THB_DB": str(db)}).returncode == 0
    assert db.exists()


@pytest.mark.parametrize("as_json", [True, False])
def test_partial_then_quarantine_listing_and_export(tmp_path, as_json):
    db = str(tmp_path / "q.duckdb")
    init(db)
    result = thb("import", "reports", str(FIXTURES / "reports-duplicate-ids.csv"), "--db", db,
                 "--partial")
    assert result.returncode == 1, "rows were rejected (the valid ones are stored)"
    out = tmp_path / "q.csv"
    args = ["quarantine", "--db", db, "--export", str(out)] + (["--json"] if as_json else [])
    listed = thb(*args)
    assert listed.returncode == 0, listed.stderr
    if as_json:
        assert json.loads(listed.stdout)["count"] == 1
    assert "duplicate-id" in out.read_text(encoding="utf-8")
