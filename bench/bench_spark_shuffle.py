"""Spark's linkage with the model's input held apart from its plan (`spark_engine._held`).

The model's input is eight window functions over the reports, each its own shuffle of every
report; Spark keeps a shuffle's files while a plan that reads them is referenced, and the
persisted input's plan was. At 5,399,072 reports the disk under Spark's local folder filled
during the scoring (section `spark`). The baseline is the code before the change
(`BASELINE`: the input persisted with its plan).

Data: 1,080,174 synthetic reports (`bench_spark.SIZES`, kept in `THB_BENCH_SPARK_DATA`
like `bench_spark` when set). DuckDB trains and scores once; its model is then scored on
Spark (`local[2]`) twice, each in a fresh process on its own copy of the store: with the
change, and the baseline. Time of the whole process and of each stage of `link_persons`,
peak memory (Python and the JVM) and the peak growth of the temporary file system (Spark's
local folder and the run's Parquet folder are on it), sampled every 5 s; whether the
persons are DuckDB's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from bench.bench_spark import POOLED, SIZES, _kept, _prepare, _scored_variants, _variants_text
from bench.results import write_section

SIZE = 1_000_000
TIMEOUT = 3600.0
#: The baseline: the code before the change, patched back into the measured process.
BASELINE = """
import thbmonitor.link.spark_engine as _engine
def _persisted(frame):
    frame = frame.persist()
    frame.count()
    return frame
_engine._held = _persisted
_engine._release_shuffles = lambda spark: None
"""


def run() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-shuffle-"))
    kept = os.environ.get("THB_BENCH_SPARK_DATA")
    try:
        if kept:
            db_path, truth, n, _ = _kept(Path(kept) / str(SIZE), SIZES[SIZE], POOLED.get(SIZE))
        else:
            db_path, truth, n, _ = _prepare(work, SIZES[SIZE])
        duck, rows = _scored_variants(
            db_path, truth, work,
            (("Spark, input held (now)", ""),
             ("Spark, input persisted with its plan (baseline)", BASELINE)), TIMEOUT)
        text = _variants_text(
            "Spark's linkage: the model's input held apart from its plan "
            "(`bench/bench_spark_shuffle.py`)",
            n, duck.get("pairs_scored"), "the model's input persisted with its plan, as "
            "before `spark_engine._held`. Temporary disk: the peak growth of the file system "
            "of the temporary folder (Spark's local folder, the run's Parquet copy of the "
            "reports), sampled every 5 s.", rows)
        print(text, flush=True)
        write_section("spark_shuffle", text)
    finally:
        shutil.rmtree(work, ignore_errors=True)
