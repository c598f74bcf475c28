"""The import before and after pseudonymising in Arrow (issue 11, item 1).

The same file of 200,000 report rows (tests/ingest/bulk.py) imported by the code of
the commit before the change (`BEFORE`, extracted with `git archive`) and by the
working tree, alternately, each in a fresh process. CPU seconds (user + system of the
child) are reported beside wall time because the machine is shared: under load the
wall time measures the neighbours as much as the import.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from bench.results import write_section

BEFORE = "74722e0"
ROWS = 200_000
ROUNDS = 2

CODE = """
import sys; sys.path.insert(0, {src!r})
from pathlib import Path
from thbmonitor.ingest import import_file
from thbmonitor.store import Database
db = Database(Path({db!r}))
report = import_file(db, "reports", Path({csv!r}), key=bytes.fromhex("5a" * 32))
assert report.valid, report.errors[:3]
import re
print(report.stored, re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
"""


def _extract(revision: str, target: Path) -> Path:
    root = Path(__file__).resolve().parents[1]
    data = subprocess.run(["git", "-C", str(root), "archive", revision, "src"],
                          capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as archive:
        archive.extractall(target, filter="data")
    return target / "src"


def _measure(src: Path, db: Path, csv: Path) -> tuple[float, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CODE.format(src=str(src), db=str(db),
                                                            csv=str(csv))],
                         capture_output=True, text=True, check=True).stdout.split()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, int(out[1]) / 1024


def run() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ingest"))
    from bulk import write_reports

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        csv = write_reports(directory / "reports.csv", ROWS)
        sources = {"before": _extract(BEFORE, directory / "before"),
                   "after": Path(__file__).resolve().parents[1] / "src"}
        rows = []
        for i in range(ROUNDS):
            for label, src in sources.items():
                cpu, wall, peak = _measure(src, directory / f"{label}{i}.duckdb", csv)
                rows.append(f"| {label} ({i + 1}) | {cpu:.1f} | {wall:.1f} | {peak:.0f} |")
    write_section("import_ab", f"""## Import before and after pseudonymising in Arrow (issue 11)

{ROWS:,} report rows (`tests/ingest/bulk.py`), imported by commit {BEFORE} ("before": the
staging temp table held the clear values) and by this tree ("after": DuckDB sees tokens
only), alternately, each in a fresh process.

| run | CPU seconds | wall seconds | peak memory (MB) |
| --- | ---: | ---: | ---: |
""" + "\n".join(rows))
