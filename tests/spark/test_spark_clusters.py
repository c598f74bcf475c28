"""Clustering distributed on Spark gives the persons of the driver's clustering."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from thbmonitor.ingest.pseudonymise import Pseudonymiser
from thbmonitor.ingest.staging import birth_tokens
from thbmonitor.link.clusters import cluster
from thbmonitor.link.spark_engine import birth_text, cluster_on_spark


def _graph(seed: int, n: int = 300) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    source = rng.integers(0, 4, n)
    ref = np.where(rng.random(n) < 0.3, rng.integers(0, 60, n), -1)
    births = rng.choice(["19900102", "19900201", "19900103", "19851111", ""], n)
    left = rng.integers(0, n, 3 * n)
    right = (left + rng.integers(1, 12, 3 * n)) % n
    keep = left != right
    left, right = np.minimum(left, right)[keep], np.maximum(left, right)[keep]
    weight = np.round(rng.normal(8, 3, len(left)), 2)  # ties on purpose
    must = [(int(a), int(b)) for a, b in rng.integers(0, n, (4, 2)) if a != b]
    cannot = [(int(a), int(b)) for a, b in rng.integers(0, n, (6, 2)) if a != b]
    return {"n": n, "source": source, "ref": ref, "births": births, "left": left,
            "right": right, "weight": weight, "must": must, "cannot": cannot}


def _partition(labels: np.ndarray | pd.Series) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(np.asarray(labels)):
        groups.setdefault(int(label), []).append(i)
    return sorted(groups.values())


def test_distributed_clustering_equals_the_drivers(spark: Any) -> None:
    # one graph of 300 reports: a few seconds a round of the components on local[2]
    for seed in (1,):
        g = _graph(seed)
        pseudo = Pseudonymiser(bytes(32))
        births = [None if not b else (lambda t: (t[0], t[1], frozenset(t[2])))(
            birth_tokens(pseudo, date(int(b[:4]), int(b[4:6]), int(b[6:]))))
            for b in g["births"].tolist()]
        labels, stats = cluster(g["n"], (g["left"], g["right"], g["weight"]), g["source"],
                                g["ref"], must=g["must"], cannot=g["cannot"], births=births)
        assert stats.refused_source + stats.refused_birth + stats.refused_ref > 0  # constrained
        reports = spark.createDataFrame(pd.DataFrame({
            "rid": np.arange(g["n"], dtype=np.int64), "source_code": g["source"].astype("int64"),
            "ref_code": g["ref"].astype("int64"),
            "birth": [None if b is None else birth_text(b) for b in births]}),
            "rid bigint, source_code bigint, ref_code bigint, birth string")
        edges = spark.createDataFrame(pd.DataFrame({
            "l": g["left"].astype("int64"), "r": g["right"].astype("int64"),
            "match_weight": g["weight"]}), "l bigint, r bigint, match_weight double")
        pairs = "l bigint, r bigint"
        must = spark.createDataFrame(pd.DataFrame(g["must"], columns=["l", "r"]), pairs)
        cannot = spark.createDataFrame(pd.DataFrame(g["cannot"], columns=["l", "r"]), pairs)
        got = cluster_on_spark(spark, reports, edges, must=must, cannot=cannot).toPandas()
        got = got.sort_values("rid")
        assert got["rid"].tolist() == list(range(g["n"]))
        assert _partition(got["label"]) == _partition(labels), seed
