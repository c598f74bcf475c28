"""The import before and after pseudonymising in Arrow (issue 11, item 1).

The same file of 200,000 report rows (`thbmonitor.synth.bulk`) imported by the code of
the commit before the change (`BEFORE`, extracted with `git archive` and put first on
`PYTHONPATH`) and by the working tree, alternately, each in a fresh process running
`bench_import`'s import. CPU seconds (user + system of the child) are reported beside
wall time because the machine is shared: under load the wall time measures the
neighbours as much as the import.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from bench.bench_import import IMPORT
from bench.results import measure_subprocess, write_section

BEFORE = "74722e0"
ROWS = 200_000
ROUNDS = 2
ROOT = Path(__file__).resolve().parents[1]


def _extract(revision: str, target: Path) -> Path:
    data = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src"],
                          capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as archive:
        archive.extractall(target, filter="data")
    return target / "src"


def run() -> None:
    from thbmonitor.synth.bulk import write_reports

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        csv = write_reports(directory / "reports.csv", ROWS)
        sources = {"before": _extract(BEFORE, directory / "before"), "after": ROOT / "src"}
        rows = []
        for i in range(ROUNDS):
            for label, src in sources.items():
                path = os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])
                m = measure_subprocess(IMPORT.format(db=str(directory / f"{label}{i}.duckdb"),
                                                     csv=str(csv)), env={"PYTHONPATH": path})
                rows.append(f"| {label} ({i + 1}) | {m.cpu_seconds:.1f} | {m.seconds:.1f} | "
                            f"{m.peak_mb:.0f} |")
    write_section("import_ab", f"""## Import before and after pseudonymising in Arrow (issue 11)

{ROWS:,} report rows (`thbmonitor.synth.bulk`), imported by commit {BEFORE} ("before": the
staging temp table held the clear values) and by this tree ("after": DuckDB sees tokens
only), alternately, each in a fresh process.

| run | CPU seconds | wall seconds | peak memory (MB) |
| --- | ---: | ---: | ---: |
""" + "\n".join(rows))
