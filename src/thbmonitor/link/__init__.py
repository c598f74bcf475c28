"""Record linkage: reports of the same person become one person.

`link_persons(db)` rebuilds the persons tables from the stored reports with
the probabilistic model (Splink on DuckDB, on pseudonymised encodings only);
`link_persons(db, method="exact")` is the exact-key baseline. Uncertain
pairs go to the review queue (`review_queue`); reviewers' decisions
(`decide`) are respected by every later link.
"""

from thbmonitor.link.decisions import (
    DECISIONS,
    Decision,
    DecisionEvent,
    Split,
    decide,
    decide_reports,
    decision_history,
    pair_id,
    split_report,
)
from thbmonitor.link.exact import METHOD
from thbmonitor.link.export import export_persons
from thbmonitor.link.persons import (
    DEFAULT_REVIEW_LOW,
    DEFAULT_SEED,
    DEFAULT_THRESHOLD,
    METHODS,
    LinkResult,
    components,
    link_persons,
    saved_model,
)
from thbmonitor.link.quality import LinkQuality, pairwise_quality
from thbmonitor.link.review import ReviewQueue, review_queue

__all__ = [
    "DECISIONS", "DEFAULT_REVIEW_LOW", "DEFAULT_SEED", "DEFAULT_THRESHOLD", "METHOD", "METHODS",
    "Decision", "DecisionEvent", "LinkQuality", "LinkResult", "ReviewQueue", "Split",
    "components", "decide", "decide_reports", "decision_history", "export_persons",
    "link_persons", "pair_id", "pairwise_quality", "review_queue", "saved_model", "split_report",
]
