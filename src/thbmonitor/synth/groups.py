"""Planted groups: the truth that pattern detection (issue 7) is measured against.

Among registered victims the generator plants

- `carousel`: 3 to 6 victims of sexual exploitation moved together on a weekly
  rhythm between hotels, holiday parks and short-stay rentals, with shared
  booking accounts and phones, some across borders;
- `network`: 3 to 8 victims sharing phones, an address in overlapping dates,
  booking accounts or an investigation (and so its suspects);

and look-alikes that must *not* be flagged:

- `touring_lookalike`: independent sex workers who travel a lot, alone, with
  their own phone and booking account;
- `shared_housing`: migrant-worker housing, one address shared by many people;
- `shelter_phone`: shelter and NGO intake phone lines shared by many victims
  (planted later, in `contacts.py`, because they follow from the reports).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PlantedGroups", "plant_groups"]


@dataclass
class PlantedGroups:
    """`members`: group_id, kind, year, py. `meta`: one row per group."""

    members: pd.DataFrame
    meta: pd.DataFrame


def _partition(
    idx: np.ndarray, lo: int, hi: int, rng: np.random.Generator
) -> list[np.ndarray]:
    idx = rng.permutation(idx)
    out: list[np.ndarray] = []
    i = 0
    while idx.size - i >= lo:
        size = int(rng.integers(lo, hi + 1))
        out.append(idx[i : i + size])
        i += size
    return [g for g in out if g.size >= lo]


def plant_groups(frame: pd.DataFrame, rng: np.random.Generator, scale: float) -> PlantedGroups:
    """Choose group members among registered victims and align their dates.

    Carousel members' first report dates are moved to just after the group's
    last stay (they are found together); network and housing members' dates
    are drawn around the group's date. Only `ref_date` changes, and only for
    adults aged 19 or more, so no stratum changes.
    """
    rows: list[tuple[str, str, int, int]] = []
    meta: list[dict[str, object]] = []
    taken = np.zeros(len(frame), dtype=bool)
    reg = frame["registered"].to_numpy()
    year_arr = frame["year"].to_numpy()
    stratum = frame["stratum"].to_numpy()
    expl = frame["exploitation"].to_numpy().astype(str)
    grp = frame["nat_group"].to_numpy()
    ref = frame["ref_date"].to_numpy().astype("datetime64[D]")
    birth = frame["birth_date"].to_numpy().astype("datetime64[D]")
    reg = reg & ((ref - birth).astype(int) > 19 * 366)  # moving a date keeps them adult
    new_ref = ref.copy()
    counter = {"carousel": 0, "network": 0, "touring_lookalike": 0, "shared_housing": 0}

    def add(kind: str, year: int, members: np.ndarray, cross: bool, anchor: np.datetime64) -> None:
        counter[kind] += 1
        gid = f"{kind}-{year}-{counter[kind]:04d}"
        taken[members] = True
        meta.append({"group_id": gid, "kind": kind, "year": year, "anchor_date": anchor,
                     "cross_border": cross, "size": int(members.size)})
        rows.extend((gid, kind, year, int(m)) for m in members)

    for year in sorted(set(year_arr.tolist())):
        in_year = reg & (year_arr == year)
        start, end = np.datetime64(f"{year}-01-01"), np.datetime64(f"{year}-12-31")
        # carousel: most registered Latin-American victims of sexual exploitation,
        # a few others in sexual exploitation
        p_latam = 0.6 if year >= 2023 else 0.35
        pick = in_year & (
            ((stratum == "latam_sexual") & (rng.random(len(frame)) < p_latam))
            | (((stratum == "africa_sexual") | ((stratum == "rest") & (expl == "sexual")))
               & (rng.random(len(frame)) < 0.03))
        )
        for members in _partition(np.flatnonzero(pick), 3, 6, rng):
            anchor = start + np.timedelta64(int(rng.integers(60, 340)), "D")
            new_ref[members] = np.minimum(
                anchor + rng.integers(0, 10, members.size).astype("timedelta64[D]"), end)
            add("carousel", year, members, bool(rng.random() < 0.6), anchor)
        # touring look-alikes: independent workers in sexual exploitation reports
        cand = np.flatnonzero(in_year & ~taken & (stratum == "rest") & (expl == "sexual")
                              & np.isin(grp, ["NL", "EU", "europe_other"]))
        k = min(cand.size, max(2, int(round(12 * scale))))
        for m in rng.choice(cand, k, replace=False) if k else []:
            add("touring_lookalike", year, np.array([m]), False, ref[m])
        # networks
        cand = np.flatnonzero(in_year & ~taken & np.isin(stratum, ["rest", "africa_sexual", "ua"])
                              & (expl != "unknown"))
        n_net = max(1, int(round(15 * scale)))
        sizes = rng.integers(3, 9, n_net)
        chosen = rng.choice(cand, min(cand.size, int(sizes.sum())), replace=False)
        i = 0
        for size in sizes:
            members = chosen[i : i + size]
            i += size
            if members.size < 3:
                break
            anchor = start + np.timedelta64(int(rng.integers(45, 320)), "D")
            new_ref[members] = np.minimum(
                anchor + rng.integers(0, 45, members.size).astype("timedelta64[D]"), end)
            add("network", year, members, bool(rng.random() < 0.4), anchor)
        # migrant-worker housing: many labour victims at one address
        cand = np.flatnonzero(in_year & ~taken & np.isin(stratum, ["rest", "ua"])
                              & (expl == "labour") & np.isin(grp, ["EU", "europe_other"]))
        for _ in range(max(1, int(round(2 * scale)))):
            size = int(rng.integers(25, 41))
            if cand.size < size:
                break
            members = rng.choice(cand, size, replace=False)
            cand = np.setdiff1d(cand, members)
            add("shared_housing", year, members, False,
                start + np.timedelta64(int(rng.integers(30, 300)), "D"))
    frame["ref_date"] = new_ref.astype("datetime64[s]")
    members_df = pd.DataFrame(rows, columns=["group_id", "kind", "year", "py"])
    meta_df = pd.DataFrame(meta, columns=["group_id", "kind", "year", "anchor_date",
                                          "cross_border", "size"])
    return PlantedGroups(members_df, meta_df)
