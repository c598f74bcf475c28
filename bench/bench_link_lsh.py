"""Locality-sensitive hashing on the name Bloom filters as a blocking rule (issue 16 step 4).

Hamming-band LSH: `BANDS` bands of `ROWS` bit positions of the whole-name Bloom filter
(positions drawn with the seeded generator), each band a blocking key together with the
filter's birth salt (year and month: filters of other salts do not compare, issue 11),
at most `BLOCK_CAP` reports per key. For FEBRL4, the demo data and the synthetic
population at scale 15.69: the candidate-pair recall of the model's rules
(`comparisons.BLOCKING_RULES`) alone and with the bands, and the pairs they add.

Measured 2026-12-01 (docs/linkage.md, session of the evening), 8 bands of 12 bits:
FEBRL4 +4 true pairs (recall 0.9792 -> 0.9800) for +2,475 pairs; the demo data +0 for
+3,008; 108,103 reports +6 (0.9874 -> 0.9877) for +751,630. So the bands are not a
rule of the model: under the birth salt they pair only reports of one birth month,
which the date-of-birth and Metaphone-and-year rules already pair.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from bench.link_eval import febrl_set, synth_set
from bench.results import write_section
from thbmonitor.link.blocking import candidate_pairs_sql
from thbmonitor.link.comparisons import BLOCK_CAP
from thbmonitor.link.splink_model import LinkModel
from thbmonitor.store import Database

BANDS, ROWS, SEED = 8, 12, 20241016


def _band_sql(bands: int, rows: int) -> str:
    rng = random.Random(SEED)
    keys = []
    for band in range(bands):
        bits = " || ".join(f"get_bit(name_bloom, {p})::VARCHAR"
                           for p in rng.sample(range(1024), rows))
        keys.append(f"CASE WHEN name_bloom IS NOT NULL THEN birth_year || '-' || "
                    f"coalesce(birth_month, 0) || ':' || {bits} END AS k{band}")
    return f"SELECT unique_id, {', '.join(keys)} FROM link_input"


def measure(db_path: Path, truth: pd.DataFrame) -> dict[str, int]:
    copy = db_path.with_name("lsh.duckdb")
    shutil.copyfile(db_path, copy)
    with Database(copy) as db, LinkModel(db) as model:
        cur = model.cursor
        cur.execute(f"CREATE TABLE lsh_keys AS {_band_sql(BANDS, ROWS)}")
        capped = ", ".join(f"CASE WHEN count(*) OVER (PARTITION BY k{b}) <= {BLOCK_CAP} "
                           f"THEN k{b} END AS b{b}" for b in range(BANDS))
        cur.execute(f"CREATE TABLE lsh AS SELECT unique_id, {capped} FROM lsh_keys")
        cur.register("truth_frame", truth)
        cur.execute("CREATE TABLE ids AS SELECT i.unique_id, t.true_id FROM link_input i "
                    "JOIN truth_frame t USING (source) WHERE t.report_id = i.report_id")
        bands = " UNION ".join(
            f"SELECT l.unique_id AS l, r.unique_id AS r FROM lsh l JOIN lsh r "
            f"ON l.unique_id < r.unique_id AND l.b{b} = r.b{b}" for b in range(BANDS))

        def count(sql: str) -> tuple[int, int]:
            row = cur.execute(
                f"WITH c AS ({sql}) SELECT count(*), count(*) FILTER "
                "(WHERE a.true_id = b.true_id) FROM c JOIN ids a ON a.unique_id = c.l "
                "JOIN ids b ON b.unique_id = c.r").fetchone()
            return (int(row[0]), int(row[1])) if row else (0, 0)

        true_pairs = int(cur.execute("SELECT sum(k * (k - 1) // 2) FROM (SELECT count(*) k "
                                     "FROM ids GROUP BY true_id)").fetchone()[0])  # type: ignore[index]
        rules = count(candidate_pairs_sql())
        union = count(f"{candidate_pairs_sql()} UNION {bands}")
    copy.unlink(missing_ok=True)
    return {"true_pairs": true_pairs, "rule_pairs": rules[0], "rule_true": rules[1],
            "union_pairs": union[0], "union_true": union[1]}


def run() -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="thb-bench-link-lsh-") as tmp:
        work = Path(tmp)
        sets = [("FEBRL4", *febrl_set(work / "febrl")),
                ("demo data (scale 1)", *synth_set(work / "demo", 1.0)),
                ("synthetic, scale 15.69", *synth_set(work / "synth", 15.69))]
        for name, db_path, truth in sets:
            m = measure(db_path, truth)
            t = m["true_pairs"]
            rows.append(f"| {name} | {m['rule_pairs']:,} | {m['rule_true'] / t:.4f} | "
                        f"{m['union_pairs']:,} | {m['union_true'] / t:.4f} | "
                        f"+{m['union_true'] - m['rule_true']:,} |")
    write_section("link_lsh", (
        "## Hamming-band LSH on the name Bloom filters (`bench/bench_link_lsh.py`)\n\n"
        f"{BANDS} bands of {ROWS} bits with the birth salt, at most {BLOCK_CAP} reports per "
        "key, against the model's blocking rules.\n\n"
        "| data | rule pairs | candidate recall | with bands: pairs | candidate recall | "
        "true pairs added |\n| --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"))
