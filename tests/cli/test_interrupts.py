"""Ctrl-C: one handler for every command, a real SIGINT to a real `thb` process.

Reproduced defects (issue #10): Ctrl-C during an import printed `RuntimeError: Query
interrupted`; at the COMMIT it printed a traceback and exited 1 although every row had
been stored.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from thbmonitor.store import Database, open_store
from thbmonitor.synth.bulk import write_minimal_reports

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
EXIT_INTERRUPTED = 130

#: `thb import` with Ctrl-C at a chosen moment: after the import committed (`after`) or
#: when the store step begins (`store`). The signal is real; only its timing is chosen.
SCRIPT = """
import os, signal, sys
import thbmonitor.ingest as ingest
from thbmonitor.cli import main

when = sys.argv.pop(1)
real = ingest.import_file

def import_file(*args, **kwargs):
    if when == "store":
        progress = kwargs["progress"]
        def step(stage):
            progress(stage)
            if stage == "store":
                os.kill(os.getpid(), signal.SIGINT)
        kwargs["progress"] = step
    report = real(*args, **kwargs)
    if when == "after":
        os.kill(os.getpid(), signal.SIGINT)
    return report

ingest.import_file = import_file  # what `thb import` calls
main()
"""


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("THB_KEY", "THB_DB")}


def _init(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `thb init` does, in this process (faster than another subprocess)."""
    monkeypatch.delenv("THB_KEY", raising=False)
    with open_store(path, "create") as store:
        assert store.created and store.key_file is not None


def _reports(path: Path) -> int:
    with Database(path, read_only=True) as db:
        return int(db.scalar("SELECT count(*) FROM reports"))


def _import_under(script: str, db: Path, *first: str) -> subprocess.CompletedProcess[str]:
    """`thb import reports <the valid fixture> --db DB` run by `script` (which ends in
    `main()`), with `first` as its own first arguments."""
    return subprocess.run(
        [sys.executable, "-c", script, *first, "import", "reports",
         str(FIXTURES / "reports-valid.csv"), "--db", str(db)],
        capture_output=True, text=True, env=_env(), check=False, timeout=120)


@pytest.mark.parametrize(("when", "said", "stored"), [
    ("after", "finished: 4 stored", 4),
    ("store", "interrupted; nothing was stored", 0),
])
def test_ctrl_c_says_what_was_stored_and_exits_130(tmp_path, monkeypatch, when, said, stored):
    db = tmp_path / "i.duckdb"
    _init(db, monkeypatch)
    result = _import_under(SCRIPT, db, when)
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    assert said in result.stderr
    assert "Traceback" not in result.stderr and "Aborted" not in result.stderr
    assert _reports(db) == stored


#: Ctrl-C in the moment after the command has finished and reported, before the process
#: ends: the signal is sent from the last thing `run` does.
LATE = """
import importlib, os, signal
from thbmonitor.cli import main
app = importlib.import_module("thbmonitor.cli.app")  # the module, not the Typer `app`

real = app._note_warnings

def note_warnings(caught):
    real(caught)
    os.kill(os.getpid(), signal.SIGINT)

app._note_warnings = note_warnings
main()
"""


def test_ctrl_c_after_the_command_finished_is_not_a_crash(tmp_path, monkeypatch):
    """Reproduced defect (CI of session 3): a SIGINT landing after `run` had restored the
    default handler ended `thb` as killed by the signal (exit -2, a KeyboardInterrupt
    traceback) although the import had finished and said so."""
    db = tmp_path / "late.duckdb"
    _init(db, monkeypatch)
    result = _import_under(LATE, db)
    assert result.returncode == 0, result.stderr
    assert "4 stored" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "KeyboardInterrupt" not in result.stderr
    assert _reports(db) == 4


#: Ctrl-C at the moment `pandas` is first imported, wherever that import happens. In
#: `thb import` DuckDB's C++ imports it (to look at a query's parameters) and ignored the
#: exception the handler raised there: the import went on, committed every row, and then
#: said "Ctrl-C came after the import ... had been committed". Found by a stress run
#: (SIGINT at random moments, 1 in 20 within the first second); the hang this test used to
#: be marked for came from the same moment (below).
IN_AN_IMPORT = """
import importlib.abc, signal, sys
from thbmonitor.cli import main

class CtrlCOnImport(importlib.abc.MetaPathFinder):
    fired = False

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" and not CtrlCOnImport.fired:
            CtrlCOnImport.fired = True
            signal.raise_signal(signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlCOnImport())
main()
"""


def test_ctrl_c_while_a_module_is_imported_stops_the_import(tmp_path, monkeypatch):
    db = tmp_path / "imp.duckdb"
    _init(db, monkeypatch)
    result = _import_under(IN_AN_IMPORT, db)
    assert result.returncode == EXIT_INTERRUPTED, result.stderr
    assert "interrupted; nothing was stored" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert _reports(db) == 0


def test_ctrl_c_in_the_middle_of_a_real_import(tmp_path, monkeypatch):
    """Whenever the signal lands, the message matches what the store holds.

    Marked xfail (a hang, 1 run in 3 in session 3) until 2026-12-02: a stress run of 60
    signals within the first 1.5 s hung once and twice said "finished" for an import the
    signal had come before; both at Ctrl-C inside a module's import that DuckDB's C++ had
    asked for (`test_ctrl_c_while_a_module_is_imported_stops_the_import`). After the fix
    130 such signals (0.4 to 4.2 s) gave no hang and no wrong message.
    """
    db = tmp_path / "big.duckdb"
    _init(db, monkeypatch)
    rows = 200_000  # about 8 s to import alone: the signal lands inside it
    big = write_minimal_reports(tmp_path / "big.csv", rows)
    proc = subprocess.Popen([sys.executable, "-m", "thbmonitor.cli", "import", "reports",
                             str(big), "--db", str(db)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())
    time.sleep(2.0)  # start-up, then reading and checking the rows
    if proc.poll() is not None:
        pytest.skip("the import finished before the signal (a very fast machine)")
    proc.send_signal(signal.SIGINT)
    try:
        stdout, stderr = proc.communicate(timeout=45)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    assert "Traceback" not in stderr and "RuntimeError" not in stderr
    if proc.returncode == 0:  # the signal came after the import had finished and said so
        assert f"{rows:,} stored" in stdout + stderr
        assert _reports(db) == rows
        return
    assert proc.returncode == EXIT_INTERRUPTED, stderr
    if "interrupted; nothing was stored" in stderr:
        assert _reports(db) == 0
    else:
        assert f"finished: {rows:,} stored" in stderr
        assert _reports(db) == rows


def test_no_transaction_commits_after_ctrl_c_whatever_swallowed_it(db):
    """The store's half of the fix: once Ctrl-C was requested, a transaction whose body
    ran to its end (the exception lost in C code) is rolled back, not committed."""
    from thbmonitor import interrupts

    db.execute("CREATE TABLE t (x INTEGER)")
    try:
        interrupts.request()
        with pytest.raises(KeyboardInterrupt), db.transaction():
            db.execute("INSERT INTO t VALUES (1)")
    finally:
        interrupts.clear()
    assert db.scalar("SELECT count(*) FROM t") == 0
    with db.transaction():  # a new command (the flag cleared) commits again
        db.execute("INSERT INTO t VALUES (2)")
    assert db.scalar("SELECT count(*) FROM t") == 1


def test_after_an_interrupted_command_the_library_commits_again(monkeypatch, db):
    """`run` in a process that goes on (tests, a notebook): the Ctrl-C it handled does
    not keep later transactions from committing."""
    import importlib

    from thbmonitor import interrupts

    cli_app = importlib.import_module("thbmonitor.cli.app")  # the module, not the Typer app

    def interrupted(*_args, **_kwargs):
        interrupts.request()  # what the handler does, as if the signal had come
        raise cli_app.Interrupted

    monkeypatch.setattr(cli_app.typer.main, "get_command",
                        lambda _app: type("C", (), {"main": staticmethod(interrupted)})())
    assert cli_app.run(["status"]) == EXIT_INTERRUPTED
    assert not interrupts.requested()
    db.execute("CREATE TABLE t (x INTEGER)")
    with db.transaction():
        db.execute("INSERT INTO t VALUES (1)")
    assert db.scalar("SELECT count(*) FROM t") == 1
