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
    # More rows than one DuckDB row group (122,880): full row groups are written to the file
    # before the commit (optimistic writing), and the kill waits for them, so that it finds
    # blocks the store must not keep. (A fixed 0.3 s after the store step began, as before,
    # killed the import before its first block was written: the file grows only from about
    # 0.9 s on.) 150,000 rows do that; 300,000 proved no more and doubled the pseudonymising
    # before the store step.
    big = write_reports(tmp_path / "reports-150k.csv", 150_000)
    size_before = db_path.stat().st_size

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
    deadline = time.monotonic() + 60
    while db_path.stat().st_size == size_before and proc.poll() is None:
        assert time.monotonic() < deadline, "the insert wrote nothing to the file in 60 s"
        time.sleep(0.01)
    assert proc.poll() is None, "the import finished before it could be killed"
    assert db_path.stat().st_size > size_before, "blocks of the open transaction are on disk"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    assert _snapshot(db_path) == before

    # The store takes the next delivery as if nothing had happened (a smaller one:
    # importing all 150,000 again would prove no more).
    small = write_reports(tmp_path / "reports-2k.csv", 2_000)
    db = Database(db_path)
    report = import_file(db, "reports", small, key=key)
    assert report.valid and report.stored == 2_000
    assert db.scalar("SELECT count(*) FROM reports") == 2_004
    db.close()
