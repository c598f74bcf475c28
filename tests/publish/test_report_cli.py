"""`thb report --format pdf --tables xlsx|csv` on a real DuckDB file with one linked report."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from thbmonitor.cli import app
from thbmonitor.store import Database


def test_report_as_pdf_with_its_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    db = tmp_path / "thb.duckdb"
    with Database(db) as database:
        database.set_setting("publication.publisher", "Rapporteur (test)")
        database.execute(
            "INSERT INTO reports (source, report_id, source_type, report_date, exploitation, "
            "scope, row_hash, import_id, row_number) VALUES ('police-oost', 'r1', 'police', "
            "DATE '2024-03-01', ['sexual'], 'domestic', 'h', 1, 1)")
        database.execute("INSERT INTO person_reports VALUES ('police-oost', 'r1', 'p1')")
    out = tmp_path / "jaarcijfers-2024.pdf"
    result = CliRunner().invoke(app, ["report", "--year", "2024", "--db", str(db), "--format",
                                      "pdf", "--tables", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    cover = PdfReader(out).pages[0].extract_text()
    assert "Rapporteur (test)" in cover and "2024" in cover
    book = load_workbook(tmp_path / "jaarcijfers-2024-tables.xlsx", read_only=True)
    assert "victims-exploitation" in book.sheetnames


def test_unknown_formats_are_refused_with_a_message(tmp_path: Path) -> None:
    db = tmp_path / "thb.duckdb"
    Database(db).close()
    for option in (["--format", "docx"], ["--tables", "ods"]):
        result = CliRunner().invoke(app, ["report", "--year", "2024", "--db", str(db), *option])
        assert result.exit_code != 0
        assert "takes one of" in result.output
