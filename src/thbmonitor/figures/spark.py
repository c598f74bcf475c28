"""The annual figures on Spark SQL: the same queries, the same figures JSON.

`spark_figures(db, year)` exports the tables the figures count from
(`FIGURE_TABLES`) to the store's Parquet folder, registers each file as a
Spark view, and runs `compute_figures` unchanged against `SparkStore`: a
stand-in for the `Database` whose `rows`/`scalar`/`frame` render each DuckDB
query of `figures/` for Spark (`link.dialect.spark_query`: sqlglot plus the
rewrites it cannot make) before running it. The person-report definition
and the classification (`CLASSIFIED_SQL`) are therefore written once; every
count, zero-fill and ordering in Python is shared. The result is the figures
JSON of DuckDB, byte for byte (tests/spark/test_spark_figures.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from thbmonitor.errors import UsageError
from thbmonitor.link.dialect import spark_query
from thbmonitor.store import Database

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import SparkSession

    from thbmonitor.figures.annual import Figures
    from thbmonitor.release import ReleaseResult

log = logging.getLogger(__name__)

#: The tables the annual figures count from.
FIGURE_TABLES: tuple[str, ...] = (
    "reports", "person_reports", "investigations", "suspects", "cases", "verdicts")


class SparkStore:
    """The store's tables as Spark views, answering the figures' DuckDB SQL.

    Only the reading half of `Database` (`rows`, `scalar`, `frame`), with
    named parameters (`$start`) bound as literals; a positional parameter is
    refused.
    """

    path: Path | None = None

    def __init__(self, spark: SparkSession, folder: Path,
                 tables: Sequence[str] = FIGURE_TABLES) -> None:
        from thbmonitor.link.spark_engine import _typed

        self.spark = spark
        self.folder = Path(folder)
        for table in tables:
            frame = _typed(spark.read.parquet(str(self.folder / f"{table}.parquet")), table)
            frame.createOrReplaceTempView(table)
        self.tables = tuple(tables)

    def _sql(self, sql: str, params: Sequence[Any] | dict[str, Any] | None) -> str:
        if params is not None and not isinstance(params, dict):
            raise UsageError("the Spark engine takes named parameters ($name) only")
        return spark_query(sql, params)

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[Any]:
        return [tuple(row) for row in self.spark.sql(self._sql(sql, params)).collect()]

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def frame(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
              ) -> pd.DataFrame:
        return self.spark.sql(self._sql(sql, params)).toPandas()

    def close(self) -> None:
        for table in self.tables:
            self.spark.catalog.dropTempView(table)


def compute_figures_on_spark(spark: SparkStore, year: int, *,
                             allow_unlinked: bool = False) -> Figures:
    """`compute_figures` with every query run by Spark SQL."""
    from thbmonitor.figures.annual import compute_figures

    # SparkStore answers every query compute_figures asks (rows, scalar, frame).
    return compute_figures(cast(Database, spark), year, allow_unlinked=allow_unlinked)


def spark_figures(db: Database, year: int, *, master: str | None = None,
                  folder: Path | None = None, protected: bool = False,
                  engine: str = "spark") -> ReleaseResult:
    """`thb figures --engine spark`: the figures counted on Spark, findings as on DuckDB.

    The store's tables go to a private run folder inside its Parquet folder
    (or `folder`) first, removed afterwards, so Spark counts exactly what the
    store holds; findings and disclosure control
    run on the counts as for DuckDB (`release.figures_with_findings`).
    """
    from thbmonitor.link.spark_engine import DEFAULT_MASTER, ENGINES, spark_session
    from thbmonitor.publish import with_findings
    from thbmonitor.release import ReleaseResult, finding_rule, protect
    from thbmonitor.store.parquet import export_parquet, remove_run_folder, run_folder

    if engine != "spark":
        raise UsageError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    run = run_folder(db, folder)
    try:
        exchange = export_parquet(db, run, FIGURE_TABLES)
        spark = spark_session(master or DEFAULT_MASTER)
        store = SparkStore(spark, exchange.folder)
        try:
            figures = compute_figures_on_spark(store, year).to_dict()
        finally:
            store.close()
    finally:  # the run's own copy: not left beside the store
        remove_run_folder(run)
    threshold = int(db.setting("publication.threshold"))
    published = None
    if protected:
        published = protect(figures, threshold, list(db.setting("publication.priorities")))
    return ReleaseResult(with_findings(figures, published=published, **finding_rule(db)))
