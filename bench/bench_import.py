"""Import of 1,000,000 report rows with validation and pseudonymisation (issue 2).

Baseline, measured in the same run on the same file: `pandas.read_csv` plus a
plain DuckDB insert of the same rows, with no validation, normalisation or
pseudonymisation. Each measurement runs in a fresh process so that its peak
memory is its own. Target: at most 60 s and 4 GB peak for the full import.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from bench.results import measure_subprocess, write_section

ROWS = 1_000_000
TARGET_SECONDS = 60.0
TARGET_GB = 4.0

IMPORT = """
from pathlib import Path
from thbmonitor.ingest import import_file
from thbmonitor.store import Database
db = Database(Path({db!r}))
report = import_file(db, "reports", Path({csv!r}), key=bytes.fromhex("5a" * 32))
assert report.valid, report.errors[:3]
print(report.stored)
"""

BASELINE = """
import duckdb, pandas as pd
frame = pd.read_csv({csv!r}, dtype=str, keep_default_na=False)
con = duckdb.connect({db!r})
con.execute("CREATE TABLE reports AS SELECT * FROM frame")
print(con.execute("SELECT count(*) FROM reports").fetchone()[0])
"""


def make_file(directory: Path) -> tuple[Path, Path]:
    """1,000,000 rows of synthetic reports (the synthetic population, scaled up), and a
    database holding the investigations they refer to (imported first, not timed)."""
    from thbmonitor.ingest import import_file
    from thbmonitor.store import Database
    from thbmonitor.synth import generate

    result = generate(directory / "synth", seed=1, scale=180.0)
    db = Database(directory / "ours.duckdb")
    assert import_file(db, "investigations", result.files["investigations"],
                       key=bytes.fromhex("5a" * 32)).valid
    db.close()
    source = result.files["reports"]
    target = directory / "reports-1m.csv"
    with source.open(encoding="utf-8", newline="") as src, \
            target.open("w", encoding="utf-8", newline="") as out:
        reader = csv.reader(src)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(next(reader))
        written = 0
        for row in reader:
            writer.writerow(row)
            written += 1
            if written == ROWS:
                break
    if written < ROWS:
        raise RuntimeError(f"the synthetic population gave only {written} reports")
    return target, directory / "ours.duckdb"


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        path, db_path = make_file(directory)
        size_mb = path.stat().st_size / 1e6
        ours = measure_subprocess(IMPORT.format(db=str(db_path), csv=str(path)))
        base = measure_subprocess(BASELINE.format(db=str(directory / "base.duckdb"),
                                                  csv=str(path)))
    ratio = ours.seconds / base.seconds
    ok = ours.seconds <= TARGET_SECONDS and ours.peak_mb <= TARGET_GB * 1024
    write_section("import", f"""## Import of {ROWS:,} report rows ({size_mb:.0f} MB CSV)

| run | seconds | peak memory (MB) |
| --- | ---: | ---: |
| `thb import reports` (read, validate, normalise, pseudonymise, store in one transaction) | {ours.seconds:.1f} | {ours.peak_mb:.0f} |
| baseline: `pandas.read_csv` + plain DuckDB insert, no validation | {base.seconds:.1f} | {base.peak_mb:.0f} |

Ratio to the baseline: {ratio:.1f}×. Target: at most {TARGET_SECONDS:.0f} s and {TARGET_GB:.0f} GB
peak — {"met" if ok else "NOT met"}.""")
