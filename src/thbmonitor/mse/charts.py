"""Charts of an estimate: a Vega-Lite spec (the project's chart format) and,
when matplotlib happens to be installed, a matplotlib drawing."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["estimate_spec", "plot_estimate"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def estimate_spec(result: dict[str, Any], bootstrap: np.ndarray | None = None) -> dict[str, Any]:
    """Bars for the observed and the estimated population, a rule for the interval.

    With bootstrap replicates a second view shows their distribution.
    """
    ci = result.get("ci") or [None, None]
    records = [
        {"what": "observed", "value": result["observed"], "lo": None, "hi": None},
        {"what": "estimated total", "value": result["estimate"], "lo": ci[0], "hi": ci[1]},
    ]
    bars: dict[str, Any] = {
        "title": f"Multiple systems estimate ({result['method']})",
        "data": {"values": records},
        "layer": [
            {"mark": "bar", "encoding": {
                "x": {"field": "what", "type": "nominal", "title": None, "sort": None},
                "y": {"field": "value", "type": "quantitative", "title": "people"}}},
            {"mark": "rule", "encoding": {
                "x": {"field": "what", "type": "nominal", "sort": None},
                "y": {"field": "lo", "type": "quantitative"},
                "y2": {"field": "hi"}}},
        ],
    }
    if bootstrap is None or not np.isfinite(bootstrap).any():
        return {"$schema": SCHEMA, **bars}
    reps = [{"estimate": float(v)} for v in bootstrap[np.isfinite(bootstrap)]]
    hist = {
        "title": "Bootstrap replicates",
        "data": {"values": reps},
        "mark": "bar",
        "encoding": {
            "x": {"field": "estimate", "type": "quantitative", "bin": {"maxbins": 40}},
            "y": {"aggregate": "count", "type": "quantitative"},
        },
    }
    return {"$schema": SCHEMA, "hconcat": [bars, hist]}


def plot_estimate(result: dict[str, Any], ax: Any = None) -> Any:
    """Draw the observed and estimated population with matplotlib, if installed."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # matplotlib is optional
        raise ImportError(
            "plot_estimate needs matplotlib (pip install matplotlib); "
            "chart_spec() gives a Vega-Lite spec without it"
        ) from exc
    if ax is None:
        _, ax = plt.subplots()
    est = result["estimate"]
    ax.bar(["observed", "estimated total"], [result["observed"], est or 0.0])
    ci = result.get("ci")
    if ci and est is not None and ci[0] is not None and ci[1] is not None:
        ax.errorbar(["estimated total"], [est], yerr=[[est - ci[0]], [ci[1] - est]], fmt="none",
                    color="black", capsize=6)
    ax.set_ylabel("people")
    return ax
