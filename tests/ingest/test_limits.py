"""Input that hurts (issue 11, item 8): every attack of the issue refused cleanly.

Each test builds the hostile file itself: a zip bomb, garbage and truncated workbooks, a
2 GB CSV (sparse), 50,000 columns, mixed encodings, CR-only line endings, a file without
a header row, an endless cell, thousands of bad rows. None may end in a traceback, exhaust
memory, or echo a value.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import openpyxl
import pytest

from thbmonitor.ingest import CATALOGUE, import_file, quarantine_rows
from thbmonitor.ingest.reader import Limits, read_table

#: The catalogue codes these tests exercise (test_errors checks every code is exercised).
LIMIT_CODES = {"file-too-large", "too-many-rows", "too-many-columns", "field-too-long"}

HEADER = "report_id,source,source_type,report_date,given_name,exploitation"
NAME = "Zoëlinda"


def _csv(path: Path, rows: list[str], *, header: str = HEADER, newline: str = "\n",
         encoding: str = "utf-8") -> Path:
    path.write_bytes(newline.join([header, *rows, ""]).encode(encoding))
    return path


def _row(i: int, name: str = NAME) -> str:
    return f"L-{i},police-oost,police,2024-02-0{1 + i % 9},{name},sexual"


# -- the zip bomb ---------------------------------------------------------------------


def _crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """zlib's crc32_combine (GF(2) matrices): the CRC of A+B from those of A and B."""
    def times(matrix: list[int], vector: int) -> int:
        total, i = 0, 0
        while vector:
            if vector & 1:
                total ^= matrix[i]
            vector >>= 1
            i += 1
        return total

    def square(matrix: list[int]) -> list[int]:
        return [times(matrix, matrix[n]) for n in range(32)]

    if len2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if len2 & 1:
            crc1 = times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = square(even)
        if len2 & 1:
            crc1 = times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive from (name, stored bytes, method, crc, uncompressed size) members."""
    out, central = bytearray(), bytearray()
    for name, data, method, crc, size in members:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data),
                           size, len(encoded), 0) + encoded + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21,
                               crc, len(data), size, len(encoded), 0, 0, 0, 0, 0,
                               offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(out), 0)
    return bytes(out + central + end)


def _stored(name: str, text: str) -> tuple[str, bytes, int, int, int]:
    data = text.encode()
    return (name, data, 0, zlib.crc32(data), len(data))


def zip_bomb(path: Path, *, blocks: int = 106) -> Path:
    """A valid XLSX whose sheet inflates to `blocks` x 16 MB of XML whitespace (1.7 GB).

    The deflate stream is one fully flushed block repeated (no back-reference crosses a
    block), so it is built in a second; the CRC is combined, not computed over 1.7 GB.
    """
    chunk = b" " * (16 * 1024 * 1024)
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/' \
           b'spreadsheetml/2006/main"><sheetData>'
    tail = b"</sheetData></worksheet>"
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    last = deflate.compress(tail) + deflate.flush()
    crc, crc_chunk = zlib.crc32(head), zlib.crc32(chunk)
    for _ in range(blocks):
        crc = _crc32_combine(crc, crc_chunk, len(chunk))
    crc = _crc32_combine(crc, zlib.crc32(tail), len(tail))
    size = len(head) + blocks * len(chunk) + len(tail)
    path.write_bytes(_workbook(("xl/worksheets/sheet1.xml", first + block * blocks + last, 8,
                                crc, size)))
    return path


def _workbook(sheet: tuple[str, bytes, int, int, int]) -> bytes:
    """The smallest XLSX package around one worksheet member."""
    ns = "http://schemas.openxmlformats.org"
    return _zip([
        _stored("[Content_Types].xml", f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/'
                'content-types"><Default Extension="rels" ContentType="application/vnd.'
                'openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.'
                'xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                '</Types>'),
        _stored("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/'
                f'relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/'
                'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        _stored("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{ns}/spreadsheetml/'
                f'2006/main" xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet '
                'name="reports" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        _stored("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{ns}'
                f'/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/'
                'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                '</Relationships>'),
        sheet,
    ])


def test_crc_combine_agrees_with_zlib():
    a, b = b"report_id,source" * 1000, b"Zo\xc3\xablinda" * 777
    assert _crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_a_small_bomb_is_a_real_workbook(tmp_path):
    """The bomb's construction is sound: with one block it is a valid, readable XLSX."""
    path = zip_bomb(tmp_path / "small.xlsx", blocks=1)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["reports"]
    assert list(book.worksheets[0].iter_rows(values_only=True)) == []
    book.close()


def test_zip_bomb_refused_in_under_5_s_and_500_mb(tmp_path, key):
    """The issue's 1.7 MB bomb (237 s and 4.5 GB before): refused from the zip directory."""
    bomb = zip_bomb(tmp_path / "bomb.xlsx")
    assert 1_500_000 < bomb.stat().st_size < 2_000_000
    script = textwrap.dedent(f"""
        import json, sys, time
        from thbmonitor.ingest import import_file
        from thbmonitor.store import Database
        db = Database({str(tmp_path / "thb.duckdb")!r})
        start = time.perf_counter()
        report = import_file(db, "reports", {str(bomb)!r}, key=bytes.fromhex({key.hex()!r}))
        seconds = time.perf_counter() - start
        # VmHWM, not ru_maxrss: Linux carries the forking parent's ru_maxrss over.
        status = open("/proc/self/status").read()
        peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
        print(json.dumps({{"seconds": seconds, "peak": peak, "report": report.to_dict()}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    (error,) = result["report"]["errors"]
    assert error["code"] == "file-too-large"
    assert "would decompress to 1,697 MB; at most 512 MB" in error["message"]
    assert result["seconds"] < 5, result["seconds"]
    assert result["peak"] < 500 * 1024 * 1024, result["peak"]


# -- damaged and foreign workbooks ----------------------------------------------------


@pytest.mark.parametrize("content", [
    b"PK\x03\x04" + bytes(range(256)) * 40,  # a zip signature, then garbage
    b"PK\x05\x06" + bytes(18),  # an empty archive
], ids=["garbage", "empty-archive"])
def test_garbage_xlsx_is_unsupported_not_a_traceback(tmp_path, db, key, content):
    path = tmp_path / "reports.xlsx"
    path.write_bytes(content)
    report = import_file(db, "reports", path, key=key)
    assert [e.code for e in report.errors] == ["unsupported-file"]


def test_truncated_and_broken_sheets_are_unsupported(tmp_path, db, key):
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    for i in range(200):
        sheet.append(_row(i).split(","))
    whole = tmp_path / "whole.xlsx"
    book.save(whole)
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert [e.code for e in import_file(db, "reports", truncated, key=key).errors] == [
        "unsupported-file"]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(_workbook(_stored(  # the sheet's XML ends in the middle of a row
        "xl/worksheets/sheet1.xml", '<worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x')))
    assert [e.code for e in import_file(db, "reports", broken, key=key).errors] == [
        "unsupported-file"]


# -- size, rows, columns, cells ---------------------------------------------------------


def test_a_2_gb_csv_is_refused_before_it_is_read(tmp_path, db, key):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write((HEADER + "\n").encode())
        handle.truncate(2 * 1024**3)  # sparse: 2 GB on paper, nothing on disk
    report = import_file(db, "reports", path, key=key)
    (error,) = report.errors
    assert error.code == "file-too-large" and CATALOGUE[error.code].file_level
    assert "2,048 MB; at most 1,024 MB: setting ingest.max_file_mb" in error.message


def test_50000_columns_are_refused(tmp_path, db, key):
    header = ",".join([*HEADER.split(","), *(f"c{i}" for i in range(50_000))])
    path = _csv(tmp_path / "wide.csv", [_row(1)], header=header)
    report = import_file(db, "reports", path, key=key)
    assert [(e.code, e.column) for e in report.errors] == [("too-many-columns", None)]
    assert "50,006; at most 500" in report.errors[0].message


def test_too_many_rows_csv_and_xlsx(tmp_path, db, key):
    db.set_setting("ingest.max_rows", 10)
    path = _csv(tmp_path / "rows.csv", [_row(i) for i in range(11)])
    assert [e.code for e in import_file(db, "reports", path, key=key).errors] == [
        "too-many-rows"]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    for i in range(11):
        sheet.append(_row(i).split(","))
    book.save(tmp_path / "rows.xlsx")
    assert [e.code for e in import_file(db, "reports", tmp_path / "rows.xlsx",
                                        key=key).errors] == ["too-many-rows"]
    assert import_file(db, "reports", _csv(tmp_path / "ten.csv", [_row(i) for i in range(10)]),
                       key=key).stored == 10


def test_an_endless_cell_is_refused_without_its_value(tmp_path, db, key):
    long_name = NAME * 2000  # 16,000 characters, an unclosed quote's typical result
    path = _csv(tmp_path / "long.csv", [_row(1), _row(2, long_name)])
    report = import_file(db, "reports", path, key=key)
    (error,) = report.errors
    assert error.code == "field-too-long" and NAME not in error.message
    assert "(row 2, line 3, column 'given_name'; at most 10,000 characters" in error.message


# -- encodings and line endings -----------------------------------------------------------


def test_one_cp1252_row_in_a_utf8_file_is_refused_with_its_line(tmp_path, db, key):
    rows = [_row(1), _row(2), _row(3, "Zo\u00eblinda"), _row(4)]
    data = "\n".join([HEADER, *rows[:2]]).encode() + b"\n" + rows[2].encode("cp1252") \
        + b"\n" + rows[3].encode() + "\nL-5,police-oost,police,2024-02-01,Anaïs,sexual\n".encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    report = import_file(db, "reports", path, key=key)
    (error,) = report.errors
    assert error.code == "encoding-error"
    assert "line 4 is in another encoding" in error.message
    assert "Zo" not in error.message and db.status()["reports"] == 0


def test_a_whole_cp1252_file_is_still_read(tmp_path, db, key):
    path = _csv(tmp_path / "cp1252.csv", [_row(1), _row(2, "Anaïs")], encoding="cp1252")
    report = import_file(db, "reports", path, key=key)
    assert report.valid and report.encoding == "windows-1252"


def test_cr_only_line_endings_are_read(tmp_path, db, key):
    path = _csv(tmp_path / "mac.csv", [_row(i) for i in range(1, 4)], newline="\r")
    report = import_file(db, "reports", path, key=key)
    assert report.valid, [e.message for e in report.errors]
    assert report.stored == 3


def test_a_file_without_header_never_echoes_a_cell(tmp_path, db, key):
    """The first data row is taken as the header: neither its duplicate nor its missing
    columns may show a name from it."""
    path = _csv(tmp_path / "headerless.csv", [_row(2, "Zoëlinda,Zoëlinda")],
                header="L-1,police-oost,police,2024-02-01,Zoëlinda,Zoëlinda,sexual")
    report = import_file(db, "reports", path, key=key)
    (error,) = report.errors
    assert (error.code, error.column) == ("duplicate-column", None)
    assert "the name of columns 5 and 6 appears more than once" in error.message
    assert "zo" not in json.dumps(report.to_dict()).lower()
    known = _csv(tmp_path / "twice.csv", [], header=HEADER + ",source")
    (error,) = import_file(db, "reports", known, key=key).errors
    assert (error.code, error.column) == ("duplicate-column", "source"), "a known column: named"


# -- the error list ---------------------------------------------------------------------


def test_the_error_list_keeps_the_first_1000_and_counts_all(tmp_path, db, key):
    rows = [f"L-{i},police-oost,police,someday,{NAME},sexual" for i in range(3000)]
    path = _csv(tmp_path / "bad.csv", rows)
    report = import_file(db, "reports", path, key=key)
    assert len(report.errors) == 1000 and report.errors_total == 3000
    assert report.stats()["errors"] == 3000 and report.error_rows == 3000
    assert [e.row for e in report.errors[:2]] == [1, 2]
    assert "3,000 problems in 3,000 rows" in report.summary()
    partial = import_file(db, "reports", path, key=key, partial=True)
    assert partial.quarantined == 3000, "the quarantine has every row, with its errors"
    assert all(r["errors"] for r in quarantine_rows(db).rows)


def test_limits_are_settings_with_their_defaults():
    limits = Limits()
    assert (limits.file_bytes, limits.xlsx_bytes) == (1024 * 1024**2, 512 * 1024**2)
    assert (limits.rows, limits.columns, limits.field_chars, limits.errors) == (
        2_000_000, 500, 10_000, 1000)
    from thbmonitor.store import SETTINGS

    assert Limits.from_settings(lambda name: SETTINGS.get(name).default) == limits


def test_every_limit_code_is_file_level():
    assert all(CATALOGUE[code].file_level for code in LIMIT_CODES)
    assert read_table  # the reader is what enforces them (reader.py)
