"""The review queue: pairs whose current linkage is most likely wrong, for a person to decide.

Every run stores in `link_review` a sample of the scored pairs from `review_low`
up, drawn by expected error, not only the middle band: a linked pair (at or
above the threshold) is wrong with probability 1 - p, a pair left apart with
probability p. The queue holds as many pairs as have an expected error of at
least `MIN_ERROR` (at most `MAX_QUEUE`), drawn from all scored pairs with
probability proportional to their expected error (seeded), so every band is
represented where its errors are: many near the threshold, some among the
linked pairs. Already decided pairs are left out.

There are no clear names to show: a reviewer sees, per pair, how the encoded
names agree (the comparison levels and their weights), the name-frequency class
(how many persons of the run bear each report's full-name token: `1`, `2-5`,
`6-20`, `21-100`, `>100`; never a name or a token: a namesake of a common name
is no evidence of a duplicate), the birth years, sex,
nationality, sources and report dates of the two reports. Reading the queue is
logged in the audit log (it shows person-level data).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from thbmonitor.link.decisions import pair_id
from thbmonitor.store import Database, audit

REVIEW_COLUMNS = ["pair_id", "left_source", "left_report_id", "right_source", "right_report_id",
                  "match_probability", "match_weight", "comparison", "run_id",
                  "name_frequency", "expected_error"]

#: What the reviewer sees of each report of a pair (never a name or a token).
SHOWN = ("source", "source_type", "report_id", "report_date", "birth_year",
         "sex", "nationality", "exploitation")


#: At most this many pairs are kept in the queue per run.
MAX_QUEUE = 10_000
#: The queue is as long as the number of pairs whose linkage is wrong with at least this
#: probability (min(p, 1 - p) on the side of the threshold the pair falls).
MIN_ERROR = 0.05

#: Classes of the number of persons bearing a full-name token: (upper bound, label).
FREQUENCY_CLASSES: tuple[tuple[int, str], ...] = (
    (1, "1"), (5, "2-5"), (20, "6-20"), (100, "21-100"))


def frequency_class(persons: int) -> str:
    """The class of a count of persons sharing a name token (`>100` above the last)."""
    if persons <= 0:
        return "unknown"
    for bound, label in FREQUENCY_CLASSES:
        if persons <= bound:
            return label
    return f">{FREQUENCY_CLASSES[-1][0]}"


def expected_error(probability: np.ndarray, threshold: float) -> np.ndarray:
    """Probability that the run's decision on each pair is wrong."""
    p = np.asarray(probability, dtype=np.float64)
    return np.where(p >= threshold, 1 - p, p)


def queue_sample(error: np.ndarray, seed: int, *, min_error: float = MIN_ERROR,
                 max_queue: int = MAX_QUEUE) -> np.ndarray:
    """Indexes of the queued pairs: `k` of them (pairs with error >= min_error, at most
    max_queue), drawn without replacement with probability proportional to error."""
    err = np.asarray(error, dtype=np.float64)
    k = min(int((err >= min_error).sum()), max_queue)
    positive = np.flatnonzero(err > 0)
    if k == 0 or not positive.size:
        return np.zeros(0, dtype=np.int64)
    k = min(k, positive.size)
    rng = np.random.default_rng(seed)
    weights = err[positive] / err[positive].sum()
    picked = rng.choice(positive, size=k, replace=False, p=weights)
    return np.sort(picked)


def review_rows(scored: pd.DataFrame, reports: pd.DataFrame, decided: set[str],
                model: dict[str, Any] | None, run_id: str, *, threshold: float = 0.5,
                seed: int = 0, name_persons: np.ndarray | None = None) -> pd.DataFrame:
    """The `link_review` rows of one run from the scored pairs from `review_low` up.

    `name_persons`: per report, how many persons of this run bear its full-name token
    (0 when it has none), for the name-frequency class.
    """
    if scored is None or not len(scored) or model is None:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    from thbmonitor.link.splink_model import COMPARISON_NAMES, decode_levels

    src = reports["source"].to_numpy()
    rep = reports["report_id"].to_numpy()
    keys = [pair_id(*sorted(((str(src[a]), str(rep[a])), (str(src[b]), str(rep[b])))))
            for a, b in zip(scored["l"].to_numpy(np.int64), scored["r"].to_numpy(np.int64),
                            strict=True)] if decided else None
    if keys is not None:
        scored = scored[[k not in decided for k in keys]]
    error = expected_error(scored["match_probability"].to_numpy(), threshold)
    picked = queue_sample(error, seed)
    band = scored.iloc[picked].assign(_error=error[picked])
    band = band.sort_values(["_error", "l", "r"], ascending=[False, True, True])
    levels = decode_levels(model, {c: band[f"w_{c}"].to_numpy() for c in COMPARISON_NAMES})
    lefts, rights = band["l"].to_numpy(np.int64), band["r"].to_numpy(np.int64)
    probability = band["match_probability"].to_numpy(np.float64)
    weight = band["match_weight"].to_numpy(np.float64)
    errors = band["_error"].to_numpy(np.float64)
    counts = (np.zeros(len(reports), dtype=np.int64) if name_persons is None
              else np.asarray(name_persons, dtype=np.int64))
    rows = []
    for k in range(len(band)):
        left = (str(src[lefts[k]]), str(rep[lefts[k]]))
        right = (str(src[rights[k]]), str(rep[rights[k]]))
        first, second = sorted((left, right))
        pid = pair_id(first, second)
        comparison = {c: {"level": levels[c][0][k], "weight": round(float(levels[c][1][k]), 2)}
                      for c in COMPARISON_NAMES}
        classes = sorted({frequency_class(int(counts[lefts[k]])),
                          frequency_class(int(counts[rights[k]]))})
        rows.append((pid, *first, *second, round(float(probability[k]), 6),
                     round(float(weight[k]), 4), json.dumps(comparison), run_id,
                     " / ".join(classes), round(float(errors[k]), 6)))
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)


@dataclass
class ReviewQueue:
    """Pairs waiting for a decision, most likely errors first (`thb review --json`)."""

    pairs: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    decided: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "shown": len(self.pairs), "decided": self.decided,
                "pairs": self.pairs}


def review_queue(db: Database, *, limit: int | None = 50, actor: str | None = None) -> ReviewQueue:
    """The pairs in the review queue with what a reviewer may see of both reports.

    Ordered by expected error (the pairs most likely linked wrongly, or wrongly
    left apart, first), then by pair id. The read is recorded in the audit log.
    """
    total = int(db.scalar("SELECT count(*) FROM link_review"))
    decided = int(db.scalar("SELECT count(*) FROM link_decisions"))
    shown = ", ".join(f"{side}.{c} AS {side}_{c}" for side in ("a", "b") for c in SHOWN)
    sql = (f"SELECT {QUEUE_COLUMNS}, {shown} "
           "FROM link_review q "
           "JOIN reports a ON a.source = q.left_source AND a.report_id = q.left_report_id "
           "JOIN reports b ON b.source = q.right_source AND b.report_id = q.right_report_id "
           f"ORDER BY {QUEUE_ORDER}")
    params: list[Any] = []
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    frame = db.frame(sql, params)
    pairs = [pair_dict(row) for row in frame.to_dict("records")]
    audit.record(db, "read", "link.review", actor=actor,
                 detail={"pairs_shown": len(pairs), "limit": limit})
    return ReviewQueue(pairs, total, decided)


#: The queue's own columns in a SELECT from `link_review q`, and its order.
QUEUE_COLUMNS = (
    "q.pair_id, q.match_probability, q.match_weight, q.comparison, q.name_frequency, "
    "q.expected_error, "
    "(SELECT min(p.person_id) FROM person_reports p WHERE p.source = q.left_source "
    "AND p.report_id = q.left_report_id) IS NOT DISTINCT FROM "
    "(SELECT min(p.person_id) FROM person_reports p WHERE p.source = q.right_source "
    "AND p.report_id = q.right_report_id) AS linked")
QUEUE_ORDER = ("coalesce(q.expected_error, 0.5 - abs(q.match_probability - 0.5)) DESC, "
               "q.pair_id")


def pair_dict(row: Mapping[Any, Any]) -> dict[str, Any]:
    """One queued pair as shown to a reviewer, from a row of the queue's SELECT
    (`a_*` and `b_*` columns for the two reports; never a clear name)."""
    return {
        "pair_id": row["pair_id"],
        "match_probability": round(float(row["match_probability"]), 4),
        "match_weight": round(float(row["match_weight"]), 2),
        "comparison": json.loads(row["comparison"]) if row["comparison"] else {},
        "name_frequency": _plain(row.get("name_frequency")),
        "expected_error": _plain(row.get("expected_error")),
        # both reports are one person now: deciding `different` splits that link
        "linked": bool(row.get("linked")),
        "left": {c: _plain(row[f"a_{c}"]) for c in SHOWN},
        "right": {c: _plain(row[f"b_{c}"]) for c in SHOWN},
    }


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, missing as None, arrays as lists."""
    if value is None:
        return None
    if hasattr(value, "tolist") and not hasattr(value, "isoformat"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return list(value)
    if pd.isna(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return value
