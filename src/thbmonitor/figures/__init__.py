"""Annual figures: victims with breakdowns, reports, and the criminal-justice chain.

`compute_figures(db, year)` counts everything in DuckDB and returns a
`Figures` whose `to_dict()` is the JSON of `thb figures --json` (CONTRACTS §3).
`thbmonitor.figures.changes` holds the statistics of change that findings word;
it needs no store, so the names here are imported on first use (PEP 562) and
`publish` can use `changes` without pulling in the database.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from thbmonitor.figures.annual import (
        Figures,
        YearFigures,
        compute_figures,
        years_with_data,
    )
    from thbmonitor.figures.chain import ChainCounts, count_chain, percentage
    from thbmonitor.figures.reports import ReportTables, count_reports
    from thbmonitor.figures.victims import VictimTables, count_victims

_WHERE = {
    "Figures": "annual", "YearFigures": "annual", "compute_figures": "annual",
    "years_with_data": "annual",
    "ChainCounts": "chain", "count_chain": "chain", "percentage": "chain",
    "ReportTables": "reports", "count_reports": "reports",
    "VictimTables": "victims", "count_victims": "victims",
}

__all__ = [
    "ChainCounts", "Figures", "ReportTables", "VictimTables", "YearFigures",
    "compute_figures", "count_chain", "count_reports", "count_victims", "percentage",
    "years_with_data",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'thbmonitor.figures' has no attribute {name!r}")
    return getattr(import_module(f"thbmonitor.figures.{_WHERE[name]}"), name)
