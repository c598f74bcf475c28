"""Charts: spec files filled with records and words, rendered offline to SVG."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from publish_builder import cross_with, release_figures, set_path, steady, year_figures

from thbmonitor.publish import charts as charts_module
from thbmonitor.publish.charts import CHAIN_PATHS, render_charts
from thbmonitor.publish.texts import NOT_PUBLISHED


def strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return [node] if isinstance(node, str) else []


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    years = steady()
    years[2024] = year_figures(2024, cross_with(criminal__minor=42))
    figures = release_figures(years)
    set_path(figures, "victims.cross.exploitation_by_age_group.other.minor", None)
    figures["suppressed"] = ["victims.cross.exploitation_by_age_group.other.minor"]
    return figures


def svg_texts(svg: str) -> list[tuple[str, float]]:
    """Every text element of an SVG with its font size (px), parsed as XML."""
    root = ElementTree.fromstring(svg)
    out = []
    for node in root.iter():
        if node.tag.rsplit("}", 1)[-1] == "text":
            size = node.get("font-size") or ""
            style = node.get("style") or ""
            if not size and "font-size" in style:
                size = style.split("font-size:", 1)[1].split(";", 1)[0]
            text = "".join(node.itertext()).strip()
            out.append((text, float(size.removesuffix("px")) if size else 0.0))
    return out


def test_spec_files_are_vega_lite_with_empty_data() -> None:
    files = sorted(Path(charts_module.__file__).parent.joinpath("charts").glob("*.vl.json"))
    assert [f.name for f in files] == ["chain_funnel.vl.json", "darkfigure_years.vl.json",
                                       "victims_per_year.vl.json"]
    for path in files:
        spec = json.loads(path.read_text(encoding="utf-8"))
        assert "vega-lite" in spec["$schema"]
        assert spec["data"] == {"values": []}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_charts_are_filled_and_rendered(figures: dict[str, Any], lang: str) -> None:
    charts = {c.name: c for c in render_charts(figures, lang)}
    assert list(charts) == ["victims_per_year", "minors", "chain_funnel"]
    for chart in charts.values():
        assert chart.svg.startswith("<svg")
        assert chart.title in chart.svg
        assert not [s for s in strings(chart.spec) if s.startswith("$") and s != "$schema"]
    # Five years (2020-2024), stacked by the forms that occur.
    years = {r["year"] for r in charts["victims_per_year"].spec["data"]["values"]}
    assert years == {"2020", "2021", "2022", "2023", "2024"}
    stages = [r for r in charts["chain_funnel"].spec["data"]["values"] if r["year"] == "2024"]
    assert len(stages) == len(CHAIN_PATHS) and stages[0]["value"] == 120


def test_charts_are_full_width_with_readable_labels(figures: dict[str, Any]) -> None:
    for chart in render_charts(figures, "en"):
        root = ElementTree.fromstring(chart.svg)
        assert float(root.get("width") or 0) >= 600, chart.name
        sizes = [size for text, size in svg_texts(chart.svg) if text]
        assert sizes and min(sizes) >= 12, (chart.name, min(sizes))


def test_chart_words_are_in_the_language(figures: dict[str, Any]) -> None:
    nl = {c.name: c for c in render_charts(figures, "nl")}
    en = {c.name: c for c in render_charts(figures, "en")}
    assert nl["victims_per_year"].title == (
        "Slachtoffers per jaar naar vorm van uitbuiting, 2020 tot en met 2024")
    assert en["victims_per_year"].title == (
        "Victims per year by form of exploitation, 2020 to 2024")
    labels = {r["category"] for r in nl["minors"].spec["data"]["values"]}
    assert "Criminele uitbuiting" in labels
    assert "Verdachten" in nl["chain_funnel"].svg and "Suspects" in en["chain_funnel"].svg


def test_suppressed_cells_are_marked_in_charts_never_dropped(figures: dict[str, Any]) -> None:
    """The defect: a suppressed category vanished from the minors chart without a marker."""
    minors = {c.name: c for c in render_charts(figures, "en")}["minors"]
    rows = {(r["category"], r["year"]): r for r in minors.spec["data"]["values"]}
    assert rows[("Other forms", "2024")]["suppressed"] is True
    texts = [text for text, _ in svg_texts(minors.svg)]
    assert "Other forms" in texts  # still in the legend
    total_2024 = [x for x in texts if x.endswith(f"({NOT_PUBLISHED})")]
    assert total_2024, texts  # the year's total says a part is not published
    assert minors.table is not None
    other = next(r for r in minors.table.rows if r.label == "Other forms")
    assert other.values[-1] is None


def test_suppressed_chain_stage_is_marked_in_the_funnel(figures: dict[str, Any]) -> None:
    figures = copy.deepcopy(figures)
    set_path(figures, "chain.verdicts.convictions", None)
    funnel = {c.name: c for c in render_charts(figures, "en")}["chain_funnel"]
    texts = [text for text, _ in svg_texts(funnel.svg)]
    assert NOT_PUBLISHED in texts
    assert "Convictions" in texts
