"""Normalisation of coded values, once per distinct raw value.

Each mapper takes the distinct raw strings of one column and returns, for
each, the normalised value or an error code with a detail that is safe to
show. The offending value itself is never shown: a value outside the
vocabulary may be anything, a name typed in the wrong column among them
(issue 11). The detail gives a "did you mean" suggestion (a vocabulary
value) for a near miss of a column that is not personal, and lists the
allowed values when they are few enough to read in a message.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from thbmonitor.ingest.kinds import Column, Type
from thbmonitor.vocab import normalise_country
from thbmonitor.vocab.countries import suggest_country

_SPLIT = re.compile(r"[;|]")
#: Vocabularies up to this size are listed in full in the message.
LIST_IN_MESSAGE = 12
#: difflib ratio from which a near miss gets a suggestion ("sexuall" -> "sexual").
SUGGEST_CUTOFF = 0.75
#: Suggestions are looked for in at most this many distinct unknown values of a column
#: (a country costs a comparison with every spelling; a file of garbage should not).
MAX_SUGGESTIONS = 500


@dataclass(frozen=True)
class Mapped:
    raw: str
    value: str | list[str] | None
    code: str | None
    detail: str


def fold(raw: str) -> str:
    """The key values are matched on: lower case, no diacritics, `_`/`-` as spaces."""
    decomposed = unicodedata.normalize("NFKD", raw)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().replace("_", " ").replace("-", " ").split())


@cache
def _vocab_lookup(column: Column) -> dict[str, str]:
    """Every accepted spelling (folded) of the column's values: the values and synonyms."""
    table = {fold(v): v for v in column.vocabulary}
    table.update({fold(alias): value for alias, value in column.aliases})
    return table


def _suggest(column: Column, key: str) -> str | None:
    """The vocabulary value nearest to a near miss, or None."""
    lookup = _vocab_lookup(column)
    close = difflib.get_close_matches(key, list(lookup), n=1, cutoff=SUGGEST_CUTOFF)
    return lookup[close[0]] if close else None


def _unknown_detail(column: Column, bad: str, *, suggest: bool = True) -> str:
    """`(did you mean 'sexual'?); use one of: ...` (never the value itself)."""
    suggestion = (_suggest(column, fold(bad)) if suggest and not column.personal else None)
    shown = f" (did you mean '{suggestion}'?)" if suggestion else ""
    if len(column.vocabulary) <= LIST_IN_MESSAGE:
        allowed = (f"use one of: {', '.join(column.vocabulary)}, or a synonym listed in "
                   "docs/data-formats.md")
    else:
        allowed = "use one of the values or synonyms listed in docs/data-formats.md"
    return f"{shown}; {allowed}"


def map_enum(column: Column, raws: list[str]) -> list[Mapped]:
    lookup = _vocab_lookup(column)
    out = []
    unknown = 0
    for raw in raws:
        if not raw.strip():
            out.append(Mapped(raw, None, None, ""))
            continue
        value = lookup.get(fold(raw))
        detail = ""
        if value is None:
            unknown += 1
            detail = _unknown_detail(column, raw, suggest=unknown <= MAX_SUGGESTIONS)
        out.append(Mapped(raw, value, None if value else "unknown-value", detail))
    return out


def map_multi_enum(column: Column, raws: list[str]) -> list[Mapped]:
    lookup = _vocab_lookup(column)
    out = []
    unknown = 0
    for raw in raws:
        parts = [p for p in (x.strip() for x in _SPLIT.split(raw)) if p]
        if not parts:
            out.append(Mapped(raw, None, None, ""))
            continue
        values = [lookup.get(fold(p)) for p in parts]
        bad = [p for p, v in zip(parts, values, strict=True) if v is None]
        if bad:
            unknown += 1
            detail = _unknown_detail(column, bad[0], suggest=unknown <= MAX_SUGGESTIONS)
            out.append(Mapped(raw, None, "unknown-value", detail))
        else:
            out.append(Mapped(raw, sorted({v for v in values if v}), None, ""))
    return out


def _country_detail(column: Column, bad: str, *, suggest: bool) -> str:
    if column.personal:
        return ""
    suggestion = suggest_country(bad) if suggest else None
    return f" (did you mean {suggestion}?)" if suggestion else ""


def map_country(column: Column, raws: list[str]) -> list[Mapped]:
    out = []
    unknown = 0
    for raw in raws:
        if not raw.strip():
            out.append(Mapped(raw, None, None, ""))
            continue
        code = normalise_country(raw)
        detail = ""
        if code is None:
            unknown += 1
            detail = _country_detail(column, raw, suggest=unknown <= MAX_SUGGESTIONS)
        out.append(Mapped(raw, code, None if code else "unknown-country", detail))
    return out


def map_multi_country(column: Column, raws: list[str]) -> list[Mapped]:
    out = []
    unknown = 0
    for raw in raws:
        parts = [p.strip() for p in _SPLIT.split(raw) if p.strip()]
        if not parts:
            out.append(Mapped(raw, None, None, ""))
            continue
        codes = [normalise_country(p) for p in parts]
        bad = [p for p, c in zip(parts, codes, strict=True) if c is None]
        if bad:
            unknown += 1
            detail = _country_detail(column, bad[0], suggest=unknown <= MAX_SUGGESTIONS)
            out.append(Mapped(raw, None, "unknown-country", detail))
        else:
            out.append(Mapped(raw, sorted({c for c in codes if c}), None, ""))
    return out


MAPPERS = {
    Type.ENUM: map_enum,
    Type.MULTI_ENUM: map_multi_enum,
    Type.COUNTRY: map_country,
    Type.MULTI_COUNTRY: map_multi_country,
}
