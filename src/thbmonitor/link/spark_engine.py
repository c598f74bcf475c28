"""The linkage model on Apache Spark: Splink's Spark backend, the same settings.

`SparkLinkModel` is `LinkModel` (splink_model.py) with another engine under
it: the store's reports go to Parquet (`store.parquet`, the hand-off a real
cluster reads too), Spark builds the model's input from them with the input
query of `comparisons.py` rendered for Spark (`link.dialect`), and Splink's
`SparkAPI` trains and scores with the settings rendered the same way. The
model it saves is mapped back to the DuckDB text of every condition
(`dialect.duckdb_model`), so `link_runs.model` is one document whatever
engine trained it, and a model trained on one engine scores on the other.

Typed input: every column of the input comes from a Parquet file written by
DuckDB (declared types) or from the rendered query over it, never from a
pandas frame, so no column is ever Spark's `void` (on which `NULL IS NOT
DISTINCT FROM NULL` pairs every report in a training session); `_typed`
refuses an input that has one.

Clustering: the scored pairs come back to the driver as today when they fit
(at most `DRIVER_MAX_PAIRS`); beyond that `cluster_on_spark` finds the
connected components of the links on Spark (Splink's own Spark clustering)
and runs the constrained clustering of `clusters.py` inside each component in
parallel (`applyInPandas`). The constraints only ever refuse merges within a
component, so both give the same persons.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from thbmonitor.errors import ThbError, UsageError
from thbmonitor.link.comparisons import INPUT_SQL, TF_COLUMNS, settings
from thbmonitor.link.dialect import duckdb_model, spark_settings, spark_sql
from thbmonitor.link.splink_model import LinkModel, Scored, _empty_pairs
from thbmonitor.store import Database

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)

ENGINES = ("duckdb", "spark")
DEFAULT_MASTER = "local[*]"
#: Up to this many scored pairs the clustering runs on the driver (numpy, as on DuckDB);
#: beyond it on Spark (`cluster_on_spark`). 20 million pairs are about 1 GB on the driver.
DRIVER_MAX_PAIRS = 20_000_000


class SparkUnavailableError(ThbError):
    """pyspark or a Java runtime is missing (exit code 2: install, then run again)."""

    exit_code = 2


def spark_available() -> str | None:
    """None when a local Spark session can start here; else why not (for skips and errors)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed: pip install 'thbmonitor[spark]'"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return ("no Java runtime: install Debian's default-jre-headless (`make setup` does, "
                "as root) or set JAVA_HOME")
    return None


def spark_session(master: str = DEFAULT_MASTER, *, partitions: int | None = None
                  ) -> SparkSession:
    """The process's Spark session (made on first use; later calls get the same one).

    UI off, one timezone (UTC), Splink's Scala UDFs on the class path
    (`damerau_levenshtein`), shuffle partitions `partitions` (default: twice the
    cores of a local master, Spark's own default otherwise). Spill and shuffle
    files go to a private (0700) folder of the process, removed at its exit.
    """
    reason = spark_available()
    if reason:
        raise SparkUnavailableError(f"the Spark engine cannot start: {reason}")
    from pyspark.sql import SparkSession
    from splink.internals.spark.jar_location import similarity_jar_location

    builder = (SparkSession.builder.master(master).appName("thbmonitor")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.jars", similarity_jar_location())
               .config("spark.driver.memory", os.environ.get("THB_SPARK_DRIVER_MEMORY", "2g")))
    if partitions is None and master.startswith("local"):
        cores = master[len("local["):-1] if master.startswith("local[") else "1"
        count = (os.cpu_count() or 2) if cores == "*" else int(cores)
        partitions = max(2, 2 * count)
    if partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
    local = tempfile.mkdtemp(prefix="thb-spark-")  # 0700
    atexit.register(shutil.rmtree, local, True)
    session = builder.config("spark.local.dir", local).getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _typed(frame: DataFrame, what: str) -> DataFrame:
    """`frame`, refused when a column has no type (Spark's void / NullType)."""
    from pyspark.sql.types import NullType

    void = [f.name for f in frame.schema.fields if isinstance(f.dataType, NullType)]
    if void:
        raise ThbError(f"{what}: columns without a type ({', '.join(void)}); the input must "
                       "come from the store's Parquet files, never from an untyped frame")
    return frame


class SparkLinkModel(LinkModel):
    """`LinkModel` on Spark: the same settings, training, scoring and saved model.

    `folder`: the Parquet hand-off (default: the store's `<file>.parquet/`);
    `master`: the Spark master (`local[*]`, `spark://host:7077`, `yarn`).
    """

    def __init__(self, db: Database, *, master: str = DEFAULT_MASTER,
                 folder: Path | None = None, spark: SparkSession | None = None,
                 **kwargs: Any) -> None:
        super().__init__(db, **kwargs)
        self.master = master
        self.folder = folder
        self.spark = spark
        self._work: Path | None = None
        self._views: list[str] = []
        self._canonical: dict[str, Any] = settings()

    # -- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> SparkLinkModel:  # noqa: D105
        from splink import SparkAPI

        from thbmonitor.store.parquet import LINK_TABLES, exchange_folder, export_parquet

        self._splink_log_level = logging.getLogger("splink").level
        logging.getLogger("splink").setLevel(logging.ERROR)
        folder = self.folder or (exchange_folder(self.db) if self.db.path else None)
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix="thb-spark-"))
        self.folder = folder
        try:
            export_parquet(self.db, folder, LINK_TABLES)
            self._work = Path(tempfile.mkdtemp(prefix="work-", dir=folder))
            self._work.chmod(0o700)
            spark = self.spark or spark_session(self.master)
            self.spark = spark
            spark.sparkContext.setCheckpointDir(str(self._work / "checkpoints"))
            reports = _typed(spark.read.parquet(str(folder / "reports.parquet")), "reports")
            reports.createOrReplaceTempView("reports")
            sql = spark_sql(INPUT_SQL.format(reports="reports", cap=int(self.block_cap)),
                            statement=True)
            link_input = _typed(spark.sql(sql), "the model's input").persist()
            link_input.createOrReplaceTempView("link_input")
            self._views += ["reports", "link_input"]
            self._api = SparkAPI(spark_session=spark, break_lineage_method="persist",
                                 num_partitions_on_repartition=max(
                                     2, int(spark.conf.get("spark.sql.shuffle.partitions") or 2)))
            spec = self.model_ if self.model_ is not None else self._canonical
            if self.model_ is not None:
                self._canonical = self.model_
            self._linker = self._new_linker(spec)
            self._register_term_frequencies()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _register_term_frequencies(self) -> None:
        """As `LinkModel`: a token's frequency without the report itself."""
        assert self.spark is not None
        for column in TF_COLUMNS:
            table = f"link_tf_{column}"
            self.spark.sql(
                f"SELECT {column}, greatest(count(*) - 1, 1) / "
                f"(SELECT count(*) FROM link_input) AS tf_{column} FROM link_input "
                f"WHERE {column} IS NOT NULL GROUP BY {column}").createOrReplaceTempView(table)
            self._views.append(table)
            frame = self._api.register(table)
            self._linker.table_management.register_term_frequency_lookup(frame, column)

    def _new_linker(self, spec: dict[str, Any]) -> Any:
        from splink import Linker

        rendered = spec if spec.get("sql_dialect") == "spark" else spark_settings(spec)
        return Linker(self._api.register("link_input"), rendered, log_level=None,
                      validate_settings=False)

    def __exit__(self, *exc: object) -> None:
        if self.spark is not None:
            for view in self._views:
                self.spark.catalog.dropTempView(view)
            self.spark.catalog.clearCache()
        self._views = []
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)
            self._work = None
        self._linker = None
        logging.getLogger("splink").setLevel(self._splink_log_level)

    # -- the workflow ------------------------------------------------------------

    def _scalar(self, sql: str) -> Any:
        assert self.spark is not None
        return self.spark.sql(sql).collect()[0][0]

    def count_reports(self) -> int:
        return int(self._scalar("SELECT count(*) FROM link_input"))

    def fit(self) -> SparkLinkModel:
        super().fit()
        if self.model_ is not None and self.model_.get("sql_dialect") == "spark":
            self.model_ = duckdb_model(self.model_, self._canonical)
        return self

    def _has_deterministic_pair(self) -> bool:
        from thbmonitor.link.comparisons import DETERMINISTIC_RULES

        exists = " OR ".join(
            "EXISTS (SELECT 1 FROM link_input l JOIN link_input r ON l.unique_id < r.unique_id "
            f"AND {spark_sql(rule)})" for rule in DETERMINISTIC_RULES)
        return bool(self._scalar(f"SELECT {exists}"))

    def _expected_matches(self, model: dict[str, Any]) -> float:
        predictions = self._new_linker(model).inference.predict(warning_mode="never")
        value = self._scalar(
            f"SELECT coalesce(sum(match_probability), 0) FROM {predictions.physical_name}")
        predictions.drop_table_from_database_and_remove_from_cache()
        return float(value or 0.0)

    def score(self, threshold_probability: float) -> Scored:
        """Pairs at or above `threshold_probability`, as `LinkModel.score`."""
        from thbmonitor.link.comparisons import COMPARISON_NAMES

        assert self.spark is not None
        if self.count_reports() < 2:
            return Scored(_empty_pairs(), self.model_ or {}, 0)
        spec = dict(self.model_ or self._canonical)
        predictions = self._new_linker(spec).inference.predict(warning_mode="never")
        table = predictions.physical_name
        scored = int(self._scalar(f"SELECT count(*) FROM {table}"))
        at_least = f"match_probability >= {float(threshold_probability)!r}"
        above = int(self._scalar(f"SELECT count(*) FROM {table} WHERE {at_least}"))
        if above > DRIVER_MAX_PAIRS:
            predictions.drop_table_from_database_and_remove_from_cache()
            raise UsageError(
                f"{above:,} scored pairs do not fit the driver (at most {DRIVER_MAX_PAIRS:,}); "
                "run the linkage on the cluster with `cluster_on_spark` (docs/scale.md)")
        parts = ", ".join(f"round(mw_{c}, 6) AS w_{c}" for c in COMPARISON_NAMES)
        frame = self.spark.sql(
            f"SELECT CAST(unique_id_l AS BIGINT) AS l, CAST(unique_id_r AS BIGINT) AS r, "
            f"round(match_weight, 6) AS match_weight, match_probability, {parts} FROM {table} "
            f"WHERE {at_least} ORDER BY l, r"
        ).toPandas()
        predictions.drop_table_from_database_and_remove_from_cache()
        frame = frame.astype({"l": "int64", "r": "int64"})
        return Scored(pd.DataFrame(frame), self.model_ or {}, scored)


def engine_model(engine: str, master: str | None, duckdb_model: type[LinkModel]
                 ) -> Any:
    """The model class of an engine (`link_persons`' one hook): DuckDB's, or Spark's."""
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    if engine == "duckdb":
        return duckdb_model

    def spark_model(db: Database, **kwargs: Any) -> SparkLinkModel:
        return SparkLinkModel(db, master=master or DEFAULT_MASTER, **kwargs)

    return spark_model
