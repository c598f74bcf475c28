"""Charts: spec files filled with records and words, rendered offline to SVG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from publish_builder import cross_with, release_figures, set_path, steady, year_figures

from thbmonitor.publish import charts as charts_module
from thbmonitor.publish.charts import CHAIN_PATHS, render_charts


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


def test_spec_files_are_vega_lite_with_empty_data() -> None:
    files = sorted(Path(charts_module.__file__).parent.joinpath("charts").glob("*.vl.json"))
    assert len(files) == 3
    for path in files:
        spec = json.loads(path.read_text(encoding="utf-8"))
        assert "vega-lite" in spec["$schema"]
        assert spec["data"] == {"values": []}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_charts_are_filled_and_rendered(figures: dict[str, Any], lang: str) -> None:
    charts = {c.name: c for c in render_charts(figures, lang)}
    assert list(charts) == ["victims_per_year", "exploitation", "minors", "chain_funnel"]
    for chart in charts.values():
        assert chart.svg.startswith("<svg")
        assert chart.title in chart.svg
        assert not [s for s in strings(chart.spec) if s.startswith("$") and s != "$schema"]
    assert len(charts["victims_per_year"].spec["data"]["values"]) == 6
    stages = [r["value"] for r in charts["chain_funnel"].spec["data"]["values"]]
    assert len(stages) == len(CHAIN_PATHS) and stages[0] == 120


def test_chart_words_are_in_the_language(figures: dict[str, Any]) -> None:
    nl = {c.name: c for c in render_charts(figures, "nl")}
    en = {c.name: c for c in render_charts(figures, "en")}
    assert nl["exploitation"].title == "Slachtoffers naar vorm van uitbuiting, 2023 en 2024"
    assert en["exploitation"].title == "Victims by form of exploitation, 2023 and 2024"
    labels = {r["category"] for r in nl["minors"].spec["data"]["values"]}
    assert "Criminele uitbuiting" in labels
    assert "Verdachten" in nl["chain_funnel"].svg and "Suspects" in en["chain_funnel"].svg


def test_null_cells_are_left_out_of_charts(figures: dict[str, Any]) -> None:
    minors = {c.name: c for c in render_charts(figures, "en")}["minors"]
    rows = [(r["category"], r["year"]) for r in minors.spec["data"]["values"]]
    assert ("Other forms", "2023") in rows
    assert ("Other forms", "2024") not in rows
    assert ("Criminal exploitation", "2024") in rows
