"""Charts: Vega-Lite spec files filled with records, rendered offline to SVG.

Each chart is a spec file in ``charts/*.vl.json`` whose ``data.values`` are
filled with records made from the figures dict; string values of the form
``"$name"`` (title, axis titles, description) are replaced by texts in the
report's language. Labels on bars are formatted with Babel; axes use the
d3 locale of the language. ``vl_convert`` renders the SVG without any network
access (``allowed_base_urls=[]``).

Declared breaks in the series (setting ``release.series_breaks``, carried by a release in
``flags.breaks``) are drawn in the trend charts: a dashed vertical rule just before the
first year of the new series, labelled ``b`` and what changed (`with_breaks`), and said in
the chart's text alternative.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import vl_convert as vlc

from thbmonitor.publish.findings import lookup
from thbmonitor.publish.tables import YEARS, Row, Table
from thbmonitor.publish.texts import CHAIN_STAGE, FORM, NOT_PUBLISHED, Texts, texts_for

__all__ = ["BREAK_COLOUR", "CHAIN_PATHS", "Chart", "chain_records", "chart_spec",
           "darkfigure_chart", "render_charts", "stacked_records", "with_breaks"]

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
    table: Table | None = None

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


#: The colour of a series break's rule and label (distinct from every data colour).
BREAK_COLOUR = "#b00020"
#: Layer names of a break (`with_breaks`): the SVG's mark groups carry them as classes.
BREAK_RULE, BREAK_LABEL = "series_break_rule", "series_break_label"


def _breaks_shown(breaks: Mapping[Any, str] | None, years: list[str]) -> dict[str, str]:
    """The declared breaks of the years a chart shows (year text -> what changed)."""
    return {str(int(y)): str(text) for y, text in sorted((breaks or {}).items(),
                                                         key=lambda item: int(item[0]))
            if str(int(y)) in years and str(int(y)) != years[0]}


def with_breaks(spec: dict[str, Any], breaks: Mapping[str, str]) -> dict[str, Any]:
    """``spec`` with a dashed rule and a label ``b: <what changed>`` for each break year.

    The rule stands half a step before the year (between the last year of the old series
    and the first of the new one) on the chart's ordinal year axis; it spans the height.
    """
    if not breaks:
        return spec
    records = [{"year": year, "label": f"b: {text}"} for year, text in breaks.items()]
    step = float(spec.get("width", 640)) / max(1, len({str(r.get("year")) for r in
                                                      spec["data"]["values"]}))
    x = {"field": "year", "type": "ordinal"}
    spec["layer"] = [*spec["layer"], {
        "name": BREAK_RULE, "data": {"values": records},
        "mark": {"type": "rule", "strokeDash": [6, 3], "strokeWidth": 2,
                 "color": BREAK_COLOUR, "xOffset": -step / 2},
        "encoding": {"x": x},
    }, {
        "name": BREAK_LABEL, "data": {"values": records},
        "mark": {"type": "text", "align": "left", "baseline": "top", "dx": -step / 2 + 4,
                 "y": 2, "fontSize": 11, "color": BREAK_COLOUR, "limit": step * 1.5},
        "encoding": {"x": x, "text": {"field": "label"}},
    }]
    return spec


def _render(name: str, spec_name: str, records: list[dict[str, Any]], words: dict[str, str],
            t: Texts, table: Table | None = None,
            breaks: Mapping[Any, str] | None = None) -> Chart:
    years = sorted({str(r["year"]) for r in records if "year" in r})
    shown = _breaks_shown(breaks, years)
    if shown:
        words = {**words, "description": " ".join([words["description"], *(
            t._("Break in the series in %(year)s: %(what)s.", year=y, what=text)
            for y, text in shown.items())])}
    spec = with_breaks(chart_spec(spec_name, records, words), shown)
    svg = vlc.vegalite_to_svg(spec, format_locale=D3_LOCALE[t.lang], allowed_base_urls=[])
    if table is not None:
        table.title = words["title"]
    return Chart(name, words["title"], words["description"], svg, spec, table)


def _years(figures: Mapping[str, Any]) -> tuple[list[int], dict[int, Mapping[str, Any]]]:
    """The last five years of the series (the report's years) and their entries."""
    year = int(figures["year"])
    entries: dict[int, Mapping[str, Any]] = {int(e["year"]): e for e in figures.get("series") or []}
    entries[year] = figures
    first = max(year - YEARS + 1, min(entries))
    return [y for y in range(first, year + 1) if y in entries], entries


def stacked_records(figures: Mapping[str, Any], path_of: Any, t: Texts
                    ) -> tuple[list[dict[str, Any]], Table]:
    """Records of a chart stacked by form over the years, and its data table.

    A suppressed cell keeps its record (value 0, so the form stays in the legend)
    and marks the year's total label with `NOT_PUBLISHED`: never silently dropped.
    """
    years, entries = _years(figures)
    records: list[dict[str, Any]] = []
    table = Table("chart", "", t._("Form of exploitation"), years)
    per_form: dict[str, list[Any]] = {form: [] for form in FORM}
    for y in years:
        values = {form: lookup(entries[y], path_of(form)) for form in FORM}
        for form, value in values.items():
            per_form[form].append(value)
        known = sum(v for v in values.values() if v is not None)
        hidden = any(v is None for v in values.values())
        total_label = t.number(known) + (f" ({NOT_PUBLISHED})" if hidden else "")
        for order, (form, value) in enumerate(values.items()):
            if value == 0 and not any(per_form[form]):
                continue
            records.append({"year": str(y), "category": t.label("exploitation", form),
                            "order": order, "value": value or 0,
                            "suppressed": value is None, "is_total": order == 0,
                            "total": known, "total_label": total_label})
    for form, cells in per_form.items():
        if any(v is None or v for v in cells):
            table.rows.append(Row(t.label("exploitation", form), cells))
    return records, table


def chain_records(figures: Mapping[str, Any], t: Texts) -> list[dict[str, Any]]:
    """The funnel's records: one per chain stage and year; a suppressed stage is marked."""
    years, entries = _years(figures)
    records = []
    for order, (stage, path) in enumerate(CHAIN_PATHS.items()):
        for y in years:
            value = lookup(entries[y], path)
            records.append({"stage": t._(CHAIN_STAGE[stage]), "order": order, "year": str(y),
                            "value": value or 0, "suppressed": value is None,
                            "label": NOT_PUBLISHED if value is None else t.number(value)})
    return records


def render_charts(figures: Mapping[str, Any], t: Texts | str,
                  breaks: Mapping[Any, str] | None = None) -> list[Chart]:
    """The report's charts in the language of ``t`` ('nl', 'en' or a Texts).

    ``breaks``: declared series breaks (year -> what changed), drawn in the two trend
    charts of the victims (the chain's funnel has no year axis).
    """
    t = texts_for(t) if isinstance(t, str) else t
    year = int(figures["year"])
    years, _ = _years(figures)
    span = {"first": years[0], "year": year}
    charts = []
    records, table = stacked_records(figures, lambda form: f"victims.by.exploitation.{form}", t)
    charts.append(_render("victims_per_year", "victims_per_year", records, {
        "title": t._("Victims per year by form of exploitation, %(first)s to %(year)s", **span),
        "x_title": t._("Year"), "y_title": t._("Number of victims"),
        "legend_title": t._("Form of exploitation"),
        "description": t._("Stacked bar chart of the number of registered victims per year by "
                           "form of exploitation, %(first)s to %(year)s; %(value)s in %(year)s.",
                           value=t.number(lookup(figures, "victims.total")), **span),
    }, t, table, breaks))

    def minors(form: str) -> str:
        return f"victims.cross.exploitation_by_age_group.{form}.minor"

    records, table = stacked_records(figures, minors, t)
    charts.append(_render("minors", "victims_per_year", records, {
        "title": t._("Minor victims per year by form of exploitation, %(first)s to %(year)s",
                     **span),
        "x_title": t._("Year"), "y_title": t._("Number of minor victims"),
        "legend_title": t._("Form of exploitation"),
        "description": t._("Stacked bar chart of the number of minor victims per year by form "
                           "of exploitation, %(first)s to %(year)s. %(marker)s after a total: "
                           "a part is not published and not in the bar.",
                           marker=NOT_PUBLISHED, **span),
    }, t, table, breaks))

    charts.append(_render("chain_funnel", "chain_funnel", chain_records(figures, t), {
        "title": t._("The criminal-justice chain, %(first)s to %(year)s", **span),
        "x_title": t._("Number"), "legend_title": t._("Year"),
        "description": t._("Bar chart of the criminal-justice chain per year, %(first)s to "
                           "%(year)s: police investigations, suspects, cases registered and "
                           "decided by the prosecution service, summonses, verdicts and "
                           "convictions. %(marker)s: not published.",
                           marker=NOT_PUBLISHED, **span),
    }, t))
    return charts


def darkfigure_chart(estimate: Mapping[str, Any] | None, t: Texts | str,
                     breaks: Mapping[Any, str] | None = None) -> Chart | None:
    """The estimates of the pooled window's years with their interval band, beside the
    registered number on the lists (None when fewer than two years were estimated).

    The values are rounded as the report's text and table round them (`round_estimate`):
    the chart never shows more precision than the words.
    """
    from thbmonitor.estimate.result import round_estimate

    t = texts_for(t) if isinstance(t, str) else t
    years = [y for y in (estimate or {}).get("by_year") or [] if y.get("estimate") is not None]
    if len(years) < 2:
        return None
    records = [{"year": str(y["year"]), "estimate": round_estimate(y["estimate"]),
                "low": round_estimate(y["ci"][0]) if y.get("ci") else None,
                "high": round_estimate(y["ci"][1]) if y.get("ci") else None,
                "registered": y.get("observed")} for y in years]
    span = {"first": records[0]["year"], "year": records[-1]["year"]}
    level = t.percent(100 * float((estimate or {}).get("ci_level") or 0.95))
    return _render("darkfigure_years", "darkfigure_years", records, {
        "title": t._("Estimated and registered victims per year, %(first)s to %(year)s", **span),
        "x_title": t._("Year"), "y_title": t._("Number of victims"),
        "estimate_label": t._("Estimate (rounded)"),
        "band_label": t._("%(level)s interval", level=level),
        "registered_label": t._("Registered on the lists"),
        "description": t._("Line chart of the estimated number of victims per year, %(first)s "
                           "to %(year)s, with its %(level)s interval as a band, and the number "
                           "of victims registered on the lists as a dashed line.",
                           level=level, **span),
    }, t, breaks=breaks)
