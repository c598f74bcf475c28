"""Findings on planted scenarios: what is found, with which streak, and what is not."""

from __future__ import annotations

import pytest
from publish_builder import (
    cross_with,
    release_figures,
    set_path,
    steady,
    year_figures,
)
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from thbmonitor.publish.findings import (
    DEFAULT_KEY_INDICATORS,
    FindingRule,
    benjamini_hochberg,
    find_changes,
    judge_changes,
    poisson_test,
    proportion_test,
    with_findings,
)

CRIMINAL_MINOR = "victims.cross.exploitation_by_age_group.criminal.minor"
INVESTIGATIONS = "chain.investigations.total"


def planted(**years_cross: dict[str, dict[str, int]]) -> dict:
    """Steady 2019-2024 with the cross table replaced in the given years (y2023=...)."""
    years = steady()
    for key, cross in years_cross.items():
        year = int(key.removeprefix("y"))
        years[year] = year_figures(year, cross)
    return release_figures(years)


def by_metric(findings: list) -> dict:
    return {f.metric: f for f in findings}


def test_strong_rise_is_found_with_streak_one() -> None:
    figures = planted(y2024=cross_with(criminal__minor=60))
    found = by_metric(find_changes(figures))[CRIMINAL_MINOR]
    assert (found.direction, found.strength, found.streak) == ("up", "strong", 1)
    assert (found.value, found.previous) == (60, 13)
    # one-sided: the key indicator's direction of interest is "up"
    assert found.p_value == pytest.approx(poisson_test(60, 13) / 2)
    assert found.family == "key"
    assert found.text["nl"] == ("Het aantal minderjarige slachtoffers van criminele uitbuiting "
                                "steeg sterk: van 13 in 2023 naar 60 in 2024.")
    assert found.text["en"] == ("The number of minor victims of criminal exploitation rose "
                                "strongly: from 13 in 2023 to 60 in 2024.")


def test_rise_after_a_rise_has_streak_two_and_says_again() -> None:
    # the rise before this year is itself real: 13, 13, 13, 13 -> 20 alone would not be
    figures = planted(y2020=cross_with(criminal__minor=5), y2021=cross_with(criminal__minor=12),
                      y2022=cross_with(criminal__minor=11), y2023=cross_with(criminal__minor=25),
                      y2024=cross_with(criminal__minor=60))
    found = by_metric(find_changes(figures))[CRIMINAL_MINOR]
    assert found.streak == 2
    assert "stijgt opnieuw" in found.text["nl"]
    assert "rises again" in found.text["en"]
    assert "van 25 in 2023 naar 60 in 2024" in found.text["nl"]


def test_third_year_in_a_row_is_counted() -> None:
    figures = planted(y2020=cross_with(criminal__minor=15),
                      y2021=cross_with(criminal__minor=14), y2022=cross_with(criminal__minor=22),
                      y2023=cross_with(criminal__minor=30), y2024=cross_with(criminal__minor=60))
    found = by_metric(find_changes(figures))[CRIMINAL_MINOR]
    assert found.streak == 3
    assert found.text["nl"].endswith("Dat is 3 jaar op rij.")
    assert found.text["en"].endswith("That is 3 years in a row.")


def test_fall_after_a_fall_keeps_falling_only_on_a_significant_trend() -> None:
    years = steady()
    for year, count in zip(range(2019, 2025), (170, 160, 145, 130, 110, 60), strict=True):
        years[year] = year_figures(year, chain={"investigations": count})
    found = by_metric(find_changes(release_figures(years)))[INVESTIGATIONS]
    assert (found.direction, found.strength, found.streak) == ("down", "strong", 5)
    assert found.basis == "change-and-trend"
    assert "blijft sterk dalen" in found.text["nl"]
    assert "keeps falling sharply" in found.text["en"]


def test_same_signed_steps_without_a_trend_are_no_streak() -> None:
    """The defect: "rises again ... three years in a row" rested on 10 -> 11 -> 12 -> 40."""
    years = steady()
    for year, count in zip(range(2020, 2025), (10, 10, 11, 12, 40), strict=True):
        years[year] = year_figures(year, cross_with(criminal__minor=count))
    found = by_metric(find_changes(release_figures(years)))[CRIMINAL_MINOR]
    assert found.streak == 1
    assert "opnieuw" not in found.text["nl"] and "again" not in found.text["en"]


def test_steady_years_give_no_findings() -> None:
    assert find_changes(release_figures(steady())) == []


def test_change_within_noise_is_not_found() -> None:
    # 60 -> 70 adult victims of criminal exploitation: p about 0.47
    figures = planted(y2024=cross_with(criminal__adult=70))
    tested = {c.metric: c for c in judge_changes(figures)}
    assert tested["victims.cross.exploitation_by_age_group.criminal.adult"].p_value > 0.3
    assert find_changes(figures) == []


def test_a_rise_from_below_the_threshold_is_found_without_the_hidden_value() -> None:
    # 2 -> 40, with the minors' total kept as it was
    figures = planted(y2024=cross_with(other__minor=40, sexual__minor=2))
    metric = "victims.cross.exploitation_by_age_group.other.minor"
    found = by_metric(find_changes(figures))[metric]
    assert found.previous is None and found.previous_below == 10 and found.p_value is None
    assert "van minder dan 10 in 2023 naar 40 in 2024" in found.text["nl"]
    assert "from fewer than 10 in 2023 to 40 in 2024" in found.text["en"]
    assert " 2 " not in found.text["en"]


def mentioned(findings: list) -> set:
    """Every metric a finding names, merged ones included."""
    return {f.metric for f in findings} | {m for f in findings for m in f.related}


def test_a_cell_below_the_threshold_this_year_is_never_a_finding() -> None:
    figures = planted(y2024=cross_with(sexual__minor=4))  # 40 -> 4: significant, hidden
    metric = "victims.cross.exploitation_by_age_group.sexual.minor"
    assert metric not in mentioned(find_changes(figures))
    assert metric in mentioned(find_changes(figures, min_count=1))


def test_null_cell_is_not_found() -> None:
    figures = planted(y2024=cross_with(criminal__minor=60))
    assert CRIMINAL_MINOR in by_metric(find_changes(figures))
    set_path(figures, CRIMINAL_MINOR, None)
    figures["suppressed"] = [CRIMINAL_MINOR]
    assert CRIMINAL_MINOR not in by_metric(find_changes(figures))
    assert CRIMINAL_MINOR not in {c.metric for c in judge_changes(figures)}


def test_cell_listed_as_suppressed_is_not_found_even_with_a_value() -> None:
    figures = planted(y2024=cross_with(criminal__minor=60))
    figures["suppressed"] = [CRIMINAL_MINOR]
    assert CRIMINAL_MINOR not in by_metric(find_changes(figures))


def test_null_previous_year_is_not_found() -> None:
    years = steady()
    years[2024] = year_figures(2024, cross_with(criminal__minor=60))
    years[2023]["victims"]["cross"]["exploitation_by_age_group"]["criminal"]["minor"] = None
    assert CRIMINAL_MINOR not in by_metric(find_changes(release_figures(years)))


def test_percentage_is_tested_on_its_counts() -> None:
    years = steady()
    years[2024] = year_figures(2024, chain={"summons": 150})  # 100/170 -> 150/170
    found = by_metric(find_changes(release_figures(years)))["chain.prosecution.summons_pct"]
    assert (found.direction, found.strength) == ("up", "strong")
    assert (found.value, found.previous) == (88.2, 58.8)
    assert found.text["nl"] == ("Het aandeel afgedane zaken dat het OM voor de rechter bracht "
                                "steeg sterk: van 59% in 2023 naar 88% in 2024.")
    assert found.text["en"].startswith("The share of decided cases brought before a judge rose")


def test_percentage_with_small_denominator_is_not_tested() -> None:
    years = steady()
    years[2023] = year_figures(2023, chain={"decided": 8, "summons": 2})
    years[2024] = year_figures(2024, chain={"decided": 9, "summons": 9})
    assert "chain.prosecution.summons_pct" not in by_metric(find_changes(release_figures(years)))


def test_series_without_previous_year_tests_nothing_that_needs_it() -> None:
    figures = release_figures({2024: year_figures(2024)})
    assert judge_changes(figures) == []


def test_benjamini_hochberg_matches_statsmodels() -> None:
    p_values = [0.01, 0.04, 0.03, 0.005, 0.2, 0.0001, 0.5]
    expected = multipletests(p_values, method="fdr_bh")[1]
    assert benjamini_hochberg(p_values) == pytest.approx(list(expected))
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg([]) == []


def test_correction_removes_a_change_that_is_significant_alone() -> None:
    # 200 -> 245 suspects: p = 0.037 on its own, not after correcting over the key family
    years = steady()
    years[2024] = year_figures(2024, chain={"suspects": 245})
    figures = release_figures(years)
    key = {**DEFAULT_KEY_INDICATORS, "chain.suspects.total": "both"}
    change = {c.metric: c for c in judge_changes(figures, FindingRule(key_indicators=key))}[
        "chain.suspects.total"]
    assert change.key and change.family == "key"
    assert change.p_change is not None and change.p_change < 0.05 < change.q_change
    assert "chain.suspects.total" not in by_metric(find_changes(figures, key_indicators=key))
    # as the only key indicator, it stands
    alone = find_changes(figures, key_indicators={"chain.suspects.total": "both"})
    assert "chain.suspects.total" in by_metric(alone)


def test_a_direction_of_interest_makes_the_key_test_one_sided() -> None:
    years = steady()
    years[2024] = year_figures(2024, chain={"suspects": 245})
    figures = release_figures(years)
    both = {c.metric: c for c in judge_changes(figures)}["chain.suspects.total"]
    up = find_changes(figures, key_indicators={"chain.suspects.total": "up",
                                               "victims.total": "both"})
    down = find_changes(figures, key_indicators={"chain.suspects.total": "down",
                                                 "victims.total": "both"})
    assert both.p_change is not None
    assert "chain.suspects.total" in by_metric(up)
    assert "chain.suspects.total" not in by_metric(down)


def test_findings_are_ordered_key_first_then_strong_then_clearest() -> None:
    years = steady()
    years[2024] = year_figures(2024, cross_with(criminal__minor=60, sexual__adult=420),
                               chain={"investigations": 60})
    findings = find_changes(release_figures(years))
    families = [f.family for f in findings]
    assert families == sorted(families, key=lambda f: f != "key")
    for family in ("key", "exploratory"):
        strengths = [f.strength for f in findings if f.family == family]
        assert strengths == sorted(strengths, key=lambda s: s != "strong")
    assert by_metric(findings)["victims.by.exploitation.sexual"].strength == "moderate"
    assert INVESTIGATIONS in by_metric(findings)


def test_finding_dict_has_exactly_the_contract_keys() -> None:
    figures = with_findings(planted(y2024=cross_with(criminal__minor=60)))
    assert figures["findings"]
    for finding in figures["findings"]:
        assert {"metric", "direction", "strength", "streak", "value", "previous", "p_value",
                "text"} <= set(finding)
        assert finding["family"] in ("key", "exploratory")
        assert set(finding["text"]) == {"nl", "en"}


def test_previous_keys_and_change_are_not_tested() -> None:
    figures = planted(y2024=cross_with(criminal__minor=60))
    metrics = {c.metric for c in judge_changes(figures)}
    assert not any(".previous" in m or m.endswith(".change") for m in metrics)
    assert {"victims.total", "reports.total", "chain.verdicts.conviction_pct"} <= metrics


def test_poisson_test_is_the_conditional_binomial_test() -> None:
    """R: poisson.test(c(42, 13))$p.value == binom.test(42, 55, 0.5)$p.value = 1.136e-04."""
    assert poisson_test(42, 13) == pytest.approx(1.1361e-4, rel=1e-3)
    assert poisson_test(13, 42) == pytest.approx(poisson_test(42, 13))
    assert poisson_test(10, 10) == pytest.approx(1.0)
    assert poisson_test(0, 0) == 1.0


def test_proportion_test_matches_statsmodels_pooled_z() -> None:
    p, test = proportion_test(150, 170, 100, 170)
    _, expected = proportions_ztest([150, 100], [170, 170])
    assert test == "two-proportion-z"
    assert p == pytest.approx(expected)
    p_small, test_small = proportion_test(9, 10, 2, 10)
    assert test_small == "fisher-exact"
    assert 0 < p_small < 0.01


def test_publish_does_not_import_the_intake_or_the_store() -> None:
    import subprocess
    import sys

    # The package loads its modules on first use (PEP 562): import what it publishes with.
    code = ("import sys, thbmonitor.publish.report, thbmonitor.publish.findings, "
            "thbmonitor.publish.charts, thbmonitor.publish.texts; "
            "print(sorted(m for m in sys.modules if m.startswith('thbmonitor.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "thbmonitor.publish.report" in out
    for forbidden in ("thbmonitor.ingest", "thbmonitor.store", "thbmonitor.link",
                      "thbmonitor.synth"):
        assert forbidden not in out


def test_streak_stops_at_a_value_below_the_threshold() -> None:
    # 2022 -> 2023: 5 -> 20 is a rise, but 5 was never publishable
    figures = planted(y2022=cross_with(criminal__minor=5), y2023=cross_with(criminal__minor=20),
                      y2024=cross_with(criminal__minor=60))
    assert by_metric(find_changes(figures))[CRIMINAL_MINOR].streak == 1


def test_suppressed_previous_value_is_not_taken_from_elsewhere() -> None:
    years = steady()
    years[2024] = year_figures(2024, cross_with(criminal__minor=60))
    figures = release_figures(years)
    metric = "victims.by.age_group.minor"
    assert {c.metric: c for c in judge_changes(figures)}[metric].p_change is not None
    figures["victims"]["previous_by"]["age_group"]["minor"] = None  # null, not absent
    change = {c.metric: c for c in judge_changes(figures)}.get(metric)
    assert change is None or (change.previous is None and change.p_change is None)


def test_cell_suppressed_in_last_year_is_not_found() -> None:
    years = steady()
    years[2024] = year_figures(2024, cross_with(criminal__minor=60))
    years[2023]["suppressed"] = [CRIMINAL_MINOR]
    assert CRIMINAL_MINOR not in by_metric(find_changes(release_figures(years)))


def test_investigations_and_their_sexual_part_falling_are_one_finding() -> None:
    """The demo said both "police investigations fell" and "investigations into sexual
    exploitation fell": one phenomenon, stated once for the clearest cell."""
    years = steady()
    years[2024] = year_figures(2024, chain={"investigations": 60})
    found = find_changes(release_figures(years))
    named = [f for f in found if f.metric.startswith("chain.investigations")]
    assert len(named) == 1
    assert {named[0].metric, *named[0].related} >= {
        INVESTIGATIONS, "chain.investigations.by_exploitation.sexual"}
