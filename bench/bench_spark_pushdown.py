"""Spark's scoring with and without the threshold pushed down (`spark_engine._predict`).

Splink filters its predictions on the match weight. Spark's optimizer rule
`PushDownPredicates` moves that filter below the projections, replacing each alias by
its expression, into the join of each candidate pair with its two reports, where every
comparison is evaluated for every pair without the projections' elimination of common
expressions. `SparkLinkModel._predict` plans the
predictions without the rule (`_threshold_not_pushed_down`); the baseline is the
same linkage with the rule on (`LinkModel._predict`, as before).

Data: 108,103 synthetic reports (`synth.generate(scale=15.69)`, every kind the linkage
reads, imported and linked with exact keys, not timed). DuckDB trains and scores once;
its model is then scored on Spark (`local[2]`) twice, each in a fresh process on its
own copy of the store: with the fix, and the baseline. Time of the whole process and
of each stage of `link_persons`, peak memory (Python and the JVM), and whether the
persons are the same as DuckDB's.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.bench_spark import _prepare, _scored_variants, _variants_text
from bench.results import write_section

SCALE = 15.69  # 108,103 reports with the default seed
TIMEOUT = 3600.0
#: The baseline: scoring as before the fix, with Spark's predicate pushdown on.
BASELINE = ("from thbmonitor.link.spark_engine import SparkLinkModel\n"
            "from thbmonitor.link.splink_model import LinkModel\n"
            "SparkLinkModel._predict = LinkModel._predict\n")


def run() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-pushdown-"))
    try:
        db_path, truth, n, _ = _prepare(work, SCALE)
        duck, rows = _scored_variants(
            db_path, truth, work,
            (("Spark, threshold not pushed down (now)", ""),
             ("Spark, threshold pushed down (baseline)", BASELINE)), TIMEOUT)
        text = _variants_text(
            "Spark's scoring: the threshold not pushed down (`bench/bench_spark_pushdown.py`)",
            n, duck.get("pairs_scored"), "Spark's `PushDownPredicates` on, as before "
            "`spark_engine._threshold_not_pushed_down`.", rows)
        print(text, flush=True)
        write_section("spark_pushdown", text)
    finally:
        shutil.rmtree(work, ignore_errors=True)
