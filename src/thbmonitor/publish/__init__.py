"""Publication: findings in Dutch and English, charts and the annual report.

Works on the figures dict (CONTRACTS §3, with ``"series"``), the MSE result
(§4), linkage quality and provenance; never on raw person rows.
"""

from __future__ import annotations

from thbmonitor.publish.charts import Chart, render_charts
from thbmonitor.publish.findings import (
    Finding,
    FindingRule,
    benjamini_hochberg,
    find_changes,
    judge_changes,
    with_findings,
)
from thbmonitor.publish.report import render_report, report_context, write_report
from thbmonitor.publish.texts import LANGUAGES, Texts, texts_for

__all__ = [
    "LANGUAGES",
    "Chart",
    "Finding",
    "FindingRule",
    "Texts",
    "benjamini_hochberg",
    "find_changes",
    "judge_changes",
    "render_charts",
    "render_report",
    "report_context",
    "texts_for",
    "with_findings",
    "write_report",
]
