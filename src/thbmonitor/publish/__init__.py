"""Publication: findings in Dutch and English, charts and the annual report.

Works on the figures dict (CONTRACTS §3, with ``"series"``), the MSE result
(§4), linkage quality and provenance; never on raw person rows.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Where each public name lives. The package loads a submodule when one of its names is
#: first used (PEP 562), not at import: `thbmonitor.link` writes its export with
#: `publish.exports.csv_out`, and importing the report, charts and findings (SciPy's
#: statistics) for that cost every `thb link` 0.85 s of start-up (`python -X importtime`).
_WHERE = {
    "Chart": "charts", "render_charts": "charts",
    "Finding": "findings", "FindingRule": "findings", "benjamini_hochberg": "findings",
    "find_changes": "findings", "judge_changes": "findings", "with_findings": "findings",
    "render_report": "report", "report_context": "report", "write_report": "report",
    "LANGUAGES": "texts", "Texts": "texts", "texts_for": "texts",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
