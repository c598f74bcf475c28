"""Pattern output on the synthetic population: the CONTRACTS §5 shape, byte-identical reruns,
no score and no clear phone number or address anywhere, audit, fairness and summary."""

from __future__ import annotations

import csv
import json
import re

import pytest
from typer.testing import CliRunner

import thbmonitor
import thbmonitor.cli.patterns  # noqa: F401  (registers `thb patterns`)
from thbmonitor.cli.app import app
from thbmonitor.patterns import carousel_leads, find_networks, flag_rates, pattern_summary

runner = CliRunner()


def thb(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def outputs(synth_store):
    db = str(synth_store.db_path)
    commands = {
        "carousel": ("patterns", "carousel", "--year", "2024", "--db", db, "--json"),
        "carousel_90d": ("patterns", "carousel", "--year", "2024", "--window", "90d",
                         "--db", db, "--json"),
        "networks": ("patterns", "networks", "--year", "2024", "--db", db, "--json"),
        "cross_border": ("patterns", "networks", "--cross-border", "--db", db, "--json"),
        "fairness": ("patterns", "fairness", "--year", "2024", "--db", db, "--json"),
    }
    return {name: (thb(*args), thb(*args)) for name, args in commands.items()}


def test_the_same_command_twice_gives_byte_identical_json(outputs):
    for name, (first, second) in outputs.items():
        assert first == second, name


def test_carousel_json_has_the_contract_shape(outputs, synth_store):
    data = json.loads(outputs["carousel"][0])
    assert {"year", "window", "leads", "settings", "run"} <= set(data)
    assert data["year"] == 2024 and data["window"] == "year"
    assert data["run"]["version"] == thbmonitor.__version__
    assert re.fullmatch(r"[0-9a-f]{16}", data["run"]["data_hash"])
    assert data["settings"]["patterns.version"] == data["run"]["rules"]
    ids = [lead["person_id"] for lead in data["leads"]]
    assert ids == sorted(ids) and len(ids) > 50
    lead = data["leads"][0]
    assert {"person_id", "indicators", "fired"} <= set(lead)
    for indicator in lead["indicators"].values():
        assert {"value", "threshold", "met"} <= set(indicator)
    exported = {row["person_id"] for row in _persons(synth_store)}
    assert set(ids) <= exported


def _persons(synth_store):
    from thbmonitor.store import Database

    with Database(synth_store.db_path) as db:
        return [{"person_id": p} for (p,) in db.rows("SELECT person_id FROM persons")]


def test_networks_json_has_the_contract_shape(outputs):
    data = json.loads(outputs["networks"][0])
    assert {"year", "networks", "removed", "settings", "run"} <= set(data)
    assert {"hub_identifiers", "deny_listed"} <= set(data["removed"])
    assert data["removed"]["hub_identifiers"] > 0 and data["removed"]["intake_lines"] > 0
    for net in data["networks"]:
        assert {"network_id", "person_ids", "countries", "cross_border", "suspects",
                "abroad_without_investigation"} <= set(net)
        assert net["person_ids"] == sorted(net["person_ids"]) and len(net["person_ids"]) >= 2
        assert net["cross_border"] == (len(net["countries"]) >= 2)
    cross = json.loads(outputs["cross_border"][0])["networks"]
    assert cross and all(n["cross_border"] for n in cross)


def _walk_keys(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _walk_keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_keys(v)


def test_no_score_and_no_clear_phone_or_address_anywhere(outputs, synth_store):
    clear: set[str] = set()
    with (synth_store.out / "reports.csv").open(encoding="utf-8") as handle:
        clear |= {r["contact_phone"] for r in csv.DictReader(handle) if r["contact_phone"]}
    with (synth_store.out / "locations.csv").open(encoding="utf-8") as handle:
        clear |= {r["address"] for r in csv.DictReader(handle) if r["address"]}
    digits = {re.sub(r"\D", "", c)[-7:] for c in clear if c.startswith(("+31", "06"))}
    for name, (text, _) in outputs.items():
        data = json.loads(text)
        assert not any("score" in str(k).lower() for k in _walk_keys(data)), name
        assert not any(value in text for value in clear if len(value) > 6), name
        assert not any(d in text for d in digits), name


def test_every_read_is_audited_and_summary_counts_agree(synth_db):
    before = synth_db.scalar("SELECT count(*) FROM audit_log")
    leads = carousel_leads(synth_db, 2024)
    networks = find_networks(synth_db, 2024)
    summary = pattern_summary(synth_db, 2024)
    after = synth_db.scalar("SELECT count(*) FROM audit_log")
    assert after - before == 3
    assert summary["carousel_leads"] == len(leads.leads)
    assert summary["networks"] == len(networks.networks)
    assert summary["cross_border_networks"] == sum(n["cross_border"] for n in networks.networks)
    assert summary["networks_abroad_without_investigation"] == sum(
        n["abroad_without_investigation"] for n in networks.networks)
    assert set(summary) == {"year", "carousel_leads", "networks", "cross_border_networks",
                            "networks_abroad_without_investigation", "run"}


def test_fairness_suppresses_small_cells(synth_db):
    report = flag_rates(synth_db, 2024).to_dict()
    cells = report["groups"]
    assert set(cells) >= {"NL", "EU", "latin_america", "africa", "unknown"}
    for group, cell in cells.items():
        for name in ("persons", "leads", "mobility_only"):
            value = cell[name]
            assert value is None or value == 0 or value >= 10, (group, name)
            assert (value is None) == (f"groups.{group}.{name}" in report["suppressed"])
    total = sum(c["persons"] or 0 for c in cells.values())
    assert total > 1000
