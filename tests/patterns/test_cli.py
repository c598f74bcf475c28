"""`thb patterns ...`: JSON is the library's to_dict(); human output; wrong usage is exit 2."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import thbmonitor.cli.patterns  # noqa: F401  (registers `thb patterns`)
from thbmonitor.cli.app import app
from thbmonitor.patterns import carousel_leads

runner = CliRunner()


def _store(builder):
    rids = [builder.person(n, phone="+31609990000") for n in ("Amy", "Bo", "Cy")]
    builder.moving_together(rids, n=6)
    db = builder.build()
    ids = sorted(p for (p,) in db.rows("SELECT person_id FROM persons"))
    expected = carousel_leads(db, 2024).to_dict()
    db.close()
    return str(builder.tmp / "small.duckdb"), ids, expected


def test_json_is_the_library_result_and_text_is_a_table(builder):
    db, ids, expected = _store(builder)
    out = runner.invoke(app, ["patterns", "carousel", "--db", db, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == expected
    text = runner.invoke(app, ["patterns", "carousel", "--db", db])
    assert text.exit_code == 0 and "human review" in text.stdout
    for command in (["networks"], ["networks", "--cross-border"], ["fairness", "--year", "2024"],
                    ["explain", ids[0], ids[2]]):
        result = runner.invoke(app, ["patterns", *command, "--db", db])
        assert result.exit_code == 0, (command, result.output)
    explained = json.loads(runner.invoke(
        app, ["patterns", "explain", ids[0], ids[2], "--db", db, "--json"]).stdout)
    assert explained["linked"] and explained["hops"] == 1


def test_wrong_usage_exits_2(builder):
    db, ids, _ = _store(builder)
    assert runner.invoke(app, ["patterns", "carousel", "--window", "7d", "--db", db]).exit_code == 2
    assert runner.invoke(app, ["patterns", "explain", ids[0], "Pnone", "--db", db]).exit_code == 2
    assert runner.invoke(app, ["patterns", "fairness", "--db", db]).exit_code == 2
