"""Location histories on reports: carousel stays, touring, shared housing, ordinary places.

Rows are built with integer address and booking-reference slots; at the end
each slot becomes a distinct fictitious text (street names from Faker's
surname and street-suffix lists, a house number; booking references as
`ACC-`/`RES-` plus hex), so two rows share an address or booking reference
exactly when the simulation made them share it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from thbmonitor.synth.groups import PlantedGroups

__all__ = ["build_locations"]

_COUNTRY_LOCALE = {"NL": "nl_NL", "BE": "nl_BE", "DE": "de_DE"}
_LODGING = {"hotel": 0.4, "holiday_park": 0.25, "short_stay_rental": 0.35}
_ORDINARY = {
    "sexual": {"private_home": 0.35, "club": 0.2, "street": 0.05, "online": 0.15,
               "hotel": 0.1, "other": 0.15},
    "labour": {"workplace": 0.6, "private_home": 0.3, "other": 0.1},
    "criminal": {"street": 0.4, "private_home": 0.3, "other": 0.3},
}


@cache
def _address_parts(country: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    loc = _COUNTRY_LOCALE[country]
    person = importlib.import_module(f"faker.providers.person.{loc}").Provider
    address = importlib.import_module(f"faker.providers.address.{loc}").Provider
    last = tuple(str(x) for x in person.last_names)
    suffixes = getattr(address, "street_suffixes_long", None) or address.street_suffixes
    return last, tuple(str(s).lower() for s in suffixes), tuple(str(c) for c in address.cities)


class _Rows:
    """Collects location rows as column chunks."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.chunks: list[dict[str, np.ndarray]] = []
        self.n_addr = 0
        self.n_ref = 0
        self.ref_is_account: list[bool] = []

    def addr(self, k: int) -> np.ndarray:
        self.n_addr += k
        return np.arange(self.n_addr - k, self.n_addr)

    def ref(self, k: int, account: bool = False) -> np.ndarray:
        self.ref_is_account.extend([account] * k)
        self.n_ref += k
        return np.arange(self.n_ref - k, self.n_ref)

    def add(self, **cols: np.ndarray) -> None:
        n = len(cols["report"])
        cols.setdefault("addr", np.full(n, -1))
        cols.setdefault("ref", np.full(n, -1))
        cols.setdefault("channel", np.full(n, "", dtype=object))
        self.chunks.append(cols)


def _pick(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(table), dtype=object)
    p = np.array(list(table.values()))
    return keys[rng.choice(len(keys), n, p=p / p.sum())]


def _lodging_channel(types: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    u = rng.random(types.size)
    return np.where(types == "holiday_park", np.where(u < 0.8, "holiday_park", "booking_platform"),
                    np.where(u < 0.85, "booking_platform", "direct")).astype(object)


def _countries(cross: bool, n: int, rng: np.random.Generator) -> np.ndarray:
    if not cross:
        return np.full(n, "NL", dtype=object)
    return _pick(rng, {"NL": 0.7, "BE": 0.15, "DE": 0.15}, n)


@dataclass
class _Group:
    """One planted group's reports, as arrays."""

    anchor: np.datetime64
    cross: bool
    row: np.ndarray
    first: np.ndarray
    form: np.ndarray
    report_date: np.ndarray


def _carousel(rows: _Rows, g: _Group, rng: np.random.Generator) -> None:
    n = int(rng.integers(6, 15))
    dur = np.clip(np.round(rng.normal(7, 2, n)), 3, 12).astype(int)
    gaps = rng.integers(0, 2, n)
    ends = g.anchor - np.r_[0, np.cumsum((dur + gaps)[::-1])[:-1]][::-1].astype("timedelta64[D]")
    starts = ends - dur.astype("timedelta64[D]")
    types = _pick(rng, _LODGING, n)
    channel = _lodging_channel(types, rng)
    country = _countries(g.cross, n, rng)
    addr = rows.addr(n)
    accounts = rows.ref(int(rng.integers(1, 3)), account=True)
    use_acc = rng.random(n) < 0.7
    ref = np.where(use_acc, accounts[rng.integers(0, accounts.size, n)], rows.ref(n))
    # members present at 90% of the stays (at least the last four); later reports
    # by other organisations mention up to the last two
    present = rng.random((g.row.size, n)) < np.where(g.first, 0.9, 0.0)[:, None]
    present[g.first, -4:] |= present[g.first].sum(axis=1, keepdims=True) < 4
    later = ~g.first
    present[later, -2:] = rng.random((int(later.sum()), 2)) < 0.5
    r, stay = np.nonzero(present)
    rows.add(report=g.row[r], start=starts[stay], end=ends[stay], country=country[stay],
             type=types[stay], channel=channel[stay], addr=addr[stay], ref=ref[stay])


def _touring(rows: _Rows, g: _Group, rng: np.random.Generator) -> None:
    for row, report_date in zip(g.row[g.first], g.report_date[g.first], strict=True):
        n = int(rng.integers(6, 13))
        dur = rng.integers(2, 7, n).astype("timedelta64[D]")
        gaps = rng.integers(2, 21, n).astype("timedelta64[D]")
        end_last = report_date - np.timedelta64(int(rng.integers(1, 20)), "D")
        ends = end_last - np.r_[np.timedelta64(0, "D"), np.cumsum((dur + gaps)[::-1])[:-1]][::-1]
        types = _pick(rng, {"hotel": 0.5, "short_stay_rental": 0.4, "holiday_park": 0.1}, n)
        account = rows.ref(1, account=True)[0]
        ref = np.where(rng.random(n) < 0.8, account, rows.ref(n))
        rows.add(report=np.full(n, row), start=ends - dur, end=ends,
                 country=_pick(rng, {"NL": 0.75, "BE": 0.1, "DE": 0.15}, n), type=types,
                 channel=_lodging_channel(types, rng), addr=rows.addr(n), ref=ref)


def _network(rows: _Rows, g: _Group, rng: np.random.Generator) -> None:
    home = rows.addr(2)
    abroad = _pick(rng, {"BE": 0.5, "DE": 0.5}, 1)[0]
    account = rows.ref(1, account=True)[0] if rng.random() < 0.3 else -1
    first = g.row[g.first]
    form = g.form[g.first]
    k = first.size
    # a shared address in overlapping dates (cross-border networks: a second one abroad)
    at_home = rng.random(k) < 0.75
    second = np.zeros(k, dtype=bool)
    if g.cross:
        second[1::2] = True
    m = int(at_home.sum())
    ltype = np.where(form == "labour", "workplace",
                     np.where(form == "sexual", "private_home", "other")).astype(object)
    rows.add(report=first[at_home],
             start=g.anchor - rng.integers(0, 60, m).astype("timedelta64[D]"),
             end=g.anchor + rng.integers(0, 40, m).astype("timedelta64[D]"),
             country=np.where(second[at_home], abroad, "NL").astype(object),
             type=ltype[at_home], addr=home[second[at_home].astype(int)])
    if account >= 0:
        booked = rng.random(k) < 0.7
        b = int(booked.sum())
        start = g.anchor - rng.integers(5, 90, b).astype("timedelta64[D]")
        rows.add(report=first[booked], start=start,
                 end=start + rng.integers(2, 8, b).astype("timedelta64[D]"),
                 country=np.full(b, "NL", dtype=object), type=np.full(b, "hotel", dtype=object),
                 channel=np.full(b, "booking_platform", dtype=object), addr=rows.addr(b),
                 ref=np.full(b, account))


def _housing(rows: _Rows, g: _Group, rng: np.random.Generator) -> None:
    first = g.row[g.first]
    n = first.size
    start = g.anchor + rng.integers(-90, 30, n).astype("timedelta64[D]")
    rows.add(report=first, start=start,
             end=start + rng.integers(60, 240, n).astype("timedelta64[D]"),
             country=np.full(n, "NL", dtype=object), type=np.full(n, "private_home", dtype=object),
             addr=np.full(n, rows.addr(1)[0]))


def _ordinary(rows: _Rows, reps: pd.DataFrame, rng: np.random.Generator) -> None:
    count = rng.choice(3, len(reps), p=[0.45, 0.4, 0.15])
    idx = np.repeat(np.arange(len(reps)), count)
    n = idx.size
    form = reps["exploitation"].astype(str).str.split(";").str[0].to_numpy()[idx]
    types = np.full(n, "other", dtype=object)
    for f, table in _ORDINARY.items():
        m = form == f
        types[m] = _pick(rng, table, int(m.sum()))
    m = ~np.isin(form, list(_ORDINARY))
    types[m] = _pick(rng, {"other": 0.5, "private_home": 0.5}, int(m.sum()))
    report_date = reps["report_date"].to_numpy().astype("datetime64[D]")[idx]
    start = report_date - rng.integers(1, 365, n).astype("timedelta64[D]")
    end = np.minimum(start + rng.integers(1, 300, n).astype("timedelta64[D]"), report_date)
    end = np.where(rng.random(n) < 0.4, np.datetime64("NaT"), end)
    cross = (reps["scope"].to_numpy() == "cross_border")[idx]
    country = np.where(cross & (rng.random(n) < 0.2), _pick(rng, {"BE": 0.5, "DE": 0.5}, n), "NL")
    country = country.astype(object)
    addr = np.where(rng.random(n) < 0.7, rows.addr(n), -1)
    online = types == "online"
    addr[online] = -1
    channel = _pick(rng, {"direct": 0.3, "unknown": 0.2, "": 0.5}, n)
    rows.add(report=reps["row"].to_numpy()[idx], start=start, end=end, country=country,
             type=types, channel=channel, addr=addr)


def build_locations(
    reports: pd.DataFrame, frame: pd.DataFrame, groups: PlantedGroups, rng: np.random.Generator
) -> pd.DataFrame:
    """locations.csv rows (with `row`, the index of the report in `reports`)."""
    rows = _Rows(rng)
    reps = reports.assign(row=np.arange(len(reports)))
    reps["exploitation"] = frame["exploitation"].to_numpy()[reps["py"].to_numpy()]
    reps["scope"] = frame["scope"].to_numpy()[reps["py"].to_numpy()]
    member = groups.members.set_index("py")
    reps["group_id"] = reps["py"].map(member["group_id"]).fillna("")
    reps["kind"] = reps["py"].map(member["kind"]).fillna("")
    in_group = reps[reps["group_id"] != ""]
    g_rows = in_group["row"].to_numpy()
    g_first = in_group["first"].to_numpy()
    g_form = in_group["exploitation"].astype(str).str.split(";").str[0].to_numpy()
    g_date = in_group["report_date"].to_numpy().astype("datetime64[D]")
    positions = in_group.groupby("group_id", sort=True).indices
    build = {"carousel": _carousel, "touring_lookalike": _touring, "network": _network,
             "shared_housing": _housing}
    for gid, kind, anchor, cross in groups.meta[
        ["group_id", "kind", "anchor_date", "cross_border"]
    ].itertuples(index=False):
        pos = positions.get(gid)
        if pos is None:
            continue
        group = _Group(np.datetime64(anchor, "D"), bool(cross), g_rows[pos], g_first[pos],
                       g_form[pos], g_date[pos])
        build[str(kind)](rows, group, rng)
    plain = reps[(reps["kind"] == "") & reps["first"]]
    _ordinary(rows, plain, rng)
    out = pd.DataFrame({k: np.concatenate([c[k] for c in rows.chunks]) for k in rows.chunks[0]})
    return _materialise(out, rows, rng)


def _materialise(out: pd.DataFrame, rows: _Rows, rng: np.random.Generator) -> pd.DataFrame:
    """Turn slots into text: places, addresses, booking references."""
    n = len(out)
    place = np.full(n, "", dtype=object)
    address = np.full(n, "", dtype=object)
    slot_country = pd.Series(out["country"].to_numpy(), index=out["addr"].to_numpy())
    slot_country = slot_country[slot_country.index >= 0]
    slot_country = slot_country[~slot_country.index.duplicated()]
    slot_text = pd.Series("", index=slot_country.index, dtype=object)
    slot_place = pd.Series("", index=slot_country.index, dtype=object)
    for country in ("NL", "BE", "DE"):
        slots = slot_country.index[slot_country.to_numpy() == country]
        last, suffix, cities = _address_parts(country)
        space = len(last) * len(suffix) * 400
        pick = rng.choice(space, min(slots.size, space), replace=False)
        if slots.size > space:  # only at extreme scales: some addresses repeat
            pick = np.resize(pick, slots.size)
        li, rest = np.divmod(pick, len(suffix) * 400)
        si, num = np.divmod(rest, 400)
        text = [f"{last[a]}{suffix[b]} {c + 1}" for a, b, c in zip(li, si, num, strict=True)]
        slot_text[slots] = np.asarray(text, dtype=object)
        slot_place[slots] = np.asarray(cities, dtype=object)[rng.integers(0, len(cities),
                                                                          slots.size)]
    has = out["addr"].to_numpy() >= 0
    address[has] = slot_text.loc[out["addr"].to_numpy()[has]].to_numpy()
    place[has] = slot_place.loc[out["addr"].to_numpy()[has]].to_numpy()
    # places without an address: a city of the country
    for country in ("NL", "BE", "DE"):
        m = ~has & (out["country"].to_numpy() == country) & (out["type"].to_numpy() != "online")
        cities = _address_parts(country)[2]
        place[m] = np.asarray(cities, dtype=object)[rng.integers(0, len(cities), int(m.sum()))]
    online = out["type"].to_numpy() == "online"
    country_col = out["country"].to_numpy().copy()
    country_col[online] = ""
    refs = np.full(n, "", dtype=object)
    r = out["ref"].to_numpy()
    if rows.n_ref:
        codes = rng.choice(2**32, rows.n_ref, replace=False)
        hexes = np.char.upper(np.array([f"{c:08x}" for c in codes]))
        refs[r >= 0] = hexes[r[r >= 0]]
        is_acc = np.asarray(rows.ref_is_account)
        account = np.zeros(n, dtype=bool)
        account[r >= 0] = is_acc[r[r >= 0]]
        refs[(r >= 0) & account] = np.char.add("ACC-", refs[(r >= 0) & account].astype(str))
        refs[(r >= 0) & ~account] = np.char.add("RES-", refs[(r >= 0) & ~account].astype(str))
    return pd.DataFrame({
        "row": out["report"].to_numpy(),
        "start_date": out["start"].to_numpy().astype("datetime64[D]"),
        "end_date": out["end"].to_numpy().astype("datetime64[D]"),
        "place": place, "country": country_col, "location_type": out["type"].to_numpy(),
        "booking_channel": out["channel"].to_numpy(), "address": address, "booking_ref": refs,
    })
