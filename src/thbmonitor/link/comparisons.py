"""The model's settings: input columns, comparisons, blocking and training rules.

Written as a Splink settings dictionary (the model *is* its settings, saved
as JSON with every run), but nothing here imports Splink. SQL conditions
compare the two reports of a pair as `<column>_l` and `<column>_r`; blocking
rules as `l.<column>` and `r.<column>`.

The model compares two reports on their encodings only (never a clear name);
see docs/linkage.md for every level. Dice similarity of two Bloom filters
a, b is 2|a AND b| / (|a| + |b|), computed in DuckDB SQL on the BITSTRING
columns; the bit counts of each report's filters are computed once per report.
"""

from __future__ import annotations

from typing import Any

#: Columns of the model's input table (built by `prepare_input`).
INPUT_SQL = """
SELECT (row_number() OVER (ORDER BY source, report_id)) - 1 AS unique_id,
       source,
       person_ref_token AS person_ref,
       name_token, name_sorted_token, given_token, family_token,
       given_phonetic, family_phonetic,
       given_bloom, family_bloom, name_bloom,
       bit_count(given_bloom) AS given_bits,
       bit_count(family_bloom) AS family_bits,
       bit_count(name_bloom) AS name_bits,
       dob_token AS dob,
       dob_swap_token AS dob_swap,
       dob_near_tokens AS dob_near,
       birth_year,
       birth_month,
       report_date,
       list_sort(list_filter(exploitation, x -> x <> 'unknown')) AS exploitation,
       CASE WHEN count(*) OVER (PARTITION BY name_sorted_token) <= {cap}
           THEN name_sorted_token END AS name_block,
       CASE WHEN count(*) OVER (PARTITION BY given_token) <= {cap} THEN given_token END
           AS given_block,
       CASE WHEN count(*) OVER (PARTITION BY family_token) <= {cap} THEN family_token END
           AS family_block,
       CASE WHEN count(*) OVER (PARTITION BY dob_token) <= {cap} THEN dob_token END
           AS dob_block,
       CASE WHEN sex IN ('female', 'male', 'other') THEN sex END AS sex,
       CASE WHEN nationality NOT IN ('unknown', 'stateless', '') THEN nationality END
           AS nationality
FROM {reports}
"""


def _dice(left: str, right: str | None = None) -> str:
    """SQL for the Dice similarity of the `left` filter of l and the `right` filter of r."""
    right = right or left
    return (f"(2.0 * bit_count({left}_bloom_l & {right}_bloom_r)"
            f" / nullif({left}_bits_l + {right}_bits_r, 0))")


def _level(sql: str, label: str, *, null: bool = False,
           tf: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf and TF_WEIGHT > 0:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = TF_WEIGHT
    return level


TF_WEIGHT = 1.0
TF_COLUMNS = ("given_token", "family_token")


def _part_comparison(part: str, other: str) -> dict[str, Any]:
    """Given or family name: exact (with term frequencies), swapped, similar, contained."""
    label = f"{part} name"
    contained = (f"bit_count({part}_bloom_l & {part}_bloom_r)"
                 f" >= 0.95 * least({part}_bits_l, {part}_bits_r)")
    levels = [
        _level(f"{part}_bloom_l IS NULL OR {part}_bloom_r IS NULL", f"{label} missing",
               null=True),
        _level(f"{part}_token_l = {part}_token_r", f"exact {label}", tf=f"{part}_token"),
        _level(f"{part}_token_l = {other}_token_r OR {_dice(part, other)} >= 0.85",
               f"{label} equals or resembles the other name part (swapped)"),
        _level(f"{_dice(part)} >= 0.8", f"{label} Dice >= 0.8"),
        _level(f"{part}_phonetic_l = {part}_phonetic_r", f"{label} sounds alike"),
        _level(contained, f"one {label} contains the other"),
        _level(f"{_dice(part)} >= 0.6", f"{label} Dice >= 0.6"),
        _level("ELSE", f"{label}s differ"),
    ]
    return {"output_column_name": part, "comparison_levels": levels,
            "comparison_description": f"keyed {label} tokens and Bloom-filter Dice similarity"}


def _birth_comparison() -> dict[str, Any]:
    levels = [
        _level("birth_year_l IS NULL OR birth_year_r IS NULL", "birth unknown", null=True),
        # The date of birth is compared by its keyed tokens only (ingest/staging.py):
        # equal, equal with day and month in canonical order (swapped), or sharing one of
        # the tokens with a digit masked or two neighbouring digits sorted (one digit off
        # or transposed: Damerau-Levenshtein distance 1 on YYYYMMDD).
        _level("dob_l = dob_r", "same date of birth"),
        _level("dob_swap_l = dob_swap_r", "day and month swapped"),
        _level("list_has_any(dob_near_l, dob_near_r)", "one digit off"),
        _level("(dob_l IS NULL OR dob_r IS NULL) AND birth_year_l = birth_year_r",
               "same year, one side year only"),
        _level("birth_year_l = birth_year_r", "same year, other date"),
        _level("abs(birth_year_l - birth_year_r) <= 1", "year one off"),
        _level("ELSE", "birth differs"),
    ]
    return {"output_column_name": "birth", "comparison_levels": levels,
            "comparison_description": "date of birth and birth year"}


def _exact_comparison(column: str) -> dict[str, Any]:
    return {"output_column_name": column, "comparison_levels": [
        _level(f"{column}_l IS NULL OR {column}_r IS NULL", f"{column} unknown", null=True),
        _level(f"{column}_l = {column}_r", f"same {column}"),
        _level("ELSE", f"{column} differs"),
    ], "comparison_description": f"{column}, exact"}


def _report_date_comparison() -> dict[str, Any]:
    gap = "abs(date_diff('day', report_date_l, report_date_r))"
    return {"output_column_name": "report_date", "comparison_levels": [
        _level(f"{gap} <= 31", "reported within a month"),
        _level(f"{gap} <= 183", "reported within half a year"),
        _level(f"{gap} <= 366", "reported within a year"),
        _level("ELSE", "reported more than a year apart"),
    ], "comparison_description": "days between the two report dates"}


def _exploitation_comparison() -> dict[str, Any]:
    return {"output_column_name": "exploitation", "comparison_levels": [
        _level("len(exploitation_l) = 0 OR len(exploitation_r) = 0", "form unknown", null=True),
        _level("exploitation_l = exploitation_r", "same forms"),
        _level("len(list_intersect(exploitation_l, exploitation_r)) > 0", "forms overlap"),
        _level("ELSE", "other forms"),
    ], "comparison_description": "forms of exploitation reported"}


SAME_SOURCE_OTHER_REF = ("source_l = source_r AND person_ref_l IS NOT NULL "
                         "AND person_ref_r IS NOT NULL AND person_ref_l <> person_ref_r")


def _source_comparison() -> dict[str, Any]:
    return {"output_column_name": "source", "comparison_levels": [
        _level("source_l = source_r AND person_ref_l = person_ref_r", "same source, same ref"),
        _level(SAME_SOURCE_OTHER_REF, "same source, other ref"),
        _level("source_l = source_r", "same source"),
        _level("ELSE", "two sources"),
    ], "comparison_description": "reporting organisation and its person_ref"}


#: A name part or date of birth shared by at most this many reports is a blocking key
#: alone (`*_block` columns); more common values block only together with another field,
#: which keeps the number of pairs near-linear in the number of reports.
BLOCK_CAP = 40

#: Blocking rules: a pair is scored when it agrees on at least one of these.
BLOCKING_RULES: tuple[str, ...] = (
    "l.name_sorted_token = r.name_sorted_token AND l.birth_year = r.birth_year",
    "l.name_block = r.name_block",
    "l.given_phonetic = r.given_phonetic AND l.family_phonetic = r.family_phonetic "
    "AND l.birth_year = r.birth_year",
    "l.dob = r.dob AND l.given_phonetic = r.given_phonetic",
    "l.dob = r.dob AND l.family_phonetic = r.family_phonetic",
    "l.dob = r.dob AND l.given_token = r.given_token",
    "l.dob = r.dob AND l.family_token = r.family_token",
    "l.dob = r.dob AND l.sex = r.sex AND l.nationality = r.nationality",
    "l.source = r.source AND l.person_ref = r.person_ref",
    "l.given_block = r.given_block",
    "l.family_block = r.family_block",
    "l.dob_block = r.dob_block",
)

#: Rules that almost only pair matches, and the share of matches they are assumed to find:
#: the first estimate of the prior (the probability that two random reports match).
DETERMINISTIC_RULES = (
    "l.name_sorted_token = r.name_sorted_token AND l.dob = r.dob",
    "l.source = r.source AND l.person_ref = r.person_ref",
)
DETERMINISTIC_RECALL = 0.7

#: EM sessions: the blocking rule, and the comparisons whose m values are taken from it.
#: Dates of birth first (estimates the names and the rest); then the same rare names (each
#: part borne by at most BLOCK_CAP reports), sex and nationality, taken for the birth
#: comparison only: on pairs that already agree on the name the other comparisons are too
#: weak to tell namesakes from matches, and among common names most pairs are namesakes.
TRAINING: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("l.dob = r.dob",
     ("given", "family", "sex", "nationality", "source", "report_date", "exploitation")),
    ("l.given_token = r.given_token AND l.family_token = r.family_token "
     "AND l.given_block IS NOT NULL AND l.family_block IS NOT NULL "
     "AND l.sex IS NOT DISTINCT FROM r.sex "
     "AND l.nationality IS NOT DISTINCT FROM r.nationality", ("birth",)),
)

COMPARISON_NAMES = ("given", "family", "birth", "sex", "nationality", "source", "report_date",
                    "exploitation")


def settings(prior: float = 1e-4) -> dict[str, Any]:
    """The untrained model as a Splink settings dictionary."""
    return {
        "link_type": "dedupe_only",
        "linker_uid": "thbmonitor",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule} for rule in BLOCKING_RULES],
        "comparisons": [_part_comparison("given", "family"), _part_comparison("family", "given"),
                        _birth_comparison(), _exact_comparison("sex"),
                        _exact_comparison("nationality"), _source_comparison(),
                        _report_date_comparison(), _exploitation_comparison()],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "max_iterations": 25,
        "em_convergence": 0.0001,
    }
