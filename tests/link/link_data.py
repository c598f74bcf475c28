"""Helpers of the linkage tests: importing synthetic sets, copying databases."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from thbmonitor.ingest import IMPORT_ORDER, import_file
from thbmonitor.link import LinkResult
from thbmonitor.store import Database
from thbmonitor.synth import SynthResult, generate

#: The key of tests/conftest.py (TEST_KEY), for session-scoped fixtures.
TEST_KEY = bytes.fromhex("5a" * 32)


@dataclass
class Linked:
    db_path: Path
    truth: pd.DataFrame  # source, report_id, true_id
    totals: pd.DataFrame  # year, registered_total
    result: LinkResult | None


def import_synth(out: Path, db_path: Path, *, scale: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a synthetic set, import every file, return (truth, totals)."""
    made = generate(out, scale=scale)
    with Database(db_path) as db:
        for kind in IMPORT_ORDER:
            report = import_file(db, kind, made.files[kind], key=TEST_KEY)
            assert report.succeeded, report.to_dict()
    return ground_truth(made)


def ground_truth(made: SynthResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(truth, totals) of a generated set: each report's true person, registered totals."""
    truth = pd.read_csv(made.ground_truth["report_persons"], dtype=str)
    truth = truth.rename(columns={"person_id": "true_id"})[["source", "report_id", "true_id"]]
    totals = pd.read_csv(made.ground_truth["totals"])
    totals = totals[totals.stratum == "total"][["year", "registered_total"]]
    return truth, totals


def copy_db(source: Path, target_dir: Path) -> Path:
    """A copy of a (closed) database file, to change in one test."""
    target = target_dir / "copy.duckdb"
    shutil.copyfile(source, target)
    return target


def predicted(db: Database) -> pd.DataFrame:
    """The linkage as `pairwise_quality` wants it: source, report_id, person_id."""
    frame: pd.DataFrame = db.frame("SELECT source, report_id, person_id FROM person_reports")
    return frame


def person_of(db: Database, source: str, report_id: str) -> str:
    return str(db.scalar("SELECT person_id FROM person_reports WHERE source = ? "
                         "AND report_id = ?", [source, report_id]))
