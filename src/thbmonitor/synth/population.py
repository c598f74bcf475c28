"""The true victims: one row per person and year of victimisation, reported or not.

Victims are drawn per calibration stratum (see `calibration.STRATA`); how
many there are follows from the capture model (`capture.py`), so that the
registered number of each stratum equals the published one in expectation.
`calibration.DARK_MULTIPLIER` only sizes the pilot draws. Traits are drawn
vectorised.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from thbmonitor.synth.calibration import DARK_MULTIPLIER, STRATA, YearTargets
from thbmonitor.synth.capture import CaptureModel, calibrate, draw_sightings, trait_matrix
from thbmonitor.synth.packaged import read_data

__all__ = ["POLICE_REGIONS", "Nationalities", "nationalities", "simulate_victims", "add_repeats"]

#: Police units (regions) and their rough share of the population.
POLICE_REGIONS: dict[str, float] = {
    "noord": 0.10, "oost": 0.18, "midden": 0.12, "noord-holland": 0.09, "amsterdam": 0.07,
    "den-haag": 0.11, "rotterdam": 0.11, "zeeland-west-brabant": 0.07, "oost-brabant": 0.07,
    "limburg": 0.08,
}
_LATAM = {"CO": 0.35, "VE": 0.2, "BR": 0.15, "DO": 0.15, "MX": 0.08, "AR": 0.07}
_AFRICA = {"NG": 0.55, "UG": 0.15, "GH": 0.1, "SL": 0.1, "KE": 0.05, "TZ": 0.05}
_SECTORS: dict[str, dict[str, float]] = {
    "sexual": {"window": 0.15, "club": 0.1, "escort": 0.25, "home": 0.3, "hotel": 0.2},
    "labour": {"agriculture": 0.25, "construction": 0.15, "hospitality": 0.15, "logistics": 0.2,
               "domestic_work": 0.1, "other": 0.15},
    "criminal": {"drug_trade": 0.4, "money_mule": 0.25, "explosives": 0.1, "theft": 0.15,
                 "other": 0.1},
    "other": {"begging": 0.5, "other": 0.5},
    "unknown": {"": 1.0},
}
_NEIGHBOURS = np.array(["BE", "DE", "FR", "ES"], dtype=object)
#: Text columns held as categories: millions of rows at large scales.
_CATEGORICAL = ("stratum", "sex", "nationality", "nat_group", "exploitation", "sector", "scope",
                "recruitment_country", "exploitation_countries", "region")


class Nationalities:
    """The nationality table: code, group, Faker locales, weight among other victims."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.codes = np.array([r["code"] for r in rows], dtype=object)
        self.groups = dict(zip(self.codes, (r["group"] for r in rows), strict=True))
        self.locales = {r["code"]: r["locales"].split("|") for r in rows}
        self.weights = np.array([float(r["weight"]) for r in rows])

    def group_of(self, codes: np.ndarray) -> np.ndarray:
        return pd.Series(codes, dtype=object).map(self.groups).to_numpy(dtype=object)


@cache
def nationalities() -> Nationalities:
    return Nationalities(read_data("nationalities.csv"))


def _pick(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(table), dtype=object)
    p = np.array(list(table.values()), dtype=float)
    return keys[rng.choice(len(keys), n, p=p / p.sum())]


def _block(stratum: str, year: int, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Traits of `n` true victims of one stratum and year."""
    nat = nationalities()
    rest_w = nat.weights.copy()
    if stratum == "minor_criminal":
        code = np.where(rng.random(n) < 0.8, "NL", nat.codes[rng.choice(len(rest_w), n,
                        p=rest_w / rest_w.sum())])
        expl = np.full(n, "criminal", dtype=object)
        age = rng.choice([14, 15, 16, 17], n, p=[0.1, 0.2, 0.3, 0.4])
    elif stratum == "minor_other":
        # calibrated Latin-American/African sexual-exploitation strata hold no minors
        w = np.where(np.isin(nat.group_of(nat.codes), ["latin_america", "africa"]), 0.0, rest_w)
        code = np.where(rng.random(n) < 0.6, "NL", nat.codes[rng.choice(len(w), n, p=w / w.sum())])
        expl = _pick(rng, {"sexual": 0.7, "labour": 0.1, "other": 0.1, "unknown": 0.1}, n)
        age = rng.integers(12, 18, n)
    elif stratum == "ua":
        code = np.full(n, "UA", dtype=object)
        labour = 0.5 if year < 2022 else (0.6 if year == 2022 else 0.78)
        expl = _pick(rng, {"labour": labour, "sexual": 0.9 - labour, "other": 0.05,
                           "unknown": 0.05}, n)
        age = 18 + np.minimum(rng.gamma(2.0, 8.0, n).astype(int), 45)
    elif stratum in ("latam_sexual", "africa_sexual"):
        code = _pick(rng, _LATAM if stratum == "latam_sexual" else _AFRICA, n)
        expl = np.full(n, "sexual", dtype=object)
        age = 20 + np.minimum(rng.gamma(2.0, 5.0, n).astype(int), 25)
    else:
        code = nat.codes[rng.choice(len(rest_w), n, p=rest_w / rest_w.sum())]
        expl = _pick(rng, {"sexual": 0.45, "labour": 0.35, "criminal": 0.10, "other": 0.03,
                           "unknown": 0.03, "sexual;labour": 0.02, "labour;criminal": 0.015,
                           "sexual;criminal": 0.005}, n)
        grp = nat.group_of(code)
        expl = np.where((expl == "sexual") & np.isin(grp, ["latin_america", "africa"]),
                        "labour", expl)
        age = 18 + np.minimum(rng.gamma(2.0, 6.5, n).astype(int), 47)
    first = pd.Series(expl).str.split(";").str[0].to_numpy()
    female = np.select(
        [first == "sexual", first == "labour", first == "criminal"], [0.92, 0.35, 0.25], 0.5
    )
    if stratum == "minor_criminal":
        female = np.full(n, 0.2)
    u = rng.random(n)
    sex = np.where(u < female, "female", "male").astype(object)
    sex[(first == "sexual") & (u > 0.96)] = "other"
    sector = np.empty(n, dtype=object)
    for form, table in _SECTORS.items():
        idx = np.flatnonzero(first == form)
        if form == "sexual" and stratum == "latam_sexual":
            table = {"hotel": 0.45, "home": 0.35, "escort": 0.2}
        if form == "criminal" and stratum == "minor_criminal" and year >= 2024:
            table = {"drug_trade": 0.35, "money_mule": 0.3, "explosives": 0.25, "theft": 0.1}
        sector[idx] = _pick(rng, table, idx.size)
    sector[rng.random(n) < 0.08] = ""
    group = nat.group_of(code)
    p_cross = np.where(code == "NL", 0.1, np.where(group == "latin_america", 0.95, 0.8))
    cross = rng.random(n) < p_cross
    abroad = _NEIGHBOURS[rng.integers(0, len(_NEIGHBOURS), n)]
    expl_countries = np.where(cross & (rng.random(n) < 0.3), "NL;" + abroad, "NL")
    start = np.datetime64(f"{year}-01-01")
    days = 366 if year % 4 == 0 else 365
    ref = start + rng.integers(0, days, n).astype("timedelta64[D]")
    birth = ref - (np.floor(age * 365.25).astype(int) + rng.integers(2, 360, n)).astype(
        "timedelta64[D]"
    )
    regions = np.array(list(POLICE_REGIONS), dtype=object)
    region = regions[rng.choice(len(regions), n, p=np.array(list(POLICE_REGIONS.values())))]
    propensity = np.select([first == "sexual", first == "labour", first == "criminal"],
                           [1.3, 0.9, 0.7], 1.0) * np.where(cross, 1.2, 1.0)
    return {
        "stratum": np.full(n, stratum, dtype=object), "year": np.full(n, year),
        "sex": sex, "nationality": code, "nat_group": group, "birth_date": birth,
        "ref_date": ref, "exploitation": expl, "sector": sector,
        "scope": np.where(cross, "cross_border", "domestic").astype(object),
        "recruitment_country": np.where(cross, code, "NL").astype(object),
        "exploitation_countries": expl_countries.astype(object), "region": region,
        "propensity": propensity,
    }


def simulate_victims(
    targets: dict[int, YearTargets], scale: float, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray, CaptureModel]:
    """All true victims of all years and who saw them (a capture–recapture process).

    Per year: pilot victims of every calibration stratum give the calibrated
    capture model (`capture.calibrate`); the true number of a stratum is then
    Poisson with mean ``quota × scale / P(seen)``, each victim is seen by each
    organisation type independently (`capture.draw_sightings`), and a victim
    is registered when someone saw them. Returns the person-year frame (with
    `registered`), the (person-years, source types) sighting matrix and the
    true capture model.
    """
    blocks: list[pd.DataFrame] = []
    seen_parts: list[np.ndarray] = []
    model = CaptureModel()
    for year, tgt in targets.items():
        quotas = {k: q * scale for k, q in tgt.quotas().items()}
        pilots: dict[str, pd.DataFrame] = {}
        strata = [s for s in STRATA if quotas.get(s, 0) > 0]
        for stratum in strata:
            n0 = int(np.ceil(quotas[stratum] * DARK_MULTIPLIER[stratum] * 1.3)) + 20
            pilots[stratum] = pd.DataFrame(_block(stratum, year, n0, rng))
        pilot = pd.concat([pilots[s] for s in strata], ignore_index=True)
        pool = np.repeat(np.arange(len(strata)), [len(pilots[s]) for s in strata])
        level, factor, pseen = calibrate(_traits(pilot), pool,
                                         {i: quotas[s] for i, s in enumerate(strata)},
                                         tgt.report_shares)
        model.level[year], model.factor[year] = level, factor
        model.expected_registered[year] = float(sum(quotas.values()))
        model.expected_true[year] = float(sum(quotas[s] / pseen[i]
                                              for i, s in enumerate(strata)))
        for i, stratum in enumerate(strata):
            n = int(rng.poisson(quotas[stratum] / pseen[i]))
            block = pilots[stratum]
            if n > len(block):
                extra = pd.DataFrame(_block(stratum, year, n - len(block), rng))
                block = pd.concat([block, extra], ignore_index=True)
            block = block.iloc[:n].reset_index(drop=True)
            if n:
                seen, _direct = draw_sightings(_traits(block), level, factor, rng)
                blocks.append(block)
                seen_parts.append(seen)
    frame = pd.concat(blocks, ignore_index=True)
    for col in _CATEGORICAL:
        frame[col] = frame[col].astype("category")
    frame["person_id"] = np.arange(len(frame), dtype=np.int64)
    sightings = np.concatenate(seen_parts, axis=0)
    frame["registered"] = np.asarray(sightings.any(axis=1), dtype=bool)
    assert set(frame["stratum"]) <= set(STRATA)
    return frame, sightings, model


def _traits(block: pd.DataFrame) -> np.ndarray:
    return trait_matrix(block["stratum"].to_numpy(), block["sex"].to_numpy(),
                        block["nationality"].to_numpy(), block["exploitation"].to_numpy())


def add_repeats(frame: pd.DataFrame, rng: np.random.Generator, share: float = 0.04) -> None:
    """Make some adult victims of a year the same person as a victim of the year before.

    Registered victims are more likely to be repeats and partners. Identity
    traits (sex, nationality, birth date) are copied from the earlier year; the
    stratum stays valid because partners come from the same stratum (and, for
    victims of sexual exploitation only in the `rest` stratum, are not
    Latin-American or African).
    """
    year_arr = frame["year"].to_numpy()
    years = sorted(set(year_arr.tolist()))
    stratum = frame["stratum"].to_numpy().astype(str)
    adult = ~np.char.startswith(stratum, "minor")
    lat_afr = frame["nat_group"].isin(["latin_america", "africa"]).to_numpy()
    sexual_only = (frame["exploitation"] == "sexual").to_numpy()
    pool = np.where(stratum == "rest", np.where(sexual_only, "rest_s", "rest_o"), stratum)
    reg = frame["registered"].to_numpy()
    cols = ["person_id", "sex", "nationality", "nat_group", "birth_date"]
    values = {c: frame[c].to_numpy().copy() for c in cols}
    for prev, year in zip(years[:-1], years[1:], strict=True):
        used = np.zeros(len(frame), dtype=bool)
        this_year = adult & (year_arr == year)
        before = adult & (year_arr == prev)
        for key in sorted(set(pool[this_year].tolist())):
            tgt = np.flatnonzero(this_year & (pool == key))
            if key.startswith("rest"):
                ok = before & (stratum == "rest")
                if key == "rest_s":
                    ok &= ~lat_afr
            else:
                ok = before & (stratum == key)
            src = np.flatnonzero(ok & ~used)
            k = min(int(round(tgt.size * share)), src.size)
            if k == 0:
                continue
            w_t = np.where(reg[tgt], 3.0, 1.0)
            w_s = np.where(reg[src], 6.0, 1.0)
            chosen_t = rng.choice(tgt, k, replace=False, p=w_t / w_t.sum())
            chosen_s = rng.choice(src, k, replace=False, p=w_s / w_s.sum())
            used[chosen_s] = True
            for col in cols:
                values[col][chosen_t] = values[col][chosen_s]
    for col in cols:
        frame[col] = pd.Series(values[col], index=frame.index).astype(frame[col].dtype)
