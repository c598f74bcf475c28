"""Start-up of the command line: `thb --help` beside `python -c pass` (issue 10).

`thb --help` should start in well under half a second: the command modules
import the pipeline (DuckDB, pandas, SciPy, Altair, Splink) inside the
commands, never at start. Each command is run REPEATS times in a fresh
process, alternating with the baseline so that both see the same machine
load; reported are the median and best wall time and the CPU time (user +
system) of the child processes, and which heavy modules `thb --help` loaded.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time

from bench.results import write_section

REPEATS = 15
TARGET_SECONDS = 0.5
HEAVY = ("duckdb", "pandas", "numpy", "scipy", "altair", "splink", "pyarrow")

COMMANDS: dict[str, list[str]] = {
    "`python -c pass` (baseline)": [sys.executable, "-c", "pass"],
    "`thb --help`": [sys.executable, "-m", "thbmonitor.cli", "--help"],
    "`thb --version`": [sys.executable, "-m", "thbmonitor.cli", "--version"],
}


def _once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `argv` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _loaded() -> list[str]:
    code = ("import sys, contextlib, io\nfrom thbmonitor.cli import run\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    run(['--help'])\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout.strip()
    return [m for m in out.split(",") if m]


def run() -> None:
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():
        _once(argv)  # warm the file cache; not counted
    for _ in range(REPEATS):
        for name, argv in COMMANDS.items():
            times[name].append(_once(argv))
    rows = []
    for name, runs in times.items():
        walls = [w for w, _ in runs]
        cpus = [c for _, c in runs]
        rows.append(f"| {name} | {statistics.median(walls):.3f} | {min(walls):.3f} | "
                    f"{statistics.median(cpus):.3f} |")
    baseline = statistics.median(w for w, _ in times["`python -c pass` (baseline)"])
    helped = statistics.median(w for w, _ in times["`thb --help`"])
    heavy = _loaded()
    ok = helped <= TARGET_SECONDS and not heavy
    table = "\n".join(rows)
    write_section("cli_startup", f"""## Start-up of the command line (`bench/bench_cli_startup.py`)

Each command {REPEATS} times in a fresh process, alternating with the baseline.

| command | median wall (s) | best wall (s) | median CPU (s) |
| --- | ---: | ---: | ---: |
{table}

`thb --help` over the bare interpreter: {helped - baseline:+.3f} s (median). Heavy modules
loaded by `thb --help`: {", ".join(heavy) or "none"} (checked: {", ".join(HEAVY)}).
Target: `thb --help` well under {TARGET_SECONDS} s, no pipeline imported — {"met" if ok else "NOT met"}.
Before issue 10 (commit 3767a33, SciPy, pandas and Altair imported at start): 1.8 s CPU
for `thb --help`, measured once by hand on this machine.""")
    print(table)


if __name__ == "__main__":
    run()
