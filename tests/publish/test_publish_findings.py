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
    assert found.p_value == pytest.approx(poisson_test(60, 13))
    assert found.text["nl"] == ("Het aantal minderjarige slachtoffers van criminele uitbuiting "
                                "steeg sterk: van 13 in 2023 naar 60 in 2024.")
    assert found.text["en"] == ("The number of minor victims of criminal exploitation rose "
                                "strongly: from 13 in 2023 to 60 in 2024.")


def test_rise_after_a_rise_has_streak_two_and_says_again() -> None:
    figures = planted(y2023=cross_with(criminal__minor=20), y2024=cross_with(criminal__minor=60))
    found = by_metric(find_changes(figures))[CRIMINAL_MINOR]
    assert found.streak == 2
    assert "stijgt opnieuw" in found.text["nl"]
    assert "rises again" in found.text["en"]
    assert "van 20 in 2023 naar 60 in 2024" in found.text["nl"]


def test_third_year_in_a_row_is_counted() -> None:
    figures = planted(y2022=cross_with(criminal__minor=16), y2023=cross_with(criminal__minor=20),
                      y2024=cross_with(criminal__minor=60))
    found = by_metric(find_changes(figures))[CRIMINAL_MINOR]
    assert found.streak == 3
    assert found.text["nl"].endswith("Dat is 3 jaar op rij.")
    assert found.text["en"].endswith("That is 3 years in a row.")


def test_fall_after_a_fall_keeps_falling() -> None:
    years = steady()
    years[2022] = year_figures(2022, chain={"investigations": 180})  # a rise from 120
    years[2023] = year_figures(2023, chain={"investigations": 150})
    years[2024] = year_figures(2024, chain={"investigations": 60})
    found = by_metric(find_changes(release_figures(years)))[INVESTIGATIONS]
    assert (found.direction, found.strength, found.streak) == ("down", "strong", 2)
    assert "blijft sterk dalen" in found.text["nl"]
    assert "keeps falling sharply" in found.text["en"]


def test_steady_years_give_no_findings() -> None:
    assert find_changes(release_figures(steady())) == []


def test_change_within_noise_is_not_found() -> None:
    # 60 -> 70 adult victims of criminal exploitation: p about 0.47
    figures = planted(y2024=cross_with(criminal__adult=70))
    tested = {c.metric: c for c in judge_changes(figures)}
    assert tested["victims.cross.exploitation_by_age_group.criminal.adult"].p_value > 0.3
    assert find_changes(figures) == []


def test_cell_below_publication_threshold_is_not_found() -> None:
    figures = planted(y2024=cross_with(other__minor=40))  # 2 -> 40
    metric = "victims.cross.exploitation_by_age_group.other.minor"
    assert metric not in by_metric(find_changes(figures))
    assert metric in by_metric(find_changes(figures, min_count=1))


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
    tested = {c.metric for c in judge_changes(release_figures(years))}
    assert "chain.prosecution.summons_pct" not in tested


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
    # 200 -> 245 suspects: p = 0.037 on its own, not after correcting over ~100 cells
    years = steady()
    years[2024] = year_figures(2024, chain={"suspects": 245})
    figures = release_figures(years)
    change = {c.metric: c for c in judge_changes(figures)}["chain.suspects.total"]
    assert change.p_value < 0.05 < change.q_value
    assert "chain.suspects.total" not in by_metric(find_changes(figures))
    # within its own table (a family of one) it stands
    assert "chain.suspects.total" in by_metric(find_changes(figures, family="table"))


def test_findings_are_ordered_strong_first_then_clearest() -> None:
    years = steady()
    years[2024] = year_figures(2024, cross_with(criminal__minor=60, sexual__adult=420),
                               chain={"investigations": 60})
    findings = find_changes(release_figures(years))
    strengths = [f.strength for f in findings]
    assert strengths == sorted(strengths, key=lambda s: s != "strong")
    strong = [f for f in findings if f.strength == "strong"]
    assert [f.q_value for f in strong] == sorted(f.q_value for f in strong)
    assert "victims.by.exploitation.sexual" in by_metric(findings)
    assert by_metric(findings)["victims.by.exploitation.sexual"].strength == "moderate"


def test_finding_dict_has_exactly_the_contract_keys() -> None:
    figures = with_findings(planted(y2024=cross_with(criminal__minor=60)))
    assert figures["findings"]
    for finding in figures["findings"]:
        assert set(finding) == {"metric", "direction", "strength", "streak", "value",
                                "previous", "p_value", "text"}
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

    code = ("import sys, thbmonitor.publish; "
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
    assert metric in {c.metric for c in judge_changes(figures)}
    figures["victims"]["previous_by"]["age_group"]["minor"] = None  # null, not absent
    assert metric not in {c.metric for c in judge_changes(figures)}


def test_cell_suppressed_in_last_year_is_not_found() -> None:
    years = steady()
    years[2024] = year_figures(2024, cross_with(criminal__minor=60))
    years[2023]["suppressed"] = [CRIMINAL_MINOR]
    assert CRIMINAL_MINOR not in by_metric(find_changes(release_figures(years)))
