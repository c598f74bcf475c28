"""Linkage on data the model cannot learn from: no duplicates, one report, one organisation,
every report identical. Each gives persons and a note, never a traceback (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from link_data import TEST_KEY

from thbmonitor.ingest import import_file
from thbmonitor.link import LinkResult, link_persons
from thbmonitor.store import Database
from thbmonitor.synth import SynthResult, generate


@pytest.fixture(scope="module")
def delivery(tmp_path_factory: pytest.TempPathFactory) -> tuple[SynthResult, pd.DataFrame]:
    """A small synthetic set: its reports with the true person of each."""
    made = generate(tmp_path_factory.mktemp("degenerate"), scale=0.1)
    reports = pd.read_csv(made.files["reports"], dtype=str, keep_default_na=False)
    truth = pd.read_csv(made.ground_truth["report_persons"], dtype=str)
    merged = reports.merge(truth[["source", "report_id", "person_id"]],
                           on=["source", "report_id"])
    merged["investigation_id"] = ""  # reports only: no investigations file is imported
    return made, merged


def _linked(tmp_path: Path, frame: pd.DataFrame) -> tuple[Database, LinkResult]:
    path = tmp_path / "reports.csv"
    frame.drop(columns="person_id").to_csv(path, index=False)
    db = Database(tmp_path / "thb.duckdb")
    assert import_file(db, "reports", path, key=TEST_KEY).valid
    return db, link_persons(db)


def test_first_delivery_without_duplicates_gives_one_person_per_report(
        delivery: tuple[SynthResult, pd.DataFrame], tmp_path: Path) -> None:
    _, reports = delivery
    one_each = reports.drop_duplicates("person_id")
    assert len(one_each) > 400, "a delivery of the size the issue reports (590)"
    db, result = _linked(tmp_path, one_each)
    with db:
        data = result.to_dict()
        assert data["reports"] == data["persons"] == len(one_each)
        assert data["method"] == "exact-keys-v1"
        assert len(data["warnings"]) == 1 and "exact keys" in data["warnings"][0]
        assert "first delivery" in data["warnings"][0]
        run = db.rows("SELECT method, persons, settings->>'fallback_from' FROM link_runs")
        assert run == [("exact-keys-v1", len(one_each), "splink-5-v1")]


def test_one_report(delivery: tuple[SynthResult, pd.DataFrame], tmp_path: Path) -> None:
    _, reports = delivery
    db, result = _linked(tmp_path, reports.head(1))
    with db:
        assert (result.reports, result.persons) == (1, 1)
        assert db.scalar("SELECT count(*) FROM person_reports") == 1


def test_every_report_identical_is_one_person(
        delivery: tuple[SynthResult, pd.DataFrame], tmp_path: Path) -> None:
    _, reports = delivery
    same = pd.concat([reports.head(1)] * 20, ignore_index=True)
    same["report_id"] = [f"SAME-{i}" for i in range(len(same))]
    db, result = _linked(tmp_path, same)
    with db:
        data = result.to_dict()
        assert (data["reports"], data["persons"]) == (20, 1)
        assert data["method"] == "exact-keys-v1" and data["warnings"]


def test_one_organisation_links_probabilistically(
        delivery: tuple[SynthResult, pd.DataFrame], tmp_path: Path) -> None:
    _, reports = delivery
    first = reports.source.value_counts().index[0]
    one_org = reports[reports.source == first]
    db, result = _linked(tmp_path, one_org)
    with db:
        data = result.to_dict()
        assert data["reports"] == len(one_org)
        assert 0 < data["persons"] <= len(one_org)
        assert data["persons"] >= one_org.person_id.nunique() * 0.9
        assert data["warnings"] == [] or data["method"] == "exact-keys-v1"


def test_two_different_reports_are_two_persons(
        delivery: tuple[SynthResult, pd.DataFrame], tmp_path: Path) -> None:
    _, reports = delivery
    db, result = _linked(tmp_path, reports.drop_duplicates("person_id").head(2))
    with db:
        assert (result.reports, result.persons) == (2, 2)


def test_empty_store_links_to_no_persons(tmp_path: Path) -> None:
    with Database(tmp_path / "thb.duckdb") as db:
        result = link_persons(db)
        assert (result.reports, result.persons, result.warnings) == (0, 0, [])
