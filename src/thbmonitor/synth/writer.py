"""Writing the public CSV files (CONTRACTS §1) and the ground truth, byte for byte reproducibly.

Also injects deliberately invalid rows on request (for intake tests), each
recorded in `ground_truth/invalid_rows.csv` with its file, row (1 = first data
row), column and the error code the intake should report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "write_csv", "iso", "inject_invalid"]


#: Column order of each public file (CONTRACTS §1).
COLUMNS: dict[str, tuple[str, ...]] = {
    "reports": ("report_id", "source", "source_type", "report_date", "given_name", "family_name",
                "date_of_birth", "birth_year", "sex", "nationality", "exploitation", "sector",
                "recruitment_country", "exploitation_countries", "scope", "region",
                "legal_basis", "person_ref", "contact_phone", "investigation_id"),
    "locations": ("report_id", "source", "start_date", "end_date", "place", "country",
                  "location_type", "booking_channel", "address", "booking_ref"),
    "investigations": ("investigation_id", "start_date", "exploitation", "scope", "end_date",
                       "region"),
    "suspects": ("suspect_id", "registered_date", "investigation_id", "sex", "birth_year",
                 "nationality"),
    "cases": ("case_id", "registered_date", "suspect_id", "exploitation", "decision",
              "decision_date"),
    "verdicts": ("case_id", "verdict_date", "outcome", "custodial_months"),
}


def iso(values: pd.Series | np.ndarray) -> np.ndarray:
    """Dates as `YYYY-MM-DD`, missing as empty text."""
    arr = np.asarray(values).astype("datetime64[D]")
    out = np.datetime_as_string(arr, unit="D").astype(object)
    out[np.isnat(arr)] = ""
    return np.asarray(out)


def write_csv(
    frame: pd.DataFrame, path: Path, columns: tuple[str, ...] | None = None, append: bool = False
) -> Path:
    """UTF-8, `,` delimiter, `\\n` line ends, missing values as empty cells."""
    cols = list(columns) if columns else list(frame.columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, columns=cols, index=False, lineterminator="\n", encoding="utf-8",
                 na_rep="", chunksize=200_000, mode="a" if append else "w", header=not append)
    return path


_REPORT_FAULTS = (
    ("report_date", "invalid-date", "2024-02-30"),
    ("source_type", "unknown-value", "policee"),
    ("exploitation", "unknown-value", "slavery"),
    ("exploitation", "missing-value", ""),
    ("report_id", "duplicate-id", None),
    ("sex", "unknown-value", "q"),
)
_LOCATION_FAULTS = (
    ("report_id", "unknown-reference", "no-such-report"),
    ("start_date", "invalid-date", "31-31-2024"),
)


def _insert(frame: pd.DataFrame, bad: pd.DataFrame, rng: np.random.Generator) -> tuple[
    pd.DataFrame, np.ndarray
]:
    """Insert `bad` rows at random positions; returns the frame and their 1-based rows."""
    n = len(frame) + len(bad)
    pos = np.sort(rng.choice(n, len(bad), replace=False))
    is_bad = np.zeros(n, dtype=bool)
    is_bad[pos] = True
    out = pd.DataFrame(index=range(n), columns=frame.columns, dtype=object)
    out.loc[~is_bad, :] = frame.to_numpy()
    out.loc[is_bad, :] = bad[frame.columns].to_numpy()
    return out, pos + 1


def inject_invalid(
    reports: pd.DataFrame, locations: pd.DataFrame, count: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Add `count` invalid rows (every third to locations); returns both frames and the log."""
    n_loc = count // 3
    n_rep = count - n_loc
    log: list[tuple[str, int, str, str]] = []
    base = reports.iloc[rng.choice(len(reports), n_rep)].copy().reset_index(drop=True)
    codes: list[tuple[str, str]] = []
    for i in range(n_rep):
        col, code, value = _REPORT_FAULTS[i % len(_REPORT_FAULTS)]
        if value is not None:
            base.loc[i, col] = value
        if code != "duplicate-id":
            base.loc[i, "report_id"] = str(base.loc[i, "report_id"]) + f"-bad{i}"
        codes.append((col, code))
    reports, rows = _insert(reports, base, rng)
    log += [("reports.csv", int(r), c, k) for r, (c, k) in zip(rows, codes, strict=True)]
    lbase = locations.iloc[rng.choice(len(locations), n_loc)].copy().reset_index(drop=True)
    lcodes: list[tuple[str, str]] = []
    for i in range(n_loc):
        col, code, value = _LOCATION_FAULTS[i % len(_LOCATION_FAULTS)]
        lbase.loc[i, col] = value
        lcodes.append((col, code))
    if n_loc:
        locations, lrows = _insert(locations, lbase, rng)
        log += [("locations.csv", int(r), c, k) for r, (c, k) in zip(lrows, lcodes, strict=True)]
    return reports, locations, pd.DataFrame(log, columns=["file", "row", "column", "code"])
