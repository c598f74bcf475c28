"""The review queue: pairs the model is unsure about, for a person to decide.

Pairs whose match probability falls in the review band (from `review_low`
up to the linking threshold) are stored in `link_review` by every run,
except pairs already decided. There are no clear names to show: a reviewer
sees, per pair, how the encoded names and birth dates agree (the comparison
level of the given and family name and of the birth date, with its weight),
the birth years, sex, nationality, sources and report dates of the two
reports. Reading the
queue is logged in the audit log (it shows person-level data).
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
                  "match_probability", "match_weight", "comparison", "run_id"]

#: What the reviewer sees of each report of a pair (never a name or a token).
SHOWN = ("source", "source_type", "report_id", "report_date", "birth_year",
         "sex", "nationality", "exploitation")


#: At most this many pairs are kept in the queue per run (the most uncertain first).
MAX_QUEUE = 10_000


def review_rows(band: pd.DataFrame, reports: pd.DataFrame, decided: set[str],
                model: dict[str, Any] | None, run_id: str) -> pd.DataFrame:
    """The `link_review` rows of one run from the scored pairs in the review band."""
    if band is None or not len(band) or model is None:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    from thbmonitor.link.splink_model import COMPARISON_NAMES, decode_levels

    band = band.assign(_doubt=(band["match_probability"] - 0.5).abs())
    band = band.sort_values(["_doubt", "l", "r"]).head(MAX_QUEUE + len(decided))
    src = reports["source"].to_numpy()
    rep = reports["report_id"].to_numpy()
    levels = decode_levels(model, {c: band[f"w_{c}"].to_numpy() for c in COMPARISON_NAMES})
    lefts, rights = band["l"].to_numpy(np.int64), band["r"].to_numpy(np.int64)
    probability = band["match_probability"].to_numpy(np.float64)
    weight = band["match_weight"].to_numpy(np.float64)
    rows = []
    for k in range(len(band)):
        left = (str(src[lefts[k]]), str(rep[lefts[k]]))
        right = (str(src[rights[k]]), str(rep[rights[k]]))
        first, second = sorted((left, right))
        pid = pair_id(first, second)
        if pid in decided:
            continue
        comparison = {c: {"level": levels[c][0][k], "weight": round(float(levels[c][1][k]), 2)}
                      for c in COMPARISON_NAMES}
        rows.append((pid, *first, *second, round(float(probability[k]), 6),
                     round(float(weight[k]), 4), json.dumps(comparison), run_id))
        if len(rows) >= MAX_QUEUE:
            break
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)


@dataclass
class ReviewQueue:
    """Pairs waiting for a decision, most uncertain first (`thb review --json`)."""

    pairs: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    decided: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "shown": len(self.pairs), "decided": self.decided,
                "pairs": self.pairs}


def review_queue(db: Database, *, limit: int | None = 50, actor: str | None = None) -> ReviewQueue:
    """The pairs in the review queue with what a reviewer may see of both reports.

    Ordered by closeness of the match probability to 0.5 (the most uncertain
    first), then by pair id. The read is recorded in the audit log.
    """
    total = int(db.scalar("SELECT count(*) FROM link_review"))
    decided = int(db.scalar("SELECT count(*) FROM link_decisions"))
    shown = ", ".join(f"{side}.{c} AS {side}_{c}" for side in ("a", "b") for c in SHOWN)
    sql = (f"SELECT q.pair_id, q.match_probability, q.match_weight, q.comparison, {shown} "
           "FROM link_review q "
           "JOIN reports a ON a.source = q.left_source AND a.report_id = q.left_report_id "
           "JOIN reports b ON b.source = q.right_source AND b.report_id = q.right_report_id "
           "ORDER BY abs(q.match_probability - 0.5), q.pair_id")
    params: list[Any] = []
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    frame = db.frame(sql, params)
    pairs = [pair_dict(row) for row in frame.to_dict("records")]
    audit.record(db, "read", "link.review", actor=actor,
                 detail={"pairs_shown": len(pairs), "limit": limit})
    return ReviewQueue(pairs, total, decided)


def pair_dict(row: Mapping[Any, Any]) -> dict[str, Any]:
    """One queued pair as shown to a reviewer, from a row of the queue's SELECT
    (`a_*` and `b_*` columns for the two reports; never a clear name)."""
    return {
        "pair_id": row["pair_id"],
        "match_probability": round(float(row["match_probability"]), 4),
        "match_weight": round(float(row["match_weight"]), 2),
        "comparison": json.loads(row["comparison"]) if row["comparison"] else {},
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
