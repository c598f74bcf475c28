"""What the report's dark-figure section shows, from `DarkFigure.to_dict()`.

Numbers are formatted for the report's language here; the sentences are in
the template's dark-figure section (translated there, like every other text
of the report). The estimate is shown rounded (`result.round_estimate`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from thbmonitor.estimate.result import round_estimate

__all__ = ["estimate_context"]


class _Numbers(Protocol):
    def number(self, value: float | None, digits: int = 0) -> str: ...

    def percent(self, pct: float | None, digits: int = 0) -> str: ...

    def label(self, kind: str, key: str) -> str: ...


def _rounded(t: _Numbers, value: float | None) -> str | None:
    r = round_estimate(value)
    return None if r is None else t.number(r)


def estimate_context(t: _Numbers, estimate: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Plain values for the template (None when no estimation was run)."""
    if not estimate:
        return None
    observed, value = estimate.get("observed"), estimate.get("estimate")
    ci = estimate.get("ci")
    ratio = value / observed if value is not None and observed else None
    guards = [dict(g) for g in estimate.get("guards") or []]
    for g in guards:
        v = g.get("value")
        g["shown"] = (t.number(v, 0 if float(v).is_integer() else 1)
                      if isinstance(v, int | float) else "")
        thr = g.get("threshold")
        g["limit"] = (t.number(thr[0], 0) + "–" + t.number(thr[1], 0)
                      if isinstance(thr, list) else t.number(thr, 0)
                      if isinstance(thr, int | float) else "")
    window = [int(y) for y in estimate.get("window") or []]
    published = estimate.get("published_as") or ("none" if value is None else "estimate")
    return {
        "has_estimate": value is not None,
        "published_as": published,
        "year": estimate.get("year"),
        "observed": t.number(observed), "estimate": t.number(value),
        "about": _rounded(t, value),
        "dark_figure": _rounded(t, estimate.get("dark_figure")),
        "low": _rounded(t, ci[0]) if ci else None, "high": _rounded(t, ci[1]) if ci else None,
        "level": t.percent(100 * float(estimate.get("ci_level") or 0.95)),
        "ratio": t.number(ratio, 1) if ratio is not None else None,
        "method": str(estimate.get("method") or ""),
        "criterion": str(estimate.get("criterion") or "").upper(),
        "window_first": window[0] if window else None,
        "window_last": window[-1] if window else None,
        "window_years": len(window),
        "covariates": [str(c) for c in estimate.get("covariates") or []],
        "nboot": t.number(estimate.get("nboot") or 0),
        "failed_share": t.percent(100 * float(estimate.get("failed_bootstrap_share") or 0), 1),
        # Lists named after an organisation type are shown by that type's label.
        "lists": [t.label("source_type", str(x)) for x in estimate.get("lists") or []],
        "terms": [str(x) for x in estimate.get("terms") or []],
        "warnings": [str(x) for x in estimate.get("warnings") or []],
        "failed_guards": [g for g in guards if not g.get("passed")],
        "passed_guards": [g for g in guards if g.get("passed")],
        "sensitivity": [
            {"label": str(r.get("label")), "key": str(r.get("key") or ""),
             "estimate": _rounded(t, r.get("estimate")),
             "low": _rounded(t, r["ci"][0]) if r.get("ci") else None,
             "high": _rounded(t, r["ci"][1]) if r.get("ci") else None}
            for r in estimate.get("sensitivity") or []],
        "by_year": [
            {"year": y.get("year"), "estimate": _rounded(t, y.get("estimate")),
             "low": _rounded(t, y["ci"][0]) if y.get("ci") else None,
             "high": _rounded(t, y["ci"][1]) if y.get("ci") else None}
            for y in estimate.get("by_year") or []],
    }
