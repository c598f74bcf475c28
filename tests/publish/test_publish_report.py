"""The HTML report, parsed: language, headline, findings, charts, estimate, footer; offline."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from publish_builder import cross_with, release_figures, set_path, steady, year_figures

import thbmonitor
from thbmonitor.errors import UsageError
from thbmonitor.publish import render_report, with_findings, write_report

ESTIMATE = {"observed": 2744, "estimate": 11313.0, "dark_figure": 8569.0,
            "ci": [10012.0, 12987.0], "ci_level": 0.95, "lists": ["police", "care", "ngo"],
            "terms": ["police:care"], "method": "stepwise log-linear (BIC)",
            "warnings": ["SparseDataWarning: 95% of victims are on one list only"]}
LINKAGE = {"precision": 0.981, "recall": 0.954, "f1": 0.967, "method": "exact keyed pseudonyms",
           "pairs_reviewed": 1200}
PROVENANCE = {"version": thbmonitor.__version__,
              "settings": {"year": 2024, "protected": False, "note": "<script>x</script>"},
              "seed": 20241018, "data_hash": "sha256:9f2c1e",
              "vintage": [{"kind": "reports", "source": "reports-2024.csv",
                           "imported_at": "2026-11-29T05:00:00", "file_hash": "sha256:ab12"}],
              "generated_at": "2026-11-29T06:00:00"}


def release_2024(**extra: Any) -> dict[str, Any]:
    """868 victims in 2023, 944 in 2024; minors in criminal exploitation 13 -> 42."""
    years = steady()
    years[2024] = year_figures(2024, cross_with(criminal__minor=42, sexual__adult=347),
                               chain={"investigations": 70})
    figures = with_findings(release_figures(years))
    return {"figures": figures, "provenance": PROVENANCE, **extra}


class Page(HTMLParser):
    """Tags with their attributes, the visible text, and text per element id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(" ".join(data.split()))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def body(self) -> str:
        return " ".join(self.text)


@pytest.fixture(scope="module")
def release() -> dict[str, Any]:
    return release_2024(estimate=ESTIMATE, linkage=LINKAGE)


@pytest.fixture(scope="module")
def pages(release: dict[str, Any]) -> dict[str, tuple[str, Page]]:
    return {lang: (html, Page(html)) for lang in ("nl", "en")
            for html in [render_report(release, lang=lang)]}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_language_attribute(pages: dict[str, tuple[str, Page]], lang: str) -> None:
    _, page = pages[lang]
    assert page.all("html") == [{"lang": lang}]


def test_headline_states_total_and_change(pages: dict[str, tuple[str, Page]]) -> None:
    assert "944 slachtoffers gemeld in 2024, 76 meer dan in 2023" in pages["nl"][1].body
    assert "944 victims reported in 2024, 76 more than in 2023" in pages["en"][1].body


def test_findings_are_in_the_language_of_the_report(
        release: dict[str, Any], pages: dict[str, tuple[str, Page]]) -> None:
    findings = release["figures"]["findings"]
    metrics = [f["metric"] for f in findings]
    assert "victims.cross.exploitation_by_age_group.criminal.minor" in metrics
    nl, en = pages["nl"][1].body, pages["en"][1].body
    for finding in findings:
        assert finding["text"]["nl"] in nl and finding["text"]["nl"] not in en
        assert finding["text"]["en"] in en and finding["text"]["en"] not in nl
    assert ("Het aantal minderjarige slachtoffers van criminele uitbuiting steeg sterk: "
            "van 13 in 2023 naar 42 in 2024.") in nl


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_charts_are_inline_svg_and_nothing_is_external(
        pages: dict[str, tuple[str, Page]], lang: str) -> None:
    html, page = pages[lang]
    assert len(page.all("svg")) >= 3
    labelled = [a for a in page.all("div") if a.get("role") == "img"]
    assert len(labelled) == 3 and all(a.get("aria-label") for a in labelled)
    for _, attrs in page.tags:
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), (name, value)
    assert not page.all("script") and not page.all("link") and not page.all("img")
    assert "@import" not in html and "url(" not in html


def test_charts_speak_the_language(pages: dict[str, tuple[str, Page]]) -> None:
    nl, en = pages["nl"][1].body, pages["en"][1].body
    assert "Slachtoffers per jaar" in nl and "Victims per year" in en
    assert "Politieonderzoeken" in nl and "Police investigations" in en


def test_tables_have_headers(pages: dict[str, tuple[str, Page]]) -> None:
    page = pages["en"][1]
    assert len(page.all("table")) >= 8
    assert len(page.all("caption")) == len(page.all("table"))
    assert all(a.get("scope") in {"row", "col", "colgroup"} for a in page.all("th"))


def test_key_figures_use_the_locale(pages: dict[str, tuple[str, Page]]) -> None:
    nl, en = pages["nl"][1].body, pages["en"][1].body
    assert "Meldingen 978 1.054 +76" in nl
    assert "Reports 978 1,054 +76" in en


def test_estimate_section(pages: dict[str, tuple[str, Page]]) -> None:
    """The estimate is stated rounded (two significant figures), as the Dutch estimates are."""
    nl, en = pages["nl"][1].body, pages["en"][1].body
    assert "Naar schatting ongeveer 11.000 slachtoffers in 2024 (95%-interval: 10.000 tot " \
           "13.000), van wie ongeveer 8.600" in nl
    assert "4,1 keer de 2.744 geregistreerde slachtoffers" in nl
    assert "An estimated 11,000 victims in 2024 (95% interval: 10,000 to 13,000)" in en
    assert "4.1 times the 2,744 registered victims" in en
    assert "11,313" not in en, "the estimate is not a count: never shown to the unit"
    assert "stepwise log-linear (BIC)" in en
    # Model terms by the lists' organisation labels, never the raw code `police:care`.
    assert "Police × Care coordinators" in en and "police:care" not in en
    assert "Politie × Zorgcoördinatoren" in nl
    assert "SparseDataWarning: 95% of victims are on one list only" in en


def test_without_estimate_says_so() -> None:
    page = Page(render_report(release_2024(), lang="en"))
    assert "No estimate of the dark figure was made for this year." in page.body
    assert "No measurement of the linkage quality is available" in page.body


def test_methods_note_and_linkage(pages: dict[str, tuple[str, Page]]) -> None:
    en = pages["en"][1].body
    assert "exact conditional test for two Poisson counts" in en
    assert "Benjamini–Hochberg" in en and "a number below 10 can be a finding" in en
    assert "The key indicators (15 in this release) were specified in advance" in en
    assert "overdispersion" in en and "over the last 5 years" in en
    assert "rose by at least 50% or fell by at least 33%" in en
    assert "precision 98.1%, recall 95.4% and F1 96.7%" in en
    assert "precisie van 98,1%" in pages["nl"][1].body


def test_reproducibility_footer(pages: dict[str, tuple[str, Page]]) -> None:
    html, page = pages["en"]
    assert ("Every number in this report can be reproduced from the stored data, these settings "
            "and this seed.") in page.body
    assert f"THB Monitor {thbmonitor.__version__}" in page.body
    assert "20241018" in page.body and "sha256:9f2c1e" in page.body
    assert "reports-2024.csv" in page.body and "sha256:ab12" in page.body
    # Only the settings a reader needs are published, never the raw settings dump.
    assert "<script>" not in html and "script&gt;" not in html
    settings = page.body.split("Settings of this publication", 1)[1]
    assert "Smallest number published 10" in settings


def test_suppressed_cells_are_shown_as_not_published() -> None:
    release = release_2024()
    figures = release["figures"]
    set_path(figures, "victims.by.age_group.minor", None)
    figures["suppressed"] = ["victims.by.age_group.minor"]
    page = Page(render_report(release, lang="nl"))
    assert "Minderjarige slachtoffers 67 · · ·" in page.body
    assert "· = niet gepubliceerd" in page.body


@pytest.mark.parametrize("unjudged", [None, []])
def test_findings_are_computed_when_missing_or_empty(unjudged: list | None) -> None:
    release = release_2024()
    if unjudged is None:
        del release["figures"]["findings"]
    else:
        release["figures"]["findings"] = unjudged
    page = Page(render_report(release, lang="en"))
    assert "rose strongly: from 13 in 2023 to 42 in 2024." in page.body


def test_findings_rule_of_the_release_is_used_and_described() -> None:
    release = release_2024(findings_rule={"alpha": 0.01, "window": 4,
                                          "key_indicators": {"victims.total": "both"}})
    release["figures"]["findings"] = []
    page = Page(render_report(release, lang="en"))
    assert "The key indicators (1 in this release)" in page.body
    assert "at most 0.01" in page.body and "over the last 4 years" in page.body


def test_write_report(tmp_path: Path) -> None:
    path = write_report(release_2024(), tmp_path / "out" / "report-en.html", "en")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(UsageError):
        render_report(release_2024(), lang="fr")


def test_first_year_without_series_or_previous_renders() -> None:
    figures = year_figures(2019)
    page = Page(render_report({"figures": figures}, lang="nl"))
    assert "868 slachtoffers gemeld in 2019" in page.body
    assert "Slachtoffers – 868 – –" in page.body  # no data for 2018, not "not published"
    assert "Er zijn geen gegevens over 2018, dus geen cijfer wordt daarmee vergeleken" in page.body
    assert len(page.all("svg")) >= 3


def test_protected_figures_with_many_nulls_render() -> None:
    release = release_2024()
    figures = release["figures"]
    paths = ["chain.verdicts.convictions", "chain.verdicts.conviction_pct",
             "victims.cross.exploitation_by_age_group.criminal.minor",
             "victims.by.exploitation.criminal", "victims.by.nationality.UA"]
    for path in paths:
        set_path(figures, path, None)
    figures["suppressed"] = paths
    del figures["findings"]
    page = Page(render_report(release, lang="en"))
    assert "from 13 in 2023 to 42 in 2024" not in page.body
    assert "Convictions 70 · ·" in page.body


def test_estimate_without_a_number_shows_its_warnings() -> None:
    estimate = {**ESTIMATE, "estimate": None, "dark_figure": None, "ci": None,
                "warnings": ["the estimate does not exist: police:ngo never overlap"]}
    page = Page(render_report(release_2024(estimate=estimate), lang="nl"))
    assert "gaf geen getal dat gepubliceerd kan worden" in page.body
    assert "the estimate does not exist: police:ngo never overlap" in page.body
    assert "Naar schatting" not in page.body


def test_earlier_years_estimates_are_charted_with_their_band() -> None:
    """Issue 18 item 4: the estimates of the years before with their interval band in a chart,
    rounded as the text rounds them, beside the registered number."""
    by_year = [{"year": y, "observed": obs, "estimate": est, "ci": [est * 0.8, est * 1.25]}
               for y, obs, est in [(2022, 810, 4012.0), (2023, 868, 4390.0),
                                   (2024, 944, 4968.0)]]
    estimate = {**ESTIMATE, "by_year": by_year}
    for lang, title in (("en", "Estimated and registered victims per year, 2022 to 2024"),
                        ("nl", "Geschatte en geregistreerde slachtoffers per jaar, 2022 tot en "
                               "met 2024")):
        html = render_report(release_2024(estimate=estimate), lang=lang)
        page = Page(html)
        figure = [a for a in page.all("figure") if a.get("id") == "chart-darkfigure_years"]
        assert figure, f"no dark-figure chart in the {lang} report"
        assert title in page.body
        chart = html.split('id="chart-darkfigure_years"')[1].split("</figure>")[0]
        assert "<svg" in chart
        # Rounded as the table: 4,968 is shown as 5,000 and never to the unit.
        assert ("5,000" if lang == "en" else "5.000") in chart
        assert ("4,968" if lang == "en" else "4.968") not in chart
    one_year = {**ESTIMATE, "by_year": by_year[-1:]}
    page = Page(render_report(release_2024(estimate=one_year), lang="en"))
    assert not [a for a in page.all("figure") if a.get("id") == "chart-darkfigure_years"], \
        "one year is not a series: the table is enough"
