"""Declared series breaks (`release.series_breaks`) drawn in the report's trend charts.

The charts are Vega-Lite specs rendered to SVG by vl-convert; these tests parse the SVG
(it is XML) and find the break's rule between the bars of the last year of the old series
and the first year of the new one, with its label.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from thbmonitor.publish.charts import (
    BREAK_COLOUR,
    BREAK_LABEL,
    BREAK_RULE,
    darkfigure_chart,
    render_charts,
)

SVG = "{http://www.w3.org/2000/svg}"
BREAK = {"2022": "consent rule of 2018 in force"}


def figures() -> dict[str, Any]:
    def entry(year: int, sexual: int, labour: int) -> dict[str, Any]:
        return {"year": year, "victims": {"total": sexual + labour, "by": {"exploitation": {
            "sexual": sexual, "labour": labour}}}}

    out = entry(2024, 60, 40)
    out["series"] = [entry(y, 40 + y - 2020, 30) for y in range(2020, 2024)]
    return out


def _x(element: ET.Element) -> float:
    match = re.search(r"translate\(([-\d.]+)", element.get("transform") or "")
    assert match, element.attrib
    return float(match.group(1))


def marks(svg: str, name: str) -> list[ET.Element]:
    """The mark elements of the layer ``name`` (vl-convert classes them ``<name>_marks``)."""
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG}g") if f"{name}_marks" in (g.get("class") or "")]
    return [child for g in groups for child in g]


def bar_centres(svg: str) -> dict[str, float]:
    """The centre of each year's bars, from their aria labels (``year: 2021; ...``)."""
    root = ET.fromstring(svg)
    out: dict[str, float] = {}
    for path in root.iter(f"{SVG}path"):
        label = path.get("aria-label") or ""
        year = re.match(r"[^:;]+: (\d{4});", label)  # "Year: 2021; ..." (the axis title)
        d = re.match(r"M([-\d.]+),[-\d.]+h([-\d.]+)", path.get("d") or "")
        if year and d and path.get("aria-roledescription") == "bar":
            out[year.group(1)] = float(d.group(1)) + float(d.group(2)) / 2
    return out


def test_a_break_is_a_labelled_rule_between_the_two_series() -> None:
    chart = render_charts(figures(), "en", BREAK)[0]
    rules = marks(chart.svg, BREAK_RULE)
    assert len(rules) == 1 and rules[0].tag == f"{SVG}line"
    assert rules[0].get("stroke") == BREAK_COLOUR and rules[0].get("stroke-dasharray")
    assert float(rules[0].get("y2") or 0) >= 250, "the rule spans the plot's height"
    centres = bar_centres(chart.svg)
    assert set(centres) == {"2020", "2021", "2022", "2023", "2024"}
    assert centres["2021"] < _x(rules[0]) < centres["2022"]
    labels = marks(chart.svg, BREAK_LABEL)
    assert [t.text for t in labels] == ["b: consent rule of 2018 in force"]
    assert "Break in the series in 2022: consent rule of 2018 in force." in chart.description


def test_both_victim_trend_charts_show_it_and_the_funnel_does_not() -> None:
    charts = {c.name: c for c in render_charts(figures(), "nl", {2022: "toestemmingsregel"})}
    assert len(marks(charts["victims_per_year"].svg, BREAK_RULE)) == 1
    assert len(marks(charts["minors"].svg, BREAK_RULE)) == 1
    assert marks(charts["chain_funnel"].svg, BREAK_RULE) == []


def test_no_rule_without_a_break_in_the_years_shown() -> None:
    for breaks in (None, {}, {"2015": "outside the chart"}, {"2020": "the first year shown"}):
        chart = render_charts(figures(), "en", breaks)[0]
        assert marks(chart.svg, BREAK_RULE) == [] and marks(chart.svg, BREAK_LABEL) == []
        assert "Break in the series" not in chart.description


def test_the_dark_figure_chart_shows_a_break_too() -> None:
    estimate = {"ci_level": 0.95, "by_year": [
        {"year": y, "estimate": 4000 + 10 * y % 7, "ci": [3500, 4600], "observed": 900}
        for y in range(2019, 2025)]}
    chart = darkfigure_chart(estimate, "en", {"2021": "new list of the police"})
    assert chart is not None
    rules = marks(chart.svg, BREAK_RULE)
    assert len(rules) == 1
    points = {m.group(1): _x(p) for p in ET.fromstring(chart.svg).iter(f"{SVG}path")
              if (m := re.match(r"Year: (\d{4}); estimate:", p.get("aria-label") or ""))
              and p.get("aria-roledescription") == "point"}
    assert points["2020"] < _x(rules[0]) < points["2021"]
    assert [t.text for t in marks(chart.svg, BREAK_LABEL)] == ["b: new list of the police"]
