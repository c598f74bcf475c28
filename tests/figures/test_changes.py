"""The statistics of change: pinned to statsmodels, and their error rates on null series."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from thbmonitor.figures.changes import (
    CellSeries,
    ChangeRule,
    change_test,
    judge,
    poisson_test,
    pooled_dispersion,
    trend_test,
)
from thbmonitor.vocab.indicators import KEY_INDICATORS

YEARS = [2020, 2021, 2022, 2023, 2024]


@pytest.mark.parametrize(
    "counts", [[105, 98, 92, 84, 76], [10, 11, 12, 13, 40], [26, 40, 55, 68, 75]])
def test_trend_is_statsmodels_quasi_poisson_glm(counts: list[int]) -> None:
    """statsmodels: GLM(y, [1, year - mean], Poisson()).fit(scale='X2'); dispersion floored at 1."""
    trend = trend_test(YEARS, counts)
    assert trend is not None
    x = sm.add_constant(np.array(YEARS, float) - np.mean(YEARS))
    fit = sm.GLM(np.array(counts, float), x, family=sm.families.Poisson()).fit(scale="X2")
    assert trend.slope == pytest.approx(fit.params[1], rel=1e-8)
    assert trend.dispersion == pytest.approx(max(1.0, fit.scale), rel=1e-8)
    assert trend.std_error == pytest.approx(
        fit.bse[1] * np.sqrt(max(1.0, fit.scale) / fit.scale), rel=1e-8)
    if fit.scale > 1:  # quasi-likelihood: Student's t on n - 2 degrees of freedom
        statistic = fit.params[1] / fit.bse[1]
        assert trend.p_value == pytest.approx(2 * stats.t.sf(abs(statistic), 3), rel=1e-6)


def test_trend_of_a_percentage_is_statsmodels_binomial_glm() -> None:
    k = np.array([30, 38, 40, 41, 50.0])
    n = np.array([100, 90, 100, 80, 100.0])
    trend = trend_test(YEARS, k, n)
    assert trend is not None
    x = sm.add_constant(np.array(YEARS, float) - np.mean(YEARS))
    fit = sm.GLM(np.column_stack([k, n - k]), x, family=sm.families.Binomial()).fit()
    assert trend.slope == pytest.approx(fit.params[1], rel=1e-8)
    assert trend.std_error == pytest.approx(fit.bse[1], rel=1e-5)  # Pearson X2/df < 1: phi = 1


def test_no_trend_without_information() -> None:
    assert trend_test(YEARS, [0, 0, 0, 0, 0]) is None
    assert trend_test([2023, 2024], [10, 20]) is None


def test_overdispersion_widens_the_change_test() -> None:
    exact, name = change_test(79, 52)
    assert name == "poisson-conditional" and exact == pytest.approx(poisson_test(79, 52))
    wide, wide_name = change_test(79, 52, dispersion=4.0, df=20)
    assert wide_name == "quasi-poisson" and wide > 3 * exact


def test_the_change_being_tested_does_not_inflate_its_own_dispersion() -> None:
    """The defect: a step in the last year made the trend model's dispersion 6.4 and hid it."""
    cell = CellSeries("victims.total", tuple(range(2019, 2025)), (13, 13, 13, 13, 13, 60))
    assert pooled_dispersion([cell], 5)["victims:count"][0] == 1.0  # from 2019-2023 alone
    change = judge([cell], {})[0]
    assert change.p_change == pytest.approx(poisson_test(60, 13))


def null_release(rng: np.random.Generator, dispersion: float) -> list[CellSeries]:
    """The key indicators (and the rest of their sections) over six steady years.

    Counts are negative binomial with variance ``dispersion * mean`` around
    steady means of realistic size: no change anywhere.
    """
    means = {
        "victims.total": 900, "victims.by.age_group.minor": 70,
        "victims.by.exploitation.sexual": 350, "victims.by.exploitation.labour": 260,
        "victims.by.exploitation.criminal": 75,
        "victims.cross.exploitation_by_age_group.criminal.minor": 15,
        "victims.by.nationality.UA": 30,
        "victims.cross.exploitation_by_nationality_group.sexual.latin_america": 30,
        "victims.cross.exploitation_by_nationality_group.labour.europe_other": 40,
        "victims.by.sex.female": 540, "victims.by.sex.male": 340,
        "chain.investigations.total": 120, "chain.investigations.by_exploitation.sexual": 72,
        "chain.investigations.sexual_by_scope.international": 29,
        "chain.suspects.total": 200, "chain.prosecution.registered": 180,
    }
    years = tuple(range(2019, 2025))
    out = []
    for metric, mean in means.items():
        if dispersion > 1:
            size = mean / (dispersion - 1)
            values = rng.negative_binomial(size, size / (size + mean), len(years))
        else:
            values = rng.poisson(mean, len(years))
        out.append(CellSeries(metric, years, tuple(float(v) for v in values),
                              family=metric.rsplit(".", 1)[0]))
    decided = rng.poisson(170, len(years)).astype(float)
    summons = rng.binomial(decided.astype(int), 0.6).astype(float)
    out.append(CellSeries("chain.prosecution.summons_pct", years,
                          tuple(100 * summons / decided), "percent", "chain.prosecution",
                          tuple(summons), tuple(decided)))
    return out


@pytest.mark.parametrize("dispersion", [1.0, 3.0])
def test_false_positive_rate_of_key_findings_is_at_most_nominal(dispersion: float) -> None:
    """Over 200 null releases, how many make any key finding (change or trend)?

    Under the global null the false discovery rate is the chance of any
    finding; it must not be significantly above alpha = 0.05 (one-sided
    binomial test at the 1% level: at most 18 of 200).
    """
    rng = np.random.default_rng(20241016)
    rule = ChangeRule(alpha=0.05)
    releases = 200
    with_finding = 0
    for _ in range(releases):
        judged = judge(null_release(rng, dispersion), KEY_INDICATORS, rule)
        if any(c.key and (c.significant_change(rule.alpha) or c.significant_trend(rule.alpha))
               for c in judged):
            with_finding += 1
    assert stats.binomtest(with_finding, releases, 0.05, alternative="greater").pvalue > 0.01, (
        f"{with_finding} of {releases} null releases made a key finding")


def test_a_real_change_is_found_on_overdispersed_series() -> None:
    """Power: tripling a key count of 70 on series with dispersion 3 is found nearly always.

    (Doubling is found in about 40% of runs: bench/bench_findings.py has the power table.)
    """
    rng = np.random.default_rng(7)
    found = 0
    for _ in range(100):
        cells = null_release(rng, 3.0)
        minors = cells[1]
        values = list(minors.values)
        values[-1] = float(rng.negative_binomial(105, 1 / 3))  # mean 210 (3 x 70), var 3 x 210
        cells[1] = CellSeries(minors.metric, minors.years, tuple(values), family=minors.family)
        judged = {c.metric: c for c in judge(cells, KEY_INDICATORS)}
        if judged[minors.metric].significant_change(0.05):
            found += 1
    assert found >= 90
