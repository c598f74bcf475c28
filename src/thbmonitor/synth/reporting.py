"""Which true victims are registered, and which organisations report them.

Registration: within each year and calibration stratum exactly the calibrated
number of victims is drawn, weighted by each victim's reporting propensity
(weighted sampling without replacement), so the registered totals equal the
published ones at scale 1.

Reporting: a registered victim has a first reporter whose type depends on the
victim's traits (labour cases go to the Labour Inspectorate and FairWork,
minors abroad to Nidos, cross-border cases to the KMar, ...), then other
organisations follow with probabilities that depend on the first (police refer
to care coordinators, the Labour Inspectorate to FairWork, ...), and any
organisation may report the same person twice. The type weights are raked so
that the expected reports per type follow the published shares of the year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from thbmonitor.synth.calibration import SOURCE_TYPES, YearTargets
from thbmonitor.synth.sources import source_for

__all__ = ["select_registered", "build_reports", "DUPLICATE_RATE", "REFERRALS"]

#: Chance that an organisation reports the same person twice in the year.
DUPLICATE_RATE = 0.025
#: (first reporter, follower) -> chance the follower also reports the person.
REFERRALS: dict[tuple[str, str], float] = {
    ("police", "care_coordinator"): 0.12, ("police", "border_police"): 0.02,
    ("border_police", "care_coordinator"): 0.10, ("border_police", "police"): 0.06,
    ("labour_inspectorate", "ngo"): 0.15, ("labour_inspectorate", "police"): 0.05,
    ("ngo", "care_coordinator"): 0.05, ("ngo", "labour_inspectorate"): 0.05,
    ("care_coordinator", "police"): 0.06, ("guardianship", "police"): 0.10,
    ("reception_centre", "police"): 0.08, ("municipality", "care_coordinator"): 0.15,
    ("shelter", "care_coordinator"): 0.10, ("lawyer", "police"): 0.10,
}
#: Overall level of referrals, tuned to about 1.12 reports per registered victim (2024).
REFERRAL_LEVEL = 0.8
_K = len(SOURCE_TYPES)
_IDX = {t: i for i, t in enumerate(SOURCE_TYPES)}


def select_registered(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """Set `frame["registered"]`: exactly the stratum quota per year, weighted by propensity."""
    quotas: dict[tuple[int, str], int] = frame.attrs["quotas"]
    key = -np.log(rng.random(len(frame))) / frame["propensity"].to_numpy()
    order = np.lexsort((key, frame["stratum"].to_numpy(), frame["year"].to_numpy()))
    ys = frame["year"].to_numpy()[order]
    ss = frame["stratum"].to_numpy()[order]
    new_group = np.r_[True, (ys[1:] != ys[:-1]) | (ss[1:] != ss[:-1])]
    starts = np.flatnonzero(new_group)
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    quota = np.array([quotas[(int(y), str(s))] for y, s in zip(ys, ss, strict=True)])
    registered = np.zeros(len(frame), dtype=bool)
    registered[order[rank < quota]] = True
    frame["registered"] = registered


def _type_weights(reg: pd.DataFrame) -> np.ndarray:
    expl = reg["exploitation"].astype(str)
    sex_ = expl.str.contains("sexual").to_numpy().astype(float)
    lab = expl.str.contains("labour").to_numpy().astype(float)
    crim = expl.str.contains("criminal").to_numpy().astype(float)
    minor = reg["stratum"].str.startswith("minor").to_numpy().astype(float)
    cross = (reg["scope"] == "cross_border").to_numpy().astype(float)
    nl = (reg["nationality"] == "NL").to_numpy().astype(float)
    grp = reg["nat_group"].to_numpy()
    non_eu = (~np.isin(grp, ["NL", "EU"])).astype(float)
    asylum = np.isin(grp, ["africa", "asia", "other"]).astype(float)
    w = np.column_stack([
        1.0 + 0.6 * sex_ + 1.2 * crim - 0.5 * lab,
        (0.25 + 1.5 * cross) * (1 + 0.3 * non_eu),
        0.05 + 2.5 * lab,
        1.0 + 0.5 * sex_ + 0.5 * minor + 0.3 * nl - 0.5 * lab,
        0.1 + 3.0 * lab + 0.2 * sex_,
        0.1 + 1.0 * asylum * (1 - minor),
        0.02 + 3.0 * minor * (1 - nl),
        0.5 + 1.0 * minor + 0.3 * nl,
        0.3 + 1.0 * sex_,
        np.full(len(reg), 0.5), np.full(len(reg), 0.5), np.full(len(reg), 0.5),
    ])
    return np.clip(w, 0.01, None)


def _referral_matrix() -> np.ndarray:
    s = np.zeros((_K, _K))
    for (a, b), p in REFERRALS.items():
        s[_IDX[a], _IDX[b]] = p * REFERRAL_LEVEL
    return s


def _rake(w: np.ndarray, shares: dict[str, float], s: np.ndarray) -> np.ndarray:
    """Row-normalised first-reporter probabilities whose expected report shares match."""
    m = np.eye(_K) * (1 + DUPLICATE_RATE) + s * (1 + DUPLICATE_RATE)
    target = np.array([shares[t] for t in SOURCE_TYPES])
    f = np.ones(_K)
    for _ in range(60):
        p = w * f
        p /= p.sum(axis=1, keepdims=True)
        expected = p.sum(axis=0) @ m
        f *= target / np.maximum(expected / expected.sum(), 1e-12)
    p = w * f
    return np.asarray(p / p.sum(axis=1, keepdims=True))


def build_reports(
    frame: pd.DataFrame, targets: dict[int, YearTargets], rng: np.random.Generator
) -> pd.DataFrame:
    """One row per report: person-year index `py`, source type and code, report date."""
    s = _referral_matrix()
    parts: list[pd.DataFrame] = []
    for year, tgt in targets.items():
        reg = frame[(frame["year"] == year) & frame["registered"]]
        if reg.empty:
            continue
        p = _rake(_type_weights(reg), tgt.report_shares, s)
        n = len(reg)
        first = (p.cumsum(axis=1) < rng.random((n, 1))).sum(axis=1)
        first = np.minimum(first, _K - 1)
        reports = rng.random((n, _K)) < s[first]
        reports[np.arange(n), first] = True
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
