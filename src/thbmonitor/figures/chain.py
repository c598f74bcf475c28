"""The criminal-justice chain per year: investigations, suspects, prosecution, verdicts.

Each stage is counted by its own date (CONTRACTS §3): investigations by
``start_date``, suspects and registered cases by ``registered_date``,
decisions by ``decision_date``, verdicts by ``verdict_date``. All years of a
range come out of two queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from thbmonitor.figures.categories import exclusive_category_sql, zero_filled
from thbmonitor.store import Database
from thbmonitor.vocab import EXPLOITATION_CATEGORIES, INVESTIGATION_SCOPES, UNDECIDED

INVESTIGATIONS_SQL = f"""
SELECT yr, GROUPING(category, scope) AS grouping_id, category, scope, count(*) AS n
FROM (
    SELECT year(start_date) AS yr, {exclusive_category_sql("exploitation")} AS category, scope
    FROM investigations
    WHERE start_date >= $start AND start_date < $end
)
GROUP BY GROUPING SETS ((yr), (yr, category), (yr, scope), (yr, category, scope))
"""

STAGES_SQL = """
SELECT 'suspects' AS stage, year(registered_date) AS yr, count(*) AS n
FROM suspects WHERE registered_date >= $start AND registered_date < $end GROUP BY yr
UNION ALL
SELECT 'registered', year(registered_date) AS yr, count(*)
FROM cases WHERE registered_date >= $start AND registered_date < $end GROUP BY yr
UNION ALL
SELECT 'decided', year(decision_date) AS yr, count(*)
FROM cases
WHERE decision_date >= $start AND decision_date < $end
  AND decision IS NOT NULL AND NOT list_contains($undecided, decision)
GROUP BY yr
UNION ALL
SELECT 'summons', year(decision_date) AS yr, count(*)
FROM cases
WHERE decision_date >= $start AND decision_date < $end AND decision = 'summons'
GROUP BY yr
UNION ALL
SELECT 'verdicts', year(verdict_date) AS yr, count(*)
FROM verdicts WHERE verdict_date >= $start AND verdict_date < $end GROUP BY yr
UNION ALL
SELECT 'convictions', year(verdict_date) AS yr, count(*)
FROM verdicts
WHERE verdict_date >= $start AND verdict_date < $end AND outcome = 'conviction'
GROUP BY yr
"""

STAGES: tuple[str, ...] = (
    "suspects", "registered", "decided", "summons", "verdicts", "convictions",
)


@dataclass(frozen=True)
class ChainCounts:
    """The chain counts of one year, before the previous year is attached."""

    investigations: int = 0
    by_exploitation: dict[str, int] = field(default_factory=dict)
    by_scope: dict[str, int] = field(default_factory=dict)
    sexual_by_scope: dict[str, int] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)

    def stage(self, name: str) -> int:
        return self.stages.get(name, 0)


def percentage(part: int, whole: int) -> float | None:
    """``part / whole × 100`` rounded to one decimal; None when ``whole`` is 0."""
    return None if whole == 0 else round(part / whole * 100, 1)


def count_chain(db: Database, first_year: int, last_year: int) -> dict[int, ChainCounts]:
    """Chain counts for every year from ``first_year`` to ``last_year``, zero-filled."""
    params: dict[str, Any] = {"start": date(first_year, 1, 1), "end": date(last_year + 1, 1, 1)}
    totals: dict[int, int] = {}
    by_category: dict[int, dict[str, int]] = {}
    by_scope: dict[int, dict[str, int]] = {}
    sexual: dict[int, dict[str, int]] = {}
    for yr, grouping_id, category, scope, n in db.rows(INVESTIGATIONS_SQL, params):
        if grouping_id == 0b11:
            totals[yr] = int(n)
        elif grouping_id == 0b01:
            by_category.setdefault(yr, {})[category] = int(n)
        elif grouping_id == 0b10:
            by_scope.setdefault(yr, {})[scope] = int(n)
        elif category == "sexual":
            sexual.setdefault(yr, {})[scope] = int(n)
    stages: dict[int, dict[str, int]] = {}
    for stage, yr, n in db.rows(STAGES_SQL, params | {"undecided": list(UNDECIDED)}):
        stages.setdefault(yr, {})[stage] = int(n)
    return {
        yr: ChainCounts(
            investigations=totals.get(yr, 0),
            by_exploitation=zero_filled(EXPLOITATION_CATEGORIES, by_category.get(yr, {})),
            by_scope=zero_filled(INVESTIGATION_SCOPES, by_scope.get(yr, {})),
            sexual_by_scope=zero_filled(INVESTIGATION_SCOPES, sexual.get(yr, {})),
            stages={name: stages.get(yr, {}).get(name, 0) for name in STAGES},
        )
        for yr in range(first_year, last_year + 1)
    }


def chain_dict(current: ChainCounts, previous: ChainCounts) -> dict[str, Any]:
    """The ``chain`` object of CONTRACTS §3 for one year, given the year before."""
    decided, summons = current.stage("decided"), current.stage("summons")
    verdicts, convictions = current.stage("verdicts"), current.stage("convictions")
    return {
        "investigations": {
            "total": current.investigations,
            "previous": previous.investigations,
            "by_exploitation": dict(current.by_exploitation),
            "by_scope": dict(current.by_scope),
            "sexual_by_scope": dict(current.sexual_by_scope),
        },
        "suspects": {"total": current.stage("suspects"), "previous": previous.stage("suspects")},
        "prosecution": {
            "registered": current.stage("registered"),
            "previous": previous.stage("registered"),
            "decided": decided,
            "summons": summons,
            "summons_pct": percentage(summons, decided),
            "previous_summons_pct": percentage(
                previous.stage("summons"), previous.stage("decided")
            ),
        },
        "verdicts": {
            "total": verdicts,
            "convictions": convictions,
            "conviction_pct": percentage(convictions, verdicts),
        },
    }


# -- the persons of two stages by their suspect's sex, birth year and nationality ----------

CHAIN_PERSONS_SQL = """
SELECT 'prosecuted' AS stage, s.sex, s.birth_year, s.nationality, count(*) AS n
FROM cases c LEFT JOIN suspects s ON s.suspect_id = c.suspect_id
WHERE c.registered_date >= $start AND c.registered_date < $end
GROUP BY ALL
UNION ALL
SELECT 'convicted', s.sex, s.birth_year, s.nationality, count(*)
FROM verdicts v
LEFT JOIN cases c ON c.case_id = v.case_id
LEFT JOIN suspects s ON s.suspect_id = c.suspect_id
WHERE v.verdict_date >= $start AND v.verdict_date < $end AND v.outcome = 'conviction'
GROUP BY ALL
"""

#: The stages `count_chain_persons` counts, as the chain figures they add up to.
PERSON_STAGES = {"prosecuted": "registered", "convicted": "convictions"}


def count_chain_persons(db: Database, year: int) -> dict[str, list[tuple[Any, Any, Any, int]]]:
    """The prosecuted and convicted of ``year`` per suspect sex, birth year and nationality.

    Aggregates only (no identifier leaves the database). Each stage is counted
    exactly as in `count_chain` (so that the totals are the chain figures):
    *prosecuted* are the cases registered at the prosecution service in the
    year (by ``registered_date``; one suspect per case), *convicted* the
    verdicts of the year with outcome ``conviction`` (by ``verdict_date``).
    Sex, birth year and nationality are those of the suspect the case names;
    a case without a known suspect has them None.
    """
    params = {"start": date(year, 1, 1), "end": date(year + 1, 1, 1)}
    out: dict[str, list[tuple[Any, Any, Any, int]]] = {stage: [] for stage in PERSON_STAGES}
    for stage, sex, birth_year, nationality, n in db.rows(CHAIN_PERSONS_SQL, params):
        out[stage].append((sex, birth_year, nationality, int(n)))
    return out
