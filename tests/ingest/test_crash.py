"""A process killed with SIGKILL during an import leaves the database as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from thbmonitor.ingest import import_file
from thbmonitor.store import Database
from thbmonitor.synth.bulk import write_reports

SCRIPT = """
import sys
from pathlib import Path
from thbmonitor.ingest import import_file
from thbmonitor.store import Database
db = Database(Path(sys.argv[1]))
def progress(stage):
    print(stage, flush=True)
report = import_file(db, "reports", Path(sys.argv[2]), key=bytes.fromhex(sys.argv[3]),
                     progress=progress)
print("done", report.stored, flush=True)
"""

TABLES = ("reports", "imports", "organisations", "quarantine")


def _snapshot(path):
    db = Database(path, create=False)
    try:
        return {t: db.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}
    finally:
        db.close()


@pytest.mark.slow
def test_sigkill_during_import_leaves_database_unchanged(tmp_path, key, fixture_file):
    db_path = tmp_path / "crash.duckdb"
    db = Database(db_path)
    assert import_file(db, "reports", fixture_file("reports-valid.csv"), key=key).valid
    db.close()
    before = _snapshot(db_path)
    big = write_reports(tmp_path / "reports-300k.csv", 300_000)

    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(db_path), str(big), key.hex()],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "store":
            break
    else:
        pytest.fail("the import never reached the store step")
    time.sleep(0.3)  # well inside the insert of 300,000 rows
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    assert _snapshot(db_path) == before

    # The store takes the next delivery as if nothing had happened (a smaller one:
    # importing all 300,000 again proved no more and cost half of this test's time).
    small = write_reports(tmp_path / "reports-2k.csv", 2_000)
    db = Database(db_path)
    report = import_file(db, "reports", small, key=key)
    assert report.valid and report.stored == 2_000
    assert db.scalar("SELECT count(*) FROM reports") == 2_004
    db.close()
