"""Ctrl-C at random moments of `thb import` (issue 10): what the user is told, against what
the store holds.

`SIGNALS` imports of a 200,000-row reports file, each into a new store, each sent SIGINT
at a random moment (uniform between `EARLIEST` and `LATEST` seconds after the start,
seeded). Every outcome is one of: the import finished before the signal, or finished
and reported before it (then the signal is ignored: exit 0, all rows); "interrupted;
nothing was stored" with no row stored; "finished: N stored" with N rows stored (the
signal came during the commit); or a defect: a message that does not match the store, a
traceback, an exit code other than 130, or no end within 45 s (a hang: every thread's
stack is written beside the results by `faulthandler`). The tests pin the moments that
went wrong (`tests/cli/test_interrupts.py`); this run looks for moments nobody thought of.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.results import write_section
from thbmonitor.store import Database, open_store
from thbmonitor.synth.bulk import write_minimal_reports

SIGNALS = 60
EARLIEST, LATEST = 0.4, 4.5
ROWS = 200_000
SEED = 20241016
TIMEOUT = 45

#: `thb import` with a handler that writes every thread's stack on SIGUSR1 (for a hang).
CHILD = ("import faulthandler, runpy, signal, sys; "
         "faulthandler.register(signal.SIGUSR1, all_threads=True); "
         "sys.argv = ['thb', *sys.argv[1:]]; runpy.run_module('thbmonitor.cli', "
         "run_name='__main__')")


def _stored(path: Path) -> int:
    with Database(path, read_only=True) as db:
        return int(db.scalar("SELECT count(*) FROM reports"))


def _once(work: Path, big: Path, delay: float, env: dict[str, str]) -> tuple[str, str]:
    """(outcome, detail) of one import sent SIGINT after `delay` seconds."""
    db = work / "s.duckdb"
    for old in work.glob("s.duckdb*"):
        old.unlink()
    with open_store(db, "create"):
        pass
    proc = subprocess.Popen([sys.executable, "-c", CHILD, "import", "reports", str(big),
                             "--db", str(db)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(delay)
    if proc.poll() is not None:
        proc.communicate()
        return "finished before the signal", ""
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)
        time.sleep(2)
        proc.kill()
        _, err = proc.communicate()
        return "DEFECT: no end within 45 s", err[-4000:]
    rows = _stored(db)
    said = err.strip().splitlines()[-1] if err.strip() else out.strip()[-200:]
    if proc.returncode == 0 and rows == ROWS and f"{ROWS:,} stored" in " ".join(out.split()):
        return "finished and reported before the signal (ignored, exit 0)", ""
    if "Traceback" in err or proc.returncode != 130:
        return "DEFECT: traceback or exit code", f"exit {proc.returncode}: {err[-2000:]}"
    if "interrupted; nothing was stored" in said and rows == 0:
        return "interrupted; nothing was stored (0 rows)", ""
    if f"finished: {ROWS:,} stored" in said and rows == ROWS:
        return "finished: all stored (the signal came at the commit)", ""
    return "DEFECT: message does not match the store", f"{said!r} with {rows} rows"


def run() -> None:
    rng = random.Random(SEED)
    outcomes: Counter[str] = Counter()
    details: list[str] = []
    with tempfile.TemporaryDirectory(prefix="thb-bench-interrupts-") as tmp:
        work = Path(tmp)
        big = write_minimal_reports(work / "big.csv", ROWS)
        env = {k: v for k, v in os.environ.items() if k not in ("THB_KEY", "THB_DB")}
        for _ in range(SIGNALS):
            delay = rng.uniform(EARLIEST, LATEST)
            outcome, detail = _once(work, big, delay, env)
            outcomes[outcome] += 1
            if detail:
                details.append(f"- at {delay:.2f} s: {outcome}\n\n```\n{detail}\n```")
    rows = "\n".join(f"| {name} | {count} |" for name, count in sorted(outcomes.items()))
    defects = sum(c for name, c in outcomes.items() if name.startswith("DEFECT"))
    write_section("interrupts", (
        "## Ctrl-C at random moments of `thb import` (`bench/bench_interrupts.py`)\n\n"
        f"{SIGNALS} imports of {ROWS:,} rows, each sent SIGINT between {EARLIEST} and "
        f"{LATEST} s after its start (seed {SEED}). Defects: **{defects}**.\n\n"
        "| outcome | signals |\n| --- | ---: |\n" + rows + "\n"
        + ("\n" + "\n".join(details) + "\n" if details else "")))
