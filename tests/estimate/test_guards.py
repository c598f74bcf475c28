"""Guards: thin data give no estimate; a doubtful estimate is published as a rounded range,
with the warning in the report's text in Dutch and English (issue 18)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.estimate import DarkFigure, estimate_dark_figure
from thbmonitor.estimate.guards import (
    DISAGREE_FACTOR,
    MIN_OVERLAP,
    MIN_VICTIMS,
    RATIO_RANGE,
    WIDE_FACTOR,
    blocking_guards,
    warning_guards,
)
from thbmonitor.estimate.result import round_estimate
from thbmonitor.publish import render_report


class _Text(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.feed(html)

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.parts.append(" ".join(data.split()))

    @property
    def body(self) -> str:
        return " ".join(self.parts)


def _report(db, source, report_id, source_type, person, day="2024-03-01"):
    db.execute(
        "INSERT INTO reports (source, report_id, source_type, report_date, exploitation, scope, "
        "row_hash, import_id, row_number, sex) VALUES (?, ?, ?, ?, ['sexual'], 'domestic', "
        "'h', 1, 1, 'female')", [source, report_id, source_type, day])
    db.execute("INSERT INTO person_reports VALUES (?, ?, ?)", [source, report_id, person])


def _release(estimate: dict[str, Any]) -> dict[str, Any]:
    from publish_builder import release_figures, steady

    from thbmonitor.publish import with_findings

    return {"figures": with_findings(release_figures(steady())), "estimate": estimate}


def _pages(estimate: dict[str, Any]) -> dict[str, str]:
    return {lang: _Text(render_report(_release(estimate), lang=lang)).body
            for lang in ("nl", "en")}


def test_the_thresholds_are_the_documented_ones() -> None:
    assert (MIN_VICTIMS, MIN_OVERLAP, WIDE_FACTOR, DISAGREE_FACTOR, RATIO_RANGE) == (
        50, 20, 2.0, 2.0, (3.0, 7.0))


def test_an_18_victim_store_gives_no_estimate_and_says_why(db) -> None:
    """The defect: 18 victims gave an interval up to 4.8e24 with exit 0, in the report."""
    for i in range(18):
        _report(db, "pol", f"p{i}", "police", f"V{i}")
        if i % 3 == 0:
            _report(db, "care", f"c{i}", "care_coordinator", f"V{i}")
    result = estimate_dark_figure(db, 2024, nboot=50, seed=1)
    d = result.to_dict()
    assert d["estimate"] is None and d["ci"] is None and d["published_as"] == "none"
    assert "18 victims" in d["reason"] and f"at least {MIN_VICTIMS}" in d["reason"]
    assert {g["code"] for g in d["guards"] if not g["passed"]} == {
        "too_few_victims", "too_few_overlaps"}
    pages = _pages(d)
    assert "Only 18 victims were seen by the lists in the year; at least 50 are needed" in (
        pages["en"])
    assert "Slechts 18 slachtoffers zijn dit jaar door de lijsten gezien; voor een schatting " \
           "zijn er minstens 50 nodig" in pages["nl"]
    assert "Only 6 people were on two or more lists; at least 20 are needed" in pages["en"]
    assert "An estimated" not in pages["en"] and "passed every check" not in pages["en"]


def test_thin_data_on_the_command_line_is_not_an_error_but_no_number(db_path) -> None:
    from thbmonitor.store import open_store

    with open_store(db_path, "create") as store:
        for i in range(18):
            _report(store.db, "pol", f"p{i}", "police", f"V{i}")
    out = CliRunner().invoke(app, ["estimate", "--year", "2024", "--db", str(db_path),
                                   "--nboot", "20"])
    assert out.exit_code == 0, out.output
    assert "no estimate for 2024" in out.output and "at least 50" in out.output


def _doubtful(**guards: Any) -> DarkFigure:
    result = DarkFigure(year=2024, observed=900, estimate=5612.0, ci=[4878.0, 6650.0],
                        ci_level=0.95, lists=["police", "ngo"], terms=[], method="pooled",
                        warnings=[], window=list(range(2019, 2025)), criterion="bic")
    result.guards = blocking_guards(900, 300) + warning_guards(
        guards.get("estimate", 5612.0), 900, guards.get("ci", [4878.0, 6650.0]),
        guards.get("models", [5612.0, 5400.0]))
    result.estimate = guards.get("estimate", 5612.0)
    result.ci = guards.get("ci", [4878.0, 6650.0])
    return result


def test_a_sound_estimate_is_stated_rounded_and_passes_every_check() -> None:
    d = _doubtful().to_dict()
    assert d["published_as"] == "estimate"
    assert d["rounded"] == {"estimate": 5600, "low": 4900, "high": 6700}
    pages = _pages(d)
    assert "An estimated 5,600 victims in 2024 (95% interval: 4,900 to 6,700)" in pages["en"]
    assert "Naar schatting ongeveer 5.600 slachtoffers in 2024 (95%-interval: 4.900 tot " \
           "6.700)" in pages["nl"]
    assert "passed every check" in pages["en"] and "doorstond elke controle" in pages["nl"]
    assert "gave no warnings" not in pages["en"]


@pytest.mark.parametrize(("case", "code", "en", "nl"), [
    ({"ci": [2500.0, 9000.0]}, "wide_interval",
     "The interval is wide: its upper limit is 3.6 times its lower limit (more than 2).",
     "Het interval is breed: de bovengrens is 3,6 keer de ondergrens (meer dan 2)."),
    ({"models": [5612.0, 13000.0]}, "models_disagree",
     "Models with covariates disagree: their estimates differ by a factor 2.3 (more than 2).",
     "Modellen met covariaten zijn het oneens: hun schattingen verschillen een factor 2,3 "
     "(meer dan 2)."),
    ({"estimate": 15949.0, "ci": [12000.0, 18000.0], "models": [15949.0]}, "implausible_ratio",
     "The estimate is 17.7 times the registered number, far from the four to five times",
     "De schatting is 17,7 keer het geregistreerde aantal, ver van de vier tot vijf keer"),
])
def test_a_doubtful_estimate_is_published_as_a_range_with_its_warning(
        case: dict[str, Any], code: str, en: str, nl: str) -> None:
    d = _doubtful(**case).to_dict()
    assert d["published_as"] == "range"
    assert [g["code"] for g in d["guards"] if not g["passed"]] == [code]
    pages = _pages(d)
    assert en in pages["en"] and nl in pages["nl"]
    assert "by a rough estimate, between about" in pages["en"]
    assert "naar een ruwe schatting tussen ongeveer" in pages["nl"]
    assert "An estimated" not in pages["en"] and "passed every check" not in pages["en"]


def test_rounding_is_two_significant_figures_half_up() -> None:
    assert [round_estimate(v) for v in (5612, 4878, 6650, 873, 15949, 41.0, None)] == [
        5600, 4900, 6700, 870, 16000, 40, None]


def test_guard_messages_agree_in_number() -> None:
    """'1 victims seen' was printed for a one-report store."""
    from thbmonitor.estimate.guards import blocking_guards

    one = {g.code: g.message for g in blocking_guards(1, 1)}
    assert one["too_few_victims"].startswith("1 victim seen ")
    assert one["too_few_overlaps"].startswith("1 person on two ")
    many = {g.code: g.message for g in blocking_guards(3, 0)}
    assert many["too_few_victims"].startswith("3 victims seen ")
    assert many["too_few_overlaps"].startswith("0 people on two ")
