"""Charts: Vega-Lite spec files filled with records, rendered offline to SVG.

Each chart is a spec file in ``charts/*.vl.json`` whose ``data.values`` are
filled with records made from the figures dict; string values of the form
``"$name"`` (title, axis titles, description) are replaced by texts in the
report's language. Labels on bars are formatted with Babel; axes use the
d3 locale of the language. ``vl_convert`` renders the SVG without any network
access (``allowed_base_urls=[]``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import vl_convert as vlc

from thbmonitor.publish.findings import lookup, previous_value
from thbmonitor.publish.texts import CHAIN_STAGE, FORM, Texts, texts_for

__all__ = ["CHAIN_PATHS", "Chart", "chain_records", "chart_spec", "render_charts"]

SPEC_DIR = Path(__file__).parent / "charts"
D3_LOCALE: dict[str, Any] = {"nl": "nl-NL", "en": "en-US"}
#: The criminal-justice chain as a funnel: stage -> dotted path in the figures JSON.
CHAIN_PATHS = {
    "investigations": "chain.investigations.total",
    "suspects": "chain.suspects.total",
    "registered": "chain.prosecution.registered",
    "decided": "chain.prosecution.decided",
    "summons": "chain.prosecution.summons",
    "verdicts": "chain.verdicts.total",
    "convictions": "chain.verdicts.convictions",
}


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its name, title, alt text, SVG and the filled spec."""

    name: str
    title: str
    description: str
    svg: str
    spec: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "svg": self.svg}


@cache
def _spec_text(name: str) -> str:
    return (SPEC_DIR / f"{name}.vl.json").read_text(encoding="utf-8")


def _fill(node: Any, words: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        return {key: _fill(value, words) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(value, words) for value in node]
    if isinstance(node, str) and node.startswith("$") and node[1:] in words:
        return words[node[1:]]
    return node


def chart_spec(name: str, records: list[dict[str, Any]],
               words: Mapping[str, str]) -> dict[str, Any]:
    """The spec file ``name`` with its records and words filled in."""
    spec: dict[str, Any] = _fill(json.loads(_spec_text(name)), words)
    spec["data"] = {"values": records}
    return spec


def _render(name: str, spec_name: str, records: list[dict[str, Any]], words: dict[str, str],
            t: Texts) -> Chart:
    spec = chart_spec(spec_name, records, words)
    svg = vlc.vegalite_to_svg(spec, format_locale=D3_LOCALE[t.lang], allowed_base_urls=[])
    return Chart(name, words["title"], words["description"], svg, spec)


def _series_points(figures: Mapping[str, Any]) -> list[tuple[int, Any]]:
    series = figures.get("series") or []
    points = [(int(e["year"]), lookup(e, "victims.total")) for e in series]
    if not points:
        year = int(figures["year"])
        points = [(year - 1, lookup(figures, "victims.previous")),
                  (year, lookup(figures, "victims.total"))]
    points = [(y, v) for y, v in points if v is not None]
    while len(points) > 1 and points[0][1] == 0:  # years before the first report
        points = points[1:]
    return points


def _comparison(figures: Mapping[str, Any], path_of: Any, previous_of: Any,
                t: Texts) -> list[dict[str, Any]]:
    year = int(figures["year"])
    records: list[dict[str, Any]] = []
    for order, form in enumerate(FORM):
        for y, value in ((year - 1, previous_of(form)), (year, lookup(figures, path_of(form)))):
            if value is None:
                continue
            records.append({"category": t.label("exploitation", form), "order": order,
                            "year": str(y), "value": value, "label": t.number(value)})
    return records


def chain_records(figures: Mapping[str, Any], t: Texts) -> list[dict[str, Any]]:
    """The funnel's records: one per chain stage with a publishable value."""
    records = []
    for order, (stage, path) in enumerate(CHAIN_PATHS.items()):
        value = lookup(figures, path)
        if value is not None:
            records.append({"stage": t._(CHAIN_STAGE[stage]), "order": order,
                            "value": value, "label": t.number(value)})
    return records


def render_charts(figures: Mapping[str, Any], t: Texts | str) -> list[Chart]:
    """The report's charts in the language of ``t`` ('nl', 'en' or a Texts)."""
    t = texts_for(t) if isinstance(t, str) else t
    year = int(figures["year"])
    years = {"year": year, "previous_year": year - 1}
    charts = []

    points = _series_points(figures)
    per_year = [{"year": str(y), "value": v, "label": t.number(v), "current": y == year}
                for y, v in points]
    first = points[0][0] if points else year
    charts.append(_render("victims_per_year", "victims_per_year", per_year, {
        "title": t._("Victims per year"),
        "x_title": t._("Year"), "y_title": t._("Number of victims"),
        "description": t._("Bar chart of the number of registered victims per year, "
                           "%(first)s to %(year)s; %(value)s in %(year)s.",
                           first=first, year=year,
                           value=t.number(lookup(figures, "victims.total"))),
    }, t))

    charts.append(_render("exploitation", "year_comparison", _comparison(
        figures, lambda form: f"victims.by.exploitation.{form}",
        lambda form: previous_value(figures, f"victims.by.exploitation.{form}"), t), {
        "title": t._("Victims by form of exploitation, %(previous_year)s and %(year)s", **years),
        "x_title": t._("Number of victims"), "legend_title": t._("Year"),
        "description": t._("Bar chart comparing the number of victims per form of "
                           "exploitation in %(previous_year)s and %(year)s.", **years),
    }, t))

    def minors(form: str) -> str:
        return f"victims.cross.exploitation_by_age_group.{form}.minor"

    charts.append(_render("minors", "year_comparison", _comparison(
        figures, minors, lambda form: previous_value(figures, minors(form)), t), {
        "title": t._("Minor victims by form of exploitation, %(previous_year)s and %(year)s",
                     **years),
        "x_title": t._("Number of minor victims"), "legend_title": t._("Year"),
        "description": t._("Bar chart comparing the number of minor victims per form of "
                           "exploitation in %(previous_year)s and %(year)s.", **years),
    }, t))

    charts.append(_render("chain_funnel", "chain_funnel", chain_records(figures, t), {
        "title": t._("The criminal-justice chain in %(year)s", **years),
        "description": t._("Funnel of the criminal-justice chain in %(year)s: police "
                           "investigations, suspects, cases registered and decided by the "
                           "prosecution service, summonses, verdicts and convictions.", **years),
    }, t))
    return charts
