"""Why two persons are in one network: the shortest chain of shared identifiers.

The path runs over the same graph as `thb patterns networks` (all years,
hubs, deny-listed identifiers and intake lines removed). Each step names the
identifiers that link a person to the one before it by kind and a short
token prefix (`phone:3fa9c1d2`), never by value: the store holds no clear
phone number or address, and the output shows no full token either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order

from thbmonitor.errors import UsageError
from thbmonitor.patterns.identifiers import identifier_tables, short_token
from thbmonitor.patterns.networks import person_edges
from thbmonitor.patterns.settings import effective_settings, run_record
from thbmonitor.store import Database, audit

__all__ = ["Explanation", "explain_link"]


@dataclass
class Explanation:
    """The chain of identifiers from one person to another (empty when not linked)."""

    person_a: str
    person_b: str
    path: list[dict[str, Any]]
    settings: dict[str, Any]
    run: dict[str, Any]

    @property
    def linked(self) -> bool:
        return bool(self.path)

    def to_dict(self) -> dict[str, Any]:
        data = {"from": self.person_a, "to": self.person_b, "linked": self.linked,
                "hops": max(len(self.path) - 1, 0), "path": self.path,
                "settings": self.settings, "run": self.run}
        result: dict[str, Any] = json.loads(json.dumps(data, sort_keys=True))
        return result


def _shortest(edges: pd.DataFrame, a: str, b: str) -> list[str]:
    persons = pd.Index(np.unique(np.concatenate([edges["person_a"].to_numpy(dtype=str),
                                                 edges["person_b"].to_numpy(dtype=str)])))
    if a not in persons or b not in persons:
        return []
    i = persons.get_indexer(edges["person_a"].astype(str))
    j = persons.get_indexer(edges["person_b"].astype(str))
    n = len(persons)
    graph = coo_matrix((np.ones(2 * len(i), dtype=np.int8),
                        (np.r_[i, j], np.r_[j, i])), shape=(n, n)).tocsr()
    graph.sort_indices()
    _, pred = breadth_first_order(graph, int(persons.get_loc(b)), directed=True,
                                  return_predecessors=True)
    node = int(persons.get_loc(a))
    if pred[node] < 0:
        return []
    chain = [a]
    while chain[-1] != b:
        node = int(pred[node])
        chain.append(str(persons[node]))
    return chain


def explain_link(db: Database, person_a: str, person_b: str, *,
                 actor: str | None = None) -> Explanation:
    """The shortest identifier path between two persons (restricted; the read is audited)."""
    known = {str(p) for (p,) in db.rows(
        "SELECT person_id FROM persons WHERE person_id IN (?, ?)", [person_a, person_b])}
    missing = [p for p in (person_a, person_b) if p not in known]
    if missing:
        raise UsageError(f"no person {missing[0]!r}; person ids are those `thb export persons` "
                         "gives")
    settings = effective_settings(db)
    path: list[dict[str, Any]] = []
    if person_a == person_b:
        path = [{"person_id": person_a, "via": []}]
    else:
        with identifier_tables(db, settings):
            edges = person_edges(db, None)
        chain = _shortest(edges, person_a, person_b) if len(edges) else []
        if chain:
            steps = set(zip(chain, chain[1:], strict=False))
            via: dict[tuple[str, str], set[str]] = {}
            for a, b, kind, token in edges[["person_a", "person_b", "kind", "token"]] \
                    .itertuples(index=False):
                if (a, b) in steps or (b, a) in steps:
                    via.setdefault((str(a), str(b)), set()).add(short_token(kind, token))
            path = [{"person_id": chain[0], "via": []}]
            for prev, cur in zip(chain, chain[1:], strict=False):
                pair = (min(prev, cur), max(prev, cur))
                path.append({"person_id": cur, "via": sorted(via[pair])})
    result = Explanation(person_a, person_b, path, settings, run_record(db))
    audit.record(db, "read", "patterns.explain", actor=actor,
                 detail={"linked": result.linked, "hops": max(len(path) - 1, 0)})
    return result
