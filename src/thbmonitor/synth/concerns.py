"""Synthetic concerns: signals about possible victims that did not become reports.

The 2024 Dutch release named a blind spot: concerns about minors in reception (COA,
Nidos, municipalities, care, police) that never became registrations. The synthetic
concerns plant it: concerns about minors raised by the reception centre and the
guardianship organisation rise every year (about 45 in the first year to about 140 in
2024 at scale 1), while the registrations of minors in the reports do not follow
(`synth.generate` leaves them as calibrated). The other concerns stay level.

A concern names no person: no name, no birth date, no identifier (CONTRACTS §8).
Its own random generator (seeded from the data set's seed and a fixed offset) leaves
the reports' stream, and so every other synthetic file, unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import numpy as np

__all__ = ["CONCERN_COLUMNS", "write_concerns"]

CONCERN_COLUMNS = ("concern_id", "source", "source_type", "concern_date", "exploitation",
                   "age_group", "nationality_group", "reason_not_reported")
#: Offset of the concerns' random stream from the data set's seed.
SEED_OFFSET = 815
#: (source, source type, expected concerns in the first year at scale 1, yearly growth,
#: share of minors): reception and guardianship raise concerns about minors, rising.
SOURCES: tuple[tuple[str, str, float, float, float], ...] = (
    ("coa", "reception_centre", 45.0, 1.25, 0.7),
    ("nidos", "guardianship", 15.0, 1.25, 1.0),
    ("gemeente-amsterdam", "municipality", 20.0, 1.0, 0.35),
    ("care-rotterdam", "care_coordinator", 25.0, 1.0, 0.2),
    ("police-oost", "police", 20.0, 1.0, 0.15),
)
FORMS = ("sexual", "labour", "criminal", "unknown")
FORM_P = (0.35, 0.25, 0.25, 0.15)
GROUPS = ("NL", "EU", "europe_other", "africa", "asia", "latin_america", "unknown")
GROUP_P = (0.15, 0.15, 0.1, 0.3, 0.15, 0.05, 0.1)
REASONS = ("no_consent", "insufficient_signal", "referred_elsewhere", "unknown")
REASON_P = (0.4, 0.35, 0.15, 0.1)


def write_concerns(path: str | Path, *, seed: int, years: Iterable[int],
                   scale: float = 1.0) -> Path:
    """Write the synthetic concerns of ``years`` to ``path`` (CSV, UTF-8); return it."""
    rng = np.random.default_rng([seed, SEED_OFFSET])
    year_list = sorted(years)
    rows: list[dict[str, str]] = []
    for source, source_type, base, growth, minors in SOURCES:
        for k, year in enumerate(year_list):
            n = int(rng.poisson(base * scale * growth ** k))
            days = rng.integers(0, 365, n)
            # reception and guardianship know the age of whom they take in
            unknown = 0.0 if minors > 0.5 else 0.1
            age = np.where(rng.random(n) < minors, "minor",
                           np.where(rng.random(n) < unknown, "unknown", "adult"))
            forms = rng.choice(FORMS, n, p=FORM_P)
            groups = rng.choice(GROUPS, n, p=GROUP_P)
            reasons = rng.choice(REASONS, n, p=REASON_P)
            for i in range(n):
                rows.append({
                    "concern_id": f"Z{year}-{source[:3].upper()}-{i + 1:05d}",
                    "source": source, "source_type": source_type,
                    "concern_date": (date(year, 1, 1) + timedelta(days=int(days[i]))).isoformat(),
                    "exploitation": str(forms[i]), "age_group": str(age[i]),
                    "nationality_group": str(groups[i]), "reason_not_reported": str(reasons[i]),
                })
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CONCERN_COLUMNS)
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["concern_date"], r["concern_id"])))
    return target
