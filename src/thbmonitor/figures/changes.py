"""The statistics of change: is a figure's move from last year, or its trend, real?

`publish.findings` words what this module decides; nothing here knows a
sentence. Two questions are asked of every published count (and percentage):

* **the change from last year**: for counts the exact conditional test of two
  Poisson counts (``x1`` given ``x0 + x1`` is binomial with ``p = 1/2`` under
  no change); when the cell's series is overdispersed (dispersion ``phi > 1``,
  estimated from the trend model below) a quasi-Poisson Wald test instead,
  ``z = (x1 - x0) / sqrt(phi (x1 + x0))`` referred to Student's t with the
  trend model's residual degrees of freedom. Percentages: the pooled
  two-proportion z-test, or Fisher's exact test when an expected cell count is
  below 5.
* **the trend over the last years** (``window``, default five): a log-linear
  quasi-Poisson regression of the count on the year (for a percentage a
  quasi-binomial logistic regression of its numerator on its denominator),
  fitted by iteratively reweighted least squares, with the dispersion
  estimated from the series' Pearson residuals and never below 1 (McCullagh and
  Nelder 1989, section 4.5; Statistics Netherlands and the ONS use the same
  over-dispersed Poisson models for register counts). With ``phi > 1`` the
  slope's Wald statistic is referred to Student's t on ``n - 2`` degrees of
  freedom, with ``phi = 1`` to the normal distribution.

Registration counts are overdispersed (the published Dutch totals 2017-2024
have a dispersion of about 48), so a pure Poisson test overstates large
changes; estimating the dispersion from each cell's own series is what keeps
the false-positive rate at its nominal level (tests/figures/test_changes.py
measures it over null series).

Multiple testing is controlled by Benjamini and Hochberg (1995) within
*families*: the pre-specified key indicators form one family (the headline
findings); every other published table is a family of its own (exploratory
findings). Both hypotheses of a cell (change and trend) are members of its
family.

Why the fitting is written here: the model has two parameters and at most a
dozen observations; statsmodels would do it, but it is a heavy import for the
command line and is only a test dependency (the tests pin these numbers to
statsmodels' GLM).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
from scipy import stats

from thbmonitor.vocab.indicators import Interest

__all__ = [
    "CellSeries",
    "Change",
    "ChangeRule",
    "Trend",
    "benjamini_hochberg",
    "change_test",
    "judge",
    "poisson_test",
    "proportion_test",
    "trend_test",
]

Kind = Literal["count", "percent"]
Direction = Literal["up", "down"]

#: IRLS stops when the deviance changes by less than this (relative).
_TOLERANCE = 1e-10
_MAX_ITERATIONS = 100


# -- the two-year tests ---------------------------------------------------------


def poisson_test(value: int, previous: int) -> float:
    """Two-sided exact conditional test that two Poisson counts have the same rate."""
    n = int(value) + int(previous)
    if n == 0:
        return 1.0
    return float(stats.binomtest(int(value), n, 0.5).pvalue)


def proportion_test(k1: int, n1: int, k0: int, n0: int) -> tuple[float, str]:
    """Two-sided test that k1/n1 and k0/n0 estimate the same proportion.

    Pooled two-proportion z-test; Fisher's exact test when an expected cell
    count is below 5. Returns the p-value and the name of the test used.
    """
    if n1 <= 0 or n0 <= 0:
        return 1.0, "none"
    pooled = (k1 + k0) / (n1 + n0)
    expected = [n * pooled for n in (n1, n0)] + [n * (1 - pooled) for n in (n1, n0)]
    if min(expected) < 5:
        table = [[k1, n1 - k1], [k0, n0 - k0]]
        return float(stats.fisher_exact(table).pvalue), "fisher-exact"
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if se == 0:
        return 1.0, "two-proportion-z"
    z = (k1 / n1 - k0 / n0) / se
    return float(2 * stats.norm.sf(abs(z))), "two-proportion-z"


def change_test(value: int, previous: int, dispersion: float = 1.0,
                df: int | None = None) -> tuple[float, str]:
    """The change of a count from last year: exact when Poisson, quasi-Poisson when not."""
    if dispersion <= 1.0 or df is None or df < 1:
        return poisson_test(value, previous), "poisson-conditional"
    n = value + previous
    if n == 0:
        return 1.0, "quasi-poisson"
    z = (value - previous) / math.sqrt(dispersion * n)
    return float(2 * stats.t.sf(abs(z), df)), "quasi-poisson"


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = min(1.0, running)
    return adjusted


# -- the trend model -------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """A fitted log-linear (or logistic) trend over a window of years."""

    first_year: int
    last_year: int
    slope: float            #: change of the log rate (log odds) per year
    std_error: float
    dispersion: float       #: Pearson estimate, never below 1
    df: int                 #: residual degrees of freedom
    p_value: float
    test: str

    @property
    def direction(self) -> Direction | None:
        if self.slope > 0:
            return "up"
        if self.slope < 0:
            return "down"
        return None

    @property
    def ratio_per_year(self) -> float:
        return math.exp(self.slope)

    def to_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


@dataclass(frozen=True)
class _Fit:
    slope: float
    var_slope: float        #: of the slope, before scaling by the dispersion
    pearson: float
    df: int


def _fit(years: Sequence[int], counts: Sequence[float],
         totals: Sequence[float] | None) -> _Fit | None:
    """Log-linear Poisson (or logistic binomial) regression on the year by IRLS."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(counts, dtype=float)
    n = None if totals is None else np.asarray(totals, dtype=float)
    if len(x) < 3 or y.sum() <= 0 or (n is not None and (np.any(n <= 0) or (y >= n).all())):
        return None
    design = np.column_stack([np.ones_like(x), x - x.mean()])
    if n is None:
        mu = np.full_like(y, max(y.mean(), 1e-9))
        eta = np.log(mu)
    else:
        share = np.clip((y.sum() + 0.5) / (n.sum() + 1.0), 1e-6, 1 - 1e-6)
        mu = n * share
        eta = np.log(share / (1 - share)) * np.ones_like(y)
    beta = np.zeros(2)
    previous = math.inf
    for _ in range(_MAX_ITERATIONS):
        variance = mu if n is None else mu * (1 - mu / n)
        working = eta + (y - mu) / np.maximum(variance, 1e-12)
        xtwx = design.T @ (design * variance[:, None])
        beta = np.linalg.solve(xtwx, design.T @ (variance * working))
        eta = np.clip(design @ beta, -30, 30)
        mu = np.exp(eta) if n is None else n / (1 + np.exp(-eta))
        if abs(float(beta[1]) - previous) <= _TOLERANCE * (abs(float(beta[1])) + 1e-8):
            break
        previous = float(beta[1])
    variance = mu if n is None else mu * (1 - mu / n)
    pearson = float(np.sum((y - mu) ** 2 / np.maximum(variance, 1e-12)))
    cov = np.linalg.inv(design.T @ (design * np.maximum(variance, 1e-12)[:, None]))
    return _Fit(float(beta[1]), float(cov[1, 1]), pearson, len(y) - 2)


def trend_test(years: Sequence[int], counts: Sequence[float],
               totals: Sequence[float] | None = None, *,
               dispersion: float | None = None, df: int | None = None) -> Trend | None:
    """Quasi-Poisson (or, with ``totals``, quasi-binomial) regression of counts on year.

    The dispersion is the given one (with its degrees of freedom: estimated
    elsewhere, e.g. pooled over a table's earlier years), else the fit's own
    Pearson estimate; never below 1. None when there is no information: fewer
    than three years, all counts zero, or (binomial) every total all or none.
    """
    fit = _fit(years, counts, totals)
    if fit is None:
        return None
    if dispersion is None:
        dispersion = fit.pearson / fit.df if fit.df > 0 else 1.0
        df = fit.df
    dispersion = max(1.0, dispersion)
    std_error = math.sqrt(dispersion * fit.var_slope)
    if std_error == 0 or not math.isfinite(std_error):
        return None
    statistic = fit.slope / std_error
    if dispersion > 1.0 and df:
        p_value, test = float(2 * stats.t.sf(abs(statistic), df)), "quasi-likelihood-t"
    else:
        p_value, test = float(2 * stats.norm.sf(abs(statistic))), "wald-z"
    family = "binomial" if totals is not None else "poisson"
    return Trend(int(years[0]), int(years[-1]), fit.slope, std_error, dispersion, int(df or 0),
                 p_value, f"{family}-{test}")


# -- judging a release -----------------------------------------------------------


@dataclass(frozen=True)
class ChangeRule:
    """What counts as a finding (settings; documented in docs/report.md)."""

    alpha: float = 0.05
    window: int = 5
    strong: float = 1.5
    strong_points: float = 10.0

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class CellSeries:
    """One published cell over the years, oldest first; the last entry is this year.

    ``values`` are counts, or for a percentage the percentage itself with its
    numerators and denominators in ``parts``. A value is None where the year
    has no data or the cell was not published.
    """

    metric: str
    years: tuple[int, ...]
    values: tuple[float | None, ...]
    kind: Kind = "count"
    family: str = ""
    numerators: tuple[float | None, ...] = ()
    denominators: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class Change:
    """The verdict on one cell: its change from last year and its trend, both adjusted."""

    metric: str
    kind: Kind
    family: str
    key: bool
    value: float
    previous: float | None
    p_change: float | None = None
    q_change: float = 1.0
    change_test: str = ""
    trend: Trend | None = None
    q_trend: float = 1.0
    steps: tuple[Direction | None, ...] = field(default_factory=tuple)
    #: The trend over the years before this one: did it move this way already?
    prior_trend: Trend | None = None

    @property
    def direction(self) -> Direction | None:
        if self.previous is None:
            return None
        if self.value > self.previous:
            return "up"
        if self.value < self.previous:
            return "down"
        return None

    @property
    def p_value(self) -> float:
        """The smallest raw p-value of the two hypotheses (for ordering)."""
        return min(self.p_change if self.p_change is not None else 1.0,
                   self.trend.p_value if self.trend else 1.0)

    @property
    def q_value(self) -> float:
        return min(self.q_change, self.q_trend)

    def significant_change(self, alpha: float) -> bool:
        return self.p_change is not None and self.q_change <= alpha and self.direction is not None

    def significant_trend(self, alpha: float) -> bool:
        return self.trend is not None and self.q_trend <= alpha \
            and self.trend.direction is not None

    def streak(self, alpha: float) -> int:
        """Years in a row the figure moved one way; more than 1 only on a tested earlier move.

        1 unless the trend over the years *before* this one is significant (at
        ``alpha``) in the direction of this year's change; then the number of
        consecutive same-signed year-on-year steps ending this year. So "rises
        again" and "keeps falling" rest on a tested earlier trend, not on the
        count of same-signed steps (10 -> 11 -> 12 -> 40 is one rise, not three).
        """
        direction = self.direction
        prior = self.prior_trend
        if direction is None or prior is None or prior.direction != direction \
                or prior.p_value > alpha:
            return 1
        count = 0
        for step in reversed(self.steps):
            if step != direction:
                break
            count += 1
        return max(1, count)


def _pairs(values: Sequence[float | None]) -> tuple[Direction | None, ...]:
    steps: list[Direction | None] = []
    for before, after in zip(values[:-1], values[1:], strict=True):
        if before is None or after is None or before == after:
            steps.append(None)
        else:
            steps.append("up" if after > before else "down")
    return tuple(steps)


def _window(cell: CellSeries, window: int) -> tuple[list[int], list[float], list[float] | None]:
    """The last ``window`` years in which the cell is known (and continuous up to this year)."""
    years: list[int] = []
    counts: list[float] = []
    totals: list[float] = []
    source = cell.numerators if cell.kind == "percent" else cell.values
    for i in range(len(cell.years) - 1, -1, -1):
        if len(years) == window:
            break
        value = source[i] if i < len(source) else None
        total = cell.denominators[i] if cell.kind == "percent" and i < len(
            cell.denominators) else None
        if value is None or (cell.kind == "percent" and not total):
            break
        years.append(cell.years[i])
        counts.append(float(value))
        if total is not None:
            totals.append(float(total))
    years.reverse()
    counts.reverse()
    totals.reverse()
    return years, counts, (totals if cell.kind == "percent" else None)


def _pool(cell: CellSeries) -> str:
    """The cells whose dispersion is estimated together: a section and a kind."""
    return f"{cell.metric.split('.')[0]}:{cell.kind}"


def pooled_dispersion(cells: Sequence[CellSeries], window: int) -> dict[str, tuple[float, int]]:
    """The dispersion of each section's counts, from the years *before* this one.

    Each cell's log-linear trend is fitted on the ``window - 1`` years before
    this year; the Pearson statistics and degrees of freedom are summed over
    the cells of a section (victims, reports, chain) and kind: ``phi =
    max(1, sum X2 / sum df)``. Leaving out this year keeps the change being
    tested from inflating its own yardstick; pooling gives the estimate enough
    degrees of freedom to be stable (a single five-year series has three).
    """
    sums: dict[str, list[float]] = {}
    for cell in cells:
        baseline = CellSeries(cell.metric, cell.years[:-1], cell.values[:-1], cell.kind,
                              cell.family, cell.numerators[:-1], cell.denominators[:-1])
        years, counts, totals = _window(baseline, window - 1)
        fit = _fit(years, counts, totals)
        if fit is None or fit.df < 1:
            continue
        acc = sums.setdefault(_pool(cell), [0.0, 0.0])
        acc[0] += fit.pearson
        acc[1] += fit.df
    return {pool: (max(1.0, x2 / df), int(df)) for pool, (x2, df) in sums.items() if df > 0}


def _one_sided(p: float, observed: Direction | None, interest: Interest) -> float:
    """A two-sided p-value made one-sided for a pre-specified direction of interest."""
    if interest == "both" or observed is None:
        return p
    return p / 2 if observed == interest else 1.0 - p / 2


def judge(cells: Sequence[CellSeries], key: Mapping[str, Interest] | None = None,
          rule: ChangeRule | None = None) -> list[Change]:
    """Test every cell's change and trend; q-values adjusted within each family.

    ``key`` maps the pre-specified key indicators to their direction of
    interest (``up``, ``down`` or ``both``: a one-sided test in that direction,
    pre-registered as in confirmatory analysis); they form the ``key`` family.
    Every other cell is adjusted within its own ``family`` (its table).
    """
    rule = rule or ChangeRule()
    key = dict(key or {})
    pooled = pooled_dispersion(cells, rule.window)
    judged: list[Change] = []
    for cell in cells:
        value = cell.values[-1] if cell.values else None
        if value is None:
            continue
        previous = cell.values[-2] if len(cell.values) > 1 else None
        years, counts, totals = _window(cell, rule.window)
        phi, phi_df = pooled.get(_pool(cell), (1.0, 0))
        trend = trend_test(years, counts, totals, dispersion=phi, df=phi_df)
        prior = None
        if len(years) > 3 and years[-1] == cell.years[-1]:
            prior = trend_test(years[:-1], counts[:-1], totals[:-1] if totals else None,
                               dispersion=phi, df=phi_df)
        p_change: float | None = None
        test = ""
        if previous is not None:
            if cell.kind == "percent":
                k1, n1 = cell.numerators[-1], cell.denominators[-1]
                k0, n0 = cell.numerators[-2], cell.denominators[-2]
                if None not in (k1, n1, k0, n0):
                    p_change, test = proportion_test(int(k1), int(n1), int(k0), int(n0))  # type: ignore[arg-type]
            else:
                p_change, test = change_test(int(value), int(previous), phi, phi_df)
        is_key = cell.metric in key
        interest: Interest = key.get(cell.metric, "both")
        change = Change(
            metric=cell.metric, kind=cell.kind, family="key" if is_key else cell.family,
            key=is_key, value=float(value), previous=None if previous is None else float(
                previous), p_change=p_change, change_test=test, trend=trend,
            steps=_pairs(cell.values), prior_trend=prior,
        )
        if p_change is None and trend is None:
            continue  # nothing to compare with: no previous year, no trend window
        if p_change is not None:
            p_change = _one_sided(p_change, change.direction, interest)
        if trend is not None and interest != "both":
            trend = Trend(**{**asdict(trend),
                             "p_value": _one_sided(trend.p_value, trend.direction, interest)})
        judged.append(Change(**{**change.__dict__, "p_change": p_change, "trend": trend}))
    return _adjust(judged)


def _adjust(judged: list[Change]) -> list[Change]:
    members: dict[str, list[tuple[int, str]]] = {}
    for i, change in enumerate(judged):
        if change.p_change is not None:
            members.setdefault(change.family, []).append((i, "change"))
        if change.trend is not None:
            members.setdefault(change.family, []).append((i, "trend"))
    q: dict[tuple[int, str], float] = {}
    for family in members.values():
        raw = [judged[i].p_change if what == "change" else judged[i].trend.p_value  # type: ignore[union-attr]
               for i, what in family]
        for slot, value in zip(family, benjamini_hochberg([float(p) for p in raw if p is not None]),
                               strict=True):
            q[slot] = value
    return [
        Change(**{**c.__dict__, "q_change": q.get((i, "change"), 1.0),
                  "q_trend": q.get((i, "trend"), 1.0)})
        for i, c in enumerate(judged)
    ]
