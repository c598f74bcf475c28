"""Annual figures: victims with breakdowns, reports, and the criminal-justice chain.

`compute_figures(db, year)` counts everything in DuckDB and returns a
`Figures` whose `to_dict()` is the JSON of `thb figures --json` (CONTRACTS §3).
"""

from thbmonitor.figures.annual import Figures, YearFigures, compute_figures
from thbmonitor.figures.chain import ChainCounts, count_chain, percentage
from thbmonitor.figures.reports import ReportTables, count_reports
from thbmonitor.figures.victims import VictimTables, count_victims

__all__ = [
    "ChainCounts", "Figures", "ReportTables", "VictimTables", "YearFigures",
    "compute_figures", "count_chain", "count_reports", "count_victims", "percentage",
]
