"""Text from data made safe for where it goes: a spreadsheet cell or a terminal.

Values in the store come from deliveries, typed forms and the web app; any of
them can be written by someone who wants to harm the person who later opens
an export or reads a command's output (issue 11 item 9).

**Spreadsheet cells** (`spreadsheet_cell`, used by every CSV and XLSX writer).
A spreadsheet reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=cmd|' /C calc'!A0`` runs a program through DDE; ``=HYPERLINK``
sends data away), and one that begins with a tab or carriage return can hide
such a start. The rule is OWASP's "CSV Injection" recommendation: a text cell
that begins with one of ``= + - @ TAB CR`` gets a single quote (``'``) in
front, which every spreadsheet shows as "this is text" and never evaluates;
the CSV writer's own quoting then takes care of the delimiters and quotes
inside. Two exceptions keep the numbers numbers, because a number cannot
carry a formula:

- values that are numbers (``int``, ``float``, ``Decimal``) are never touched,
  so a genuinely negative count stays the number ``-3`` in a numeric column;
- a text cell that is nothing but a decimal number (``-3``, ``+1.5``,
  ``-2e3``) is left as it is.

The quote is the same in CSV and XLSX, so a workbook saved again as CSV stays
safe. openpyxl would store a text starting with ``=`` as a formula; after the
quote it cannot. Characters XML 1.0 cannot hold (which openpyxl refuses with
an exception) are dropped from XLSX cells (`workbook_cell`).

**Terminal output** (`terminal_text`, used by `thbmonitor.cli.app.plain`).
Rich reads ``[...]`` as markup (``[/red]`` from data ends in a ``MarkupError``,
``[link=...]`` makes a hyperlink), and a terminal obeys escape sequences
(``ESC ]`` sets the window title, ``ESC [2J`` clears the screen, others have
led to code execution in terminal emulators). So a value from data is
stripped of every control character (Unicode category Cc: C0, DEL, C1) and of
the bidirectional overrides that can make a text read differently from what
it is (CVE-2021-42574, "Trojan Source"); tab and line breaks become a space,
so that a value cannot start a line of its own and pass for the program's
output. Rich markup in it is then escaped.

These rules are written here, not taken from a library: the OWASP rule is a
few characters and no maintained package implements it for both writers;
Rich's own `strip_control_codes` removes only BEL, BS, VT, FF and CR, not ESC.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

__all__ = ["FORMULA_STARTS", "json_text", "spreadsheet_cell", "spreadsheet_row", "terminal_text",
           "without_controls", "workbook_cell"]

#: OWASP's list: a cell beginning with one of these is read as a formula by some spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
#: Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SPACES = frozenset("\t\n\r\x0b\x0c\x85\u2028\u2029")
#: What XML 1.0 (so XLSX) cannot hold: the C0 controls but tab, line feed and carriage return.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_cell(value: Any) -> Any:
    """`value` as a spreadsheet must see it: text starting like a formula gets a `'`."""
    if isinstance(value, bool | int | float | Decimal) or value is None:
        return value
    if not isinstance(value, str):
        value = str(value)
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return _QUOTE + value
    return value


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through `spreadsheet_cell`."""
    return [spreadsheet_cell(value) for value in values]


def workbook_cell(value: Any) -> Any:
    """`spreadsheet_cell`, then without the characters an XLSX file cannot hold."""
    cell = spreadsheet_cell(value)
    return _NOT_XML.sub("", cell) if isinstance(cell, str) else cell


def without_controls(value: object, *, keep_lines: bool = False) -> str:
    """`value` as text without control characters or bidirectional overrides.

    Tab and line breaks become one space each (`keep_lines`: a line feed stays, for a
    message of several lines of the program's own); every other control character
    (C0, DEL, C1, so ESC and the CSI that start terminal escape sequences) and every
    bidirectional override is dropped.
    """
    text = str(value)
    if text.isprintable() and not _BIDI.intersection(text):
        return text  # the common case, without building a new string
    out: list[str] = []
    for char in text:
        if keep_lines and char == "\n":
            out.append(char)
        elif char in _SPACES:
            out.append(" ")
        elif char in _BIDI or unicodedata.category(char) == "Cc":
            continue
        else:
            out.append(char)
    return "".join(out)


def terminal_text(value: object) -> str:
    """A value from data, shown literally by Rich: no control characters, markup escaped."""
    from rich.markup import escape

    return escape(without_controls(value))


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def json_text(encoded: str) -> str:
    """JSON text with DEL, the C1 controls and bidirectional overrides as `\\uXXXX` escapes.

    Those characters can only stand inside JSON strings, where the escape means the
    same character: the data parse back unchanged.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
