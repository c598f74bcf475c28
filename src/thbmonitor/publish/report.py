"""The annual report: one self-contained HTML file in Dutch or English.

``render_report(release, lang=...)`` fills ``templates/report.html.j2`` (Jinja2,
autoescaped, gettext via the i18n extension) with a context made of plain
values: formatted strings, rows and inline SVG charts. No HTML is assembled
here. A release is a dict::

    {"figures": {... CONTRACTS §3, with "series" and (optionally) "findings"},
     "estimate": {... CONTRACTS §4} | None,
     "linkage": {"precision", "recall", "f1", "method", "pairs_reviewed"} | None,
     "provenance": {"version", "settings", "seed", "data_hash", "vintage", "generated_at"},
     "findings_rule": {... FindingRule.to_dict()} | None}

Findings missing from the figures are computed with the default rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

import thbmonitor
from thbmonitor.errors import UsageError
from thbmonitor.publish.charts import CHAIN_PATHS, render_charts
from thbmonitor.publish.findings import FindingRule, find_changes, lookup, previous_value
from thbmonitor.publish.texts import LABELS, LANGUAGES, NOT_PUBLISHED, Texts, texts_for

__all__ = ["KEY_METRICS", "render_report", "report_context", "write_report"]

TEMPLATE_DIR = Path(__file__).parent / "templates"
#: The rows of the key-figures table, in order.
KEY_METRICS = (
    "victims.total",
    "victims.by.age_group.minor",
    "victims.by.exploitation.sexual",
    "victims.by.exploitation.labour",
    "victims.by.exploitation.criminal",
    "reports.total",
    "chain.investigations.total",
    "chain.suspects.total",
    "chain.prosecution.registered",
    "chain.prosecution.summons_pct",
    "chain.verdicts.total",
    "chain.verdicts.conviction_pct",
)
BREAKDOWNS = ("exploitation", "age_group", "sex", "scope", "nationality_group", "source_type")
TOP_NATIONALITIES = 10
#: Shown for last year's value when there is no data for last year at all.
NO_DATA = "–"


@cache
def _environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(texts_for(lang).translations, newstyle=True)  # type: ignore[attr-defined]
    return env


def _signed(t: Texts, value: float | None, digits: int = 0) -> str:
    if value is None:
        return NOT_PUBLISHED
    text = t.number(abs(value), digits)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def _change(t: Texts, metric: str, value: Any, previous: Any) -> tuple[str, str]:
    """The absolute and relative change as strings (points for a percentage)."""
    if value is None or previous is None:
        return NOT_PUBLISHED, NOT_PUBLISHED
    if metric.endswith("_pct"):
        return t._("%(points)s pp", points=_signed(t, value - previous)), ""
    relative = ""
    if previous:
        pct = 100 * (value - previous) / previous
        relative = ("+" if pct > 0 else "−" if pct < 0 else "") + t.percent(abs(pct))
    return _signed(t, value - previous), relative


def _has_previous_year(figures: Mapping[str, Any]) -> bool:
    years = {int(e["year"]) for e in figures.get("series") or []}
    return int(figures["year"]) - 1 in years or lookup(figures, "victims.previous") is not None


def _row(t: Texts, figures: Mapping[str, Any], metric: str, label: str) -> dict[str, str]:
    value, previous = lookup(figures, metric), previous_value(figures, metric)
    change, relative = _change(t, metric, value, previous)
    shown = t.value(metric, previous)
    if previous is None and not _has_previous_year(figures):
        shown = change = relative = NO_DATA
    return {"label": label, "value": t.value(metric, value),
            "previous": shown, "change": change, "relative": relative}


def _breakdowns(t: Texts, figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    tables = []
    for table in (*BREAKDOWNS, "nationality"):
        cells = lookup(figures, f"victims.by.{table}")
        if not isinstance(cells, Mapping):
            continue
        keys = list(cells)
        if table == "nationality":
            keys = sorted(keys, key=lambda k: (cells[k] is None, -(cells[k] or 0), k))
            keys = keys[:TOP_NATIONALITIES]
        elif table in LABELS:
            known = [k for k in LABELS[table] if k in cells]
            keys = known + [k for k in keys if k not in known]
        rows = [_row(t, figures, f"victims.by.{table}.{key}", t.label(table, key))
                for key in keys]
        tables.append({"id": table, "title": t.table_title(table), "rows": rows})
    return tables


def _cross(t: Texts, figures: Mapping[str, Any]) -> dict[str, Any] | None:
    cells = lookup(figures, "victims.cross.exploitation_by_age_group")
    if not isinstance(cells, Mapping):
        return None
    ages = [a for a in LABELS["age_group"] if any(a in (v or {}) for v in cells.values())]
    forms = [f for f in LABELS["exploitation"] if f in cells]
    forms += [f for f in cells if f not in forms]
    return {
        "columns": [t.label("age_group", a) for a in ages],
        "rows": [{"label": t.label("exploitation", f),
                  "cells": [t.number((cells[f] or {}).get(a)) for a in ages]} for f in forms],
    }


def _when(t: Texts, value: Any) -> str:
    if not value:
        return ""
    try:
        return format_datetime(datetime.fromisoformat(str(value)), "medium", locale=t.locale)
    except ValueError:
        return str(value)


def _headline(t: Texts, figures: Mapping[str, Any]) -> str:
    year = int(figures["year"])
    total, previous = lookup(figures, "victims.total"), lookup(figures, "victims.previous")
    n = int(total or 0)
    values = {"total": t.number(total), "year": year, "previous_year": year - 1}
    if previous is None or total is None:
        return t.ngettext("%(total)s victim reported in %(year)s",
                          "%(total)s victims reported in %(year)s", n, **values)
    values["change"] = t.number(abs(total - previous))
    if total > previous:
        return t.ngettext("%(total)s victim reported in %(year)s, %(change)s more than in "
                          "%(previous_year)s", "%(total)s victims reported in %(year)s, "
                          "%(change)s more than in %(previous_year)s", n, **values)
    if total < previous:
        return t.ngettext("%(total)s victim reported in %(year)s, %(change)s fewer than in "
                          "%(previous_year)s", "%(total)s victims reported in %(year)s, "
                          "%(change)s fewer than in %(previous_year)s", n, **values)
    return t.ngettext("%(total)s victim reported in %(year)s, as many as in %(previous_year)s",
                      "%(total)s victims reported in %(year)s, as many as in %(previous_year)s",
                      n, **values)


def _estimate(t: Texts, estimate: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The dark-figure section: built by the estimate package from its result's dict."""
    from thbmonitor.estimate.report import estimate_context

    return estimate_context(t, estimate)


def _patterns(t: Texts, patterns: Mapping[str, Any] | None) -> dict[str, str] | None:
    """Aggregate pattern counts; a withheld count (null) shows as not published."""
    if not patterns:
        return None
    keys = ("carousel_leads", "cross_border_networks", "networks_abroad_without_investigation")
    return {k: t.number(patterns.get(k)) if patterns.get(k) is not None else NOT_PUBLISHED
            for k in keys}


def _linkage(t: Texts, linkage: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not linkage:
        return None
    def share(key: str) -> str:
        value = linkage.get(key)
        return t.percent(100 * value, 1) if value is not None else NOT_PUBLISHED
    return {"precision": share("precision"), "recall": share("recall"), "f1": share("f1"),
            "method": str(linkage.get("method") or ""),
            "pairs_reviewed": t.number(linkage.get("pairs_reviewed") or 0),
            "measured": linkage.get("precision") is not None}


def report_context(release: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Everything the template shows, as plain values (strings, lists, dicts)."""
    t = texts_for(lang)
    figures = release["figures"]
    year = int(figures["year"])
    rule = {**FindingRule().to_dict(), **(release.get("findings_rule") or {})}
    findings = figures.get("findings")
    if not findings:  # absent, or the empty list of figures nobody judged yet
        findings = [f.to_dict() for f in find_changes(
            figures, alpha=rule["alpha"], min_count=rule["min_count"], strong=rule["strong"],
            strong_points=rule["strong_points"], family=rule["family"])]
    provenance = release.get("provenance") or {}
    version = str(provenance.get("version") or thbmonitor.__version__)
    charts = [{"name": c.name, "title": c.title, "description": c.description,
               "svg": Markup(c.svg)} for c in render_charts(figures, t)]
    return {
        "lang": lang, "year": year, "previous_year": year - 1,
        "headline": _headline(t, figures),
        "key_rows": [_row(t, figures, m, t.metric_label(m)) for m in KEY_METRICS],
        "findings": [{"text": f["text"][lang], "strength": f["strength"],
                      "direction": f["direction"]} for f in findings],
        "charts": [c for c in charts if c["name"] != "chain_funnel"],
        "funnel": next((c for c in charts if c["name"] == "chain_funnel"), None),
        "breakdowns": _breakdowns(t, figures),
        "cross": _cross(t, figures),
        "chain_rows": [_row(t, figures, path, t.label("chain", stage))
                       for stage, path in CHAIN_PATHS.items()],
        "has_suppressed": bool(figures.get("suppressed")),
        "not_published": NOT_PUBLISHED,
        "estimate": _estimate(t, release.get("estimate")),
        "linkage": _linkage(t, release.get("linkage")),
        "patterns": _patterns(t, release.get("patterns")),
        "rule": {"alpha": t.number(rule["alpha"], 2), "min_count": t.number(rule["min_count"]),
                 "strong_rise": t.percent(100 * (rule["strong"] - 1)),
                 "strong_fall": t.percent(100 * (1 - 1 / rule["strong"])),
                 "strong_points": t.number(rule["strong_points"]), "family": rule["family"]},
        "provenance": {
            "version": version, "package_version": thbmonitor.__version__,
            "settings": [(str(k), json.dumps(v, ensure_ascii=False, default=str))
                         for k, v in sorted((provenance.get("settings") or {}).items())],
            "seed": provenance.get("seed"), "data_hash": provenance.get("data_hash"),
            "generated_at": _when(t, provenance.get("generated_at")),
            "vintage": [{"kind": v.get("kind", ""), "source": v.get("source", ""),
                         "imported_at": _when(t, v.get("imported_at")),
                         "file_hash": str(v.get("file_hash") or "")}
                        for v in provenance.get("vintage") or []],
        },
    }


def render_report(release: Mapping[str, Any], *, lang: str = "nl") -> str:
    """The annual report as one self-contained HTML document."""
    if lang not in LANGUAGES:
        raise UsageError(f"Unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}.")
    template = _environment(lang).get_template("report.html.j2")
    return template.render(**report_context(release, lang))


def write_report(release: Mapping[str, Any], path: str | Path, lang: str = "nl") -> Path:
    """Write the report to ``path`` (UTF-8) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(release, lang=lang), encoding="utf-8")
    return target
