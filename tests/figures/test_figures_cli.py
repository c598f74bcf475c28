"""`thb figures`: --json is exactly `to_dict()`, a table without it, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from figures_builder import StoreBuilder, build_small_store
from typer.testing import CliRunner, Result

import thbmonitor.cli.figures  # noqa: F401  (registers the command)
from thbmonitor.cli.app import app
from thbmonitor.figures import compute_figures
from thbmonitor.store import Database

runner = CliRunner()


def invoke(*args: str) -> Result:
    """`thb figures ARGS`. Typer runs a lone command without its name, so the name is
    given only when other commands are registered too (as in the installed `thb`)."""
    command = ["figures"] if len(app.registered_commands) > 1 else []
    return runner.invoke(app, [*command, *args])


def message(result: Result) -> str:
    """stderr with Rich's line wrapping undone."""
    return " ".join(result.stderr.split())


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "thb.duckdb"
    with Database(path) as db:
        build_small_store(StoreBuilder(db))
    return path


def test_json_is_exactly_to_dict(db_file: Path) -> None:
    result = invoke("--year", "2024", "--db", str(db_file), "--json")
    assert result.exit_code == 0, result.output
    with Database(db_file, create=False) as db:
        expected = compute_figures(db, 2024).to_dict()
    assert json.loads(result.stdout) == expected


def test_thb_db_environment_variable_is_the_default(
    db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THB_DB", str(db_file))
    result = invoke("--year", "2023", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["victims"]["total"] == 4


def test_without_json_prints_tables(db_file: Path) -> None:
    result = invoke("--year", "2024", "--db", str(db_file))
    assert result.exit_code == 0, result.output
    assert "Victims 2024" in result.stdout
    assert "victims by exploitation" in result.stdout
    assert "criminal-justice chain 2024" in result.stdout


def test_a_missing_database_exits_1_with_a_clear_message(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.duckdb"
    result = invoke("--year", "2024", "--db", str(missing))
    assert result.exit_code == 2  # CONTRACTS §2: a missing store is a usage error
    assert "does not exist" in message(result)
    assert "thb init" in message(result)
    assert not missing.exists()


def test_protected_nulls_small_cells_and_lists_them(db_file: Path) -> None:
    result = invoke("--year", "2024", "--db", str(db_file), "--protected", "--json")
    assert result.exit_code == 0, message(result)
    data = json.loads(result.stdout)
    assert data["suppressed"], "the small fixture has cells below the threshold"
    for path in data["suppressed"]:
        if path.startswith("series."):
            continue
        node = data
        for part in path.split("."):
            node = node[part]
        assert node is None, path


def test_year_is_required(db_file: Path) -> None:
    result = invoke("--db", str(db_file))
    assert result.exit_code == 2
