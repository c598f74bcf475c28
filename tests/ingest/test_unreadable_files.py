"""Unreadable, corrupt or mislabelled files: a file-level `unsupported-file` error in the
import report, never an exception (issue 10: a fake .xlsx gave `zipfile.BadZipFile`)."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from thbmonitor.ingest import import_file


def _text(path: Path) -> None:
    path.write_text("report_id,source\nR-1,police\n", encoding="utf-8")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _foreign_zip(path: Path) -> None:
    """A zip archive that is not a workbook (a .docx or .ods renamed .xlsx looks like this)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")


def _truncated_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["report_id", "source", "report_date", "exploitation"])
    for i in range(200):
        sheet.append([f"R-{i}", "police-oost", "2024-01-01", "sexual"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    path.write_bytes(data[: len(data) // 2])


def _ole(path: Path) -> None:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))


def _pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 20)


def _sqlite(path: Path) -> None:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE reports (report_id TEXT)")


CASES: list[tuple[str, Callable[[Path], None], str]] = [
    ("text-named.xlsx", _text, "not an XLSX workbook"),
    ("empty.xlsx", _empty, "not an XLSX workbook"),
    ("opendocument-named.xlsx", _foreign_zip, "not a readable XLSX workbook"),
    ("truncated.xlsx", _truncated_workbook, "XLSX"),
    ("password-protected.xlsx", _ole, "password-protected"),
    ("scan.csv", _pdf, "PDF"),
    ("binary.csv", _binary, "binary"),
    ("database.csv", _sqlite, "SQLite"),
]


@pytest.mark.parametrize(("name", "make", "says"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("partial", [False, True])
def test_unreadable_file_is_a_file_level_error(db, key, tmp_path, name, make, says, partial):
    path = tmp_path / name
    make(path)
    report = import_file(db, "reports", path, key=key, partial=partial)
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (None, None, "unsupported-file")]
    assert not report.succeeded, "a file-level error stops the import even with --partial"
    message = report.errors[0].message
    assert name in message and says in message
    assert "export it as CSV (UTF-8) or XLSX" in message
    assert report.to_dict()["errors"][0]["code"] == "unsupported-file"
    assert db.status()["reports"] == 0


def test_cli_reports_a_fake_xlsx_without_traceback(tmp_path):
    import subprocess
    import sys

    fake = tmp_path / "reports.xlsx"
    _text(fake)
    db = tmp_path / "thb.duckdb"
    env = {"PATH": "/usr/bin:/bin", "THB_KEY": "ab" * 32}
    subprocess.run([sys.executable, "-m", "thbmonitor.cli", "init", "--db", str(db)],
                   check=True, capture_output=True, env=env)
    result = subprocess.run(
        [sys.executable, "-m", "thbmonitor.cli", "import", "reports", str(fake), "--db", str(db)],
        capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "BadZipFile" not in result.stderr
    assert "unsupported-file" in result.stdout
