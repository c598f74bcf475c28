"""Pattern signals at scale: 100,000 and 1,000,000 persons, against a plain pandas baseline.

Data: the synthetic population at scale 1.75 (about 10,000 persons, with its
planted carousels, networks, touring look-alikes, housing and intake lines)
imported and linked through the normal path once, then tiled in DuckDB into
11 and 105 disjoint copies (every id and token suffixed with the copy
number), so the large stores keep the structure of the real one.

Measured, each in a fresh subprocess (wall time and peak RSS): one full
pattern run = `carousel_leads` for every year 2019-2024 plus `find_networks`
over all years. Targets: 100,000 persons in at most 30 s, 1,000,000 in at
most 5 minutes, peak memory under 4 GB. Baseline in the same run: the same
features and rule written plainly in pandas (groupby/merge on frames read
from the store, SciPy components), which must give the same leads.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from bench.results import measure_subprocess, write_section
from thbmonitor.ingest import IMPORT_ORDER, import_file
from thbmonitor.link import link_persons
from thbmonitor.store import Database
from thbmonitor.synth import generate

KEY = bytes.fromhex("3c" * 32)
COPIES = tuple(int(c) for c in os.environ.get("BENCH_PATTERNS_COPIES", "11,105").split(","))
YEARS = tuple(range(2019, 2025))

_TILE = {
    "reports": "* REPLACE (report_id || '~' || k AS report_id, "
               "phone_token || '~' || k AS phone_token, "
               "investigation_id || '~' || k AS investigation_id, "
               "person_ref_token || '~' || k AS person_ref_token)",
    "locations": "* REPLACE (location_key || '~' || k AS location_key, "
                 "report_id || '~' || k AS report_id, "
                 "address_token || '~' || k AS address_token, "
                 "booking_token || '~' || k AS booking_token)",
    "investigations": "* REPLACE (investigation_id || '~' || k AS investigation_id)",
    "suspects": "* REPLACE (suspect_id || '~' || k AS suspect_id, "
                "investigation_id || '~' || k AS investigation_id)",
    "persons": "* REPLACE (person_id || '~' || k AS person_id)",
    "person_reports": "* REPLACE (report_id || '~' || k AS report_id, "
                      "person_id || '~' || k AS person_id)",
    "imports": "* REPLACE (import_id * 1000 + k AS import_id)",
}

_OURS = """
import hashlib, json, sys, time
from thbmonitor.store import Database
from thbmonitor.patterns import carousel_leads, find_networks
db = Database(sys.argv[1] if len(sys.argv) > 1 else {path!r})
t = time.perf_counter()
leads = {{y: sorted(l["person_id"] for l in carousel_leads(db, y).leads) for y in {years!r}}}
leads = {{str(y): v for y, v in leads.items()}}
nets = find_networks(db)
print(json.dumps({{"seconds": time.perf_counter() - t,
                  "leads": sum(len(v) for v in leads.values()),
                  "networks": len(nets.networks),
                  "lead_hash": hashlib.sha256(json.dumps(leads).encode()).hexdigest()}}))
"""

_BASELINE = """
import hashlib, json, time
import numpy as np, pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from thbmonitor.store import Database
db = Database({path!r}, read_only=True)
t = time.perf_counter()
rep = db.frame("SELECT r.source, r.report_id, r.report_date, r.phone_token, r.investigation_id, "
               "r.source_type, pr.person_id FROM reports r JOIN person_reports pr "
               "USING (source, report_id)")
loc = db.frame("SELECT l.*, pr.person_id FROM locations l JOIN person_reports pr "
               "USING (source, report_id)")
sus = db.frame("SELECT suspect_id, investigation_id FROM suspects")
loc = loc[loc["location_type"].fillna("") != "online"]
loc["place_key"] = (loc["place"] + "|" + loc["country"].fillna("")).fillna(
    loc["address_token"]).fillna("?")
loc["stop"] = loc["end_date"].fillna(loc["start_date"])
stays = loc.drop_duplicates(["person_id", "start_date", "end_date", "place_key", "country",
                             "location_type", "booking_channel", "address_token",
                             "booking_token"])
# identifiers, hubs (> 20 persons) and intake lines removed
ids = pd.concat([
    rep.loc[rep.phone_token.notna(), ["person_id", "phone_token", "report_date", "source",
            "source_type"]].set_axis(["person_id", "token", "start", "source", "stype"], axis=1)
       .assign(kind="phone", stop=lambda d: d.start),
    stays.loc[stays.booking_token.notna(), ["person_id", "booking_token", "start_date", "stop"]]
       .set_axis(["person_id", "token", "start", "stop"], axis=1).assign(kind="booking"),
    stays.loc[stays.address_token.notna(), ["person_id", "address_token", "start_date", "stop"]]
       .set_axis(["person_id", "token", "start", "stop"], axis=1).assign(kind="address"),
])
inv = rep.loc[rep.investigation_id.notna(), ["person_id", "investigation_id", "report_date"]]
inv = inv.set_axis(["person_id", "token", "start"], axis=1)
inv["stop"] = inv["start"] + pd.Timedelta(days=30)
ids = pd.concat([ids, inv.assign(kind="investigation"),
                 inv.merge(sus, left_on="token", right_on="investigation_id")
                    .assign(token=lambda d: d.suspect_id, kind="suspect")
                    [["person_id", "token", "start", "stop", "kind"]]])
per = ids.groupby(["kind", "token"]).agg(n=("person_id", "nunique"), ns=("source", "nunique"),
                                         st=("stype", "first"))
bad = (per.n > 20) | ((per.index.get_level_values(0) == "phone") & (per.ns == 1)
                      & per.st.isin(["ngo", "reception_centre", "shelter"]) & (per.n >= 6))
ids = ids.join(per[~bad][[]], on=["kind", "token"], how="inner")
ids = ids.drop_duplicates(["person_id", "kind", "token", "start", "stop"])
pairs = ids.merge(ids, on=["kind", "token"])
pairs = pairs[pairs.person_id_x != pairs.person_id_y]
timed_kind = pairs.kind.isin(["address", "investigation", "suspect"])
pairs = pairs[~timed_kind | ((pairs.start_x <= pairs.stop_y) & (pairs.start_y <= pairs.stop_x))]
leads = {{}}
for year in {years!r}:
    lo, hi = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    pop = rep.loc[(rep.report_date >= lo) & (rep.report_date <= hi), "person_id"].unique()
    s = stays[stays.person_id.isin(pop) & (stays.start_date <= hi) & (stays.stop >= lo)]
    s = s.sort_values(["person_id", "start_date", "place_key"])
    prev = s.groupby("person_id")["place_key"].shift()
    s = s.assign(move=(prev.notna() & (prev != s.place_key)),
                 dur=(s.end_date - s.start_date).dt.days)
    g = s.groupby("person_id")
    span = np.maximum((g.stop.max() - g.start_date.min()).dt.days, 30)
    withend = g.dur.count()
    short = s.assign(x=s.dur <= 14).groupby("person_id").x.sum()
    mob = ((g.place_key.nunique() >= 4) & (g.move.sum() * 30 / span >= 1.5)
           & ((short / withend.replace(0, np.nan)).fillna(0) >= 0.5))
    sp = pairs[pairs.person_id_x.isin(pop)]
    shared = sp[sp.kind.isin(["phone", "booking"])].groupby("person_id_x").person_id_y.nunique()
    susp = sp[sp.kind == "suspect"].groupby("person_id_x").token.nunique()
    a = s[["person_id", "address_token", "start_date", "stop"]].dropna().merge(
        ids[ids.kind == "address"], left_on="address_token", right_on="token")
    a = a[(a.person_id_x != a.person_id_y) & (a.start <= a.stop_x) & (a.start_date <= a.stop_y)]
    co = a.groupby(["person_id_x", "person_id_y"]).token.nunique()
    co = (co >= 2).groupby(level=0).sum()
    org = ((co.reindex(mob.index, fill_value=0) >= 1)
           | (shared.reindex(mob.index, fill_value=0) >= 2)
           | (susp.reindex(mob.index, fill_value=0) >= 1))
    leads[str(year)] = sorted(mob[mob & org].index)
e = pairs[pairs.person_id_x < pairs.person_id_y][["person_id_x", "person_id_y"]].drop_duplicates()
nodes = pd.Index(pd.unique(np.r_[e.person_id_x.to_numpy(), e.person_id_y.to_numpy()]))
m = coo_matrix((np.ones(len(e)), (nodes.get_indexer(e.person_id_x),
               nodes.get_indexer(e.person_id_y))), shape=(len(nodes), len(nodes)))
n_comp, _ = connected_components(m, directed=False)
print(json.dumps({{"seconds": time.perf_counter() - t,
                  "leads": sum(len(v) for v in leads.values()), "networks": int(n_comp),
                  "lead_hash": hashlib.sha256(json.dumps(leads).encode()).hexdigest()}}))
"""


def _base(work: Path) -> Path:
    out = work / "synth"
    result = generate(out, scale=1.75)
    path = work / "base.duckdb"
    with Database(path) as db:
        for kind in IMPORT_ORDER:
            import_file(db, kind, result.files[kind], key=KEY, partial=True)
        link_persons(db)
    return path


def _tile(base: Path, copies: int, path: Path) -> int:
    with Database(path) as db:
        db.execute(f"ATTACH '{base}' AS base (READ_ONLY)")
        for table, select in _TILE.items():
            db.execute(f"INSERT INTO {table} SELECT b.{select} "
                       f"FROM base.{table} b, range(?) t(k)", [copies])
        db.execute("DETACH base")
        return int(db.scalar("SELECT count(*) FROM persons"))


def run() -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-patterns-") as tmp:
        work = Path(tmp)
        base = _base(work)
        for copies in COPIES:
            path = work / f"x{copies}.duckdb"
            persons = _tile(base, copies, path)
            ours = measure_subprocess(_OURS.format(path=str(path), years=YEARS))
            o = json.loads(ours.output.strip().splitlines()[-1])
            line = {"persons": persons, "ours_s": ours.seconds, "ours_mb": ours.peak_mb,
                    "leads": o["leads"], "networks": o["networks"]}
            try:
                plain = measure_subprocess(_BASELINE.format(path=str(path), years=YEARS))
                b = json.loads(plain.output.strip().splitlines()[-1])
                line.update(base_s=plain.seconds, base_mb=plain.peak_mb, base_leads=b["leads"],
                            same=b["lead_hash"] == o["lead_hash"])
            except RuntimeError as exc:  # the baseline may run out of memory at 1,000,000
                line.update(base_s=None, base_mb=None, base_leads=None, same=None,
                            error=str(exc).splitlines()[-1][:80])
            rows.append(line)
            path.unlink()
    write_section("patterns", _markdown(rows))


def _markdown(rows: list[dict[str, object]]) -> str:
    out = [
        "## Pattern signals (`bench/bench_patterns.py`)",
        "",
        "One full pattern run: `carousel_leads` for each year 2019-2024 and `find_networks` "
        "over all years, in a fresh subprocess (wall time including start-up, peak RSS). "
        "Stores: the scale-1.75 synthetic population tiled 11 and 105 times. Baseline: the "
        "same features and rule in plain pandas (merge/groupby) on frames read from the "
        "store; `same leads`: both give exactly the same leads (hash of the sorted lists).",
        "",
        "| persons | ours (s) | ours peak (MB) | pandas baseline (s) | baseline peak (MB) "
        "| leads | networks | same leads | target |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        target = "≤ 30 s" if int(str(r["persons"])) < 500_000 else "≤ 300 s"
        base_s = "–" if r["base_s"] is None else f"{float(str(r['base_s'])):.1f}"
        base_mb = "–" if r["base_mb"] is None else f"{float(str(r['base_mb'])):.0f}"
        out.append(f"| {r['persons']:,} | {float(str(r['ours_s'])):.1f} | "
                   f"{float(str(r['ours_mb'])):.0f} | {base_s} | {base_mb} | {r['leads']:,} | "
                   f"{r['networks']:,} | {r['same']} | {target}, < 4,096 MB |")
    return "\n".join(out)
