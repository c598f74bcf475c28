"""Record linkage of 1,000,000 synthetic reports: the probabilistic model against exact keys.

Data: `thbmonitor.synth.generate(scale=SCALE)` (about 1,000,000 reports over
2019-2024, with ground truth), imported through `thbmonitor.ingest.import_file`
like any user's files (only investigations and reports: the linkage reads
nothing else). Generation and import are not timed.

Each linkage runs in a fresh process on its own copy of the database
(`bench.results.measure_subprocess`): wall time and peak memory (RSS) of the
whole process, and the time of `link_persons` itself. Targets (issue 16): at
most 5 minutes and 4 GB. Baseline in the same run: the exact-key linkage
(`method="exact"`) on the same data. Quality: pairwise precision, recall
and F1 against the ground truth (`thbmonitor.link.pairwise_quality`), the
candidate-pair recall of the blocking rules and the calibration table of the
trained model, and the supervised ceiling (`bench.link_ceiling`; none of them timed).

`THB_BENCH_LINK_DATA=<folder>`: keep the generated store there
(`reports.duckdb`, `truth.parquet`) and use it again in a later run, instead of
the 5 minutes of generating and importing.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from bench.link_eval import calibration_rows
from bench.results import measure_subprocess, write_section
from thbmonitor.ingest import import_file
from thbmonitor.link import LinkQuality, pairwise_quality
from thbmonitor.store import Database
from thbmonitor.synth import generate

SCALE = 156.9  # about 1,000,000 reports with the default seed
KEY = bytes.fromhex("5a" * 32)
LIMIT_SECONDS = 300
LIMIT_MB = 4 * 1024

CODE = """
import json, time
from thbmonitor.link import link_persons
from thbmonitor.store import Database
with Database({path!r}) as db:
    start = time.perf_counter()
    result = link_persons(db, method={method!r})
    seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, **result.to_dict()}}))
"""


def _prepare(work: Path) -> tuple[Path, pd.DataFrame, float, float]:
    start = time.perf_counter()
    made = generate(work / "files", scale=SCALE)
    seconds_made = time.perf_counter() - start
    files, truth_path = made.files, made.ground_truth["report_persons"]
    db_path = work / "reports.duckdb"
    start = time.perf_counter()
    with Database(db_path) as db:
        for kind in ("investigations", "reports"):
            report = import_file(db, kind, files[kind], key=KEY)
            if not report.succeeded:
                raise RuntimeError(f"import of {kind} failed: {report.stats()}")
    seconds_import = time.perf_counter() - start
    truth = pd.read_csv(truth_path, dtype=str, usecols=["source", "report_id", "person_id"])
    truth = truth.rename(columns={"person_id": "true_id"})
    return db_path, truth, seconds_made, seconds_import


@dataclass
class LinkRun:
    result: dict[str, Any]
    process_seconds: float
    peak_mb: float
    quality: LinkQuality

    def row(self) -> str:
        r, q = self.result, self.quality
        ok = self.process_seconds <= LIMIT_SECONDS and self.peak_mb <= LIMIT_MB
        return (f"| {r['method']} | {r['reports']:,} | {r['persons']:,} | "
                f"{r['pairs_scored']:,} | {r['pairs_in_review']:,} | {r['seconds']:.0f} s | "
                f"{self.process_seconds:.0f} s | {self.peak_mb / 1024:.1f} GB | "
                f"{q.precision:.4f} | {q.recall:.4f} | {q.f1:.4f} | {'yes' if ok else 'no'} |")


def _link(db_path: Path, method: str, truth: pd.DataFrame,
          extra: dict[str, Any] | None = None) -> LinkRun:
    """Link a copy of `db_path` in a fresh process; with `extra`, also measure (untimed)
    the candidate recall and the calibration of the run's model into it."""
    copy = db_path.with_name(f"{method}.duckdb")
    shutil.copyfile(db_path, copy)
    measured = measure_subprocess(CODE.format(path=str(copy), method=method))
    result = json.loads(measured.output.strip().splitlines()[-1])
    with Database(copy, read_only=extra is None) as db:
        linked = db.frame("SELECT source, report_id, person_id FROM person_reports")
        if extra is not None:
            from bench.link_ceiling import supervised_ceiling
            from thbmonitor.link.blocking import candidate_recall
            from thbmonitor.link.quality import calibration

            extra["candidates"] = candidate_recall(db, truth)
            extra["calibration"] = calibration(db, truth)
            extra["ceiling"] = supervised_ceiling(db, truth)
    quality = pairwise_quality(linked, truth)
    copy.unlink()
    return LinkRun(result, measured.seconds, measured.peak_mb, quality)


def _kept(folder: Path) -> tuple[Path, pd.DataFrame, str]:
    """The store of an earlier run kept in `folder`, or a new one made there."""
    db_path, truth_path = folder / "reports.duckdb", folder / "truth.parquet"
    if db_path.exists() and truth_path.exists():
        return db_path, pd.read_parquet(truth_path), "kept from an earlier run"
    folder.mkdir(parents=True, exist_ok=True)
    db_path, truth, made, imported = _prepare(folder)
    truth.to_parquet(truth_path)
    return db_path, truth, (f"generated in {made:.0f} s, imported through `import_file` "
                            f"in {imported:.0f} s")


def run() -> None:
    extra: dict[str, Any] = {}
    kept = os.environ.get("THB_BENCH_LINK_DATA")
    with tempfile.TemporaryDirectory(prefix="thb-bench-link-") as tmp:
        if kept:
            db_path, truth, origin = _kept(Path(kept))
        else:
            db_path, truth, made, imported = _prepare(Path(tmp))
            origin = (f"generated in {made:.0f} s, imported through `import_file` in "
                      f"{imported:.0f} s")
        runs = {"splink": _link(db_path, "splink", truth, extra),
                "exact": _link(db_path, "exact", truth)}
    rows = [run_.row() for run_ in runs.values()]
    candidates = extra["candidates"]
    markdown = (
        "## Record linkage (`bench/bench_link.py`)\n\n"
        f"{len(truth):,} synthetic reports (`thbmonitor.synth.generate(scale={SCALE})`, "
        f"{origin}; not timed below). Each linkage in a fresh process on "

        "its own copy of the database; `link` is the time of `link_persons`, `process` the "
        "whole process (start-up, imports, connection); peak is the RSS of the process. "
        "Baseline in the same run: the exact-key linkage. Quality against the ground truth "
        "(pairwise).\n\n"
        "| method | reports | persons | pairs scored | pairs in review | link | process | "
        "peak | precision | recall | F1 | <= 5 min, <= 4 GB |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        + "\n".join(rows) + "\n\n"
        f"Candidate pairs of the blocking rules: {candidates.candidate_pairs:,}, holding "
        f"{candidates.true_pairs_found:,} of the {candidates.true_pairs:,} true pairs "
        f"(candidate recall {candidates.recall:.4f}; issue 16: at least 0.95 with at most "
        "15 million pairs).\n\n"
        f"Supervised ceiling (`bench/link_ceiling.py`, not timed: the same candidate pairs "
        "and comparisons scored by a gradient-boosted classifier that the ground truth "
        "trains, cross-fitted on two folds, linked from 0.5; no deployment has it): "
        f"precision {extra['ceiling'].precision:.4f}, recall {extra['ceiling'].recall:.4f}, "
        f"F1 {extra['ceiling'].f1:.4f}.\n\n"
        "Calibration of the trained model (every scored pair from 0.5 up; observed against "
        "expected non-match share; issue 16: within a factor two in every band):\n\n"
        + calibration_rows([b.to_dict() for b in extra["calibration"]], low=0.5))
    write_section("link", markdown)
