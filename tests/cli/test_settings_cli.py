"""`thb settings`: list, show and store declared settings."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.store import Database


def test_set_then_show_and_the_store_uses_it(tmp_path, monkeypatch):
    monkeypatch.setenv("THB_KEY", "ab" * 32)
    db = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    stored = runner.invoke(app, ["settings", "publication.threshold", "12", "--db", db, "--json"])
    assert stored.exit_code == 0, stored.output
    assert json.loads(stored.output) == {"publication.threshold": 12}
    listed = json.loads(runner.invoke(app, ["settings", "--db", db, "--json"]).output)
    assert listed["publication.threshold"] == 12 and listed["findings.alpha"] == 0.05
    assert "patterns.networks.hub_limit" in listed
    with Database(db) as database:
        assert database.setting("publication.threshold") == 12


def test_wrong_type_and_unknown_name_are_usage_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("THB_KEY", "ab" * 32)
    db = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    wrong = runner.invoke(app, ["settings", "publication.threshold", "ten", "--db", db])
    assert wrong.exit_code == 2
    assert runner.invoke(app, ["settings", "no.such.setting", "--db", db]).exit_code == 2
