"""Persons from linked reports: connected components, stable identifiers, the tables.

A person's identifier is derived from its earliest-ordered report
(source, report_id), so it stays the same as long as that report belongs
to the person, and rebuilding from the same data gives the same persons.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from thbmonitor.link.exact import METHOD, RULES, exact_pairs
from thbmonitor.store import Database


@dataclass
class LinkResult:
    """What `thb link` did."""

    run_id: str
    method: str
    reports: int
    persons: int
    pairs: int
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "method": self.method, "reports": self.reports,
                "persons": self.persons, "pairs": self.pairs, "settings": self.settings}


def _person_id(source: str, report_id: str) -> str:
    digest = hashlib.sha256(f"{source}\x1f{report_id}".encode()).hexdigest()
    return "P" + digest[:12]


def components(n: int, pairs: pd.DataFrame) -> np.ndarray:
    """Component label of each of `n` reports given linked pairs (l, r) of row indexes."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    left = pairs["l"].to_numpy(dtype=np.int64) if len(pairs) else np.zeros(0, np.int64)
    right = pairs["r"].to_numpy(dtype=np.int64) if len(pairs) else np.zeros(0, np.int64)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def link_persons(db: Database, *, progress: Callable[[str], None] | None = None) -> LinkResult:
    """Rebuild the persons tables from all stored reports (one transaction)."""
    notify = progress or (lambda _stage: None)
    notify("pairs")
    db.execute("""CREATE OR REPLACE TEMP TABLE _link_reports AS
        SELECT (row_number() OVER (ORDER BY source, report_id)) - 1 AS rid, *
        FROM reports""")
    try:
        reports = db.frame("SELECT rid, source, report_id, report_date FROM _link_reports "
                           "ORDER BY rid")
        pairs = exact_pairs(db)
    finally:
        db.execute("DROP TABLE IF EXISTS _link_reports")
    notify("persons")
    labels = components(len(reports), pairs)
    reports["label"] = labels
    # rid order is (source, report_id) order: the first row of a label is its anchor.
    anchors = reports.groupby("label", sort=False).first()
    ids = {label: _person_id(row.source, row.report_id) for label, row in anchors.iterrows()}
    reports["person_id"] = reports["label"].map(ids)
    persons = reports.groupby("person_id").agg(
        n_reports=("rid", "size"), first_report_date=("report_date", "min"),
        last_report_date=("report_date", "max")).reset_index()
    settings = {"rules": [list(r) for r in RULES]}
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    persons["run_id"] = run_id
    links = reports[["source", "report_id", "person_id"]]
    notify("store")
    with db.transaction():
        db.execute("DELETE FROM person_reports")
        db.execute("DELETE FROM persons")
        db.conn.register("_link_persons", persons)
        db.conn.register("_link_links", links)
        try:
            db.execute("INSERT INTO persons SELECT person_id, n_reports, first_report_date, "
                       "last_report_date, run_id FROM _link_persons")
            db.execute("INSERT INTO person_reports SELECT source, report_id, person_id "
                       "FROM _link_links")
        finally:
            db.conn.unregister("_link_persons")
            db.conn.unregister("_link_links")
        db.execute("INSERT INTO link_runs (run_id, method, started_at, settings, reports, persons) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [run_id, METHOD, datetime.now(UTC).replace(tzinfo=None),
                    json.dumps(settings), len(reports), len(persons)])
    return LinkResult(run_id, METHOD, len(reports), len(persons), len(pairs), settings)
