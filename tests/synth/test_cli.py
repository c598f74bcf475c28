"""`thb synth` prints exactly the result's `to_dict()` with --json."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import thbmonitor.cli.synth  # noqa: F401  (registers the command until commands.py imports it)
from thbmonitor.cli.app import app


def test_synth_json(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["synth", "--out", str(tmp_path), "--scale", "0.1",
                                   "--seed", "3", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["seed"] == 3 and data["scale"] == 0.1
    assert set(data["files"]) == {"reports", "locations", "investigations", "suspects", "cases",
                                  "verdicts"}
    assert (tmp_path / "ground_truth" / "persons.csv").exists()


def test_synth_rejects_non_positive_scale(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["synth", "--out", str(tmp_path), "--scale", "0"])
    assert out.exit_code == 2
