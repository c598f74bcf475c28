"""`thb link` on FEBRL4 (10,000 reports): CPU of the whole command (issue 16, item 7).

Target: at most 15 s of CPU for the command, interpreter start and imports included.
FEBRL4 is imported through the public import (`bench.link_eval.febrl_set`, not timed).
Each run is a fresh `thb link` process on its own copy of the store; the rows alternate
with the baseline in the same run, the exact-key linkage (`thb link --method exact`) on
the same store, and `python -c "import thbmonitor.link"` shows what start-up costs.
CPU is user + system time of the child (`os.wait4`). (No peak memory: the child's
`ru_maxrss` starts from the forking benchmark's own, see `bench.results`.)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.link_eval import KEY, febrl_set
from bench.results import write_section

REPEATS = 3
TARGET_CPU_SECONDS = 15.0

RUNS: dict[str, list[str]] = {
    "`thb link` (the default model)": ["link"],
    "`thb link --method exact` (baseline)": ["link", "--method", "exact"],
}


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {proc.stderr.read()[-500:]!r}"
                           if proc.stderr else "failed")
    return wall, usage.ru_utime + usage.ru_stime


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="thb-bench-link-cli-") as tmp:
        work = Path(tmp)
        base, _truth = febrl_set(work / "febrl")
        env = {k: v for k, v in os.environ.items() if k not in ("THB_DB", "THB_KEY")}
        env["THB_KEY"] = KEY.hex()
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in RUNS}
        imports: list[tuple[float, float]] = []
        for i in range(REPEATS):
            for name, args in RUNS.items():
                copy = work / f"run-{i}-{len(times[name])}-{args[-1]}.duckdb"
                shutil.copy(base, copy)
                times[name].append(_run([sys.executable, "-m", "thbmonitor.cli", *args,
                                         "--db", str(copy)], env))
                copy.unlink()
            imports.append(_run([sys.executable, "-c", "import thbmonitor.link"], env))
    rows = []
    for name, runs in [*times.items(), ("`import thbmonitor.link` (start-up)", imports)]:
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        each = ", ".join(f"{r[1]:.1f}" for r in runs)
        rows.append(f"| {name} | {cpu:.1f} ({each}) | {wall:.1f} |")
    default_cpu = statistics.median(r[1] for r in times["`thb link` (the default model)"])
    verdict = "met" if default_cpu <= TARGET_CPU_SECONDS else "not met"
    write_section("link_cli", (
        "## `thb link` on FEBRL4, 10,000 reports (`bench/bench_link_cli.py`)\n\n"
        f"Each run a fresh process on its own copy of the store, {REPEATS} rounds "
        "alternating with the baselines. Target (issue 16, item 7): at most "
        f"{TARGET_CPU_SECONDS:.0f} s of CPU for the command: **{verdict}** "
        f"(median {default_cpu:.1f} s).\n\n"
        "| command | median CPU s (each) | median wall s |\n"
        "| --- | ---: | ---: |\n" + "\n".join(rows) + "\n"))
