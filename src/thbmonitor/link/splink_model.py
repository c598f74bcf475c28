"""The probabilistic model, and the only module that imports Splink.

Splink changed its API at every major version; everything it is asked to do
(training, scoring, term frequencies) happens here, so an upgrade touches
this file (and the settings format in `comparisons.py`).

Splink runs on a cursor of the store's own DuckDB connection whose default
catalog is an attached in-memory database, so its working tables never reach
the database file and the reports are read without a copy.
"""

from __future__ import annotations

import json
import logging
import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from splink.internals.exceptions import EMTrainingException

from thbmonitor.errors import ThbError
from thbmonitor.link.blocking import blocked_pairs_sql, candidate_pairs_sql
from thbmonitor.link.comparisons import (
    BLOCK_CAP,
    COMPARISON_NAMES,
    DETERMINISTIC_RECALL,
    DETERMINISTIC_RULES,
    EXACT_SIMILAR,
    FAMILY_ACROSS_SALTS,
    GIVEN_ACROSS_SALTS,
    M_FLOORS,
    SAME_FAMILY_LEVEL,
    SAME_GIVEN_LEVEL,
    SAME_SALT_LEVELS,
    SURE_MIN_PAIRS,
    SURE_PAIRS,
    TF_COLUMNS,
    TRAINING,
    TYPO_ONE,
    WITHIN,
    input_sql,
    settings,
)
from thbmonitor.store import Database
from thbmonitor.store.settings import declared_seed

log = logging.getLogger(__name__)


#: However rare its parts, a full name is expected on at least this many reports of other
#: persons (its term frequency at least this over N). Measured at 1,080,174 synthetic
#: reports: pairs of one full name on two reports, one birth date unknown, whose parts
#: made the name rarer than 1e-8 were matches 66% to 85% of the time where the model
#: said 88% to 99%: a recorded name is not drawn from its nationality's pool alone (a
#: name recorded under another nationality, a family's name, a spelling the pool has
#: not), and a part seen on two reports is rarer in the count than in the world. With
#: the parts over all reports and this floor, the calibration bands from 0.95 up went
#: from 2.5 / 5.0 / 12 times the expected non-matches to 0.89 / 1.23 / 0.81 there, and
#: F1 (from 0.5) from 0.9238 to 0.9298 (docs/linkage.md, 2026-12-02, third part).
FULL_NAME_TF_FLOOR = 0.1

#: Term frequency of a full-name token: the chance that a report of another person bears
#: it, c (p - 1) / (p N), with c its reports, N all reports and p the persons bearing it,
#: estimated as the distinct dates of birth among its reports (at least one): the
#: reports of one person reported many times do not make its name common, and reports
#: without a date are no evidence of another person. At least P(nationality) *
#: P(given | nationality) * P(family | nationality), each part's frequency within the
#: nationality without the report itself (at least one report), the nationality the
#: most common one among the name's reports (unknown is a nationality of its own; of
#: tied ones the smallest code: a plain `mode` took whichever DuckDB's scan met first, so
#: two runs could differ by plan, and Spark's differed from it on 81 of the demo's 5,693
#: names): a name seen on one person only is as rare as its parts within its pool make
#: it, not 1 / N, and the parts are not independent across pools. At least, too, the
#: product of the parts' frequencies over all reports, and FULL_NAME_TF_FLOOR / N.
FULL_NAME_TF_SQL = f"""
WITH r AS (SELECT {{column}} AS token, given_token, family_token, dob,
                  coalesce(nationality, '?') AS nat FROM link_input
           WHERE {{column}} IS NOT NULL),
total AS (SELECT count(*) AS n FROM link_input),
nat AS (SELECT nat, count(*) AS n_nat FROM r GROUP BY nat),
g AS (SELECT nat, given_token, count(*) AS c FROM r GROUP BY nat, given_token),
f AS (SELECT nat, family_token, count(*) AS c FROM r GROUP BY nat, family_token),
g_all AS (SELECT given_token, count(*) AS c FROM r GROUP BY given_token),
f_all AS (SELECT family_token, count(*) AS c FROM r GROUP BY family_token),
full_name AS (SELECT token, count(*) AS c, mode(nat ORDER BY nat) AS nat,
                     greatest(count(DISTINCT dob), 1) AS p,
                     min(given_token) AS given_token, min(family_token) AS family_token
              FROM r GROUP BY token)
SELECT full_name.token AS {{column}},
       greatest(greatest(full_name.c - 2, 0) * (full_name.p - 1) / (full_name.p * total.n),
                (nat.n_nat / total.n) * (greatest(coalesce(g.c, 1) - 1, 1) / nat.n_nat)
                * (greatest(coalesce(f.c, 1) - 1, 1) / nat.n_nat),
                (greatest(coalesce(g_all.c, 1) - 1, 1) / total.n)
                * (greatest(coalesce(f_all.c, 1) - 1, 1) / total.n),
                {FULL_NAME_TF_FLOOR} / total.n) AS tf_{{column}}
FROM full_name CROSS JOIN total
JOIN nat ON nat.nat = full_name.nat
LEFT JOIN g ON g.nat = full_name.nat AND g.given_token = full_name.given_token
LEFT JOIN f ON f.nat = full_name.nat AND f.family_token = full_name.family_token
LEFT JOIN g_all ON g_all.given_token = full_name.given_token
LEFT JOIN f_all ON f_all.family_token = full_name.family_token
"""


class UntrainableError(ThbError):
    """The model cannot be trained on these reports (no duplicates, all identical, ...).

    Not an error of the user's: `link_persons` falls back to the exact-key linkage and
    says why in the result's warnings. The message holds no personal value.
    """


@dataclass
class Scored:
    """Scored pairs: left and right report row numbers, weight, probability, levels."""

    pairs: pd.DataFrame
    model: dict[str, Any]
    scored: int


class LinkModel:
    """Train and apply the Splink model on a store's reports.

    >>> model = LinkModel(db, seed=1)          # doctest: +SKIP
    >>> scored = model.fit().score(0.5)        # doctest: +SKIP
    """

    def __init__(self, db: Database, *, seed: int | None = None,
                 u_pairs: float | None = None, em_pairs: float = 1e6, block_cap: int = BLOCK_CAP,
                 model: dict[str, Any] | None = None) -> None:
        self.db = db
        self.seed = declared_seed() if seed is None else seed
        self.u_pairs = u_pairs
        self.em_pairs = em_pairs
        self.block_cap = block_cap
        self.model_ = model
        self._catalog = f"thb_link_{uuid.uuid4().hex[:8]}"
        self._cursor: duckdb.DuckDBPyConnection | None = None
        self._linker: Any = None
        self._api: Any = None
        self._splink_log_level = logging.NOTSET
        #: the candidate pairs of the last prediction (`_predict`), all of them scored
        self.blocked_pairs = 0

    # -- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> LinkModel:  # noqa: D105
        from splink import DuckDBAPI

        # Splink logs training notes at WARNING ("level not observed"); they are ours to
        # summarise, not the user's to read.
        self._splink_log_level = logging.getLogger("splink").level
        logging.getLogger("splink").setLevel(logging.ERROR)
        main = str(self.db.scalar("SELECT current_database()")).replace('"', '""')
        self.db.execute(f"ATTACH ':memory:' AS {self._catalog}")
        try:
            cursor = self.db.conn.cursor()
            self._cursor = cursor
            cursor.execute(f"USE {self._catalog}")
            cursor.execute("SET enable_progress_bar = false")
            sql = input_sql(f'"{main}".main.reports', self.block_cap)
            cursor.execute("CREATE TABLE link_input AS " + sql)
            self._api = DuckDBAPI(connection=cursor)
            spec = self.model_ if self.model_ is not None else settings()
            self._linker = self._new_linker(spec)
            self._register_term_frequencies()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _register_term_frequencies(self) -> None:
        """Term frequencies of the name tokens, without the pair itself.

        Splink's own table counts every report, so a name borne by one person
        reported twice looks twice as common as it is. Here a part's frequency is
        (reports with it - 1) / reports, at least 1 / reports; a full name's (in
        either order) counts the reports of other persons bearing it, and is at
        least the product of its parts' frequencies within its nationality and over
        all reports, and at least FULL_NAME_TF_FLOOR / reports (`FULL_NAME_TF_SQL`).
        """
        assert self._cursor is not None
        for column in TF_COLUMNS:
            table = f"link_tf_{column}"
            if column in ("name_token", "name_sorted_token"):
                sql = FULL_NAME_TF_SQL.format(column=column)
            else:
                sql = (f"SELECT {column}, greatest(count(*) - 1, 1) / "
                       f"(SELECT count(*) FROM link_input) AS tf_{column} FROM link_input "
                       f"WHERE {column} IS NOT NULL GROUP BY {column}")
            self._cursor.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")
            frame = self._api.register(table)
            self._linker.table_management.register_term_frequency_lookup(frame, column)

    def _new_linker(self, spec: dict[str, Any]) -> Any:
        from splink import Linker

        return Linker(self._api.register("link_input"), spec, log_level=None,
                      validate_settings=False)

    def __exit__(self, *exc: object) -> None:
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None
        self.db.execute(f"DETACH {self._catalog}")
        self._linker = None
        logging.getLogger("splink").setLevel(self._splink_log_level)

    @property
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """The run's cursor: its default catalog holds `link_input` (in memory)."""
        assert self._cursor is not None, "use LinkModel as a context manager"
        return self._cursor

    # -- the workflow ------------------------------------------------------------

    def count_reports(self) -> int:
        assert self._cursor is not None
        row = self._cursor.execute("SELECT count(*) FROM link_input").fetchone()
        return int(row[0]) if row else 0

    def fit(self) -> LinkModel:
        """u by random sampling (seeded), m by EM on each training rule.

        Raises `UntrainableError` when the reports cannot train the model: no pair
        agrees on a deterministic rule (a first delivery, one report per person), or
        Splink's estimation fails on degenerate data (all reports identical: the prior
        is 1 and its match weight infinite).
        """
        linker = self._linker
        n = self.count_reports()
        if n < 2:
            self.model_ = linker.misc.save_model_to_json()
            return self
        if not self._has_deterministic_pair():
            raise UntrainableError(
                f"no two of the {n:,} reports share a full name and date of birth, or a "
                "person reference of one source (typical of a first delivery, one report "
                "per person)")
        try:
            self._fit()
        except (ValueError, ZeroDivisionError, EMTrainingException) as exc:
            # Splink's own messages name rules and parameters, never values.
            log.info("model training failed: %s: %s", type(exc).__name__, exc)
            raise UntrainableError(
                f"Splink cannot estimate the model from these {n:,} reports "
                f"({type(exc).__name__}: {str(exc)[:160]})") from exc
        return self

    def _has_deterministic_pair(self) -> bool:
        """Whether any two reports agree on one of the deterministic rules."""
        assert self._cursor is not None
        exists = " OR ".join(
            "EXISTS (SELECT 1 FROM link_input l JOIN link_input r ON l.unique_id < r.unique_id "
            f"AND {rule})"
            for rule in DETERMINISTIC_RULES)
        row = self._cursor.execute(f"SELECT {exists}").fetchone()
        return bool(row and row[0])

    def _fit(self) -> None:
        linker = self._linker
        linker.training.estimate_probability_two_random_records_match(
            list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL)
        u_pairs = self.u_pairs or u_sample_size(self.count_reports())
        linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=self.seed)
        log.info("u estimated from %.0f random pairs", u_pairs)
        for column in SURE_MATCH_COLUMNS:
            differs = differs_m(column, self._differs_among_sure_matches(column))
            if differs is not None:
                fix_m(linker, column, {f"same {column}": 1 - differs,
                                       f"{column} differs": differs})
        fixed = set()
        spec = linker.misc.save_model_to_json()
        for comparison, rule in SURE_PAIRS:
            pairs = candidate_pairs_sql((rule,))
            sure = self._level_counts(level_counts_sql(spec, comparison, pairs))
            m = sure_m(spec, comparison, sure)
            if m is not None:
                fix_m(linker, comparison, m)
                fixed.add(comparison)
                log.info("m of %s from %d sure pairs", comparison, sum(sure.values()))
        trained: dict[str, dict[str, Any]] = {}
        # EM sums floating-point numbers; on several threads the order of those sums, and
        # so the trained model, changes from run to run. EM runs on one thread, which
        # keeps persons reproducible from data and seed. Everything else gives the same
        # rows on any number of threads (Splink samples u by a hash of the ids and counts
        # integers; each pair's weight is its own sum; the pairs are sorted), so it uses
        # all of them: scoring alone was 315 of 520 s at 1,080,174 reports on one.
        threads = int(self.db.scalar("SELECT current_setting('threads')"))
        self.db.execute("SET threads = 1")
        try:
            for rule, take in TRAINING:
                if set(take) <= fixed:
                    continue
                try:
                    linker.training.estimate_parameters_using_expectation_maximisation(
                        rule, estimate_without_term_frequencies=True, max_pairs=self.em_pairs)
                except EMTrainingException:
                    log.warning("EM session skipped: no pairs for its blocking rule")
                    continue
                log.info("EM session done: %s", rule)
                session = linker.misc.save_model_to_json()
                trained.update({c["output_column_name"]: c for c in session["comparisons"]
                                if c["output_column_name"] in take})
        finally:
            self.db.execute("SET threads = ?", [threads])
        model = linker.misc.save_model_to_json()
        model["comparisons"] = [trained.get(c["output_column_name"], c)
                                for c in model["comparisons"]]
        model = unseen_u(floored_m(cross_salt_m(model)), u_pairs)
        n = self.count_reports()
        if n <= CORRECT_U_MAX_REPORTS:
            expected, counted = self._expected_matches(model)
            model = corrected_u(model, expected, n, counted)
        counts: dict[int, int] = {}
        # at most SAME_SALT_OFFSETS pairs per report with a full date of birth: a store too
        # small to reach the minimum is not sampled at all
        if SAME_SALT_OFFSETS * self._reports_with_dob() >= SAME_SALT_MIN_PAIRS:
            counts = self._level_counts(same_salt_levels_sql(model, self.seed))
        if sum(counts.values()) >= SAME_SALT_MIN_PAIRS:
            model = same_salt_sampled_u(model, counts)
        else:
            model = same_salt_u(model, self._same_salt_share())
        self.model_ = _rounded(model)

    def _differs_among_sure_matches(self, column: str) -> float | None:
        """`sure_match_differs_sql(column)` on this engine."""
        row = self.cursor.execute(sure_match_differs_sql(column)).fetchone()
        return None if not row or row[0] is None else float(row[0])

    def _reports_with_dob(self) -> int:
        row = self.cursor.execute(REPORTS_WITH_DOB_SQL).fetchone()
        return int(row[0]) if row else 0

    def _level_counts(self, sql: str) -> dict[int, int]:
        """`level_counts_sql` on this engine: pairs per level index."""
        return {int(k): int(n) for k, n in self.cursor.execute(sql).fetchall()}

    def _same_salt_share(self) -> float:
        """Share of pairs of reports whose name encodings carry one birth salt (year, month)."""
        row = self.cursor.execute(
            "WITH s AS (SELECT count(*) AS c FROM link_input WHERE birth_year IS NOT NULL "
            "GROUP BY birth_year, birth_month), n AS (SELECT count(*) AS n FROM link_input) "
            "SELECT sum(c * (c - 1)) / greatest(any_value(n) * (any_value(n) - 1), 1) "
            "FROM s, n").fetchone()
        return float(row[0]) if row and row[0] else 1.0

    def _expected_matches(self, model: dict[str, Any]
                          ) -> tuple[float, dict[str, dict[str, int]]]:
        """Expected number of matching pairs (the sum of match probabilities of scored
        pairs), and per comparison the number of scored pairs in each level (by label;
        Splink keeps no level column, so a level is told by its partial weight)."""
        assert self._cursor is not None
        predictions = self._predict(model)
        table = predictions.physical_name
        cursor = self._cursor
        row = cursor.execute(
            f"SELECT coalesce(sum(match_probability), 0) FROM {table}").fetchone()
        counted = level_counts(model, lambda name: cursor.execute(
            f'SELECT "mw_{name}", count(*) FROM {table} WHERE "mw_{name}" <> 0 '
            "GROUP BY 1").fetchall())
        predictions.drop_table_from_database_and_remove_from_cache()
        return (float(row[0]) if row else 0.0), counted

    def _predict(self, spec: dict[str, Any], at_least: float | None = None) -> Any:
        """Splink's predictions of the model `spec` for the candidate pairs of its blocking
        rules, blocked here (`blocking.blocked_pairs_sql`, six times faster than Splink's
        own blocking at a million reports) and handed to Splink with
        `register_blocked_pairs_for_predict`: the same pairs, the same scores.

        `at_least`: only the pairs of about that match probability and more (Splink filters
        on a match weight `PREDICT_MARGIN` below it, so no pair at the probability is left
        out by rounding; the caller filters on the probability itself). The candidate
        pairs, all scored, are counted in `self.blocked_pairs`.
        """
        rules = tuple(rule["blocking_rule"] if isinstance(rule, dict) else str(rule)
                      for rule in spec["blocking_rules_to_generate_predictions"])
        self._create_blocked_pairs(blocked_pairs_sql(rules))
        self.blocked_pairs = self._count_blocked_pairs()
        linker = self._new_linker(spec)
        blocked = linker.table_management.register_blocked_pairs_for_predict(
            self._api.register("link_blocked_pairs"))
        weight = (None if at_least is None or not 0 < at_least < 1
                  else math.log2(at_least / (1 - at_least)) - PREDICT_MARGIN)
        try:
            return linker.inference.predict(threshold_match_weight=weight,
                                            warning_mode="never")
        finally:
            # Splink keeps registered pairs in its connection's cache, for every later
            # linker: dropped from both (also when scoring fails), so a later prediction
            # never scores the pairs of an earlier one
            blocked.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)

    def _create_blocked_pairs(self, sql: str) -> None:
        """The table `link_blocked_pairs` from `sql` (the DuckDB text of the pairs)."""
        self.cursor.execute(f"CREATE OR REPLACE TABLE link_blocked_pairs AS {sql}")

    def _count_blocked_pairs(self) -> int:
        row = self.cursor.execute("SELECT count(*) FROM link_blocked_pairs").fetchone()
        return int(row[0]) if row else 0

    def score(self, threshold_probability: float) -> Scored:
        """Pairs at or above `threshold_probability`, with their comparison levels."""
        assert self._cursor is not None
        if self.count_reports() < 2:
            return Scored(_empty_pairs(), self.model_ or {}, 0)
        # Score with a linker made from the saved model: what is stored is what ran.
        spec = dict(self.model_ or settings())
        # only the pairs at about the threshold and above are kept; all the candidate pairs
        # were, with every comparison's columns, where only those are read (89,225,303 of
        # them at 5,399,072 reports, the run in which Spark's disk filled, 2026-12-03)
        predictions = self._predict(spec, threshold_probability)
        table = predictions.physical_name
        scored = self.blocked_pairs
        parts = ", ".join(f"round(mw_{c}, 6) AS w_{c}" for c in COMPARISON_NAMES)
        frame = self._cursor.execute(
            f"SELECT unique_id_l AS l, unique_id_r AS r, round(match_weight, 6) AS match_weight, "
            f"match_probability, {parts} FROM {table} WHERE match_probability >= ? "
            "ORDER BY l, r", [threshold_probability]).df()
        predictions.drop_table_from_database_and_remove_from_cache()
        return Scored(frame, self.model_ or {}, scored)


def floored_m(model: dict[str, Any],
              floors: tuple[tuple[str, str, float], ...] = M_FLOORS) -> dict[str, Any]:
    """m of each floored level raised to at least its floor (`comparisons.M_FLOORS`),
    the other non-null levels of the comparison scaled down to keep the sum one.

    The name levels across birth salts are left out of that sum: their m is conditional
    on the two names carrying different salts (`cross_salt_m`), the sum of m of the
    levels they stand for; counted in, they shrank every same-salt name level by a
    quarter on FEBRL4 ("exact full name" 0.348 where its same-date pairs show 0.465).
    """
    out = json.loads(json.dumps(model))
    wanted = {(c, label): floor for c, label, floor in floors}
    across = {GIVEN_ACROSS_SALTS, FAMILY_ACROSS_SALTS}
    for comparison in out["comparisons"]:
        name = comparison["output_column_name"]
        levels = [lv for lv in comparison["comparison_levels"]
                  if not lv.get("is_null_level") and lv.get("m_probability") is not None
                  and lv.get("label_for_charts") not in across]
        raised = [lv for lv in levels
                  if float(lv["m_probability"]) < wanted.get((name, lv["label_for_charts"]), 0)]
        if not raised:
            continue
        for level in raised:
            level["m_probability"] = wanted[(name, level["label_for_charts"])]
        fixed = sum(float(lv["m_probability"]) for lv in raised)
        rest = [lv for lv in levels if lv not in raised]
        total = sum(float(lv["m_probability"]) for lv in rest)
        for level in rest:
            level["m_probability"] = float(level["m_probability"]) * (1 - fixed) / total
    return out


def cross_salt_m(model: dict[str, Any]) -> dict[str, Any]:
    """m of the name levels across birth salts, from the levels they stand for.

    EM trains the names on pairs with one date of birth, which always share a salt, so
    it never sees a pair whose encodings do not compare. There, a match with the given
    name exact falls in "given exact, family not comparable" whatever its family name
    (exact apart), so that level's m is the sum of m of the levels it covers: same
    given name and other family name, one family name within the other, and half of
    "one name exact, the other one typo off" and "the other similar" (which part is
    exact is not told apart there); the same for the family name.
    """
    out = json.loads(json.dumps(model))
    for comparison in out["comparisons"]:
        if comparison["output_column_name"] != "name":
            continue
        levels = {lv["label_for_charts"]: lv for lv in comparison["comparison_levels"]}
        m = {label: float(lv.get("m_probability") or 0.0) for label, lv in levels.items()}
        half = (m.get(TYPO_ONE, 0.0) + m.get(EXACT_SIMILAR, 0.0)) / 2
        for label, value in (
                (GIVEN_ACROSS_SALTS, m.get(SAME_GIVEN_LEVEL, 0.0) + m.get(WITHIN, 0.0) + half),
                (FAMILY_ACROSS_SALTS, m.get(SAME_FAMILY_LEVEL, 0.0) + half)):
            if label in levels and value > 0:
                levels[label]["m_probability"] = value
    return out


def same_salt_u(model: dict[str, Any], share: float) -> dict[str, Any]:
    """u of the levels only pairs under one birth salt reach, among such pairs.

    Random pairs fall in a Dice level only when their encodings share a salt (birth
    year and month: about one pair in a thousand), so its sampled u is the joint
    chance of one salt and alike names; that salt is the birth comparison's evidence
    already (same date, same year and month), and counted again through u it gave
    "whole name Dice >= 0.55" 13.5 bits on FEBRL4 instead of 3.2. Here u is divided
    by `share`, the share of pairs with one salt (comparisons.SAME_SALT_LEVELS).
    """
    out = json.loads(json.dumps(model))
    if not 0 < share < 1:
        return out
    for comparison in out["comparisons"]:
        if comparison["output_column_name"] != "name":
            continue
        for level in comparison["comparison_levels"]:
            if level["label_for_charts"] in SAME_SALT_LEVELS and level.get("u_probability"):
                level["u_probability"] = min(float(level["u_probability"]) / share, 1.0)
    return out


#: Reports a pair under one salt can be drawn from (full date of birth, so a month).
REPORTS_WITH_DOB_SQL = ("SELECT count(*) FROM link_input "
                        "WHERE dob IS NOT NULL AND birth_month IS NOT NULL")
#: Pairs under one birth salt sampled for u of the name levels that compare Bloom filters:
#: each report with the next SAME_SALT_OFFSETS reports of its salt in a seeded order.
SAME_SALT_OFFSETS = 5
#: How far below the threshold's match weight Splink's prediction filters (`_predict`):
#: far more than the rounding of a weight, far less than any level's weight.
PREDICT_MARGIN = 0.01
#: Fewer sampled pairs than this (a small store) and u is the whole sample's, divided by the
#: share of pairs under one salt (`same_salt_u`), as before the sample.
SAME_SALT_MIN_PAIRS = 100_000
#: The columns the name levels read, each as <column>_l and <column>_r in the sample.
NAME_COLUMNS = ("name_token", "name_sorted_token", "given_token", "family_token",
                "given_phonetic", "family_phonetic", "given_romanised", "family_romanised",
                "given_bloom", "family_bloom", "name_bloom", "given_bits", "family_bits",
                "name_bits", "birth_year", "birth_month")


#: The columns each comparison's levels read, as <column>_l and <column>_r.
LEVEL_COLUMNS = {"name": NAME_COLUMNS,
                 "birth": ("dob", "dob_swap", "dob_near", "birth_year", "birth_month"),
                 "report_date": ("report_date",), "exploitation": ("exploitation",),
                 "source": ("source", "person_ref")}


def _levels(model: dict[str, Any], comparison: str) -> list[dict[str, Any]]:
    levels: list[dict[str, Any]] = next(c["comparison_levels"] for c in model["comparisons"]
                                        if c["output_column_name"] == comparison)
    return levels


def same_salt_pairs_sql(seed: int, offsets: int = SAME_SALT_OFFSETS) -> str:
    """SQL of random pairs (l, r) of `link_input` under one birth salt.

    Within each birth year and month, reports in an order drawn from `seed` (a hash),
    each paired with the next `offsets`, both with a full date of birth and the two
    dates different. One salt makes their Bloom filters comparable; different dates
    leave out nearly every match (70% of matches share the date, and sampled pairs
    under one salt are matches about 2 in 10,000 times at a million reports, which would
    be most of u for the rare levels). Equi-joins on the offset only, so the cost is
    linear in the reports on both engines.
    """
    pairs = " UNION ALL ".join(
        f"SELECT a.unique_id AS l, b.unique_id AS r FROM salted a JOIN salted b "
        f"ON a.birth_year = b.birth_year AND a.birth_month = b.birth_month "
        f"AND b.k = a.k + {off} WHERE a.dob <> b.dob" for off in range(1, offsets + 1))
    return (
        "WITH salted AS (SELECT unique_id, birth_year, birth_month, dob, "
        "row_number() OVER (PARTITION BY birth_year, birth_month "
        f"ORDER BY hash(unique_id, {int(seed)}), unique_id) AS k FROM link_input "
        "WHERE dob IS NOT NULL AND birth_month IS NOT NULL) "
        f"SELECT * FROM ({pairs})")


def level_counts_sql(model: dict[str, Any], comparison: str, pairs_sql: str) -> str:
    """SQL counting the pairs (l, r) of `pairs_sql` over `link_input` per level of
    `comparison` (the level's index in `model`), as Splink would assign them."""
    levels = _levels(model, comparison)
    case = " ".join(f"WHEN {lv['sql_condition']} THEN {k}" for k, lv in enumerate(levels)
                    if lv["sql_condition"].strip().upper() != "ELSE")
    columns = ", ".join(f"a.{c} AS {c}_l, b.{c} AS {c}_r" for c in LEVEL_COLUMNS[comparison])
    return (
        f"WITH pairs AS ({pairs_sql}), "
        f"compared AS (SELECT {columns} FROM pairs "
        "JOIN link_input a ON a.unique_id = pairs.l JOIN link_input b ON b.unique_id = pairs.r) "
        f"SELECT CASE {case} ELSE {len(levels) - 1} END AS level, count(*) AS n "
        "FROM compared GROUP BY 1")


def same_salt_levels_sql(model: dict[str, Any], seed: int,
                         offsets: int = SAME_SALT_OFFSETS) -> str:
    """SQL counting the pairs of `same_salt_pairs_sql` per level of the name comparison."""
    return level_counts_sql(model, "name", same_salt_pairs_sql(seed, offsets))


def sure_m(model: dict[str, Any], comparison: str, counts: dict[int, int],
           min_pairs: int = SURE_MIN_PAIRS) -> dict[str, float] | None:
    """m of each level of `comparison` (by label) from the sure matches' `counts` per level
    index (`level_counts_sql` over the pairs of `comparisons.SURE_PAIRS`), or None when fewer than
    `min_pairs` of them fall outside the null level.

    A level no sure pair fell in gets half a pair (a level's m is never 0, which would be
    a veto); the floors of `comparisons.M_FLOORS` still apply after EM (`floored_m`).
    """
    levels = _levels(model, comparison)
    kept = {k: counts.get(k, 0) for k, lv in enumerate(levels) if not lv.get("is_null_level")}
    total = sum(kept.values())
    if total < min_pairs:
        return None
    weights = {k: max(n, 0.5) for k, n in kept.items()}
    norm = sum(weights.values())
    return {levels[k]["label_for_charts"]: w / norm for k, w in weights.items()}


def _compares_blooms(level: dict[str, Any]) -> bool:
    return "bit_count(" in level["sql_condition"]


def same_salt_sampled_u(model: dict[str, Any], counts: dict[int, int]) -> dict[str, Any]:
    """u of the name levels that only pairs under one birth salt reach, or reach mostly
    (they compare Bloom filters), from random pairs under one salt (`counts` per level
    index, from `same_salt_levels_sql`); a level no sampled pair fell in gets one in the
    sample's size.

    Before, u came from the whole random sample divided by the share of pairs under one
    salt (`same_salt_u`): at 1,080,174 reports about 22,000 of the 10 million random
    pairs share a salt, so a level none of them reached got u 4.6e-05 ("one name exact,
    the other one typo off", "one family name within the other"; the sampled u is 1.9e-05
    and 4.3e-06), and the levels that Dice and sound-alike keys both reach kept the u of
    pairs across salts, where only the sound counts ("whole name Dice >= 0.75, or both
    parts sound alike" 3.1e-07 where the pairs under one salt give 8.1e-05: 8 bits too
    strong, 1,806 wrong links above the threshold). Across salts such a level's weight is
    then lower than it could be (conservative).
    """
    out = json.loads(json.dumps(model))
    total = sum(n for k, n in counts.items())
    if total <= 0:
        return out
    levels = _levels(out, "name")
    for k, level in enumerate(levels):
        if level.get("is_null_level"):
            continue
        if level["label_for_charts"] in SAME_SALT_LEVELS or _compares_blooms(level):
            level["u_probability"] = max(counts.get(k, 0), 1) / total
    return out


def unseen_u(model: dict[str, Any], u_pairs: float) -> dict[str, Any]:
    """u of each level that EM trained (m known) but no random pair fell in: 1 / `u_pairs`.

    Splink leaves u unset when the random sample holds no pair of a level (a rare,
    strong agreement such as one family name within the other); the level then
    scores next to nothing, though its u is known to be below one in `u_pairs`. The
    bound keeps the weight conservative (the true u is smaller still); the other
    levels are scaled to keep the sum one.
    """
    out = json.loads(json.dumps(model))
    bound = 1.0 / max(u_pairs, 1.0)
    for comparison in out["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        unseen = [lv for lv in levels
                  if lv.get("u_probability") is None and lv.get("m_probability")]
        if not unseen:
            continue
        seen = [lv for lv in levels if lv.get("u_probability") is not None]
        total = sum(float(lv["u_probability"]) for lv in seen)
        for level in unseen:
            level["u_probability"] = bound
        for level in seen:
            level["u_probability"] = float(level["u_probability"]) * (
                1 - bound * len(unseen)) / total
    return out


def _rounded(model: dict[str, Any], digits: int = 9) -> dict[str, Any]:
    """m, u and the prior to `digits` significant digits.

    DuckDB sums in parallel, so the last bits of a trained probability can
    differ between two runs on the same data; rounding makes the saved model,
    and so the persons, repeatable.
    """
    def r(value: Any) -> Any:
        return float(f"{value:.{digits}g}") if isinstance(value, float) else value

    out = json.loads(json.dumps(model))
    out["probability_two_random_records_match"] = r(out["probability_two_random_records_match"])
    for comparison in out["comparisons"]:
        for level in comparison["comparison_levels"]:
            for key in ("m_probability", "u_probability"):
                if key in level:
                    level[key] = r(level[key])
    return out


#: The comparisons whose m is their recording error among sure matches, not EM's.
SURE_MATCH_COLUMNS = ("sex", "nationality")


def sure_match_differs_sql(column: str) -> str:
    """SQL of the share with another recorded `column` among pairs that agree on the full
    name and the full date of birth, both recorded: nearly all the same person twice, so
    the share is the column's recording error, m of "<column> differs"."""
    if column not in SURE_MATCH_COLUMNS:
        raise ValueError(f"no sure-match estimate for {column!r}")
    return (f"SELECT avg(CASE WHEN l.{column} <> r.{column} THEN 1.0 ELSE 0.0 END) "
            "FROM link_input l JOIN link_input r ON l.unique_id < r.unique_id "
            "AND l.name_token = r.name_token AND l.dob = r.dob "
            f"WHERE l.{column} IS NOT NULL AND r.{column} IS NOT NULL")


def differs_m(column: str, sure_share: float | None) -> float | None:
    """m of "<column> differs" (sex, nationality): the share among sure matches, at least
    its floor (`comparisons.M_FLOORS`); None when no pair agrees on name and date of birth.

    Not learnt by EM. The nationality counts only where the two names share no part (a
    shared part implies it, `comparisons.PART_SHARED`), and the sex only where the given
    names differ (`SAME_GIVEN`), so EM, on pairs of one date of birth, learnt them from
    the few matches whose names differ, mixed with non-matches: with 1.5% of
    nationalities recorded wrongly (the generator's `nationality_other`) it put m of
    "nationality differs" at 0.74 where the truth is 0.03, and pairs with the same birth
    date, other names and another nationality filled the review queue (29.9% true
    matches on the demo). Both are now part of the EM sessions' blocking rules
    (`comparisons.TRAINING`), so EM could not learn them at all. A recording error does
    not depend on how the names were written, so the sure matches give it directly; EM
    then fits the rest around it (docs/linkage.md, sessions of 2026-12-02).
    """
    if sure_share is None:
        return None
    floor = {(c, label): f for c, label, f in M_FLOORS}[(column, f"{column} differs")]
    return max(sure_share, floor)


def fix_m(linker: Any, comparison: str, m: dict[str, float]) -> None:
    """m of `comparison`'s levels (by label) set and kept fixed through EM (Splink's
    per-level `fix_m_probability`)."""
    for cc in linker._settings_obj.comparisons:
        if cc.output_column_name != comparison:
            continue
        for level in cc.comparison_levels:
            if level.label_for_charts in m:
                level.m_probability = m[level.label_for_charts]
                level._fix_m_probability = True


#: Random pairs per report drawn for u, and the bounds of the sample.
U_PAIRS_PER_REPORT = 100
U_PAIRS_MIN, U_PAIRS_MAX = 1e6, 5e6


def u_sample_size(reports: int) -> float:
    """Random pairs for u: 100 per report, between 1 and 5 million.

    u of a level is the share of random pairs in it; its rarest non-term-frequency
    levels (a typo in one name) have u near 1e-5, which a million pairs still see tens
    of times; the exact-name levels take u from the term frequencies, and the levels
    that compare Bloom filters from the sample under one birth salt (`same_salt_
    sampled_u`) when it is large enough, so the rarest level left to this sample is
    "day and month swapped" (u 3.3e-05: 165 pairs in 5 million). Sampling 10⁷ pairs
    whatever the data was most of `thb link`'s time on 10,000 reports; 10⁷ at
    1,080,174 reports took 72 s of the 356.
    """
    return float(min(max(U_PAIRS_PER_REPORT * reports, U_PAIRS_MIN), U_PAIRS_MAX))


#: Up to this many reports the u correction runs (it costs one more scoring pass); beyond
#: it matches are too small a share of random pairs to matter.
CORRECT_U_MAX_REPORTS = 200_000

#: u is never lowered below this share of its sampled value.
U_FLOOR_SHARE = 0.05


def corrected_u(model: dict[str, Any], expected_matches: float, n: int,
                counted: dict[str, dict[str, int]] | None = None) -> dict[str, Any]:
    """u without the matches that random sampling draws too.

    Random pairs are a mixture: P(level) = lambda m + (1 - lambda) u, with
    lambda the share of pairs that match. Splink takes P(level) for u, which
    is right when matches are a negligible share of pairs (large data) but
    inflates u of the agreeing levels when a level's u is of the order of
    lambda m (small data: thousands of reports, exact names). Here lambda is
    the expected number of matching pairs over all pairs, and
    u = (P(level) - lambda m) / (1 - lambda), never below `U_FLOOR_SHARE` of
    P(level), renormalised per comparison. The prior of the model becomes
    lambda.

    P(level) is at least the share of all pairs that the scored pairs in the level
    make (`counted`: per comparison, scored pairs per level label): a rare
    level (u near 1e-6, one name exact and the other one typo off) holds a few
    pairs of a random sample of a million, too few to subtract lambda m from, while
    the blocking rules score nearly all of its pairs (measured on the demo data: u
    of that level 1.5e-7 from the sample against 2.6e-6 among the true
    non-matches, four bits of overconfidence).
    """
    total = n * (n - 1) / 2
    if total <= 0 or expected_matches <= 0:
        return model
    lam = min(expected_matches / total, 0.5)
    out = json.loads(json.dumps(model))
    for comparison in out["comparisons"]:
        name = comparison["output_column_name"]
        scored = (counted or {}).get(name, {})
        levels = [lv for lv in comparison["comparison_levels"]
                  if not lv.get("is_null_level") and lv.get("u_probability") is not None]
        for level in levels:
            sampled = max(float(level["u_probability"]),
                          scored.get(str(level.get("label_for_charts")), 0) / total)
            m = float(level.get("m_probability") or 0.0)
            level["u_probability"] = max((sampled - lam * m) / (1 - lam),
                                         sampled * U_FLOOR_SHARE)
        norm = sum(lv["u_probability"] for lv in levels)
        for level in levels:
            level["u_probability"] = level["u_probability"] / norm if norm else 0.0
    out["probability_two_random_records_match"] = lam
    return out


def _empty_pairs() -> pd.DataFrame:
    columns = {"l": "int64", "r": "int64", "match_weight": "float64",
               "match_probability": "float64"}
    columns.update({f"w_{c}": "float64" for c in COMPARISON_NAMES})
    return pd.DataFrame({k: pd.Series(dtype=v) for k, v in columns.items()})


def level_counts(model: dict[str, Any],
                 weight_counts: Callable[[str], Iterable[Sequence[Any]]]
                 ) -> dict[str, dict[str, int]]:
    """Per comparison, the scored pairs in each level (by label). `weight_counts(name)`
    gives (partial match weight, pairs) of the comparison's non-zero weights, from
    whichever engine scored: Splink keeps no level column, so a level is told by its
    weight (the nearest of the model's levels)."""
    counted: dict[str, dict[str, int]] = {}
    for name, levels in level_weights(model).items():
        weights = [(label, w) for label, w in levels if w != 0.0]
        counts: dict[str, int] = {}
        for weight, count in weight_counts(name):
            if weights:
                label = min(weights, key=lambda lw: abs(lw[1] - float(weight)))[0]
                counts[label] = counts.get(label, 0) + int(count)
        counted[name] = counts
    return counted


def level_weights(model: dict[str, Any]) -> dict[str, list[tuple[str, float]]]:
    """For each comparison, its levels as (label, match weight log2(m/u)); null levels 0."""
    out: dict[str, list[tuple[str, float]]] = {}
    for comparison in model.get("comparisons", []):
        levels = []
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = 0.0
            if not level.get("is_null_level") and m and u:
                weight = math.log2(float(m) / float(u))
            levels.append((str(level.get("label_for_charts", "")), weight))
        out[comparison["output_column_name"]] = levels
    return out


def decode_levels(model: dict[str, Any], weights: dict[str, np.ndarray]
                  ) -> dict[str, tuple[list[str], np.ndarray]]:
    """The level of each comparison of scored pairs, recovered from their partial weights.

    Returns, per comparison, the level labels and the partial weights.
    """
    table = level_weights(model)
    out: dict[str, tuple[list[str], np.ndarray]] = {}
    for name, values in weights.items():
        values = np.asarray(values, dtype=np.float64)
        levels = table.get(name, [])
        if not levels:
            out[name] = ([""] * len(values), values)
            continue
        centres = np.array([w for _, w in levels])
        nearest = np.abs(values[:, None] - centres[None, :]).argmin(axis=1)
        out[name] = ([levels[i][0] for i in nearest], values)
    return out
