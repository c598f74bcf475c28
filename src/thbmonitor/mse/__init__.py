"""Multiple systems estimation: how many victims does no list see?

Usable on its own, on any capture-history table::

    from thbmonitor.mse import MSEstimator, datasets

    est = MSEstimator(method="stepwise", nboot=1000, seed=1).fit(datasets.load("UKdat_5"))
    est.population_, est.ci_, est.terms_
    est.to_dict()            # the JSON of `thb mse --json`

Methods follow the R references: SparseMSE and MultipleSystemsEstimation
(Chan, Silverman & Vincent 2021, JASA 116(535); Silverman, Chan & Vincent
2024, Statistics and Computing 34; Silverman 2020, JRSS A) and Rcapture
(Rivest & Baillargeon); covariates as van der Heijden et al. See docs/mse.md.
"""

from __future__ import annotations

from thbmonitor.mse import datasets
from thbmonitor.mse.estimator import METHODS, MSEstimator
from thbmonitor.mse.existence import (
    NonExistentMLEWarning,
    NotIdentifiableWarning,
    SparseDataWarning,
    check_models,
)
from thbmonitor.mse.records import capture_table_from_records
from thbmonitor.mse.table import CaptureTable

__all__ = [
    "METHODS",
    "CaptureTable",
    "MSEstimator",
    "NonExistentMLEWarning",
    "NotIdentifiableWarning",
    "SparseDataWarning",
    "capture_table_from_records",
    "check_models",
    "datasets",
]
