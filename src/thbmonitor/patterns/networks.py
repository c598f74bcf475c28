"""Networks: groups of persons linked by shared identifiers.

Two persons are linked (an edge) when they share a phone, a booking account,
an investigation or a suspect, or stayed at the same address in overlapping
dates; hubs, deny-listed and intake-line identifiers are removed first
(`patterns.identifiers`). A network is a connected component of that graph
with two or more persons (SciPy), summarised by its persons, suspects,
countries, whether it crosses borders, and whether it shows exploitation
abroad without any linked investigation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from thbmonitor.patterns.features import population_sql
from thbmonitor.patterns.identifiers import IDS, Removed, identifier_tables
from thbmonitor.patterns.settings import effective_settings, run_record
from thbmonitor.store import Database, audit

__all__ = ["NetworkResult", "find_networks", "person_edges", "network_id"]

_EDGES_SQL = f"""
SELECT DISTINCT a.person_id AS person_a, b.person_id AS person_b, a.kind, a.token
FROM {IDS} a JOIN {IDS} b
  ON a.kind = b.kind AND a.token = b.token AND a.person_id < b.person_id
WHERE (a.kind NOT IN ('address', 'investigation', 'suspect')
       OR (a.start_date <= b.end_date AND b.start_date <= a.end_date))
"""

_POP_EDGES_SQL = f"""
WITH pop AS ({population_sql}),
e AS ({_EDGES_SQL})
SELECT e.* FROM e JOIN pop pa ON pa.person_id = e.person_a JOIN pop pb ON pb.person_id = e.person_b
"""

_MEMBER_FACTS_SQL = """
WITH m AS (SELECT * FROM _pat_members),
stays AS (
    SELECT DISTINCT m.network, l.country
    FROM m JOIN person_reports pr USING (person_id) JOIN locations l USING (source, report_id)
    WHERE l.country IS NOT NULL AND ($start::DATE IS NULL OR (l.start_date <= $end::DATE
          AND coalesce(l.end_date, l.start_date) >= $start::DATE))
),
reps AS (
    SELECT m.network, r.investigation_id, r.exploitation_countries
    FROM m JOIN person_reports pr USING (person_id) JOIN reports r USING (source, report_id)
    WHERE $start::DATE IS NULL OR r.report_date BETWEEN $start::DATE AND $end::DATE
),
abroad_expl AS (
    SELECT DISTINCT network FROM reps, unnest(coalesce(exploitation_countries, [])) AS t(c)
    WHERE c <> $home
),
sus AS (
    SELECT reps.network, count(DISTINCT s.suspect_id) AS suspects
    FROM reps JOIN suspects s ON s.investigation_id = reps.investigation_id GROUP BY reps.network
),
inv AS (
    SELECT network, count(DISTINCT investigation_id) AS investigations FROM reps GROUP BY network
)
SELECT n.network,
       coalesce((SELECT list(country ORDER BY country) FROM stays WHERE stays.network = n.network),
                []) AS countries,
       n.network IN (SELECT network FROM abroad_expl) AS abroad_exploitation,
       coalesce(sus.suspects, 0) AS suspects,
       coalesce(inv.investigations, 0) AS investigations
FROM (SELECT DISTINCT network FROM m) n LEFT JOIN sus USING (network) LEFT JOIN inv USING (network)
ORDER BY n.network
"""


def network_id(person_ids: list[str]) -> str:
    """A stable identifier: the same members give the same id in every run."""
    return "N" + hashlib.sha256("\n".join(sorted(person_ids)).encode()).hexdigest()[:12]


def person_edges(db: Database, year: int | None) -> pd.DataFrame:
    """Edges person_a < person_b with the kind and token of the shared identifier.

    Must run inside `identifier_tables`. With `year`, only persons with a report in it.
    """
    if year is None:
        frame: pd.DataFrame = db.frame(_EDGES_SQL)
    else:
        frame = db.frame(_POP_EDGES_SQL, {"start": date(year, 1, 1), "end": date(year, 12, 31)})
    return frame.sort_values(["person_a", "person_b", "kind", "token"], ignore_index=True)


def components_of(edges: pd.DataFrame) -> pd.DataFrame:
    """person_id -> component label for every person on an edge."""
    persons = np.unique(np.concatenate([edges["person_a"].to_numpy(dtype=object),
                                        edges["person_b"].to_numpy(dtype=object)])
                        .astype(str)) if len(edges) else np.array([], dtype=str)
    index = pd.Index(persons)
    a = index.get_indexer(edges["person_a"].astype(str))
    b = index.get_indexer(edges["person_b"].astype(str))
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(len(index), len(index)))
    _, labels = connected_components(graph, directed=False)
    return pd.DataFrame({"person_id": persons, "label": labels})


@dataclass
class NetworkResult:
    """Networks of a year (or of all years) with what was removed before building them."""

    year: int | None
    networks: list[dict[str, Any]]
    removed: Removed
    settings: dict[str, Any]
    run: dict[str, Any]
    cross_border_only: bool = False
    persons: int = 0

    def to_dict(self) -> dict[str, Any]:
        """CONTRACTS §5 networks shape (plus `persons` and `cross_border_only`)."""
        data = {"year": self.year, "networks": self.networks, "removed": self.removed.to_dict(),
                "cross_border_only": self.cross_border_only, "persons": self.persons,
                "settings": self.settings, "run": self.run}
        result: dict[str, Any] = json.loads(json.dumps(data, sort_keys=True))
        return result


def _summaries(db: Database, members: pd.DataFrame, edges: pd.DataFrame, year: int | None,
               settings: dict[str, Any]) -> list[dict[str, Any]]:
    home = str(settings["patterns.home_country"])
    db.conn.register("_pat_members", members[["person_id", "network"]])
    try:
        facts = db.frame(_MEMBER_FACTS_SQL, {
            "start": None if year is None else date(year, 1, 1),
            "end": None if year is None else date(year, 12, 31), "home": home})
    finally:
        db.conn.unregister("_pat_members")
    facts_of = {str(r["network"]): r for r in facts.to_dict("records")}
    network_of = dict(zip(members["person_id"], members["network"], strict=True))
    kinds: dict[str, dict[str, int]] = {}
    tally = edges.assign(network=edges["person_a"].map(network_of)) \
        .groupby(["network", "kind"]).size().reset_index(name="n")
    for net, kind, count in tally.itertuples(index=False):
        kinds.setdefault(str(net), {})[str(kind)] = int(count)
    out: list[dict[str, Any]] = []
    for network, group in members.groupby("network", sort=True):
        f = facts_of[str(network)]
        countries = [str(c) for c in f["countries"]]
        investigations = int(f["investigations"])
        abroad = bool(f["abroad_exploitation"]) or any(c != home for c in countries)
        out.append({
            "network_id": str(network),
            "person_ids": sorted(group["person_id"].astype(str).tolist()),
            "countries": countries,
            "cross_border": len(countries) >= 2,
            "suspects": int(f["suspects"]),
            "investigations": investigations,
            "abroad_without_investigation": abroad and investigations == 0,
            "links": kinds.get(str(network), {}),
        })
    out.sort(key=lambda n: (-len(n["person_ids"]), n["network_id"]))
    return out


def build_networks(db: Database, year: int | None, settings: dict[str, Any]
                   ) -> tuple[list[dict[str, Any]], Removed, int]:
    """All networks (no audit): summaries, removal counts, persons considered."""
    with identifier_tables(db, settings) as removed:
        edges = person_edges(db, year)
    if year is None:
        persons = int(db.scalar("SELECT count(*) FROM persons"))
    else:
        persons = int(db.scalar(f"SELECT count(*) FROM ({population_sql})",
                                {"start": date(year, 1, 1), "end": date(year, 12, 31)}))
    if edges.empty:
        return [], removed, persons
    comp = components_of(edges)
    ids = {label: network_id(g.tolist()) for label, g in comp.groupby("label")["person_id"]}
    comp["network"] = comp["label"].map(ids)
    return _summaries(db, comp, edges, year, settings), removed, persons


def find_networks(db: Database, year: int | None = None, *, cross_border: bool = False,
                  actor: str | None = None) -> NetworkResult:
    """Networks among persons with a report in `year` (all persons when None).

    Restricted output: the read is written to the audit log.
    """
    settings = effective_settings(db)
    networks, removed, persons = build_networks(db, year, settings)
    if cross_border:
        networks = [n for n in networks if n["cross_border"]]
    result = NetworkResult(year=year, networks=networks, removed=removed, settings=settings,
                           run=run_record(db), cross_border_only=cross_border, persons=persons)
    audit.record(db, "read", "patterns.networks", actor=actor,
                 detail={"year": year, "cross_border": cross_border,
                         "networks": len(networks)})
    return result
