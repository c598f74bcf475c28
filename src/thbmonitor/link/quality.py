"""Linkage quality against a known truth: pairwise precision, recall and F1.

A pair of reports is predicted linked when both belong to the same person;
it is truly linked when both come from the same true person. With n_ij the
number of reports of predicted person i and true person j:
TP = sum C(n_ij, 2), predicted pairs = sum_i C(n_i., 2), true pairs =
sum_j C(n_.j, 2). Computed from cluster sizes, never by listing pairs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class LinkQuality:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    reports: int
    persons: int
    true_persons: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_quality(predicted: pd.DataFrame, truth: pd.DataFrame) -> LinkQuality:
    """`predicted`: source, report_id, person_id; `truth`: source, report_id, true_id."""
    joined = predicted.merge(truth, on=["source", "report_id"], how="inner")
    if len(joined) != len(predicted):
        raise ValueError("every linked report needs a true person")
    both = joined.groupby(["person_id", "true_id"]).size()
    correct = _pairs(both)
    predicted_pairs = _pairs(joined.groupby("person_id").size())
    true_pairs = _pairs(joined.groupby("true_id").size())
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return LinkQuality(round(precision, 4), round(recall, 4), round(f1, 4), true_pairs,
                       predicted_pairs, correct, len(joined), int(joined.person_id.nunique()),
                       int(joined.true_id.nunique()))
