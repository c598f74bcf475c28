"""Speed of the default dark-figure estimate (issue 18) against a statsmodels baseline.

The default of `thb estimate`: six lists, the four covariates and six years pooled
(year as a covariate), forward search by BIC over two-list, list x covariate and
covariate x covariate terms, 1,000 bootstrap replicates that repeat the search,
on the capture histories of the synthetic population (default seed, true persons).
Target: at most 60 s. Baseline in the same run: the same forward search written the
plain way, every candidate refitted with a statsmodels Poisson GLM on the dense design
(`thbmonitor.mse.covariates.KronDesign.sparse().toarray()`), timed on the original
table and extrapolated to 1,001 searches (said so in the table).
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import statsmodels.api as sm

from bench.bench_mse_synth import COVARIATES, true_records
from bench.results import write_section

NBOOT = 1000


def _plain_step(d, y: np.ndarray) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """The first step of the forward BIC search, one statsmodels GLM per candidate model.

    Returns the mean seconds per GLM fit and the number of fits.
    """
    x = d.sparse().toarray()
    yy = y.reshape(-1)
    fits, seconds = 0, 0.0
    for block in d.blocks:
        names = [d.blocks[0].name] + ([block.name] if block is not d.blocks[0] else [])
        cols = np.concatenate([d.block(n).cols for n in names])
        keep = x[:, cols].T @ yy > 0  # zero margins screened, as ours
        cols = cols[keep | (cols == 0)]
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sm.GLM(yy, x[:, cols], family=sm.families.Poisson()).fit(maxiter=60)
        seconds += time.perf_counter() - start
        fits += 1
    return seconds / fits, fits


def run() -> None:
    from thbmonitor.mse import MSEstimator, capture_table_from_records
    from thbmonitor.mse.covariates import KronDesign, prepare_levels
    from thbmonitor.mse.fit import single_threaded_blas
    from thbmonitor.synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        result = generate(Path(tmp) / "synth")
        records = true_records(Path(tmp) / "synth")
    truth = result.true_by_year[2024]
    table = capture_table_from_records(records, person="person_year", covariates=COVARIATES)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MSEstimator(method="stepwise", nboot=NBOOT, seed=1,
                          covariates=list(COVARIATES)).fit(table)
    ours = time.perf_counter() - start
    d = est.to_dict()
    cell = d["by"]["year"]["2024"]
    grid, counts, _ = prepare_levels(table)
    design = KronDesign(table.lists, grid, counts)
    with single_threaded_blas():
        per_fit, first_step = _plain_step(design, design.y)
    steps = len(d["terms"]) + 1
    ncand = len(design.blocks) - 1
    fits = sum(ncand - i for i in range(steps))  # every candidate refitted at every step
    plain = per_fit * fits
    write_section("mse_default", f"""## Default dark-figure estimate: speed (`bench/bench_mse_default.py`)

Six lists, four covariates and six years pooled ({design.nstrata} strata x {design.ncell}
patterns = {design.nstrata * design.ncell:,} cells, {design.ncol} candidate columns), forward
search by BIC, {NBOOT} bootstrap replicates repeating the search (percentile interval).

| | seconds | note |
| --- | ---: | --- |
| ours: point estimate, search and {NBOOT} replicates | {ours:.1f} | target at most 60 s |
| statsmodels GLM, one fit | {per_fit:.2f} | mean of the {first_step} fits of the first step, measured |
| statsmodels GLM, one forward search | {plain:,.0f} | {fits:,} fits ({steps} steps over {ncand} candidates), extrapolated |
| statsmodels GLM, {NBOOT + 1} searches | {plain * (NBOOT + 1):,.0f} | extrapolated: {plain * (NBOOT + 1) / max(ours, 1e-9):,.0f} times ours |

Estimate of 2024: {cell['estimate']:,.0f} (95% interval {cell['ci'][0]:,.0f} to {cell['ci'][1]:,.0f}),
true {truth:,}; failed replicates {d['failed_bootstrap_share']:.1%}. Ours replaces the
refit of every candidate by its score statistic at the current fit (one `X'WX`) and the
exact refit of the best only, works on the Kronecker structure of the design instead of
the cells x columns matrix, and searches each replicate on the quadratic expansion of its
log-likelihood from the chosen model (adding and dropping terms), then refits exactly.""")
