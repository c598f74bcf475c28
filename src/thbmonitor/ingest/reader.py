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
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from thbmonitor.ingest.report import RowError, plural

_WORD = re.compile(r"[^\W\d_]+")
#: Above this share of non-ASCII letters in the words that have any, the text
#: is taken to be another script misread as Windows-1252.
_FOREIGN_SCRIPT_SHARE = 0.5

ROW = "_row"
_MB = 1024 * 1024
_LINE_BREAK = re.compile(rb"\r\n|\n|\r")
#: A valid UTF-8 sequence of two to four bytes (a non-ASCII character written as UTF-8).
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                             rb"|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True)
class Limits:
    """What one file may be (the ingest.max_* settings; docs/data-formats.md)."""

    file_bytes: int = 1024 * _MB
    xlsx_bytes: int = 512 * _MB
    rows: int = 2_000_000
    columns: int = 500
    field_chars: int = 10_000
    errors: int = 1000

    @classmethod
    def from_settings(cls, setting: Callable[[str], Any]) -> Limits:
        return cls(file_bytes=int(setting("ingest.max_file_mb")) * _MB,
                   xlsx_bytes=int(setting("ingest.max_xlsx_mb")) * _MB,
                   rows=int(setting("ingest.max_rows")),
                   columns=int(setting("ingest.max_columns")),
                   field_chars=int(setting("ingest.max_field_chars")),
                   errors=int(setting("ingest.max_errors")))


def _known_columns() -> frozenset[str]:
    from thbmonitor.ingest.kinds import KINDS

    return frozenset(c.name for kind in KINDS.values() for c in kind.columns)


def column_label(header: list[str], index: int) -> str:
    """How a message names a header cell: its name when it is a column of a kind, else its
    position (a file without a header row has a name or a phone number there)."""
    name = header[index]
    return f"column '{name}'" if name in _known_columns() else f"column {index + 1}"


@dataclass
class ReadResult:
    """Strings as read: `table` has one string column per header name plus `_row`."""

    table: pa.Table | None
    header: list[str]
    encoding: str | None
    delimiter: str | None
    file_hash: str
    errors: list[RowError] = field(default_factory=list)
    #: Data rows skipped as malformed (all of them; `errors` lists at most Limits.errors).
    malformed: list[int] = field(default_factory=list)


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


def _file_error(name: str, digest: str, code: str, detail: str) -> ReadResult:
    return ReadResult(None, [], None, None, digest, [RowError.make(name, None, None, code, detail)])


def _megabytes(size: int) -> str:
    return f"{-(-size // _MB):,} MB"


def read_table(path: Path, *, display_name: str | None = None,
               limits: Limits | None = None) -> ReadResult:
    """Read `path` (CSV or XLSX by content) into strings with data-row numbers.

    A file that cannot be read, whose content is not what its name says or that
    exceeds `limits`, is a file-level error in the result, never an exception.
    """
    name = display_name or path.name
    limits = limits or Limits()
    try:
        size = path.stat().st_size
        if size > limits.file_bytes:
            return _file_error(name, "", "file-too-large",
                               f" ({_megabytes(size)}; at most {_megabytes(limits.file_bytes)}: "
                               "setting ingest.max_file_mb)")
        data = path.read_bytes()
    except OSError as exc:
        return _unsupported(name, "", f"it cannot be read: {exc.strerror or type(exc).__name__}")
    except MemoryError:
        return _file_error(name, "", "file-too-large", " (there is not enough memory to read it)")
    digest = file_hash(data)
    suffix = path.suffix.lower()
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return _unsupported(name, digest, f"it is {what}")
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        if data[:4] != b"PK\x03\x04":
            return _unsupported(name, digest, f"it is named {suffix} but is not an XLSX "
                                              "workbook; perhaps a renamed CSV or text file")
        return _read_xlsx(data, name, digest, limits)
    if suffix in (".xls", ".ods", ".pdf", ".docx", ".doc", ".odt", ".numbers"):
        return _unsupported(name, digest, f"{suffix} files are not supported")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _unsupported(name, digest, "it is a binary file, not text")
    try:
        return _read_csv(data, name, digest, limits)
    except MemoryError:
        return _file_error(name, digest, "file-too-large",
                           " (there is not enough memory to read it)")


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
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if _UTF8_MULTIBYTE.search(data):
        # Part of the file is UTF-8 and part is not: decoding all of it as Windows-1252
        # would turn every UTF-8 letter into two ("Zoë" into "ZoÃ«") and its tokens
        # would never match; the user is told where the first foreign byte is.
        line = len(_LINE_BREAK.findall(data, 0, first_bad)) + 1
        return RowError.make(name, None, None, "encoding-error",
                             f" throughout: line {line:,} is in another encoding (Windows-1252?) "
                             "while the rest of the file is UTF-8")
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


def _header(names: list[str], name: str, limits: Limits) -> tuple[list[str], list[RowError]]:
    """Header names, lower case; a duplicate is named only when it is a column of a kind."""
    if len(names) > limits.columns:
        return [], [RowError.make(name, None, None, "too-many-columns",
                                  f" ({len(names):,}; at most {limits.columns:,}: setting "
                                  "ingest.max_columns)")]
    cleaned: list[str] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(names):
        col = raw.strip().lower() or f"column_{i + 1}"
        if len(col) > limits.field_chars:
            return [], [RowError.make(name, None, None, "field-too-long",
                                      f" (the header, column {i + 1}; at most "
                                      f"{limits.field_chars:,} characters: setting "
                                      "ingest.max_field_chars)")]
        if col in seen:
            known = col in _known_columns()
            detail = (f"column '{col}'" if known
                      else f"the name of columns {seen[col] + 1} and {i + 1}")
            errors.append(RowError.make(name, None, col if known else None, "duplicate-column",
                                        detail))
        seen.setdefault(col, i)
        cleaned.append(col)
    return cleaned, errors


def _too_long(table: pa.Table, header: list[str], rows: np.ndarray, name: str,
              limits: Limits) -> RowError | None:
    """The first cell (by column, then row) longer than the limit."""
    for i, column in enumerate(table.itercolumns()):
        if len(column) == 0:
            continue
        longest = pc.max(pc.utf8_length(column)).as_py()
        if longest is not None and longest > limits.field_chars:
            at = pc.index(pc.greater(pc.utf8_length(column), limits.field_chars), True).as_py()
            row = int(rows[at])
            return RowError.make(name, None, None, "field-too-long",
                                 f" (row {row:,}, line {row + 1:,}, {column_label(header, i)}; "
                                 f"at most {limits.field_chars:,} characters: setting "
                                 "ingest.max_field_chars)")
    return None


def _too_many_rows(name: str, limits: Limits) -> RowError:
    return RowError.make(name, None, None, "too-many-rows",
                         f" (more than {limits.rows:,}: setting ingest.max_rows)")


def _read_csv(data: bytes, name: str, digest: str, limits: Limits) -> ReadResult:
    decoded = _decode(data, name)
    if isinstance(decoded, RowError):
        return ReadResult(None, [], None, None, digest, [decoded])
    utf8, encoding = decoded
    del data
    # The first line ends at the first line break of any convention (CR-only files
    # from old Mac exports included); the CSV parser accepts all three.
    first_line = _LINE_BREAK.split(utf8, maxsplit=1)[0].decode("utf-8")
    if not first_line.strip():
        return ReadResult(None, [], encoding, None, digest,
                          [RowError.make(name, None, None, "empty-file")])
    delimiter = _delimiter(first_line)
    try:
        raw_names = next(csv.reader([first_line], delimiter=delimiter))
    except csv.Error:
        return _unsupported(name, digest, "its header row cannot be parsed as CSV")
    header, errors = _header(raw_names, name, limits)
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
    except pa.ArrowException as exc:
        # Arrow's message names the kind of problem ("CSV parse error: Expected 3 columns")
        # and may quote part of a row: only its first words are shown.
        kind = str(exc).split(":", 1)[0][:60]
        return ReadResult(None, header, encoding, delimiter, digest, [RowError.make(
            name, None, None, "unsupported-file", f"the CSV cannot be parsed: {kind}")])
    del utf8
    if table.num_rows + len(malformed) > limits.rows:
        return ReadResult(None, header, encoding, delimiter, digest,
                          [_too_many_rows(name, limits)])
    table = table.rename_columns(header)
    errors = [RowError.make(name, row, None, "malformed-row",
                            f"{plural(n, 'field')} where the header has {len(header)}")
              for row, n in malformed[:limits.errors]]
    skipped = [r for r, _ in malformed]
    rows = _kept_row_numbers(table.num_rows, skipped)
    long = _too_long(table, header, rows, name, limits)
    if long is not None:
        return ReadResult(None, header, encoding, delimiter, digest, [long])
    table = table.append_column(ROW, pa.array(rows, pa.int32()))
    if table.num_rows == 0 and not malformed:
        errors.append(RowError.make(name, None, None, "empty-file"))
    return ReadResult(table, header, encoding, delimiter, digest, errors, skipped)


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


def _read_xlsx(data: bytes, name: str, digest: str, limits: Limits) -> ReadResult:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        return _unsupported(name, digest, f"not a readable XLSX workbook ({type(exc).__name__})")
    # From the zip directory, before anything is decompressed: a zip bomb declares what it
    # would become, and Python's zipfile never decompresses more than a member declares.
    inflated = sum(m.file_size for m in members)
    if inflated > limits.xlsx_bytes:
        return _file_error(name, digest, "file-too-large",
                           f" (the workbook would decompress to {_megabytes(inflated)}; at most "
                           f"{_megabytes(limits.xlsx_bytes)}: setting ingest.max_xlsx_mb)")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:
        return _file_error(name, digest, "file-too-large",
                           " (there is not enough memory to read it)")
    except Exception as exc:  # noqa: BLE001
        # openpyxl raises whatever its zip and XML parsers meet in a damaged or foreign
        # archive (a .docx or .ods renamed .xlsx, a truncated or garbage file): all of it
        # means the same to the user, and no traceback may reach them.
        return _unsupported(name, digest,
                            f"not a readable XLSX workbook ({type(exc).__name__})")
    try:
        return _xlsx_table(book, name, digest, limits)
    except MemoryError:
        return _file_error(name, digest, "file-too-large",
                           " (there is not enough memory to read it)")
    except Exception as exc:  # noqa: BLE001  (as above: the sheet's XML is parsed lazily)
        return _unsupported(name, digest,
                            f"the workbook is damaged and cannot be read ({type(exc).__name__})")
    finally:
        book.close()


def _xlsx_table(book: object, name: str, digest: str, limits: Limits) -> ReadResult:
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
    header, errors = _header([_cell(v) for v in first[:width]], name, limits)
    if errors or not header:
        return ReadResult(None, header, "xlsx", None, digest, errors)
    columns: list[list[str]] = [[] for _ in header]
    numbers: list[int] = []
    for number, values in enumerate(rows, start=1):
        cells = [_cell(v) for v in values[:width]]
        if not any(cells):
            continue  # a blank row in a sheet carries nothing
        if len(numbers) >= limits.rows:
            return ReadResult(None, header, "xlsx", None, digest, [_too_many_rows(name, limits)])
        for i, cell in enumerate(cells):
            if len(cell) > limits.field_chars:
                return ReadResult(None, header, "xlsx", None, digest, [RowError.make(
                    name, None, None, "field-too-long",
                    f" (row {number:,}, line {number + 1:,}, {column_label(header, i)}; at most "
                    f"{limits.field_chars:,} characters: setting ingest.max_field_chars)")])
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
