"""Persons from linked reports: scored pairs, clusters, stable identifiers, the tables.

`link_persons(db)` numbers the reports in (source, report_id) order, scores
pairs of reports with the probabilistic model (`method="splink"`, the
default) or finds the exact-key pairs of the first linkage
(`method="exact"`, the baseline), clusters them under the constraints of
`clusters.py` and the reviewers' decisions, and rebuilds `persons`,
`person_reports` and the review queue in one transaction.

A person's identifier is derived from its earliest-ordered report
(source, report_id), so it stays the same as long as that report belongs
to the person, and rebuilding from the same data and seed gives the same
persons.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from thbmonitor.errors import UsageError
from thbmonitor.link import exact
from thbmonitor.link.clusters import Birth, ClusterStats, cluster
from thbmonitor.link.decisions import decided_pairs
from thbmonitor.link.quality import calibration_table
from thbmonitor.link.registers import between_registers, register_sources
from thbmonitor.link.review import REVIEW_COLUMNS, review_rows
from thbmonitor.store import Database
from thbmonitor.store.settings import declared_seed

log = logging.getLogger(__name__)

METHODS = ("splink", "exact")
DEFAULT_METHOD = "splink"
#: Pairs at or above this match probability are linked: more likely one person than two,
#: the probabilities being calibrated there (docs/linkage.md, "Threshold and clustering").
DEFAULT_THRESHOLD = 0.5
#: Pairs from this probability up to the threshold go to the review queue.
DEFAULT_REVIEW_LOW = 0.3
DEFAULT_SEED = declared_seed()
SPLINK_METHOD = "splink-5-v1"


@dataclass
class LinkResult:
    """What `thb link` did."""

    run_id: str
    method: str
    reports: int
    persons: int
    pairs: int
    settings: dict[str, Any] = field(default_factory=dict)
    pairs_scored: int = 0
    pairs_in_review: int = 0
    decisions_applied: int = 0
    threshold: float | None = None
    model: dict[str, Any] | None = None
    #: What the user should know: e.g. that the model could not be trained and the
    #: exact-key linkage was used instead.
    warnings: list[str] = field(default_factory=list)
    #: The full trained model (Splink's settings JSON, as stored in `link_runs.model`),
    #: to score with again: `link_persons(db, model=result.trained_model)`. `model` is
    #: only its summary; this one is not part of `to_dict()` (`thb link --json`).
    trained_model: dict[str, Any] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "method": self.method, "reports": self.reports,
                "persons": self.persons, "pairs": self.pairs, "pairs_scored": self.pairs_scored,
                "pairs_in_review": self.pairs_in_review,
                "decisions_applied": self.decisions_applied, "threshold": self.threshold,
                "model": self.model, "settings": self.settings, "warnings": self.warnings}


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


def _reports(db: Database) -> pd.DataFrame:
    """Every report with its row number `rid` in (source, report_id) order and integer codes."""
    frame: pd.DataFrame = db.frame(
        "SELECT (row_number() OVER (ORDER BY source, report_id)) - 1 AS rid, source, report_id, "
        "report_date, dob_token, dob_swap_token, dob_near_tokens, name_token, "
        "dense_rank() OVER (ORDER BY source) - 1 AS source_code, "
        "CASE WHEN person_ref_token IS NULL THEN -1 "
        "ELSE dense_rank() OVER (ORDER BY person_ref_token) END AS ref_code "
        "FROM reports ORDER BY rid")
    return frame


def link_persons(
    db: Database,
    *,
    progress: Callable[[str], None] | None = None,
    method: str = DEFAULT_METHOD,
    threshold: float | None = None,
    review_low: float | None = None,
    seed: int | None = None,
    model: dict[str, Any] | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
) -> LinkResult:
    """Rebuild the persons tables from all stored reports (one transaction).

    `method`: `splink` (probabilistic, default) or `exact` (exact keys, the
    baseline). Pairs with match probability >= `threshold` are linked; pairs
    from `review_low` up to the threshold go to the review queue. Every
    decision in `link_decisions` is applied. `seed` drives the model's
    random sampling. `model`: a trained model (the JSON of an earlier run,
    `link_runs.model`) to score with instead of training a new one.
    Unset, `threshold`, `review_low` and `seed` come from the database's
    settings `link.threshold`, `link.review_low` and `random.seed`.
    `engine`: `duckdb` (default) or `spark` (the same model on Splink's Spark
    backend, master `spark_master`; link/spark_engine.py, docs/scale.md).
    """
    threshold = float(db.setting("link.threshold")) if threshold is None else threshold
    register_threshold = float(db.setting("link.register_threshold"))
    review_low = float(db.setting("link.review_low")) if review_low is None else review_low
    seed = int(db.setting("random.seed")) if seed is None else seed
    if method not in METHODS:
        raise UsageError(f"unknown linkage method {method!r}; use one of: {', '.join(METHODS)}")
    if not 0 < review_low <= threshold <= 1:
        raise UsageError("need 0 < review_low <= threshold <= 1")
    if model is not None:
        _check_model(model)
    notify = progress or (lambda _stage: None)
    notify("reading reports")
    reports = _reports(db)
    n = len(reports)
    decided = decided_pairs(db, reports)
    pairs = pd.DataFrame()
    scored = 0
    trained = model is None
    warnings: list[str] = []
    if method == "splink":
        from thbmonitor.link.spark_engine import engine_model
        from thbmonitor.link.splink_model import LinkModel, UntrainableError

        try:
            with engine_model(engine, spark_master, LinkModel)(
                    db, seed=seed, model=model) as linker:
                if trained:
                    notify("training the model")
                    linker.fit()
                notify("scoring pairs")
                result = linker.score(min(review_low, register_threshold))
        except UntrainableError as exc:
            warnings.append(
                f"the probabilistic model cannot be trained: {exc}; these reports were "
                f"linked with exact keys instead (method {exact.METHOD}). Link again when "
                "more reports are stored.")
            log.warning("linkage fell back to exact keys: %s", exc)
            method, model = "exact", None
    if method == "splink":
        model, pairs, scored = result.model, result.pairs, result.scored
        linked, registers = linked_pairs(pairs, reports, threshold, register_threshold)
        p = pairs["match_probability"].to_numpy() if len(pairs) else np.zeros(0)
        pairs = pairs[p >= review_low]
        settings: dict[str, Any] = {"threshold": threshold, "review_low": review_low,
                                    "seed": seed, "soft_source_constraint": True,
                                    "trained": trained,
                                    "register_threshold": register_threshold,
                                    "registers": int(registers.sum())}
        if engine != "duckdb":
            settings["engine"] = engine
        run_method = SPLINK_METHOD
    else:
        notify("finding exact keys")
        linked = _exact_linked(db)
        scored = len(linked)
        settings = {"rules": [list(r) for r in exact.RULES]}
        if warnings:
            settings["fallback_from"] = SPLINK_METHOD
            settings["warnings"] = warnings
        run_method = exact.METHOD
    notify("clustering")
    labels, stats = cluster(
        n, (linked["l"].to_numpy(np.int64), linked["r"].to_numpy(np.int64),
            linked["match_weight"].to_numpy(np.float64)),
        reports["source_code"].to_numpy(np.int64), reports["ref_code"].to_numpy(np.int64),
        must=decided.same, cannot=decided.different, soft_source=method == "splink",
        births=_births(reports) if method == "splink" else None)
    reports["label"] = labels
    anchors = reports.groupby("label", sort=False).first()
    # zip over the columns: `iterrows` made a Series per person, 30 s of the clustering
    # stage at 1,080,174 reports
    ids = {label: _person_id(source, report_id) for label, source, report_id in zip(
        anchors.index, anchors["source"], anchors["report_id"], strict=True)}
    reports["person_id"] = reports["label"].map(ids)
    persons = reports.groupby("person_id").agg(
        n_reports=("rid", "size"), first_report_date=("report_date", "min"),
        last_report_date=("report_date", "max")).reset_index()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    persons["run_id"] = run_id
    review = review_rows(pairs, reports, decided.keys, model, run_id, threshold=threshold,
                         seed=seed, name_persons=_name_persons(reports))
    quality = _run_quality(stats, scored, len(linked), len(review), decided.count)
    if len(pairs):
        quality["calibration"] = [b.to_dict() for b in calibration_table(
            pairs["match_probability"].to_numpy())]
    notify("storing persons")
    _store(db, run_id, run_method, settings, reports, persons, review, quality, model)
    summary = None if model is None else _model_summary(model, seed)
    log.info("linked %d reports into %d persons (%s; %d pairs scored, %d in review)",
             n, len(persons), run_method, scored, len(review))
    return LinkResult(run_id, run_method, n, len(persons), stats.merged_pairs, settings,
                      scored, len(review), decided.count,
                      threshold if method == "splink" else None, summary, warnings,
                      model)


def saved_model(db: Database, run_id: str | None = None) -> dict[str, Any]:
    """The full trained model of a run (`link_runs.model`; the latest run by default).

    This is what `link_persons(db, model=...)` scores with; `LinkResult.model` is only
    its summary.
    """
    if run_id is None:
        rows = db.rows("SELECT run_id, model FROM link_runs ORDER BY started_at DESC, "
                       "run_id DESC LIMIT 1")
    else:
        rows = db.rows("SELECT run_id, model FROM link_runs WHERE run_id = ?", [run_id])
    if not rows:
        raise UsageError("no linkage run " + ("yet; run `thb link` first" if run_id is None
                                              else f"{run_id!r}; `thb link` lists run ids"))
    found, text = rows[0]
    if not text:
        raise UsageError(f"linkage run {found!r} has no trained model (method exact, or "
                         "the model could not be trained); run `thb link` again")
    model: dict[str, Any] = json.loads(text)
    return model


def _check_model(model: dict[str, Any]) -> None:
    """A model must be Splink's settings JSON with trained levels, not the run's summary."""
    comparisons = model.get("comparisons")
    if not isinstance(comparisons, list) or not comparisons or not all(
            isinstance(c, dict) and "comparison_levels" in c for c in comparisons):
        raise UsageError(
            "the model given is not a trained model (no comparison levels): "
            "LinkResult.model is only a summary; use LinkResult.trained_model or "
            "thbmonitor.link.saved_model(db, run_id)")


def linked_pairs(pairs: pd.DataFrame, reports: pd.DataFrame, threshold: float,
                 register_threshold: float) -> tuple[pd.DataFrame, np.ndarray]:
    """The scored `pairs` (l, r, match_probability) that are linked: from `threshold`, and
    from `register_threshold` between two registers (link/registers.py); with the
    register flag of each organisation code of `reports` (`_reports`)."""
    source_code = reports["source_code"].to_numpy(np.int64)
    registers = register_sources(pairs, source_code, reports["ref_code"].to_numpy(np.int64),
                                 threshold)
    register_pair = between_registers(pairs, source_code, registers)
    p = pairs["match_probability"].to_numpy() if len(pairs) else np.zeros(0)
    return pairs[(p >= threshold) | (register_pair & (p >= register_threshold))], registers


def _exact_linked(db: Database) -> pd.DataFrame:
    """The exact-key pairs (l, r) with weight 1."""
    db.execute("CREATE OR REPLACE TEMP TABLE _link_reports AS "
               "SELECT (row_number() OVER (ORDER BY source, report_id)) - 1 AS rid, * "
               "FROM reports")
    try:
        return exact.exact_pairs(db).assign(match_weight=1.0)
    finally:
        db.execute("DROP TABLE IF EXISTS _link_reports")


def _name_persons(reports: pd.DataFrame) -> np.ndarray:
    """Per report, how many persons of this run bear its full-name token (0: no name)."""
    named = reports[reports["name_token"].notna()]
    persons = named.groupby("name_token")["label"].nunique()
    return reports["name_token"].map(persons).fillna(0).to_numpy(np.int64)


def _births(reports: pd.DataFrame) -> list[Birth | None]:
    """Each report's date of birth as its keyed tokens (never the date: ingest/staging.py)."""
    return [(dob, swap, frozenset(near)) if isinstance(dob, str) and near is not None else None
            for dob, swap, near in zip(reports["dob_token"].tolist(),
                                       reports["dob_swap_token"].tolist(),
                                       reports["dob_near_tokens"].tolist(), strict=True)]


def _run_quality(stats: ClusterStats, scored: int, linked: int, review: int,
                 decisions: int) -> dict[str, Any]:
    return {"pairs_scored": scored, "pairs_above_threshold": linked,
            "pairs_merged": stats.merged_pairs, "pairs_in_review": review,
            "decisions_applied": decisions, "refused_person_ref": stats.refused_ref,
            "refused_same_source": stats.refused_source,
            "refused_birth_date": stats.refused_birth,
            "refused_decision": stats.refused_decision}


def _model_summary(model: dict[str, Any], seed: int) -> dict[str, Any]:
    return {"engine": "splink", "seed": seed,
            "probability_two_random_records_match":
                model.get("probability_two_random_records_match"),
            "comparisons": [c["output_column_name"] for c in model.get("comparisons", [])],
            "blocking_rules": len(model.get("blocking_rules_to_generate_predictions", []))}


def _store(db: Database, run_id: str, method: str, settings: dict[str, Any],
           reports: pd.DataFrame, persons: pd.DataFrame, review: pd.DataFrame,
           quality: dict[str, Any], model: dict[str, Any] | None) -> None:
    links = reports[["source", "report_id", "person_id"]]
    with db.transaction():
        db.execute("DELETE FROM person_reports")
        db.execute("DELETE FROM persons")
        db.execute("DELETE FROM link_review")
        db.conn.register("_link_persons", persons)
        db.conn.register("_link_links", links)
        db.conn.register("_link_review", review)
        try:
            db.execute("INSERT INTO persons SELECT person_id, n_reports, first_report_date, "
                       "last_report_date, run_id FROM _link_persons")
            db.execute("INSERT INTO person_reports SELECT source, report_id, person_id "
                       "FROM _link_links")
            if len(review):
                columns = ", ".join(REVIEW_COLUMNS)
                db.execute(f"INSERT INTO link_review ({columns}) SELECT {columns} "
                           "FROM _link_review")
        finally:
            for name in ("_link_persons", "_link_links", "_link_review"):
                db.conn.unregister(name)
        db.execute(
            "INSERT INTO link_runs (run_id, method, started_at, settings, reports, persons, "
            "quality, model) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, method, datetime.now(UTC).replace(tzinfo=None), json.dumps(settings),
             len(reports), len(persons), json.dumps(quality),
             None if model is None else json.dumps(model, sort_keys=True)])
