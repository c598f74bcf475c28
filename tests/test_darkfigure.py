"""`thb estimate`: capture histories from the linked persons, then the MSE engine."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.errors import UsageError
from thbmonitor.estimate import capture_records, estimate_dark_figure, parse_lists
from thbmonitor.store import Database

CONTRACT_KEYS = {"observed", "estimate", "dark_figure", "ci", "ci_level", "lists", "terms",
                 "method", "warnings", "minus_infinity"}


def _report(db, source, report_id, source_type, person, day="2024-03-01"):
    db.execute(
        "INSERT INTO reports (source, report_id, source_type, report_date, exploitation, scope, "
        "row_hash, import_id, row_number, sex) VALUES (?, ?, ?, ?, ['sexual'], 'domestic', "
        "'h', 1, 1, 'female')", [source, report_id, source_type, day])
    db.execute("INSERT INTO person_reports VALUES (?, ?, ?)", [source, report_id, person])


def test_capture_records_one_row_per_victim_and_list(db):
    _report(db, "pol", "1", "police", "A")
    _report(db, "care", "1", "care_coordinator", "A")
    _report(db, "pol", "2", "police", "A", day="2024-05-01")  # same list again: one sighting
    _report(db, "ngo", "1", "ngo", "B")
    _report(db, "coa", "1", "reception_centre", "C")
    _report(db, "pol", "3", "police", "D", day="2023-05-01")  # other year
    records = capture_records(db, 2024)
    pairs = sorted(map(tuple, records[["person_id", "list"]].to_numpy().tolist()))
    assert pairs == [("A", "care_coordinator"), ("A", "police"), ("B", "ngo"), ("C", "other")]
    assert set(records["sex"]) == {"female"}


def test_parse_lists_puts_unnamed_types_in_other():
    lists = parse_lists(["police", "care=care_coordinator+shelter"])
    assert lists["police"] == ("police",) and lists["care"] == ("care_coordinator", "shelter")
    assert "ngo" in lists["other"] and "shelter" not in lists["other"]
    with pytest.raises(UsageError, match="unknown organisation type"):
        parse_lists(["polis"])


@pytest.fixture(scope="module")
def linked_db(realistic_db_path):
    """The session's realistic store (imported and linked once per run), only read here."""
    return realistic_db_path


def test_estimate_has_the_contract_shape_and_is_seeded(linked_db):
    with Database(linked_db, read_only=True) as db:
        replicates = db.setting("estimate.bootstrap_replicates")
        first = estimate_dark_figure(db, 2024, seed=3).to_dict()
        again = estimate_dark_figure(db, 2024, nboot=replicates, seed=3).to_dict()
    assert set(first) >= CONTRACT_KEYS
    assert first["nboot"] == replicates == 200, "the replicates come from the setting"
    assert first == again, "same data, settings and seed give the same numbers"
    victims = db_victims(linked_db, 2024)
    assert first["observed"] == victims
    assert first["estimate"] is None or first["estimate"] >= first["observed"]


def db_victims(path, year):
    from thbmonitor.figures import compute_figures

    with Database(path, read_only=True) as db:
        return compute_figures(db, year).to_dict()["victims"]["total"]


def test_cli_json_is_the_result(linked_db):
    result = CliRunner().invoke(app, ["estimate", "--year", "2024", "--db", str(linked_db),
                                      "--nboot", "100", "--seed", "1", "--json",
                                      "--lists", "police", "--lists", "ngo",
                                      "--merge-below", "20"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= CONTRACT_KEYS
    assert set(data["lists"]) <= {"police", "ngo", "other"}
    with Database(linked_db, read_only=True) as db:
        direct = estimate_dark_figure(db, 2024, lists=parse_lists(["police", "ngo"]),
                                      merge_below=20, nboot=100, seed=1).to_dict()
    assert data == json.loads(json.dumps(direct))


def test_cli_usage_errors(linked_db):
    runner = CliRunner()
    bad = runner.invoke(app, ["estimate", "--year", "2024", "--db", str(linked_db),
                              "--covariates", "shoe_size"])
    assert bad.exit_code == 2
    empty = runner.invoke(app, ["estimate", "--year", "1990", "--db", str(linked_db)])
    assert empty.exit_code == 2
