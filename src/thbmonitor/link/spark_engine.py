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
connected components of the links on Spark (`connected_components`, each
round checkpointed) and runs the constrained clustering of `clusters.py` inside each component in
parallel (`applyInPandas`). The constraints only ever refuse merges within a
component, so both give the same persons.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from thbmonitor.errors import ThbError, UsageError
from thbmonitor.link.comparisons import (
    TF_COLUMNS,
    input_sql,
    settings,
)
from thbmonitor.link.dialect import duckdb_model, spark_settings, spark_sql
from thbmonitor.link.splink_model import (
    FULL_NAME_TF_SQL,
    LinkModel,
    Scored,
    _empty_pairs,
    level_counts,
)
from thbmonitor.store import Database
from thbmonitor.store.parquet import Exchange, remove_run_folder

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

    # Python workers (the clustering's applyInPandas) run this interpreter, which has
    # thbmonitor installed; Spark's default is whatever `python3` is on the PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    builder = (SparkSession.builder.master(master).appName("thbmonitor")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.jars", similarity_jar_location())
               .config("spark.driver.memory", os.environ.get("THB_SPARK_DRIVER_MEMORY", "4g")))
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
    # Splink's Scala UDFs (damerau_levenshtein, ...), as its SparkAPI registers them, so that
    # the rendered SQL also runs outside a Splink linker (the figures, the tests)
    from splink.internals.spark.jar_location import get_scala_udfs

    for name, java_class, kind in get_scala_udfs():
        session.udf.registerJavaFunction(name, java_class, kind)
    return session


def _typed(frame: DataFrame, what: str) -> DataFrame:
    """`frame`, refused when a column has no type (Spark's void / NullType)."""
    from pyspark.sql.types import NullType

    void = [f.name for f in frame.schema.fields if isinstance(f.dataType, NullType)]
    if void:
        raise ThbError(f"{what}: columns without a type ({', '.join(void)}); the input must "
                       "come from the store's Parquet files, never from an untyped frame")
    return frame


#: Spark's optimizer rule that moves a filter below the projections it reads (Catalyst).
PUSH_DOWN_PREDICATES = "org.apache.spark.sql.catalyst.optimizer.PushDownPredicates"


@contextmanager
def _threshold_not_pushed_down(spark: SparkSession) -> Iterator[None]:
    """Predictions planned without `PUSH_DOWN_PREDICATES` (Splink persists them as it
    plans them, so the rule is off while they are planned, and only then).

    Splink filters its predictions on the match weight, a projection of the comparison
    levels, which are projections of the comparisons. Pushed down, the filter has every
    alias replaced by its expression and is evaluated in the join of each candidate pair
    with its two reports, without the projections' elimination of common expressions, and
    the comparisons once more above it: two thirds of the scoring's sampled time was the
    Dice (`zip_with`) in that join, and the plan wrote the Dice twice as often. At 108,103
    reports (1,280,622 pairs) the scoring's largest stage took 394 s with the rule and
    14 s without it, with the same persons (bench/RESULTS.md, section `spark_pushdown`)."""
    key = "spark.sql.optimizer.excludedRules"
    before = spark.conf.get(key, None)
    spark.conf.set(key, ",".join(rule for rule in (before, PUSH_DOWN_PREDICATES) if rule))
    try:
        yield
    finally:
        if before:
            spark.conf.set(key, before)
        else:
            spark.conf.unset(key)


#: Keys sampled per range for the bounds of `_numbered`: ranges within a few per cent of
#: each other's size.
SAMPLE_PER_RANGE = 1000


def _numbered(reports: DataFrame, ranges: int) -> DataFrame:
    """The keys (source, report_id) of `reports` with `unique_id`, each report's place in
    their order from 0: the numbers of DuckDB's `UNIQUE_ID_SQL`, computed in parallel.

    `row_number() OVER (ORDER BY ...)`, a window over all rows, moves every row to one
    partition: at 5,399,072 reports one task on one core built the whole input of the
    model: 7.5 minutes of CPU before a second task ran (2026-12-03). Here the keys are cut
    into about `ranges` ranges at bounds taken from a sample (`SAMPLE_PER_RANGE` keys per
    range), numbered within each range side by side, and each range's numbers offset by
    the count of the ranges before it. The bounds are literals, so a part Spark computes
    again (a lost executor) falls in the same range; the numbers do not depend on where
    the bounds fall. Returned persisted: the caller unpersists it.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812

    keys = reports.select("source", "report_id")
    n = keys.count()
    fraction = min(1.0, 2 * SAMPLE_PER_RANGE * ranges / max(n, 1))
    sample = sorted((r.source, r.report_id) for r in keys.sample(fraction=fraction, seed=0)
                    .collect())
    bounds = sorted({sample[len(sample) * i // ranges] for i in range(1, ranges)}
                    if len(sample) >= ranges else set())
    source, report_id = F.col("source"), F.col("report_id")
    ranged = keys.withColumn("_range", sum(
        (F.when((source > F.lit(s)) | ((source == F.lit(s)) & (report_id >= F.lit(r))), 1)
         .otherwise(0) for s, r in bounds), F.lit(0)))
    counts = sorted((int(k), int(c)) for k, c in ranged.groupBy("_range").count().collect())
    offsets, before = [], 0
    for k, c in counts:  # a range's offset: the reports of the ranges before it
        offsets += [F.lit(k), F.lit(before)]
        before += c
    offset = F.create_map(*offsets) if offsets else F.lit(None).cast("map<int,bigint>")
    within = Window.partitionBy("_range").orderBy("source", "report_id")
    numbered = ranged.withColumn(
        "unique_id", (offset[F.col("_range")] + F.row_number().over(within) - 1)
        .cast("bigint")).drop("_range")
    numbered.persist().count()
    return numbered


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
        self._exchange: Exchange | None = None
        self._run: Path | None = None
        self._blocked: DataFrame | None = None
        self._canonical: dict[str, Any] = settings()

    # -- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> SparkLinkModel:  # noqa: D105
        from splink import SparkAPI

        from thbmonitor.store.parquet import LINK_TABLES, export_parquet, run_folder

        self._splink_log_level = logging.getLogger("splink").level
        logging.getLogger("splink").setLevel(logging.ERROR)
        try:
            # the run's own copy of the reports, in a private folder of the store's Parquet
            # folder (an export made with `thb export parquet` is left as it is)
            self._run = run_folder(self.db, self.folder)
            folder = self._run
            self._exchange = export_parquet(self.db, folder, LINK_TABLES)
            self._work = folder / "work"
            self._work.mkdir(mode=0o700)
            spark = self.spark or spark_session(self.master)
            self.spark = spark
            spark.sparkContext.setCheckpointDir(str(self._work / "checkpoints"))
            reports = _typed(spark.read.parquet(str(folder / "reports.parquet")), "reports")
            keys = _numbered(reports, 2 * int(spark.conf.get("spark.sql.shuffle.partitions")
                                              or 2))
            reports.join(keys, ["source", "report_id"]).createOrReplaceTempView("reports")
            sql = spark_sql(input_sql("reports", self.block_cap, unique_id="unique_id"),
                            statement=True)
            # built while the numbered keys it reads are at hand, then cut from its plan
            link_input = _held(_typed(spark.sql(sql), "the model's input"))
            keys.unpersist()
            _release_shuffles(spark)
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
        """As `LinkModel`: a part's frequency without the report itself, a full name's
        from `FULL_NAME_TF_SQL` rendered for Spark."""
        assert self.spark is not None
        for column in TF_COLUMNS:
            table = f"link_tf_{column}"
            if column in ("name_token", "name_sorted_token"):
                sql = spark_sql(FULL_NAME_TF_SQL.format(column=column), statement=True)
            else:
                sql = (f"SELECT {column}, greatest(count(*) - 1, 1) / "
                       f"(SELECT count(*) FROM link_input) AS tf_{column} FROM link_input "
                       f"WHERE {column} IS NOT NULL GROUP BY {column}")
            self.spark.sql(sql).persist().createOrReplaceTempView(table)
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
        self._blocked = None
        if self._run is not None:  # the run's own copy of the reports: not left behind
            remove_run_folder(self._run)
            self._run = None
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

    def _differs_among_sure_matches(self, column: str) -> float | None:
        """As `LinkModel`: the column's recording error among sure matches."""
        from thbmonitor.link.splink_model import sure_match_differs_sql

        value = self._scalar(sure_match_differs_sql(column))
        return None if value is None else float(value)

    def _reports_with_dob(self) -> int:
        from thbmonitor.link.splink_model import REPORTS_WITH_DOB_SQL

        return int(self._scalar(REPORTS_WITH_DOB_SQL))

    def _level_counts(self, sql: str) -> dict[int, int]:
        """As `LinkModel`: pairs per level index."""
        assert self.spark is not None
        return {int(k): int(n)
                for k, n in self.spark.sql(spark_sql(sql, statement=True)).collect()}

    def _same_salt_share(self) -> float:
        """As `LinkModel`: the share of pairs under one birth salt (year, month)."""
        value = self._scalar(
            "WITH s AS (SELECT count(*) AS c FROM link_input WHERE birth_year IS NOT NULL "
            "GROUP BY birth_year, birth_month), n AS (SELECT count(*) AS n FROM link_input) "
            "SELECT sum(c * (c - 1)) / greatest(first(n) * (first(n) - 1), 1) FROM s, n")
        return float(value) if value else 1.0

    def _expected_matches(self, model: dict[str, Any]
                          ) -> tuple[float, dict[str, dict[str, int]]]:
        """As `LinkModel`: the sum of match probabilities, and the pairs per level."""
        assert self.spark is not None
        predictions = self._predict(model)
        table = predictions.physical_name
        value = self._scalar(f"SELECT coalesce(sum(match_probability), 0) FROM {table}")
        spark = self.spark
        counted = level_counts(model, lambda name: spark.sql(
            f"SELECT mw_{name}, count(*) FROM {table} WHERE mw_{name} <> 0 GROUP BY 1"
        ).collect())
        predictions.drop_table_from_database_and_remove_from_cache()
        return float(value or 0.0), counted

    def _predict(self, spec: dict[str, Any], at_least: float | None = None) -> Any:
        """As `LinkModel._predict`, with Splink's threshold kept where Splink puts it
        (`_threshold_not_pushed_down`)."""
        assert self.spark is not None
        with _threshold_not_pushed_down(self.spark):
            return super()._predict(spec, at_least)

    def _create_blocked_pairs(self, sql: str) -> None:
        """As `LinkModel`: the candidate pairs blocked on the keys alone, rendered for Spark
        and persisted as the view `link_blocked_pairs`, for `LinkModel._predict`."""
        assert self.spark is not None
        if self._blocked is not None:  # an earlier prediction's pairs (training's)
            self._blocked.unpersist()
        self._blocked = self.spark.sql(spark_sql(sql, statement=True)).persist()
        self._blocked.createOrReplaceTempView("link_blocked_pairs")
        if "link_blocked_pairs" not in self._views:
            self._views.append("link_blocked_pairs")

    def _count_blocked_pairs(self) -> int:
        assert self._blocked is not None
        return int(self._blocked.count())

    def score(self, threshold_probability: float) -> Scored:
        """Pairs at or above `threshold_probability`, as `LinkModel.score`."""
        from thbmonitor.link.comparisons import COMPARISON_NAMES

        assert self.spark is not None
        if self.count_reports() < 2:
            return Scored(_empty_pairs(), self.model_ or {}, 0)
        spec = dict(self.model_ or self._canonical)
        predictions = self._predict(spec, threshold_probability)
        table = predictions.physical_name
        scored = self.blocked_pairs
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


def birth_text(birth: tuple[str, str, frozenset[int]]) -> str:
    """A date of birth's keyed tokens (`clusters.Birth`) as one string column for Spark."""
    dob, swap, near = birth
    return f"{dob}|{swap}|{','.join(str(n) for n in sorted(near))}"


def birth_of_text(text: str) -> tuple[str, str, frozenset[int]]:
    """The inverse of `birth_text`."""
    dob, swap, near = text.split("|")
    return dob, swap, frozenset(int(n) for n in near.split(",") if n)


def _held(frame: DataFrame) -> DataFrame:
    """`frame` computed once, checkpointed (`_cut_lineage`) and kept in memory (spilling to
    disk) with the checkpoint as its whole plan.

    The model's input is eight window functions over the reports, each partitioned its own
    way: eight shuffles of every report with all its columns. Spark keeps a shuffle's files
    as long as a plan that reads them is referenced, and a persisted frame's plan is: at
    108,103 reports they were 0.7 GB of the run's 1.8 GB of shuffle files, and a query of
    the scoring computed the windows again; at 5,399,072 reports the disk filled during the
    scoring (bench/RESULTS.md, section `spark`). Cut from its plan, nothing references
    them (`_release_shuffles`) and no later query recomputes them: at 1,080,174 reports
    Spark's linkage took 17.5 GB of temporary disk instead of 23.0 GB, in the same time
    (section `spark_shuffle`)."""
    built = frame.persist()
    held = _cut_lineage(built).persist()
    held.count()
    built.unpersist()
    return held


def _release_shuffles(spark: SparkSession) -> None:
    """Ask the driver's JVM to collect its garbage now: Spark's `ContextCleaner` deletes
    the files of a shuffle once its dependency is garbage, and otherwise waits for a
    collection the driver may not need for a long time (`spark.cleaner.periodicGC.interval`,
    30 minutes). PySpark has no public call for it; `_jvm` is its gateway to the JVM."""
    spark.sparkContext._jvm.java.lang.System.gc()  # type: ignore[union-attr]


def _cut_lineage(frame: DataFrame) -> DataFrame:
    """`frame` materialised with its plan cut: a checkpoint in the session's checkpoint
    folder when it has one (reliable on a cluster), else a local checkpoint."""
    if frame.sparkSession.sparkContext.getCheckpointDir():
        return frame.checkpoint(eager=True)
    return frame.localCheckpoint(eager=True)


def connected_components(nodes: DataFrame, links: DataFrame) -> DataFrame:
    """The connected components of a graph on Spark: `rid`, `component` (its smallest rid).

    `nodes`: `rid` (bigint); `links`: `l`, `r`. Min-label propagation with
    shortcutting (each round a node takes the smallest label among its own, its
    neighbours' and its label's label), so the rounds grow with the logarithm of a
    component's diameter rather than with the diameter. Each round's labels are
    checkpointed, so that the plan stays one round long: without it the plan of
    round k holds every earlier round and Spark's planner runs out of heap on
    its text (Splink's own Spark clustering, with `persist`, did on 300 reports).
    Written here rather than taken from GraphFrames: its jar is not on PyPI and
    would be one more download on a cluster without internet.
    """
    from pyspark.sql import functions as F  # noqa: N812

    pairs = links.select("l", "r").where("l <> r")
    edges = _cut_lineage(pairs.unionByName(pairs.select(F.col("r").alias("l"),
                                                        F.col("l").alias("r"))).distinct())
    labels = _cut_lineage(nodes.select("rid", F.col("rid").alias("label")))
    while True:
        heard = (edges.join(labels.withColumnRenamed("rid", "l"), "l")
                 .select(F.col("r").alias("rid"), "label", F.lit(None).cast("bigint").alias("own")))
        proposed = (labels.select("rid", "label", F.col("label").alias("own"))
                    .unionByName(heard).groupBy("rid")
                    .agg(F.min("label").alias("label"), F.min("own").alias("own")))
        jumped = (proposed.alias("n")
                  .join(proposed.alias("p"), F.col("n.label") == F.col("p.rid"), "left")
                  .select(F.col("n.rid").alias("rid"),
                          F.least(F.col("n.label"),
                                  F.coalesce(F.col("p.label"), F.col("n.label"))).alias("label"),
                          F.col("n.own").alias("own")))
        # the round's labels, materialised; whether any fell is read from them (no join)
        new = _cut_lineage(jumped)
        changed = new.where("label < own").limit(1).count()
        labels = new.select("rid", "label")
        log.debug("connected components: a round, labels changed: %s", bool(changed))
        if not changed:
            break
    edges.unpersist()
    return labels.select("rid", F.col("label").alias("component"))


def cluster_on_spark(spark: SparkSession, reports: DataFrame, edges: DataFrame, *,
                     must: DataFrame | None = None, cannot: DataFrame | None = None,
                     soft_source: bool = True) -> DataFrame:
    """`clusters.cluster` distributed: the same persons, without the links on the driver.

    `reports`: `rid` (bigint), `source_code`, `ref_code` (-1 without a
    person_ref), `birth` (the date of birth's keyed tokens as `dob|swap|near,near,…`, see
    `birth_text`, or NULL); `edges`: `l`, `r`, `match_weight`
    (the pairs at or above the threshold); `must`/`cannot`: reviewers' decisions
    as `l`, `r`. Returns `rid`, `label` (the smallest `rid` of its person).

    Components first, on Spark (`connected_components`), over the links, the
    decisions `same` and the chains of one organisation's `person_ref`
    (everything `cluster` merges unconditionally). The constraints only ever
    refuse a merge inside a component, so `cluster` runs on each component apart,
    in parallel (`applyInPandas`), with the component's edges in the global order
    (weight descending, then report order).
    """
    import numpy as np
    from pyspark.sql import functions as F  # noqa: N812

    from thbmonitor.link.clusters import cluster

    ref_chain = (reports.where("ref_code >= 0")
                 .selectExpr("rid AS r", "min(rid) OVER (PARTITION BY source_code, ref_code) AS l")
                 .where("l <> r"))
    joined = edges.select("l", "r")
    if must is not None:
        joined = joined.unionByName(must.select("l", "r"))
    joined = joined.unionByName(ref_chain.select("l", "r"))
    components = connected_components(reports.select("rid"), joined)
    with_component = reports.join(components, "rid")
    side = components.withColumnRenamed("rid", "l")
    tagged = [edges.select("l", "r", "match_weight").withColumn("kind", F.lit("edge"))]
    for frame, kind in ((must, "must"), (cannot, "cannot")):
        if frame is not None:
            tagged.append(frame.select("l", "r").withColumn("match_weight", F.lit(0.0))
                          .withColumn("kind", F.lit(kind)))
    pairs = tagged[0]
    for frame in tagged[1:]:
        pairs = pairs.unionByName(frame)
    pairs = pairs.join(side, "l")
    rows = with_component.select(
        "component", F.lit("report").alias("kind"), F.col("rid").alias("l"),
        F.lit(None).cast("bigint").alias("r"), F.lit(0.0).alias("match_weight"),
        "source_code", "ref_code", "birth")
    rows = rows.unionByName(pairs.select(
        "component", "kind", "l", "r", "match_weight",
        F.lit(None).cast("bigint").alias("source_code"),
        F.lit(None).cast("bigint").alias("ref_code"), F.lit(None).cast("string").alias("birth")))

    def per_component(frame: pd.DataFrame) -> pd.DataFrame:
        nodes = frame[frame.kind == "report"].sort_values("l")
        rid = nodes["l"].to_numpy(np.int64)
        local = {int(g): i for i, g in enumerate(rid)}

        def index(kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            part = frame[(frame.kind == kind) & frame["r"].isin(local.keys())]
            return (part["l"].map(local).to_numpy(np.int64),
                    part["r"].map(local).to_numpy(np.int64),
                    part["match_weight"].to_numpy(np.float64))

        left, right, weight = index("edge")
        must_l, must_r, _ = index("must")
        cannot_l, cannot_r, _ = index("cannot")
        births = [birth_of_text(b) if isinstance(b, str) else None
                  for b in nodes["birth"].tolist()]
        labels, _ = cluster(
            len(rid), (left, right, weight), nodes["source_code"].to_numpy(np.int64),
            nodes["ref_code"].to_numpy(np.int64), must=zip(must_l, must_r, strict=True),
            cannot=zip(cannot_l, cannot_r, strict=True), soft_source=soft_source,
            births=births if soft_source else None)
        smallest = pd.Series(rid).groupby(labels).transform("min").to_numpy(np.int64)
        return pd.DataFrame({"rid": rid, "label": smallest})

    return rows.groupBy("component").applyInPandas(per_component, "rid bigint, label bigint")
