"""The reports of the registered victims: one per organisation that saw them.

Who saw whom is the capture model's draw (`capture.py`); here every sighting
becomes a report: the first reporter (drawn among the types that saw the
victim) reports on the victim's reference date, the others within 90 days,
and any organisation reports the same person a second time with probability
`capture.DUPLICATE_RATE`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from thbmonitor.synth.calibration import SOURCE_TYPES
from thbmonitor.synth.capture import DUPLICATE_RATE
from thbmonitor.synth.sources import source_for

__all__ = ["build_reports"]

_K = len(SOURCE_TYPES)


def build_reports(
    frame: pd.DataFrame, sightings: np.ndarray, years: list[int], rng: np.random.Generator
) -> pd.DataFrame:
    """One row per report: person-year index `py`, source type and code, report date."""
    parts: list[pd.DataFrame] = []
    year_arr = frame["year"].to_numpy()
    for year in years:
        rows_of = np.flatnonzero((year_arr == year) & frame["registered"].to_numpy())
        if rows_of.size == 0:
            continue
        reg = frame.iloc[rows_of]
        reports = sightings[rows_of]
        n = len(reg)
        first = np.argmax(np.where(reports, rng.random((n, _K)), -1.0), axis=1)
        dup = reports & (rng.random((n, _K)) < DUPLICATE_RATE)
        rows, types = np.nonzero(reports)
        drows, dtypes = np.nonzero(dup)
        ref = reg["ref_date"].to_numpy().astype("datetime64[D]")
        year_end = np.datetime64(f"{year}-12-31")
        is_first = types == first[rows]
        lag = np.where(is_first, 0, rng.integers(0, 90, rows.size)).astype("timedelta64[D]")
        date = np.minimum(ref[rows] + lag, year_end)
        part = pd.DataFrame({
            "py": reg.index.to_numpy()[rows], "type_idx": types, "report_date": date,
            "duplicate": False, "first": is_first,
        })
        # a second report by the same organisation, some weeks later
        dpart = part.set_index(["py", "type_idx"]).loc[
            list(zip(reg.index.to_numpy()[drows], dtypes, strict=True))
        ].reset_index()
        dpart["report_date"] = np.minimum(
            dpart["report_date"].to_numpy().astype("datetime64[D]")
            + rng.integers(1, 120, len(dpart)).astype("timedelta64[D]"),
            year_end,
        )
        dpart["duplicate"] = True
        dpart["first"] = False
        parts.append(pd.concat([part, dpart], ignore_index=True))
    out = pd.concat(parts, ignore_index=True)
    out["source_type"] = np.asarray(SOURCE_TYPES, dtype=object)[out["type_idx"].to_numpy()]
    region = frame["region"].to_numpy()[out["py"].to_numpy()]
    # one concrete source per person-year and type, so duplicates share it
    base = source_for(out["source_type"].to_numpy(), region, rng)
    out["source"] = base
    key = out["py"].astype(np.int64) * _K + out["type_idx"]
    out["source"] = out.groupby(key)["source"].transform("first")
    out = out.drop(columns=["type_idx"])
    out["report_date"] = out["report_date"].astype("datetime64[s]")
    return out.sort_values(["report_date", "py", "source"], kind="stable").reset_index(drop=True)
