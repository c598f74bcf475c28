"""The annual report as a publication, on the synthetic demo data of the session.

The PDF is laid out once per session (`published_pdf`); pdftoppm renders its
pages, pypdf reads its text, WeasyPrint's own layout says on which page each
table and chart lies. The five-year tables, the deny-lists of the other
language and the XLSX workbook are checked against the HTML.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from thbmonitor.publish.texts import NOT_PUBLISHED

YEARS = ["2020", "2021", "2022", "2023", "2024"]
#: The Rapporteur's tables (issue 14), each over five years.
TABLES = [
    "victims-exploitation", "victims-groups", "victims-age", "victims-sex",
    "victims-nationality-group", "victims-nationality", "victims-exploitation-age",
    "victims-exploitation-nationality", "victims-reporter-age", "victims-reporter-nationality",
    "victims-region", "victims-sector", "chain-investigations", "chain-suspects",
    "chain-prosecution", "chain-verdicts", "chain-custodial",
]
#: Tables whose rows (categories of one person) add up to the total.
EXCLUSIVE = ["victims-exploitation", "victims-groups", "victims-age", "victims-sex",
             "victims-nationality-group", "victims-region", "chain-custodial"]
#: English that must not appear in the Dutch report (the defects of issue 14 first).
ENGLISH = ["dark number", "dark figure", "Methode stepwise", "stepwise", "border_police",
           "police:", "care_coordinator", "Total", "Victims", "Sexual exploitation",
           "Labour exploitation", "Minors", "Unknown", "reports", "investigations",
           "suspects", "verdicts", "Reported by", "Key figures", "Contents", "Publisher",
           "How to cite", "Number"]
#: Dutch that must not appear in the English report.
DUTCH = ["Slachtoffers", "slachtoffers", "Totaal", "uitbuiting", "Politie", "Meldingen",
         "Onbekend", "Minderjarigen", "Verdachten", "Vonnissen", "Inhoud", "Uitgever",
         "Colofon", "Aantal", "dagvaarding", "tot en met"]
RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z_]+:[a-z_]+\b")


class Tables(HTMLParser):
    """Visible text, and every table as rows of cell texts, by the id around it."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.text: list[str] = []
        self._ids: list[str | None] = []
        self._current: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag in ("style", "code", "svg"):
            self._skip += 1
        ident = attr.get("id")
        if tag in ("div", "table") and ident and ident.startswith("table-"):
            self._current = ident.removeprefix("table-")
            self.tables[self._current] = []
        if tag == "tr" and self._current:
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "code", "svg"):
            self._skip -= 1
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "tr" and self._row is not None and self._current:
            self.tables[self._current].append(self._row)
            self._row = None
        if tag == "table":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if not self._skip and data.strip():
            self.text.append(" ".join(data.split()))

    @property
    def body(self) -> str:
        return " ".join(self.text)


@pytest.fixture(scope="module")
def parsed(published_html: dict[str, str]) -> dict[str, Tables]:
    return {lang: Tables(html) for lang, html in published_html.items()}


def _number(text: str, lang: str) -> float:
    sep, dec = (".", ",") if lang == "nl" else (",", ".")
    return float(text.replace(sep, "").replace(dec, ".").removesuffix("%").strip())


# -- the tables -------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_table_is_there_for_five_years(parsed: dict[str, Tables], lang: str) -> None:
    tables = parsed[lang].tables
    for table in TABLES:
        assert table in tables, table
        rows = tables[table]
        assert rows[0][1:] == YEARS, (table, rows[0])
        assert len(rows) > 3 and all(len(r) == 1 + 2 * len(YEARS) for r in rows[2:]), table


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_exclusive_tables_add_up_to_their_total_with_shares(parsed: dict[str, Tables],
                                                            lang: str) -> None:
    checked = 0
    for table in EXCLUSIVE:
        rows = parsed[lang].tables[table][2:]
        total = rows[-1]
        for i in range(len(YEARS)):
            count, share = 1 + 2 * i, 2 + 2 * i
            assert total[share] == "100%"
            cells = [r[count] for r in rows[:-1]]
            if NOT_PUBLISHED in cells or total[count] == NOT_PUBLISHED:
                published = [_number(c, lang) for c in cells if c != NOT_PUBLISHED]
                assert sum(published) <= _number(total[count], lang), table
                continue
            assert sum(_number(c, lang) for c in cells) == _number(total[count], lang), table
            for r in rows[:-1]:
                expected = 100 * _number(r[count], lang) / _number(total[count], lang)
                assert abs(_number(r[share], lang) - expected) <= 0.5, (table, r)
            checked += 1
    assert checked >= 15


def test_suppressed_cells_are_marked_with_one_symbol_explained_once(
        parsed: dict[str, Tables], published_html: dict[str, str]) -> None:
    page = parsed["en"]
    cells = [c for rows in page.tables.values() for r in rows for c in r[1:]]
    assert NOT_PUBLISHED in cells
    assert not [c for c in cells if c.startswith("<") or c in ("x", "*", "..")]
    assert page.body.count(f"{NOT_PUBLISHED} = not published") == 1
    # The hidden value is not in the HTML next to the marker.
    assert 'class="suppressed">' + NOT_PUBLISHED in published_html["en"]


def test_breakdowns_publish_no_small_count(published_release: dict[str, Any]) -> None:
    from thbmonitor.disclosure import audit_figures

    assert audit_figures(published_release["figures"]).ok
    for tables in published_release["breakdowns"]["tables"].values():
        for table in tables.values():
            for value in table.values():
                for v in (value.values() if isinstance(value, dict) else [value]):
                    assert v is None or v == 0 or v >= 10


# -- labels in the report's language --------------------------------------------------------

def test_dutch_report_has_no_english_label(parsed: dict[str, Tables]) -> None:
    body = parsed["nl"].body
    # Whole words; a file name such as reports.csv is data, not a label.
    found = [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w.-])", body)]
    assert found == []
    assert RAW_CODE.findall(body) == []


def test_english_report_has_no_dutch_label(parsed: dict[str, Tables]) -> None:
    body = parsed["en"].body
    found = [w for w in DUTCH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w.-])", body)]
    assert found == []
    assert RAW_CODE.findall(body) == []


def test_pattern_thresholds_are_never_published(published_html: dict[str, str]) -> None:
    for html in published_html.values():
        assert "patterns." not in html and "min_moves" not in html and "carousel." not in html


# -- the PDF ------------------------------------------------------------------------------

def _page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (make setup)")
def test_pdf_pages_render_cover_contents_and_tables(published_pdf: Any, tmp_path: Path) -> None:
    from PIL import Image

    document, path = published_pdf
    subprocess.run(["pdftoppm", "-r", "24", "-png", str(path), str(tmp_path / "page")],
                   check=True, timeout=120)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(document.pages) and 12 <= len(images) <= 40
    for image in images[:3]:
        with Image.open(image) as im:
            assert im.size[0] < im.size[1]  # A4 portrait
            assert im.convert("L").getextrema()[0] < 100  # something is printed
    texts = _page_texts(path)
    assert texts[0].startswith("Mensenhandel: jaarcijfers 2024")
    assert "THB Monitor" in texts[0] and "Gepubliceerd op" in texts[0]
    assert texts[1].split()[-1] != "" and "Inhoud" in texts[1]
    assert any("Slachtoffers naar vorm van uitbuiting" in text for text in texts)


def test_no_table_or_chart_is_split_across_pages(published_pdf: Any) -> None:
    document, _ = published_pdf
    pages_of: dict[str, set[int]] = {}

    def walk(box: Any, page: int) -> None:
        element = getattr(box, "element", None)
        ident = element.get("id") if element is not None else None
        if ident and (ident.startswith(("table-", "chart-"))):
            pages_of.setdefault(ident, set()).add(page)
        for child in getattr(box, "children", []) or []:
            walk(child, page)

    for number, page in enumerate(document.pages, start=1):
        walk(page._page_box, number)
    assert len([i for i in pages_of if i.startswith("table-")]) >= len(TABLES)
    assert {i: p for i, p in pages_of.items() if len(p) > 1} == {}


def test_contents_give_the_right_page_numbers(published_pdf: Any) -> None:
    _, path = published_pdf
    texts = _page_texts(path)
    entries = re.findall(r"([A-Z][^.]+?) \.{3,} ?(\d+)", texts[1].split("Inhoud", 1)[1])
    assert len(entries) >= 8
    for title, number in entries:
        page = texts[int(number) - 1]
        assert title.strip() in page, (title, number)


def test_pdf_holds_every_headline_number_of_the_html(published_pdf: Any,
                                                     parsed: dict[str, Tables]) -> None:
    _, path = published_pdf
    text = " ".join(_page_texts(path))
    key = parsed["nl"].tables["key-figures"]
    numbers = [cell for row in key[1:] for cell in row[1:3]]
    headline = re.findall(r"\d[\d.]*", parsed["nl"].body.split("Kerncijfers", 1)[0])
    assert len(numbers) >= 20 and headline
    missing = [n for n in numbers + headline if n not in text]
    assert missing == []


# -- the reusable tables ---------------------------------------------------------------------

def test_workbook_holds_the_same_protected_values_as_the_html(
        published_release: dict[str, Any], parsed: dict[str, Tables], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from thbmonitor.publish.texts import texts_for
    from thbmonitor.publish.workbook import write_tables

    path = write_tables(published_release, tmp_path / "tables.xlsx", "en", "xlsx")
    book = load_workbook(path, read_only=True)
    t = texts_for("en")
    assert f"{NOT_PUBLISHED} = not published" in " ".join(
        str(r[0]) for r in book["Legend"].iter_rows(values_only=True) if r[0])
    compared = 0
    for table in TABLES:
        html_rows = parsed["en"].tables[table][2:]
        sheet_rows = [r for r in book[table[:31]].iter_rows(min_row=4, values_only=True)
                      if r[0] is not None][:len(html_rows)]
        assert [r[0] for r in sheet_rows] == [r[0] for r in html_rows], table
        for html_row, sheet_row in zip(html_rows, sheet_rows, strict=True):
            for i in range(len(YEARS)):
                shown, stored = html_row[1 + 2 * i], sheet_row[1 + 2 * i]
                if isinstance(stored, int | float):
                    assert shown in (t.number(stored), t.percent(stored)), (table, html_row)
                else:
                    assert shown == (stored or ""), (table, html_row)
                compared += 1
    assert compared > 500


def test_csv_folder_has_every_table_and_the_legend(published_release: dict[str, Any],
                                                   tmp_path: Path) -> None:
    import csv

    from thbmonitor.publish.workbook import write_tables

    folder = write_tables(published_release, tmp_path / "tables", "nl", "csv")
    assert {p.stem for p in folder.glob("*.csv")} >= {*TABLES, "legend"}
    with (folder / "victims-age.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][1::2] == YEARS and rows[-1][0] == "Totaal"


def test_the_html_links_the_tables(parsed: dict[str, Tables],
                                   published_html: dict[str, str]) -> None:
    assert 'href="report-2024-tables.xlsx"' in published_html["nl"]
    assert "Tabellen voor hergebruik" in parsed["nl"].body
