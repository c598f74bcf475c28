"""The criminal-justice chain: investigations, suspects, prosecution cases, verdicts.

Random around the published guides (Poisson counts of investigations per
year and form, independent draws for everything after), scaled to them
(2022: 165 investigations, 254 suspects;
2023: conviction rate 68%, about 78 court cases). Planted trends: investigations
into sexual exploitation fall for the second year in 2024, international ones
most; fewer suspects; fewer cases registered at the prosecution service; a
higher share of decided cases brought before a judge (`summons`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from thbmonitor.synth.groups import PlantedGroups
from thbmonitor.synth.population import POLICE_REGIONS

__all__ = ["Chain", "INVESTIGATIONS", "build_chain", "link_investigations"]

#: Investigations per year at scale 1: (sexual, labour, criminal, other, international share
#: of sexual).
INVESTIGATIONS: dict[int, tuple[int, int, int, int, float]] = {
    2019: (130, 35, 18, 7, 0.40), 2020: (118, 33, 18, 6, 0.38), 2021: (112, 35, 20, 5, 0.37),
    2022: (105, 35, 20, 5, 0.36), 2023: (92, 38, 25, 4, 0.31), 2024: (76, 37, 27, 4, 0.21),
}
_CASE_RATE = {2019: 0.8, 2020: 0.8, 2021: 0.78, 2022: 0.76, 2023: 0.72, 2024: 0.66}
_SUMMONS = {2019: 0.5, 2020: 0.52, 2021: 0.53, 2022: 0.55, 2023: 0.57, 2024: 0.66}
_OTHER_DECISIONS = {"technical_dismissal": 0.3, "policy_dismissal": 0.35,
                    "conditional_dismissal": 0.1, "penalty_order": 0.1, "settlement": 0.15}
#: Share of summoned cases with a first-instance verdict (the rest: appeal, withdrawal, ...).
_VERDICT_RATE = 0.75
_OUTCOMES = {"conviction": 0.68, "acquittal": 0.24, "discharge": 0.03, "other": 0.05}
_SUSPECT_NAT = {"NL": 0.45, "RO": 0.1, "BG": 0.08, "NG": 0.07, "HU": 0.05, "MA": 0.05,
                "TR": 0.05, "CO": 0.04, "UA": 0.03, "PL": 0.04, "DE": 0.04}


@dataclass
class Chain:
    investigations: pd.DataFrame
    suspects: pd.DataFrame
    cases: pd.DataFrame
    verdicts: pd.DataFrame


def _pick(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(table), dtype=object)
    p = np.array(list(table.values()))
    return keys[rng.choice(len(keys), n, p=p / p.sum())]


def _days(rng: np.random.Generator, lo: int, hi: int, n: int) -> np.ndarray:
    return rng.integers(lo, hi, n).astype("timedelta64[D]")


def build_chain(years: list[int], scale: float, rng: np.random.Generator) -> Chain:
    """The four chain files for the given years."""
    last = np.datetime64(f"{max(years)}-12-31")
    inv_parts = []
    # two warm-up years, so the first year already has cases and verdicts in progress
    for year in [min(years) - 2, min(years) - 1, *years]:
        sexual, labour, criminal, other, intl = INVESTIGATIONS[min(max(year, 2019), 2024)]
        counts = {"sexual": sexual, "labour": labour, "criminal": criminal, "other": other}
        for form, c in counts.items():
            # random around the guide: Poisson counts, independent international draws
            n = int(rng.poisson(c * scale))
            share = intl if form == "sexual" else 0.25
            start = np.datetime64(f"{year}-01-01") + _days(rng, 0, 365, n)
            inv_parts.append(pd.DataFrame({
                "year": year, "exploitation": form, "start_date": start,
                "scope": np.where(rng.random(n) < share, "international", "domestic"),
            }))
    inv = pd.concat(inv_parts, ignore_index=True).sort_values(["start_date", "exploitation"],
                                                              kind="stable")
    inv = inv.reset_index(drop=True)
    n = len(inv)
    inv["investigation_id"] = [f"INV-{y}-{i:05d}" for i, y in enumerate(inv["year"], 1)]
    end = inv["start_date"].to_numpy().astype("datetime64[D]") + _days(rng, 60, 600, n)
    inv["end_date"] = np.where(end <= last, end, np.datetime64("NaT"))
    regions = np.array(list(POLICE_REGIONS), dtype=object)
    inv["region"] = regions[rng.integers(0, len(regions), n)]
    # suspects
    lam = np.where(inv["year"].to_numpy() >= 2024, 0.35, 0.45)  # fewer suspects in 2024
    per = 1 + rng.poisson(lam)
    idx = np.repeat(np.arange(n), per)
    reg = inv["start_date"].to_numpy().astype("datetime64[D]")[idx] + _days(rng, 0, 120, idx.size)
    keep = reg <= last
    idx, reg = idx[keep], reg[keep]
    order = np.argsort(reg, kind="stable")
    idx, reg = idx[order], reg[order]
    m = idx.size
    reg_year = reg.astype("datetime64[Y]").astype(int) + 1970
    sus = pd.DataFrame({
        "suspect_id": [f"S-{y}-{i:05d}" for i, y in enumerate(reg_year, 1)],
        "registered_date": reg,
        "investigation_id": inv["investigation_id"].to_numpy()[idx],
        "sex": np.where(rng.random(m) < 0.78, "male", "female"),
        "birth_year": reg_year - 20 - np.minimum(rng.gamma(2.0, 7.0, m).astype(int), 45),
        "nationality": _pick(rng, _SUSPECT_NAT, m),
    })
    # prosecution cases
    rate = np.array([_CASE_RATE.get(int(y), 0.7) for y in reg_year])
    to_case = rng.random(m) < rate
    c_reg = reg + _days(rng, 20, 240, m)
    to_case &= c_reg <= last
    ci = np.flatnonzero(to_case)
    ci = ci[np.argsort(c_reg[ci], kind="stable")]
    k = ci.size
    c_reg = c_reg[ci]
    c_year = c_reg.astype("datetime64[Y]").astype(int) + 1970
    dec_date = c_reg + _days(rng, 30, 300, k)
    dec_year = dec_date.astype("datetime64[Y]").astype(int) + 1970
    u = rng.random(k)
    p_sum = np.array([_SUMMONS.get(int(y), 0.6) for y in dec_year])
    decision = np.where(u < 0.04, "joinder", np.where(u < 0.07, "transfer", "")).astype(object)
    rest = decision == ""
    v = rng.random(k)
    decision[rest & (v < p_sum)] = "summons"
    other = rest & (v >= p_sum)
    decision[other] = _pick(rng, _OTHER_DECISIONS, int(other.sum()))
    pending = dec_date > last
    decision[pending] = "pending"
    cases = pd.DataFrame({
        "case_id": [f"OM-{y}-{i:05d}" for i, y in enumerate(c_year, 1)],
        "registered_date": c_reg,
        "suspect_id": sus["suspect_id"].to_numpy()[ci],
        "exploitation": inv["exploitation"].to_numpy()[idx[ci]],
        "decision": decision,
        "decision_date": np.where(pending, np.datetime64("NaT"), dec_date),
    })
    # verdicts after a summons
    vi = np.flatnonzero(decision == "summons")
    v_date = dec_date[vi] + _days(rng, 60, 330, vi.size)
    ok = (v_date <= last) & (rng.random(vi.size) < _VERDICT_RATE)
    vi, v_date = vi[ok], v_date[ok]
    outcome = _pick(rng, _OUTCOMES, vi.size)
    months = np.minimum(np.round(rng.lognormal(2.7, 0.8, vi.size)), 120).astype(int)
    custodial = np.where((outcome == "conviction") & (rng.random(vi.size) < 0.8),
                         months.astype(str), "")
    verdicts = pd.DataFrame({
        "case_id": cases["case_id"].to_numpy()[vi], "verdict_date": v_date,
        "outcome": outcome, "custodial_months": custodial,
    }).sort_values(["verdict_date", "case_id"], kind="stable").reset_index(drop=True)
    investigations = inv[["investigation_id", "start_date", "exploitation", "scope", "end_date",
                          "region"]]
    return Chain(investigations, sus, cases, verdicts)


def link_investigations(
    reports: pd.DataFrame, frame: pd.DataFrame, groups: PlantedGroups, chain: Chain,
    rng: np.random.Generator,
) -> tuple[np.ndarray, dict[str, str]]:
    """`investigation_id` of each report, and the investigation of each planted group.

    Half the networks and a third of the carousels have an investigation (so
    their members share it and its suspects). Some other police, KMar and
    Labour Inspectorate reports are connected to an investigation of their
    year and form that no one else's report names, so a shared investigation
    always means a planted group.
    """
    inv = chain.investigations
    inv_year = inv["start_date"].dt.year.to_numpy()
    inv_form = inv["exploitation"].to_numpy()
    ids = inv["investigation_id"].to_numpy()
    n = len(reports)
    out = np.full(n, "", dtype=object)
    py = reports["py"].to_numpy()
    years = frame["year"].to_numpy()[py]
    forms = frame["exploitation"].astype(str).str.split(";").str[0].to_numpy()[py]
    statutory = reports["source_type"].isin(["police", "border_police",
                                             "labour_inspectorate"]).to_numpy()
    # each (year, form) has a shuffled queue of investigations, each handed out once
    positions = pd.Series(np.arange(len(ids)))
    queues: dict[tuple[int, str], list[int]] = {}
    for key, v in sorted(positions.groupby([inv_year, inv_form]).indices.items()):
        y, form = cast(tuple[int, str], key)
        queues[(int(y), str(form))] = [int(i) for i in rng.permutation(np.asarray(v))]

    def take(year: int, form: str) -> str | None:
        queue = queues.get((year, form))
        if not queue:
            others = [q for (y, _), q in sorted(queues.items()) if y == year and q]
            queue = others[0] if others else None
        return str(ids[queue.pop()]) if queue else None

    group_inv: dict[str, str] = {}
    member_rows = pd.Series(np.arange(n)).groupby(py).indices
    group_members = groups.members.groupby("group_id", sort=True)["py"].agg(list).to_dict()
    for gid, kind, gyear in groups.meta[["group_id", "kind", "year"]].itertuples(index=False):
        share = {"network": 0.5, "carousel": 0.33}.get(str(kind), 0.0)
        if rng.random() >= share:
            continue
        members = group_members.get(gid, [])
        rows = np.concatenate([member_rows.get(p, np.empty(0, dtype=np.int64)) for p in members])
        if not rows.size:
            continue
        inv_id = take(int(gyear), "sexual" if kind == "carousel" else str(forms[rows[0]]))
        if inv_id is None:
            continue
        group_inv[str(gid)] = inv_id
        hit = rng.random(rows.size) < np.where(statutory[rows], 0.9, 0.5)
        out[rows[hit]] = inv_id
    grouped = np.isin(py, groups.members["py"].to_numpy())
    candidates = np.flatnonzero(statutory & ~grouped & (rng.random(n) < 0.12))
    _, first = np.unique(py[candidates], return_index=True)  # one report per person-year
    for row in candidates[np.sort(first)]:
        inv_id = take(int(years[row]), str(forms[row]))
        if inv_id is not None and inv_id:
            out[row] = inv_id
    return out, group_inv
