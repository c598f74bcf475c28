"""The annual figures on Spark SQL: the same JSON as DuckDB's, byte for byte (the demo)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.figures import compute_figures
from thbmonitor.figures.spark import FIGURE_TABLES, SparkStore, compute_figures_on_spark
from thbmonitor.link.dialect import spark_query
from thbmonitor.store import Database
from thbmonitor.store.parquet import export_parquet

YEAR = 2024


def _bytes(figures: dict[str, Any]) -> bytes:
    return json.dumps(figures, ensure_ascii=False, indent=2).encode()


def test_figures_json_is_byte_for_byte_duckdbs(spark: Any, realistic_db_path: Path,
                                              tmp_path: Path) -> None:
    with Database(realistic_db_path, read_only=True) as db:
        export_parquet(db, tmp_path, FIGURE_TABLES)
        duck = compute_figures(db, YEAR).to_dict()
    store = SparkStore(spark, tmp_path)
    try:
        on_spark = compute_figures_on_spark(store, YEAR).to_dict()
    finally:
        store.close()
    assert duck["victims"]["total"] > 100 and len(duck["series"]) >= 3
    assert _bytes(on_spark) == _bytes(duck)


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
def test_cli_figures_engine_spark(realistic_copy: Path) -> None:
    runner = CliRunner()
    duck = runner.invoke(app, ["figures", "--year", str(YEAR), "--db", str(realistic_copy),
                               "--json", "--protected"])
    assert duck.exit_code == 0, duck.output
    on_spark = runner.invoke(app, ["figures", "--year", str(YEAR), "--db", str(realistic_copy),
                                   "--json", "--protected", "--engine", "spark",
                                   "--spark-master", "local[2]"])
    assert on_spark.exit_code == 0, on_spark.output
    assert on_spark.stdout == duck.stdout
    bad = runner.invoke(app, ["figures", "--year", str(YEAR), "--db", str(realistic_copy),
                              "--engine", "oracle"])
    assert bad.exit_code == 2 and "unknown engine 'oracle'" in bad.output
