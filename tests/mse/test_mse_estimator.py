"""The estimator's contract: settings, fitted attributes, to_dict (CONTRACTS section 4)."""

from __future__ import annotations

import io
import json
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from thbmonitor.errors import UsageError
from thbmonitor.mse import CaptureTable, MSEstimator, datasets
from thbmonitor.mse.fit import fit_poisson
from thbmonitor.mse.models import design, parameters, parse_terms

CONTRACT_KEYS = {
    "observed", "estimate", "dark_figure", "ci", "ci_level", "lists", "terms", "method",
    "warnings", "minus_infinity",
}


def fitted(**kwargs: object) -> MSEstimator:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MSEstimator(**kwargs).fit(datasets.load("Korea"))  # type: ignore[arg-type]


def test_fit_returns_self_and_to_dict_has_the_contract_keys() -> None:
    est = MSEstimator(method="stepwise", nboot=100, seed=3)
    assert est.fit(datasets.load("Korea")) is est
    d = est.to_dict()
    assert set(d) >= CONTRACT_KEYS
    assert d["observed"] == est.observed_
    assert d["estimate"] == pytest.approx(d["observed"] + d["dark_figure"])
    assert d["lists"] == ["b", "c", "d"]
    assert d["method"] == "stepwise"
    assert d["nboot"] == 100 and d["seed"] == 3
    assert len(d["ci"]) == 2 and d["ci"][0] < d["estimate"] < d["ci"][1]
    json.dumps(d)  # plain JSON types only


def test_same_seed_same_interval_and_generator_accepted() -> None:
    a = fitted(nboot=200, seed=11).ci_
    b = fitted(nboot=200, seed=11).ci_
    c = fitted(nboot=200, seed=np.random.default_rng(11)).ci_
    assert a == b == c


def test_no_seed_records_the_seed_it_drew() -> None:
    est = fitted(nboot=50)
    again = fitted(nboot=50, seed=est.seed_)
    assert est.ci_ == again.ci_


def test_fixed_method_needs_terms_and_knows_the_lists() -> None:
    with pytest.raises(UsageError):
        MSEstimator(method="fixed")
    with pytest.raises(UsageError):
        MSEstimator(method="nope")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="unknown list"):
        MSEstimator(method="fixed", terms=["b:z"]).fit(datasets.load("Korea"))


def test_fixed_model_equals_bic_choice_on_korea() -> None:
    """R: estimate_population_bic(Korea) chooses [b:c, c:d]; the fixed fit gives the same N."""
    bic = fitted(method="bic", nboot=0)
    fixed = fitted(method="fixed", terms=bic.terms_)
    assert fixed.population_ == pytest.approx(bic.population_, rel=1e-10)
    assert fixed.ci_kind_ == "profile likelihood"


def test_summary_print_summary_and_chart_spec() -> None:
    est = fitted(nboot=100, seed=1)
    table = est.summary
    assert list(table.columns) == ["coef", "exp(coef)", "se(coef)"]
    assert table.loc["(intercept)", "exp(coef)"] == pytest.approx(est.dark_figure_)
    buf = io.StringIO()
    est.print_summary(file=buf)
    assert "estimate" in buf.getvalue() and "b:c" in buf.getvalue()
    spec = est.chart_spec()
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert "hconcat" in spec
    json.dumps(spec)


def test_plot_without_matplotlib_says_what_to_install() -> None:
    est = fitted(method="main")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="matplotlib"):
            est.plot_estimate()
    else:
        assert est.plot_estimate() is not None


@pytest.mark.parametrize(("name", "terms"), [("Western", ["A:E"]), ("Kosovo", ["EXH:ABA:OSCE"])])
def test_irls_matches_statsmodels_glm(name: str, terms: list[str]) -> None:
    """Baseline: statsmodels GLM(Poisson) on the same design gives the same coefficients."""
    t = datasets.load(name)
    x = design(t.k, parameters(t.k, parse_terms(terms, t.lists)))
    ours = fit_poisson(x, t.counts[None, :])
    ref = sm.GLM(t.counts, x, family=sm.families.Poisson()).fit(tol=1e-12)
    assert np.allclose(ours.beta[0], ref.params, rtol=1e-6, atol=1e-8)
    assert ours.loglik[0] == pytest.approx(ref.llf, rel=1e-10)


@settings(max_examples=25, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=1, max_value=400), min_size=15, max_size=15),
    perm=st.permutations([0, 1, 2, 3]),
)
def test_main_effects_estimate_ignores_list_order(counts: list[int], perm: list[int]) -> None:
    """Relabelling the lists permutes the patterns but changes no estimate."""
    lists = ("A", "B", "C", "D")
    table = CaptureTable.from_counts(lists, counts)
    cells = np.arange(1, 16)
    moved = sum(((cells >> i) & 1) << perm.index(i) for i in range(4))
    shuffled = np.zeros(15)
    shuffled[moved - 1] = table.counts
    other = CaptureTable.from_counts([lists[perm.index(j)] for j in range(4)], shuffled)
    # Main effects only: the stepwise rule breaks exact ties by pair order, so on a
    # table with tied p-values it may legitimately choose differently.
    a = MSEstimator(method="main").fit(table)
    b = MSEstimator(method="main").fit(other)
    assert a.population_ is not None and b.population_ is not None
    assert a.population_ >= table.observed
    assert b.population_ == pytest.approx(a.population_, rel=1e-8)
    assert a.ci_ is not None and b.ci_ is not None
    assert b.ci_[0] == pytest.approx(a.ci_[0], rel=1e-6)


def test_bic_refuses_more_than_six_lists_like_the_reference() -> None:
    """R: estimate_population_bic stops for more than six lists; stepwise handles eight."""
    table = datasets.load("NewOrl")
    assert table.k == 8
    with pytest.raises(UsageError, match="six lists"):
        MSEstimator(method="bic", nboot=0).fit(table)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MSEstimator(method="stepwise", nboot=0).fit(table)
    assert est.population_ is not None and est.population_ > table.observed
