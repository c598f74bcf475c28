"""The annual figures on Spark SQL: the same JSON as DuckDB's, byte for byte (the demo)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.link.dialect import spark_query

YEAR = 2024


def test_the_classification_is_rendered_not_copied() -> None:
    """The Spark text comes from CLASSIFIED_SQL itself: change the source, the render follows."""
    from thbmonitor.figures.victims import CLASSIFIED_SQL

    params = {"start": "2024-01-01", "end": "2025-01-01", "codes": ["NL"], "groups": ["eu"]}
    rendered = spark_query(CLASSIFIED_SQL + "SELECT * FROM classified", params)
    assert "MAX_BY(" in rendered and "STRUCT(report_date, source, report_id)" in rendered
    assert "VALUES" in rendered and "EXPLODE" not in rendered
    changed = spark_query(CLASSIFIED_SQL.replace("< 18", "< 16") + "SELECT * FROM classified",
                          params)
    assert "< 16" in changed and changed != rendered


@pytest.mark.usefixtures("spark")
def test_cli_figures_engine_spark_is_byte_for_byte_duckdbs(realistic_copy: Path) -> None:
    """`thb figures --json` counted by Spark SQL prints DuckDB's bytes (the demo, 2024).

    One run of each engine (about half a minute on Spark): the figures unprotected, so
    that every cell, small ones too, is compared; protection runs on these counts in
    Python, the same for both engines.
    """
    runner = CliRunner()
    duck = runner.invoke(app, ["figures", "--year", str(YEAR), "--db", str(realistic_copy),
                               "--json"])
    assert duck.exit_code == 0, duck.output
    figures = json.loads(duck.stdout)
    assert figures["victims"]["total"] > 100 and len(figures["series"]) >= 3
    on_spark = runner.invoke(app, ["figures", "--year", str(YEAR), "--db", str(realistic_copy),
                                   "--json", "--engine", "spark", "--spark-master", "local[2]"])
    assert on_spark.exit_code == 0, on_spark.output
    assert on_spark.stdout == duck.stdout
    # the run's own copy of the tables is not left beside the store
    assert not realistic_copy.with_name(realistic_copy.name + ".parquet").exists()
    bad = runner.invoke(app, ["figures", "--year", str(YEAR), "--db", str(realistic_copy),
                              "--engine", "oracle"])
    assert bad.exit_code == 2 and "unknown engine 'oracle'" in bad.output
