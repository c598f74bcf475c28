"""`thb settings`: list, show and store declared settings, checked and audited, no key."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.store import Database


@pytest.fixture
def store_without_key(tmp_path, monkeypatch):
    """A store whose key file is gone and no $THB_KEY: settings never need the key."""
    monkeypatch.delenv("THB_KEY", raising=False)
    db = tmp_path / "s.duckdb"
    assert CliRunner().invoke(app, ["init", "--db", str(db)]).exit_code == 0
    (tmp_path / "s.duckdb.key").unlink()
    return str(db)


def test_set_then_show_and_the_store_uses_it(store_without_key):
    db = store_without_key
    runner = CliRunner()
    stored = runner.invoke(app, ["settings", "publication.threshold", "12", "--db", db, "--json"])
    assert stored.exit_code == 0, stored.output
    assert json.loads(stored.output) == {"publication.threshold": 12}
    listed = json.loads(runner.invoke(app, ["settings", "--db", db, "--json"]).output)
    assert listed["publication.threshold"] == 12 and listed["findings.alpha"] == 0.05
    assert "patterns.networks.hub_limit" in listed
    with Database(db) as database:
        assert database.setting("publication.threshold") == 12


def test_wrong_type_and_unknown_name_are_usage_errors(store_without_key):
    db = store_without_key
    runner = CliRunner()
    wrong = runner.invoke(app, ["settings", "publication.threshold", "ten", "--db", db])
    assert wrong.exit_code == 2
    unknown = runner.invoke(app, ["settings", "publication.treshold", "--db", db])
    assert unknown.exit_code == 2 and "did you mean publication.threshold" in unknown.output


@pytest.mark.parametrize(("name", "value", "allowed"), [
    ("publication.threshold", "0", "from 2 to 100"),  # 0 switched disclosure control off
    ("publication.threshold", "-5", "from 2 to 100"),
    ("findings.alpha", "7", "above 0 up to 0.5"),
    ("link.threshold", "1.5", "from 0.5 to 1"),
])
def test_values_out_of_range_are_refused_with_the_range(store_without_key, name, value,
                                                        allowed):
    db = store_without_key
    refused = CliRunner().invoke(app, ["settings", "--db", db, "--", name, value])
    assert refused.exit_code == 2, refused.output
    assert allowed in " ".join(refused.output.split())
    with Database(db, read_only=True) as database:
        assert database.setting(name) == database.settings()[name]
        assert database.scalar("SELECT count(*) FROM settings") == 0
        assert database.scalar("SELECT count(*) FROM audit_log") == 0


def test_every_change_is_audited_with_old_and_new_value(store_without_key):
    db = store_without_key
    runner = CliRunner()
    for value in ("12", "15"):
        assert runner.invoke(app, ["settings", "publication.threshold", value,
                                   "--db", db]).exit_code == 0
    with Database(db, read_only=True) as database:
        events = database.rows("SELECT action, resource, detail FROM audit_log "
                               "ORDER BY event_id")
    assert [(a, r, json.loads(d)) for a, r, d in events] == [
        ("settings.change", "publication.threshold", {"old": 10, "new": 12}),
        ("settings.change", "publication.threshold", {"old": 12, "new": 15}),
    ]


def test_listing_settings_does_not_write_to_the_store(store_without_key, tmp_path):
    db = store_without_key
    before = (tmp_path / "s.duckdb").read_bytes()
    assert CliRunner().invoke(app, ["settings", "--db", db]).exit_code == 0
    assert (tmp_path / "s.duckdb").read_bytes() == before


def test_link_threshold_option_is_checked_like_the_setting(store_without_key):
    refused = CliRunner().invoke(app, ["link", "--db", store_without_key, "--threshold", "1.5"])
    assert refused.exit_code == 2
    assert "from 0.5 to 1" in " ".join(refused.output.split())


def test_import_replace_is_written_to_the_audit_log(tmp_path, monkeypatch):
    """`--replace` overwrites stored records: who did it, and how many, is in the audit log."""
    from pathlib import Path

    fixtures = Path(__file__).parents[1] / "ingest" / "fixtures"
    monkeypatch.delenv("THB_KEY", raising=False)
    db = str(tmp_path / "r.duckdb")
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["import", "reports", str(fixtures / "reports-valid.csv"),
                               "--db", db]).exit_code == 0
    replaced = runner.invoke(app, ["import", "reports",
                                   str(fixtures / "reports-conflicting-id.csv"), "--db", db,
                                   "--replace"])
    assert replaced.exit_code == 0, replaced.output
    with Database(db, read_only=True) as database:
        events = database.rows("SELECT action, resource, detail FROM audit_log")
    assert [(a, r) for a, r, _ in events] == [
        ("import.replace", "reports:reports-conflicting-id.csv")]
    assert json.loads(events[0][2])["stored"] == 1
