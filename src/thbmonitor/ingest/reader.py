"""Read a CSV or XLSX file into an Arrow table of strings, one per data row.

Encodings: UTF-8 with or without BOM (and UTF-16 with a BOM) are read as
they are. A file that is not UTF-8 is decoded as Windows-1252 only when that
decoding is complete and plausible; otherwise it is refused with
`encoding-error`, never half-decoded. Plausibility: in Western European text
an accented letter sits among ASCII letters, while a Cyrillic or Greek file
misread as Windows-1252 gives words made almost only of Latin-1 letters
("Îëåíà"). charset-normalizer was tried for this and guessed cp1250 for plain
Dutch/Spanish names in cp1252, so this narrower check is used instead.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from thbmonitor.ingest.report import RowError, plural

_WORD = re.compile(r"[^\W\d_]+")
#: Above this share of non-ASCII letters in the words that have any, the text
#: is taken to be another script misread as Windows-1252.
_FOREIGN_SCRIPT_SHARE = 0.5

ROW = "_row"


@dataclass
class ReadResult:
    """Strings as read: `table` has one string column per header name plus `_row`."""

    table: pa.Table | None
    header: list[str]
    encoding: str | None
    delimiter: str | None
    file_hash: str
    errors: list[RowError] = field(default_factory=list)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Leading bytes of formats that are not CSV or XLSX, with what the user should know.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "an old Excel (.xls) workbook or a password-protected file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def _unsupported(name: str, digest: str, detail: str) -> ReadResult:
    return ReadResult(None, [], None, None, digest,
                      [RowError.make(name, None, None, "unsupported-file", detail)])


def read_table(path: Path, *, display_name: str | None = None) -> ReadResult:
    """Read `path` (CSV or XLSX by content) into strings with data-row numbers.

    A file that cannot be read, or whose content is not what its name says, is a
    file-level `unsupported-file` error in the result, never an exception.
    """
    name = display_name or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _unsupported(name, "", f"it cannot be read: {exc.strerror or type(exc).__name__}")
    digest = file_hash(data)
    suffix = path.suffix.lower()
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return _unsupported(name, digest, f"it is {what}")
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        if data[:4] != b"PK\x03\x04":
            return _unsupported(name, digest, f"it is named {suffix} but is not an XLSX "
                                              "workbook; perhaps a renamed CSV or text file")
        return _read_xlsx(path, data, name, digest)
    if suffix in (".xls", ".ods", ".pdf", ".docx", ".doc", ".odt", ".numbers"):
        return _unsupported(name, digest, f"{suffix} files are not supported")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _unsupported(name, digest, "it is a binary file, not text")
    return _read_csv(data, name, digest)


# -- CSV ------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> tuple[bytes, str] | RowError:
    """UTF-8 bytes of the file, and the encoding it was read as."""
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError:
            return RowError.make(name, None, None, "encoding-error", " (broken UTF-16)")
    else:
        encoding = "utf-8"
    try:
        data.decode("utf-8")
        return data, encoding
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return RowError.make(name, None, None, "encoding-error", " and not Windows-1252 either")
    if not _plausible_western(text):
        return RowError.make(
            name, None, None, "encoding-error",
            " and reading it as Windows-1252 gives text in another script (Cyrillic or Greek?)",
        )
    return text.encode("utf-8"), "windows-1252"


def _plausible_western(text: str) -> bool:
    total = foreign = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        total += len(word)
        foreign += sum(1 for ch in word if ord(ch) > 127)
    return total == 0 or foreign / total <= _FOREIGN_SCRIPT_SHARE


def _delimiter(header_line: str) -> str:
    """`;` when the header has more semicolons than commas outside quotes, else `,`."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def _header(names: list[str], name: str) -> tuple[list[str], list[RowError]]:
    cleaned, errors, seen = [], [], set()
    for i, raw in enumerate(names):
        col = raw.strip().lower() or f"column_{i + 1}"
        if col in seen:
            errors.append(RowError.make(name, None, col, "duplicate-column"))
        seen.add(col)
        cleaned.append(col)
    return cleaned, errors


def _read_csv(data: bytes, name: str, digest: str) -> ReadResult:
    decoded = _decode(data, name)
    if isinstance(decoded, RowError):
        return ReadResult(None, [], None, None, digest, [decoded])
    utf8, encoding = decoded
    first_line = utf8.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    if not first_line.strip():
        return ReadResult(None, [], encoding, None, digest,
                          [RowError.make(name, None, None, "empty-file")])
    delimiter = _delimiter(first_line)
    raw_names = next(csv.reader([first_line], delimiter=delimiter))
    header, errors = _header(raw_names, name)
    if errors:
        return ReadResult(None, header, encoding, delimiter, digest, errors)
    malformed: list[tuple[int, int]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        if row.number is not None:
            malformed.append((row.number - 1, row.actual_columns))
        return "skip"

    internal = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(column_names=internal, skip_rows=1, use_threads=False,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in internal},
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        return ReadResult(None, header, encoding, delimiter, digest, [RowError.make(
            name, None, None, "unsupported-file", f"the CSV cannot be parsed: {str(exc)[:120]}")])
    table = table.rename_columns(header)
    errors = [RowError.make(name, row, None, "malformed-row",
                            f"{plural(n, 'field')} where the header has {len(header)}")
              for row, n in malformed]
    rows = _kept_row_numbers(table.num_rows, [r for r, _ in malformed])
    table = table.append_column(ROW, pa.array(rows, pa.int32()))
    if table.num_rows == 0 and not malformed:
        errors.append(RowError.make(name, None, None, "empty-file"))
    return ReadResult(table, header, encoding, delimiter, digest, errors)


def _kept_row_numbers(kept: int, skipped: list[int]) -> np.ndarray:
    """Data-row numbers (1-based) of the rows kept when `skipped` rows were dropped."""
    total = kept + len(skipped)
    mask = np.ones(total, dtype=bool)
    idx = np.asarray([s - 1 for s in skipped if 0 < s <= total], dtype=np.int64)
    mask[idx] = False
    return (np.nonzero(mask)[0] + 1).astype(np.int32)[:kept]


# -- XLSX -----------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        midnight = value.time() == datetime.min.time()
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, data: bytes, name: str, digest: str) -> ReadResult:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError,
            TypeError, IndexError) as exc:
        # openpyxl raises whatever its parsers meet in a damaged or foreign archive
        # (a .docx or .ods renamed .xlsx); all of them mean the same to the user.
        return _unsupported(name, digest,
                            f"not a readable XLSX workbook ({type(exc).__name__})")
    try:
        return _xlsx_table(book, name, digest)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError,
            EOFError) as exc:
        return _unsupported(name, digest,
                            f"the workbook is damaged and cannot be read ({type(exc).__name__})")
    finally:
        book.close()


def _xlsx_table(book: object, name: str, digest: str) -> ReadResult:
    sheets = getattr(book, "worksheets", [])
    if not sheets:
        return _unsupported(name, digest, "the workbook has no worksheet")
    sheet = sheets[0]
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None or all(v is None for v in first):
        return ReadResult(None, [], "xlsx", None, digest,
                          [RowError.make(name, None, None, "empty-file")])
    width = max(i + 1 for i, v in enumerate(first) if v is not None)
    header, errors = _header([_cell(v) for v in first[:width]], name)
    if errors:
        return ReadResult(None, header, "xlsx", None, digest, errors)
    columns: list[list[str]] = [[] for _ in header]
    numbers: list[int] = []
    for number, values in enumerate(rows, start=1):
        cells = [_cell(v) for v in values[:width]]
        if not any(cells):
            continue  # a blank row in a sheet carries nothing
        cells += [""] * (width - len(cells))
        for col, value in zip(columns, cells, strict=True):
            col.append(value)
        numbers.append(number)
    arrays: dict[str, pa.Array] = {
        h: pa.array(c, pa.string()) for h, c in zip(header, columns, strict=True)}
    arrays[ROW] = pa.array(numbers, pa.int32())
    table = pa.table(arrays)
    if not numbers:
        errors.append(RowError.make(name, None, None, "empty-file"))
    return ReadResult(table, header, "xlsx", None, digest, errors)


ProgressFn = Callable[[str, int, int], None]
