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

#: A report's id in the model: its place in (source, report_id) order, from 0 (on Spark
#: computed in parallel to the same numbers, `spark_engine._numbered`).
UNIQUE_ID_SQL = "(row_number() OVER (ORDER BY source, report_id)) - 1"

#: Columns of the model's input table (built by `prepare_input`).
INPUT_SQL = """
SELECT {unique_id} AS unique_id,
       source, report_id,
       person_ref_token AS person_ref,
       name_token, name_sorted_token, given_token, family_token,
       given_phonetic, family_phonetic, given_romanised, family_romanised,
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
       CASE WHEN count(*) OVER (PARTITION BY name_sorted_token) <= {wide_cap}
           THEN name_sorted_token END AS name_wide_block,
       CASE WHEN count(*) OVER (PARTITION BY given_token, family_phonetic) <= {wide_cap}
           THEN given_token || family_phonetic END AS given_sound_block,
       CASE WHEN count(*) OVER (PARTITION BY family_token, given_phonetic) <= {wide_cap}
           THEN family_token || given_phonetic END AS family_sound_block,
       CASE WHEN given_romanised IS NOT NULL AND family_romanised IS NOT NULL
                 AND count(*) OVER (PARTITION BY given_romanised, family_romanised) <= {cap}
           THEN given_romanised || family_romanised END AS romanised_block,
       CASE WHEN phone_token IS NOT NULL
                 AND count(*) OVER (PARTITION BY phone_token) <= {phone_cap}
           THEN phone_token END AS phone,
       CASE WHEN sex IN ('female', 'male', 'other') THEN sex END AS sex,
       CASE WHEN nationality NOT IN ('unknown', 'stateless', '') THEN nationality END
           AS nationality
FROM {reports}
"""


#: Two reports whose name encodings carry one salt (the same birth year and month, or none
#: on both sides, ingest/pseudonymise.py `birth_salt`): only then do their Bloom filters
#: compare; across salts their Dice is noise. Not the negation of CROSS_SALT below: that
#: one also puts two reports without a birth year in the levels of one exact part across
#: salts, though their filters (salt '') do compare.
SAME_SALT = ("birth_year_l IS NOT DISTINCT FROM birth_year_r "
             "AND birth_month_l IS NOT DISTINCT FROM birth_month_r")


def _under_one_salt(sql: str) -> str:
    """`sql` (a comparison of Bloom filters) where the pair shares a salt, else NULL.

    The CASE keeps the engine from computing it at all across salts: 999 of 1,000 random
    pairs of u-sampling, where the name comparison's twenty Dice took 4.0 s per million
    pairs on FEBRL4 and 0.29 s behind the guard (the same levels for every candidate pair).
    """
    return f"(CASE WHEN {SAME_SALT} THEN {sql} END)"


def _dice(left: str, right: str | None = None) -> str:
    """SQL for the Dice similarity of the `left` filter of l and the `right` filter of r,
    NULL across birth salts (`_under_one_salt`)."""
    right = right or left
    return _under_one_salt(f"2.0 * bit_count({left}_bloom_l & {right}_bloom_r)"
                           f" / nullif({left}_bits_l + {right}_bits_r, 0)")


def _level(sql: str, label: str, *, null: bool = False,
           tf: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf and TF_WEIGHT > 0:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = TF_WEIGHT
        # The level's own u is the base of its adjustment (Splink otherwise looks for
        # an exact-match level on the same column, which a part-only level has not):
        # the weight is then log2(m / tf) whatever the level.
        level["disable_tf_exact_match_detection"] = True
    return level


TF_WEIGHT = 1.0
TF_COLUMNS = ("name_token", "name_sorted_token", "given_token", "family_token")

#: Both names agree exactly (in either order): the name then says all a nationality or
#: sex could add (a name pool is a nationality's, a given name a sex's), so those
#: comparisons fall in their null level instead of counting the same evidence twice.
SAME_NAME = "name_sorted_token_l = name_sorted_token_r"
SAME_GIVEN = "(given_token_l = given_token_r OR given_token_l = family_token_r)"
#: One name part agrees exactly (in either field): a name part comes from a nationality's
#: pool as much as the full name does, so "same nationality" adds nothing to it either.
#: Counted on top it gave every one-part level 2.7 bits more (measured on the demo data:
#: of the 96 non-matches linked from 0.5, 60 were one part exact with the same
#: nationality, against 24 expected).
PART_SHARED = ("(given_token_l = given_token_r OR family_token_l = family_token_r "
               "OR given_token_l = family_token_r OR family_token_l = given_token_r)")


#: Two reports whose name encodings carry different salts (birth year and month differ, or
#: one side has none): their Bloom filters do not compare.
CROSS_SALT = ("NOT coalesce(birth_year_l = birth_year_r "
              "AND birth_month_l IS NOT DISTINCT FROM birth_month_r, false)")
GIVEN_ACROSS_SALTS = "given exact, family not comparable (other birth salt)"
FAMILY_ACROSS_SALTS = "family exact, given not comparable (other birth salt)"
TYPO_ONE = "one name exact, the other one typo off (or whole name Dice >= 0.9)"
WITHIN = "given exact and one family name within the other, or swapped with a typo"
EXACT_SIMILAR = "one name exact, the other similar"
SAME_FAMILY_LEVEL = "same family name, other given name"
SAME_GIVEN_LEVEL = "same given name, other family name"
DICE_WIDE = "whole name Dice >= 0.55"
ROMANISED = "both names alike across romanisations (folded keys equal)"
#: Given and family name fold to the same romanisation keys (ingest/pseudonymise.py
#: `romanised_key`: Shevchenko, Sevcenko, Schewtschenko), in either order. Keyed tokens
#: without the birth salt, so it compares across salts as the Metaphone tokens do.
SAME_ROMANISED = ("((given_romanised_l = given_romanised_r "
                  "AND family_romanised_l = family_romanised_r) "
                  "OR (given_romanised_l = family_romanised_r "
                  "AND family_romanised_l = given_romanised_r))")
#: Levels only pairs under one birth salt reach (Dice of the encodings; one part exact and
#: the other other, across salts, is a level of its own): their u is taken among such pairs.
SAME_SALT_LEVELS = (TYPO_ONE, WITHIN, SAME_FAMILY_LEVEL, SAME_GIVEN_LEVEL, DICE_WIDE)


def _name_comparison() -> dict[str, Any]:
    """The whole name as one comparison, after Splink's `ForenameSurnameComparison`.

    Given and family name come from one pool (a nationality's), so they are not
    independent evidence: agreement on both is one level with the term frequency of
    the full name (how many reports bear exactly this name), not the product of two
    part frequencies. Swapped names, typos in one part, whole-name similarity (the
    full-name Bloom filter's Dice: romanisations, double surnames) and agreement on
    one part only follow, strongest first.
    """
    typo_one = (f"(given_token_l = given_token_r AND {_dice('family')} >= 0.8) "
                f"OR (family_token_l = family_token_r AND {_dice('given')} >= 0.8)")
    typo_swapped = (f"({_dice('given', 'family')} >= 0.8 AND {_dice('family', 'given')} >= 0.8)")
    contained = ("given_token_l = given_token_r AND " + _under_one_salt(
        "bit_count(family_bloom_l & family_bloom_r) >= 0.95 * least(family_bits_l, family_bits_r)"))
    part_missing = ("(given_bloom_l IS NULL OR given_bloom_r IS NULL "
                    "OR family_bloom_l IS NULL OR family_bloom_r IS NULL)")
    part_agrees = (f"(given_token_l = given_token_r OR family_token_l = family_token_r "
                   f"OR {_dice('given')} >= 0.8 OR {_dice('family')} >= 0.8 "
                   f"OR given_token_l = family_token_r OR family_token_l = given_token_r)")
    # A part alike but not equal (a typo of two letters, a sound-alike spelling, a name
    # part in the other field): weaker than agreement, but no disagreement either.
    part_alike = (f"({_dice('given')} >= 0.6 OR {_dice('family')} >= 0.6 "
                  "OR given_phonetic_l = given_phonetic_r "
                  "OR family_phonetic_l = family_phonetic_r "
                  f"OR {_dice('given', 'family')} >= 0.8 OR {_dice('family', 'given')} >= 0.8)")
    levels = [
        _level("(given_bloom_l IS NULL AND family_bloom_l IS NULL) "
               "OR (given_bloom_r IS NULL AND family_bloom_r IS NULL)", "name missing",
               null=True),
        _level("name_token_l = name_token_r", "exact full name", tf="name_token"),
        _level(SAME_NAME, "full name, given and family swapped", tf="name_sorted_token"),
        _level(f"{typo_one} OR {_dice('name')} >= 0.9", TYPO_ONE),
        _level(f"{contained} OR {typo_swapped}", WITHIN),
        _level(f"{part_missing} AND {part_agrees}",
               "one name part missing, the other equal or alike"),
        _level(f"(given_token_l = given_token_r AND ({_dice('family')} >= 0.6 "
               "OR family_phonetic_l = family_phonetic_r)) "
               f"OR (family_token_l = family_token_r AND ({_dice('given')} >= 0.6 "
               "OR given_phonetic_l = given_phonetic_r))", EXACT_SIMILAR),
        # Salted encodings (ingest/pseudonymise.py `birth_salt`) compare by Dice only under
        # one birth year and month: across salts a typo in the other part is invisible, so
        # one exact part there is its own level (m from the levels it stands for,
        # `splink_model.cross_salt_m`), not "same given name, other family name".
        _level(f"given_token_l = given_token_r AND {CROSS_SALT}", GIVEN_ACROSS_SALTS,
               tf="given_token"),
        _level(f"family_token_l = family_token_r AND {CROSS_SALT}", FAMILY_ACROSS_SALTS,
               tf="family_token"),
        _level(SAME_ROMANISED, ROMANISED),
        _level(f"{_dice('name')} >= 0.75 OR (given_phonetic_l = given_phonetic_r "
               "AND family_phonetic_l = family_phonetic_r)",
               "whole name Dice >= 0.75, or both parts sound alike"),
        _level("family_token_l = family_token_r", SAME_FAMILY_LEVEL, tf="family_token"),
        _level(SAME_GIVEN, SAME_GIVEN_LEVEL, tf="given_token"),
        _level(f"{part_missing} AND {part_alike}", "one name part missing, the other similar"),
        _level(f"{_dice('name')} >= 0.55", DICE_WIDE),
        _level(part_alike, "one name part similar, the other differs"),
        _level(part_missing, "one name part missing, the other differs"),
        _level("ELSE", "names differ"),
    ]
    return {"output_column_name": "name", "comparison_levels": levels,
            "comparison_description": "keyed name tokens and Bloom-filter Dice, one comparison"}


#: Two dates of birth that can be one digit off or have two neighbouring digits transposed
#: (YYYYMMDD): the same year (the change is in month or day), the same month (it is in the
#: year), or the year's last digit swapped with the month's first (0 or 1): one decade and
#: one of the years ending in 0 or 1. Behind it the engine compares the lists of near
#: tokens only for those pairs: the birth comparison of a million random FEBRL4 pairs took
#: 0.67 s instead of 1.5 s, every pair in the same level.
ONE_DIGIT_POSSIBLE = ("birth_year_l = birth_year_r OR birth_month_l = birth_month_r "
                      "OR (birth_year_l // 10 = birth_year_r // 10 "
                      "AND least(birth_year_l % 10, birth_year_r % 10) <= 1)")


def _birth_comparison() -> dict[str, Any]:
    levels = [
        _level("birth_year_l IS NULL OR birth_year_r IS NULL", "birth unknown", null=True),
        # The date of birth is compared by its keyed tokens only (ingest/staging.py):
        # equal, equal with day and month in canonical order (swapped), or sharing one of
        # the tokens with a digit masked or two neighbouring digits sorted (one digit off
        # or transposed: Damerau-Levenshtein distance 1 on YYYYMMDD).
        _level("dob_l = dob_r", "same date of birth"),
        _level("dob_swap_l = dob_swap_r", "day and month swapped"),
        _level(f"(CASE WHEN {ONE_DIGIT_POSSIBLE} THEN list_has_any(dob_near_l, dob_near_r) END)",
               "one digit off"),
        _level("(dob_l IS NULL OR dob_r IS NULL) AND birth_year_l = birth_year_r",
               "same year, one side year only"),
        _level("birth_year_l = birth_year_r", "same year, other date"),
        _level("abs(birth_year_l - birth_year_r) <= 1", "year one off"),
        _level("ELSE", "birth differs"),
    ]
    return {"output_column_name": "birth", "comparison_levels": levels,
            "comparison_description": "date of birth and birth year"}


def _exact_comparison(column: str, implied_by: str | None = None) -> dict[str, Any]:
    """Same or different `column`; null when unknown, or when it agrees and
    `implied_by` (a condition that already carries its evidence) holds."""
    null = f"{column}_l IS NULL OR {column}_r IS NULL"
    if implied_by:
        null += f" OR ({column}_l = {column}_r AND {implied_by})"
    return {"output_column_name": column, "comparison_levels": [
        _level(null, f"{column} unknown (or implied by the name)", null=True),
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


def _phone_comparison() -> dict[str, Any]:
    """The contact phone's keyed token; hubs (a phone on more than `PHONE_HUB_REPORTS`
    reports: an intake line, a shelter, a network's phone) are missing, as the network
    signal removes them (patterns/identifiers.py)."""
    return {"output_column_name": "phone", "comparison_levels": [
        _level("phone_l IS NULL OR phone_r IS NULL", "phone unknown or a hub", null=True),
        _level("phone_l = phone_r", "same phone"),
        _level("ELSE", "phone differs"),
    ], "comparison_description": "contact phone token, hubs removed"}


#: A phone token on more reports than this is a hub, not a person's own number.
PHONE_HUB_REPORTS = 5


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
#: alone (`*_block` columns); more common values block only together with another field.
#: The rules with a cap keep their pairs linear in the reports; those without one (a date
#: of birth with another field) grow with the square of their blocks as the data do: at
#: 5,399,072 pooled reports the rules gave 89.2 million pairs against 10.1 million at
#: 1,080,174, and the date of birth with sex and nationality, whose largest block held 143
#: reports, paired 49.9 million (some also paired by other rules; docs/scale.md, Sizing).
BLOCK_CAP = 40
#: The cap of the rules for reports without a full date of birth: a name (or one part and
#: the other's sound) shared by at most this many reports (`*_wide_block`, `*_sound_block`).
WIDE_BLOCK_CAP = 200


def input_sql(reports: str, cap: int = BLOCK_CAP, unique_id: str = UNIQUE_ID_SQL) -> str:
    """The model's input (`INPUT_SQL`) over the reports table `reports`, with the block caps
    (`cap` for the name rules, `WIDE_BLOCK_CAP`, `PHONE_HUB_REPORTS`): one text for both
    engines (Spark renders it with `link.dialect.spark_sql`, its ids a column of `reports`
    numbered as `unique_id` numbers them)."""
    return INPUT_SQL.format(reports=reports, cap=int(cap), wide_cap=WIDE_BLOCK_CAP,
                            phone_cap=PHONE_HUB_REPORTS, unique_id=unique_id)


#: One side without a full date of birth: the rules that need one never pair it.
NO_DOB = "(l.dob IS NULL OR r.dob IS NULL)"
SEX_AGREES = "(l.sex IS NULL OR r.sex IS NULL OR l.sex = r.sex)"
NATIONALITY_AGREES = ("(l.nationality IS NULL OR r.nationality IS NULL "
                      "OR l.nationality = r.nationality)")

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
    "l.phone = r.phone",
    "l.given_block = r.given_block",
    "l.family_block = r.family_block",
    "l.dob_block = r.dob_block",
    # reports without a full date of birth: the name with a higher cap (and sex and
    # nationality not contradicting), or one part exact and the other sounding alike
    f"l.name_wide_block = r.name_wide_block AND {NO_DOB} AND {SEX_AGREES} "
    f"AND {NATIONALITY_AGREES}",
    f"l.given_sound_block = r.given_sound_block AND {NO_DOB}",
    f"l.family_sound_block = r.family_sound_block AND {NO_DOB}",
    # both names alike across romanisation systems (Shevchenko, Schewtschenko), at most
    # BLOCK_CAP reports sharing the two keys (with WIDE_BLOCK_CAP, 200, this rule alone
    # made 4.1 of the 11.4 million pairs at 1,080,174 reports and found 0.05% more of
    # the true pairs than with 40: 0.9738 against 0.9734, 10.1 million pairs)
    "l.romanised_block = r.romanised_block",
)

#: Rules that almost only pair matches, and the share of matches they are assumed to find:
#: the first estimate of the prior (the probability that two random reports match).
DETERMINISTIC_RULES = (
    "l.name_sorted_token = r.name_sorted_token AND l.dob = r.dob",
    "l.source = r.source AND l.person_ref = r.person_ref",
)
DETERMINISTIC_RECALL = 0.7

#: Sex and nationality agree (or are unknown on both sides) in both EM sessions: fewer
#: non-matches for EM among the session's pairs (at 1,080,174 reports it did not make the
#: name's m right; the sure pairs did, docs/linkage.md).
SAME_SEX_AND_NATIONALITY = ("l.sex IS NOT DISTINCT FROM r.sex "
                            "AND l.nationality IS NOT DISTINCT FROM r.nationality")

#: EM sessions: the blocking rule, and the comparisons whose m values are taken from it.
#: Dates of birth first (estimates the names and the rest); then the same rare names (each
#: part borne by at most BLOCK_CAP reports), taken for the birth comparison only: on pairs
#: that already agree on the name the other comparisons are too weak to tell namesakes
#: from matches, and among common names most pairs are namesakes. The m of sex and
#: nationality are their recording errors among sure matches (`splink_model.differs_m`),
#: fixed through EM, and so are the name's, the birth date's, the report dates', the forms'
#: and the source's where the store has enough pairs that share a personal phone
#: (`SURE_PAIRS`): a session whose comparisons are all fixed is not run.
TRAINING: tuple[tuple[str, tuple[str, ...]], ...] = (
    (f"l.dob = r.dob AND {SAME_SEX_AND_NATIONALITY}",
     ("name", "phone", "source", "report_date", "exploitation")),
    ("l.name_token = r.name_token AND l.name_block IS NOT NULL "
     f"AND {SAME_SEX_AND_NATIONALITY}", ("birth",)),
)

#: Pairs that are the same person whatever the comparison says, to take its m from: one
#: personal phone (hubs removed, `PHONE_HUB_REPORTS`) and the other identifier agreeing.
#: Measured at 1,080,174 synthetic reports (26,688 and 35,666 pairs, 99.99% and 100%
#: matches), their levels are within a few per cent of the truth's m in every level
#: where EM, with non-matches of similar names and one nationality mixed in, was off by
#: up to 170 times (docs/linkage.md, session of 2026-12-02, second part).
#: The same pairs give m of the report dates, the forms and the source, which a phone does
#: not decide either: EM, on pairs of one date of birth with namesakes and other persons
#: mixed in, put m of "reported more than a year apart" at 0.24 where the truth is 0.10
#: (these pairs: 0.076), and of "other forms" at 0.12 where it is 0.075 (0.058): an exact
#: name without a birth date reported years apart was linked at p 0.95 and over, and 1,185
#: of the 2,067 such pairs from 0.8 up were two persons (1,080,174 reports, 2026-12-02).
SURE_DOB_PHONE = "l.dob = r.dob AND l.phone = r.phone"
SURE_PAIRS: tuple[tuple[str, str], ...] = (
    ("name", SURE_DOB_PHONE),
    ("birth", "l.name_token = r.name_token AND l.phone = r.phone"),
    ("report_date", SURE_DOB_PHONE),
    ("exploitation", SURE_DOB_PHONE),
    ("source", SURE_DOB_PHONE),
)
#: Fewer sure pairs than this and the comparison's m is left to EM.
SURE_MIN_PAIRS = 1_000

COMPARISON_NAMES = ("name", "birth", "sex", "nationality", "phone", "source", "report_date",
                    "exploitation")


#: Floors on m of the levels that say "these differ" (comparison, level label, floor).
#: EM learns m from the reports themselves; synthetic data that never vary a field
#: (or a register that copies it faithfully) give m near 0, a veto of tens of bits
#: that one recording error in real data would turn into a missed link. The floors are
#: the error rates of real registrations seen in FEBRL and the literature on recorded
#: nationality and dates of birth (a few per cent); see docs/linkage.md.
M_FLOORS: tuple[tuple[str, str, float], ...] = (
    ("name", "one name part missing, the other differs", 0.005),
    ("name", "names differ", 0.005),
    ("birth", "day and month swapped", 0.005),
    ("birth", "one digit off", 0.02),
    ("birth", "same year, other date", 0.01),
    ("birth", "year one off", 0.01),
    ("birth", "birth differs", 0.01),
    ("sex", "sex differs", 0.01),
    ("nationality", "nationality differs", 0.03),
    ("phone", "phone differs", 0.2),
)


def settings(prior: float = 1e-4) -> dict[str, Any]:
    """The untrained model as a Splink settings dictionary."""
    return {
        "link_type": "dedupe_only",
        "linker_uid": "thbmonitor",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule} for rule in BLOCKING_RULES],
        "comparisons": [_name_comparison(), _birth_comparison(),
                        _exact_comparison("sex", SAME_GIVEN),
                        _exact_comparison("nationality", PART_SHARED), _phone_comparison(),
                        _source_comparison(),
                        _report_date_comparison(), _exploitation_comparison()],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "max_iterations": 25,
        "em_convergence": 0.0001,
    }
