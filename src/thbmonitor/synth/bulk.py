"""Large flat report files for crash tests and benchmarks: fictitious names from Faker's
Dutch lists, one organisation type per source, no persons behind them (for linkage and
figures use `thbmonitor.synth.generate`, which has a population and a truth)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from faker.providers.person.nl_NL import Provider as DutchNames

HEADER = ("report_id,source,source_type,report_date,given_name,family_name,date_of_birth,"
          "sex,nationality,exploitation,contact_phone\n")


def write_reports(path: Path, rows: int, *, seed: int = 7, prefix: str = "B") -> Path:
    """`rows` report rows (the CONTRACTS reports file) at `path`; the same seed gives the
    same file."""
    rng = np.random.default_rng(seed)
    given = np.array(DutchNames.first_names_female + DutchNames.first_names_male)
    family = np.array(DutchNames.last_names)
    g = given[rng.integers(0, len(given), rows)]
    f = family[rng.integers(0, len(family), rows)]
    days = rng.integers(0, 365, rows)
    born = rng.integers(1950, 2006, rows)
    phones = rng.integers(10_000_000, 99_999_999, rows)
    forms = np.array(["sexual", "labour", "criminal", "labour;sexual"])[rng.integers(0, 4, rows)]
    sources = np.array(["police-oost", "fairwork", "care-west"])
    types = {"police-oost": "police", "fairwork": "ngo", "care-west": "care_coordinator"}
    src = sources[rng.integers(0, 3, rows)]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        writer = csv.writer(out, lineterminator="\n")
        for i in range(rows):
            day = np.datetime64("2024-01-01") + int(days[i])
            writer.writerow([
                f"{prefix}{i}", src[i], types[src[i]], day, g[i], f[i],
                f"{born[i]}-0{1 + i % 9}-1{i % 9}", "fm"[i % 2], "NL", forms[i], f"06{phones[i]}",
            ])
    return path


def write_minimal_reports(path: Path, rows: int) -> Path:
    """`rows` report rows with only the required columns (no identity to pseudonymise):
    a big file that imports fast, for the interrupt tests and benchmark."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["report_id", "source", "source_type", "report_date", "exploitation"])
        for i in range(rows):
            writer.writerow([f"R{i}", "police-oost", "police", f"2024-{1 + i % 12:02d}-15",
                             "labour"])
    return path
