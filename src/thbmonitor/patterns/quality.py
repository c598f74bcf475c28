"""How well the pattern rules find what was planted: precision and recall on synthetic data.

`pattern_quality(db, ground_truth_dir, year)` compares the leads and
networks of `year` with `ground_truth/groups.csv` of the synthetic data
(`thbmonitor.synth`): predicted persons are mapped to true persons through
`person_reports` and `ground_truth/report_persons.csv` (the true person
behind most of a predicted person's reports).

- carousel: precision = leads whose true person is a planted carousel member
  of the year / leads; recall = planted carousel members with at least one
  flagged predicted person / planted carousel members; touring look-alikes
  flagged; the same for the mobility-only baseline.
- networks: pairs of distinct true persons in one predicted network versus
  pairs in one planted group (`carousel` or `network`) of the year.
  Precision counts every predicted pair; recall counts the *recoverable*
  pairs: members that the imported data connect within their group through
  shared identifiers, whatever the dates of the reports linked to a shared
  investigation. Hubs and intake lines are left out of that graph too: they
  belong to no planted group (groups have at most 8 members and the
  synthetic data give each group identifiers of its own), so two members
  linked only through, say, the same NGO's intake line are not recoverable.
- the largest network is reported for the year and over all years: in a
  year of 800 persons, one planted group of 9 is already over 1%.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pandas as pd

from thbmonitor.patterns.carousel import compute_flags
from thbmonitor.patterns.identifiers import identifier_tables
from thbmonitor.patterns.networks import build_networks, components_of, person_edges
from thbmonitor.patterns.settings import effective_settings
from thbmonitor.store import Database, audit

__all__ = ["pattern_quality"]

GROUP_KINDS = ("carousel", "network")


def _true_person(db: Database, truth: Path) -> pd.Series:
    reports = pd.read_csv(truth / "report_persons.csv", dtype=str,
                          usecols=["source", "report_id", "person_id"])
    linked = db.frame("SELECT source, report_id, person_id FROM person_reports")
    both = linked.merge(reports.rename(columns={"person_id": "true_id"}),
                        on=["source", "report_id"])
    counts = both.groupby(["person_id", "true_id"]).size().reset_index(name="n")
    counts = counts.sort_values(["person_id", "n", "true_id"], ascending=[True, False, True])
    first = counts.drop_duplicates("person_id")
    return pd.Series(first["true_id"].to_numpy(), index=first["person_id"].to_numpy())


def _rates(flagged: set[str], positives: set[str], predicted_true: pd.Series) -> dict[str, Any]:
    hits = int(predicted_true.isin(positives).sum())
    found = len(flagged & positives)
    return {"flagged": len(predicted_true), "true_positive": hits,
            "precision": round(hits / len(predicted_true), 4) if len(predicted_true) else None,
            "recall": round(found / len(positives), 4) if positives else None}


def _carousel(db: Database, year: int, window: str, true_of: pd.Series,
              groups: pd.DataFrame, settings: dict[str, Any]) -> dict[str, Any]:
    flags = compute_flags(db, year, window, settings)
    flags["true_id"] = flags["person_id"].map(true_of)
    present = set(flags["true_id"].dropna())
    g = groups[groups["year"] == year]
    carousel = set(g.loc[g["kind"] == "carousel", "person_id"]) & present
    touring = set(g.loc[g["kind"] == "touring_lookalike", "person_id"]) & present
    out: dict[str, Any] = {"planted": len(carousel), "touring_lookalikes": len(touring)}
    for name, column in (("rule", "lead"), ("mobility_only", "mobility")):
        chosen = flags.loc[flags[column], "true_id"].dropna()
        flagged = set(chosen)
        out[name] = {**_rates(flagged, carousel, chosen),
                     "touring_flagged": round(len(flagged & touring) / len(touring), 4)
                     if touring else None}
    return out


def _pairs(groups: dict[Any, list[str]]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for members in groups.values():
        for a, b in itertools.combinations(sorted(set(members)), 2):
            pairs.add((a, b))
    return pairs


def _networks(db: Database, year: int, true_of: pd.Series, groups: pd.DataFrame,
              settings: dict[str, Any]) -> dict[str, Any]:
    networks, _removed, persons = build_networks(db, year, settings)
    predicted = _pairs({n["network_id"]: [true_of[p] for p in n["person_ids"] if p in true_of]
                        for n in networks})
    g = groups[(groups["year"] == year) & groups["kind"].isin(GROUP_KINDS)]
    planted = _pairs({k: v.tolist() for k, v in g.groupby("group_id")["person_id"]})
    # recoverable: connected within the group by identifiers in the data, whatever the
    # dates of a shared investigation's reports (hubs and intake lines belong to no group)
    raw = {**settings, "patterns.networks.investigation_window_days": 10**5}
    with identifier_tables(db, raw):
        edges = person_edges(db, year)
    group_of = dict(zip(g["person_id"], g["group_id"], strict=False))
    edges = edges.assign(a=edges["person_a"].map(true_of), b=edges["person_b"].map(true_of))
    edges = edges[(edges["a"] != edges["b"]) & edges["a"].map(group_of).notna()
                  & (edges["a"].map(group_of) == edges["b"].map(group_of))]
    recoverable: set[tuple[str, str]] = set()
    if len(edges):
        comp = components_of(edges[["a", "b"]].rename(columns={"a": "person_a",
                                                              "b": "person_b"}))
        recoverable = _pairs({k: v.tolist() for k, v in comp.groupby("label")["person_id"]})
    largest = max((len(n["person_ids"]) for n in networks), default=0)
    return {
        "networks": len(networks), "predicted_pairs": len(predicted),
        "planted_pairs": len(planted), "recoverable_pairs": len(recoverable),
        "precision": round(len(predicted & planted) / len(predicted), 4) if predicted else None,
        "recall": round(len(predicted & recoverable) / len(recoverable), 4)
        if recoverable else None,
        "largest_network": largest, "persons": persons,
        "largest_share": round(largest / persons, 4) if persons else None,
    }


def _largest(db: Database, settings: dict[str, Any]) -> dict[str, Any]:
    networks, _removed, persons = build_networks(db, None, settings)
    largest = max((len(n["person_ids"]) for n in networks), default=0)
    return {"networks": len(networks), "largest_network": largest, "persons": persons,
            "largest_share": round(largest / persons, 4) if persons else None}


def pattern_quality(db: Database, ground_truth_dir: str | Path, year: int, *,
                    actor: str | None = None) -> dict[str, Any]:
    """Precision and recall of the carousel rule, its mobility-only baseline and the networks."""
    truth = Path(ground_truth_dir)
    settings = effective_settings(db)
    true_of = _true_person(db, truth)
    groups = pd.read_csv(truth / "groups.csv", dtype={"person_id": str, "group_id": str,
                                                       "kind": str})
    result = {
        "year": year,
        "carousel": _carousel(db, year, "year", true_of, groups, settings),
        "carousel_90d": _carousel(db, year, "90d", true_of, groups, settings),
        "networks": _networks(db, year, true_of, groups, settings),
        "networks_all_years": _largest(db, settings),
    }
    audit.record(db, "read", "patterns.quality", actor=actor, detail={"year": year})
    return result
