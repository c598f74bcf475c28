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


#: Probability bands of the calibration table: [low, high).
BANDS: tuple[tuple[float, float], ...] = (
    (0.3, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 0.99), (0.99, 0.999), (0.999, 1.0000001))


@dataclass(frozen=True)
class CalibrationBand:
    """Scored pairs of one probability band: the model's expected share of non-matches
    (mean of 1 - p) and, when a truth is known, the observed share."""

    low: float
    high: float
    pairs: int
    expected_non_match: float
    observed_non_match: float | None = None

    @property
    def ratio(self) -> float | None:
        """Observed over expected non-match share (1 is perfectly calibrated)."""
        if self.observed_non_match is None or self.expected_non_match <= 0:
            return None
        return self.observed_non_match / self.expected_non_match

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["high"] = min(self.high, 1.0)
        ratio = self.ratio
        out["ratio"] = None if ratio is None else round(ratio, 3)
        return out


def calibration_table(probability: Any, is_match: Any | None = None
                      ) -> list[CalibrationBand]:
    """Per band of `BANDS`: pairs, expected non-match share and (with `is_match`) observed."""
    import numpy as np

    p = np.asarray(probability, dtype=np.float64)
    truth = None if is_match is None else np.asarray(is_match, dtype=bool)
    out = []
    for low, high in BANDS:
        mask = (p >= low) & (p < high)
        k = int(mask.sum())
        expected = float((1 - p[mask]).mean()) if k else 0.0
        observed = None
        if truth is not None and k:
            observed = round(float((~truth[mask]).mean()), 6)
        out.append(CalibrationBand(low, high, k, round(expected, 6), observed))
    return out


def calibration(db: Any, truth: pd.DataFrame) -> list[CalibrationBand]:
    """The calibration table of the latest run's model on `db`'s reports against `truth`
    (source, report_id, true_id): every scored pair from the lowest band up."""
    import json

    from thbmonitor.link.splink_model import LinkModel

    row = db.rows("SELECT model FROM link_runs WHERE model IS NOT NULL "
                  "ORDER BY started_at DESC LIMIT 1")
    if not row:
        return []
    with LinkModel(db, model=json.loads(row[0][0])) as model:
        ids = model.cursor.execute(
            "SELECT unique_id, source, report_id FROM link_input ORDER BY unique_id").df()
        scored = model.score(BANDS[0][0])
    ids = ids.merge(truth, on=["source", "report_id"], how="left")
    true_id = ids["true_id"].to_numpy()
    pairs = scored.pairs
    same = true_id[pairs["l"].to_numpy()] == true_id[pairs["r"].to_numpy()]
    return calibration_table(pairs["match_probability"].to_numpy(), same)
