"""Write one benchmark's section of bench/RESULTS.md, keeping the others."""

from __future__ import annotations

import os
import platform
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = (
    "# Benchmark results\n\n"
    "Written by `make bench`; each section by its own `bench/bench_*.py`, "
    "with the baseline measured in the same run.\n"
)


def machine() -> str:
    """A one-line description of the machine the numbers were measured on."""
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )


def write_section(name: str, markdown: str) -> None:
    """Replace (or add) the section `name` in RESULTS.md."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    block = f"{begin}\n{markdown.rstrip()}\n\n_Measured on {machine()}._\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


@dataclass
class Measurement:
    seconds: float
    peak_mb: float
    output: str
    #: user + system CPU of the child: on a shared machine wall time measures the
    #: neighbours as much as the run
    cpu_seconds: float = float("nan")


def measure_subprocess(code: str, env: dict[str, str] | None = None) -> Measurement:
    """Run `python -c code` in a fresh process; wall time and peak RSS of that process.

    A fresh process per measurement keeps one measurement's memory out of another's.
    """
    # Peak memory is the child's VmHWM: unlike ru_maxrss, which Linux carries over from
    # the forking parent (a benchmark that generated gigabytes of data first would
    # otherwise report the parent's peak), VmHWM starts anew at exec.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code + "\nimport re as _re, sys as _sys\n"
         "_kb = _re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
         "_sys.stderr.write('PEAK_KB=%s\\n' % _kb)"],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark subprocess failed:\n{proc.stderr[-4000:]}")
    match = re.search(r"PEAK_KB=(\d+)", proc.stderr)
    peak_mb = int(match.group(1)) / 1024 if match else float("nan")
    return Measurement(seconds, peak_mb, proc.stdout, cpu)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Wall time of one call in this process."""
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
