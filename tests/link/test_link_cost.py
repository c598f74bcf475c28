"""What scoring costs, without changing what it scores.

Defects (issue 16, item 7 and the five-minute target, measured 2026-12-02): `thb link` on
FEBRL4 took 16.8 s of CPU, 9.1 s of it Splink's u-sampling of a million random pairs,
where the name comparison computed about twenty Dice similarities per pair although 999
of 1,000 random pairs carry two birth salts, under which Bloom filters do not compare
(4.0 s per million pairs; 0.29 s behind a guard). At 1,080,174 reports Splink's own
blocking took 60 s for the 10,100,652 candidate pairs that the same joins on the keys
alone give in 10 s. Here: the guard is on every comparison of Bloom filters and changes
no pair's level, and the pairs blocked here are Splink's own, with the same scores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from link_data import Linked, copy_db

from thbmonitor.link.blocking import rule_pairs_sql
from thbmonitor.link.comparisons import BLOCKING_RULES, ONE_DIGIT_POSSIBLE, SAME_SALT, settings
from thbmonitor.link.splink_model import LinkModel, level_counts_sql
from thbmonitor.store import Database

GUARDS = (f"(CASE WHEN {SAME_SALT} THEN ", f"(CASE WHEN {ONE_DIGIT_POSSIBLE} THEN ")


def _unguarded(sql: str) -> str:
    """`sql` with every guard taken out: the comparison as it was before the guards."""
    for guard in GUARDS:
        sql = sql.replace(guard, "(")
    return sql.replace(" END)", ")")


def _levels(spec: dict, comparison: str) -> list[dict]:
    return next(c["comparison_levels"] for c in spec["comparisons"]
                if c["output_column_name"] == comparison)


def _outside(sql: str, guard: str) -> str:
    """`sql` without each part that `guard` opens (up to its matching parenthesis)."""
    while (start := sql.find(guard)) >= 0:
        depth, end = 0, start
        for end in range(start, len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            if depth == 0:
                break
        sql = sql[:start] + sql[end + 1:]
    return sql


def test_every_bloom_comparison_is_behind_the_salt_guard() -> None:
    spec = settings()
    compared = 0
    for level in _levels(spec, "name"):
        sql = level["sql_condition"]
        compared += "bit_count(" in sql
        assert "bit_count(" not in _outside(sql, GUARDS[0]), level["label_for_charts"]
    assert compared >= 8
    near = [lv for lv in _levels(spec, "birth") if "dob_near" in lv["sql_condition"]]
    assert near and all("dob_near" not in _outside(lv["sql_condition"], GUARDS[1])
                        for lv in near)


@pytest.fixture(scope="module")
def demo(synth_linked: Linked, tmp_path_factory: pytest.TempPathFactory):
    """A LinkModel open on a copy of the demo store, with the model of its linkage run."""
    path = copy_db(synth_linked.db_path, tmp_path_factory.mktemp("cost"))
    with Database(path) as db:
        model = json.loads(db.rows("SELECT model FROM link_runs WHERE model IS NOT NULL "
                                   "ORDER BY started_at DESC LIMIT 1")[0][0])
        with LinkModel(db, seed=7, model=model) as linker:
            yield linker, model


def test_the_guards_change_no_level_of_random_pairs(demo) -> None:
    """About 220,000 pairs of the demo's reports, most across birth salts: each pair in the
    same level of the name and of the birth comparison with the guards and without."""
    linker, model = demo
    pairs = ("SELECT a.unique_id AS l, b.unique_id AS r FROM link_input a JOIN link_input b "
             "ON a.unique_id % 7 = 1 AND b.unique_id % 7 = 2 AND a.unique_id < b.unique_id")
    unguarded = json.loads(json.dumps(model))
    for comparison in unguarded["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = _unguarded(level["sql_condition"])
    assert unguarded != model
    for comparison in ("name", "birth"):
        with_guards = linker.cursor.execute(level_counts_sql(model, comparison, pairs)).fetchall()
        without = linker.cursor.execute(level_counts_sql(unguarded, comparison, pairs)).fetchall()
        assert sorted(with_guards) == sorted(without), comparison
        assert sum(n for _, n in with_guards) > 200_000
        assert len(with_guards) >= 5  # the pairs reach many levels, not only the last


def test_pairs_blocked_here_are_splinks_own_with_the_same_scores(demo) -> None:
    linker, model = demo
    ours = linker._predict(model)
    theirs = linker._new_linker(model).inference.predict(warning_mode="never")
    columns = "match_key, unique_id_l, unique_id_r, match_weight"
    rows = [linker.cursor.execute(f"SELECT {columns} FROM {p.physical_name} ORDER BY 2, 3")
            .fetchall() for p in (ours, theirs)]
    assert len(rows[0]) > 20_000
    assert rows[0] == rows[1]
    assert {key for key, *_ in rows[0]} == {key for key, *_ in rows[1]} and len(
        {key for key, *_ in rows[0]}) > 5


def test_blocked_pairs_table_is_dropped_after_scoring(demo, tmp_path: Path) -> None:
    linker, model = demo
    linker._predict(model)
    tables = {t for (t,) in linker.cursor.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
    ).fetchall()}
    assert "link_blocked_pairs" not in tables


def test_pairs_of_each_rule_from_its_blocks_are_those_of_its_join(demo) -> None:
    """`rule_pairs_sql` counts a rule of equalities from its blocks' sizes (what the 5M
    benchmark can afford); each count is the one of the rule's own self-join on the demo."""
    linker, _ = demo
    from_blocks = 0
    for rule in BLOCKING_RULES:
        pairs, largest = linker.cursor.execute(rule_pairs_sql(rule)).fetchone()
        joined = linker.cursor.execute(
            "SELECT count(*) FROM link_input l JOIN link_input r "
            f"ON l.unique_id < r.unique_id AND ({rule})").fetchone()[0]
        assert pairs == joined, rule
        if largest is not None:
            from_blocks += 1
            assert largest >= 2 and pairs >= largest - 1, rule
    # the equality rules (1 to 13, 17) are counted from blocks, not joined
    assert from_blocks == 14


def test_scoring_keeps_the_pairs_above_the_threshold_and_counts_them_all(demo) -> None:
    """Splink keeps only the pairs at about the threshold and above (all the candidate
    pairs were kept before, with every comparison's columns): the same pairs at and above
    it as filtering all of them, one exactly at it included, and every candidate counted."""
    linker, model = demo
    full = linker._predict(model)
    cursor, table = linker.cursor, full.physical_name
    total = cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    # a threshold that is exactly one pair's probability, among the pairs of middling ones
    at = cursor.execute(f"SELECT quantile_disc(match_probability, 0.5) FROM {table} "
                        "WHERE match_probability BETWEEN 0.05 AND 0.95").fetchone()[0]
    expected = cursor.execute(
        f"SELECT unique_id_l, unique_id_r, round(match_weight, 6) FROM {table} "
        "WHERE match_probability >= ? ORDER BY 1, 2", [at]).fetchall()
    full.drop_table_from_database_and_remove_from_cache()
    kept = linker._predict(model, at)
    kept_rows = cursor.execute(f"SELECT count(*) FROM {kept.physical_name}").fetchone()[0]
    kept.drop_table_from_database_and_remove_from_cache()
    scored = linker.score(at)
    assert total > 20_000 and len(expected) < total / 2
    assert len(expected) <= kept_rows < total
    assert scored.scored == total == linker.blocked_pairs
    assert [(int(a), int(b), float(w)) for a, b, w in scored.pairs[
        ["l", "r", "match_weight"]].itertuples(index=False)] == [
        (int(a), int(b), float(w)) for a, b, w in expected]
    assert (scored.pairs["match_probability"] == at).any()
