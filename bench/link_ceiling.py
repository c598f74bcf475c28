"""The supervised ceiling of issue 16's acceptance: the same candidate pairs and comparisons
scored by a classifier that the ground truth trains, which no deployment can have.

Each candidate pair of the blocking rules is described by the run's model as it scores it:
the partial match weight of every comparison (which level the pair is in) and the total
match weight (the term frequencies included). scikit-learn's
`HistGradientBoostingClassifier` learns P(match) from them on one half of the pairs and
scores the other half, and the other way round (two-fold cross-fitting: no pair is scored
by a classifier that saw it). The pairs are then linked from 0.5 and clustered under the
run's rules (one organisation, dates of birth, registers), as `link_persons` does. The
gap between this and the model is what better scores alone could still win; what the
blocking rules never pair is lost to both (candidate recall).

A boosted classifier, not a hand-written one: it is made for tabular features like these,
and its interactions (an exact name counts for less with the birth date unknown) are
what an unsupervised Fellegi-Sunter model cannot express.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from thbmonitor.link import LinkQuality, pairwise_quality, saved_model
from thbmonitor.link.clusters import cluster
from thbmonitor.link.comparisons import COMPARISON_NAMES
from thbmonitor.link.persons import _births, _reports, linked_pairs
from thbmonitor.link.splink_model import LinkModel
from thbmonitor.store import Database

FOLDS = 2
THRESHOLD = 0.5


def _pairs(db: Database) -> pd.DataFrame:
    """Every candidate pair with the latest run's partial and total match weights."""
    model = saved_model(db)
    with LinkModel(db, model=model) as linker:
        predictions = linker._predict(model)
        weights = ", ".join(f'"mw_{c}" AS w_{c}' for c in COMPARISON_NAMES)
        frame: pd.DataFrame = linker.cursor.execute(
            f"SELECT unique_id_l AS l, unique_id_r AS r, match_weight, {weights} "
            f"FROM {predictions.physical_name} ORDER BY l, r").df()
        predictions.drop_table_from_database_and_remove_from_cache()
    return frame


def supervised_ceiling(db: Database, truth: pd.DataFrame, seed: int = 20241016) -> LinkQuality:
    """Pairwise quality of the cross-fitted supervised scores on `db`'s latest run,
    against `truth` (source, report_id, true_id)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    reports = _reports(db)
    pairs = _pairs(db)
    ids = reports[["source", "report_id"]].merge(truth, on=["source", "report_id"], how="left")
    true_id = ids["true_id"].to_numpy()
    left, right = pairs["l"].to_numpy(np.int64), pairs["r"].to_numpy(np.int64)
    y = true_id[left] == true_id[right]
    features = pairs[["match_weight", *(f"w_{c}" for c in COMPARISON_NAMES)]].to_numpy(
        np.float64)
    # a fold per pair from a hash of its two reports, seeded (a linear mix of the ids put
    # all FEBRL4 matches in one fold: their ids differ by 5,000, l + r always even)
    keys = (left * len(reports) + right + seed).astype(np.uint64)
    fold = pd.util.hash_array(keys) % FOLDS
    p = np.zeros(len(pairs))
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        if not test.any():
            continue
        if y[train].all() or not y[train].any():
            p[test] = float(y[train].mean()) if train.any() else 0.0
            continue
        classifier = HistGradientBoostingClassifier(random_state=seed)
        classifier.fit(features[train], y[train])
        p[test] = classifier.predict_proba(features[test])[:, 1]
    p = np.clip(p, 1e-12, 1 - 1e-12)
    scored = pairs.assign(match_probability=p, match_weight=np.log2(p / (1 - p)))
    linked, _ = linked_pairs(scored, reports, THRESHOLD,
                             float(db.setting("link.register_threshold")))
    labels, _ = cluster(len(reports), (linked["l"].to_numpy(np.int64),
                                       linked["r"].to_numpy(np.int64),
                                       linked["match_weight"].to_numpy(np.float64)),
                        reports["source_code"].to_numpy(np.int64),
                        reports["ref_code"].to_numpy(np.int64), births=_births(reports))
    linked = pd.DataFrame({"source": reports["source"], "report_id": reports["report_id"],
                           "person_id": labels})
    return pairwise_quality(linked, truth)
