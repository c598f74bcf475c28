"""Normalisation of coded values, once per distinct raw value.

Each mapper takes the distinct raw strings of one column and returns, for
each, the normalised value or an error code with a detail that is safe to
show (empty for personal columns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from thbmonitor.ingest.kinds import Column, Type
from thbmonitor.vocab import normalise_country

_SPLIT = re.compile(r"[;|]")


@dataclass(frozen=True)
class Mapped:
    raw: str
    value: str | list[str] | None
    code: str | None
    detail: str


def _vocab_lookup(column: Column) -> dict[str, str]:
    table = {v: v for v in column.vocabulary}
    table.update({v.replace("_", " "): v for v in column.vocabulary})
    table.update({v.replace("_", "-"): v for v in column.vocabulary})
    table.update(dict(column.aliases))
    return table


def _key(raw: str) -> str:
    return " ".join(raw.strip().lower().split())


def _show(column: Column, raw: str) -> str:
    return "" if column.personal else f" ('{raw.strip()[:40]}')"


def map_enum(column: Column, raws: list[str]) -> list[Mapped]:
    lookup = _vocab_lookup(column)
    out = []
    for raw in raws:
        if not raw.strip():
            out.append(Mapped(raw, None, None, ""))
            continue
        value = lookup.get(_key(raw))
        out.append(Mapped(raw, value, None if value else "unknown-value", _show(column, raw)))
    return out


def map_multi_enum(column: Column, raws: list[str]) -> list[Mapped]:
    lookup = _vocab_lookup(column)
    out = []
    for raw in raws:
        parts = [p for p in (_key(x) for x in _SPLIT.split(raw)) if p]
        if not parts:
            out.append(Mapped(raw, None, None, ""))
            continue
        values = [lookup.get(p) for p in parts]
        bad = [p for p, v in zip(parts, values, strict=True) if v is None]
        if bad:
            detail = "" if column.personal else f" ('{bad[0][:40]}')"
            out.append(Mapped(raw, None, "unknown-value", detail))
        else:
            out.append(Mapped(raw, sorted({v for v in values if v}), None, ""))
    return out


def map_country(column: Column, raws: list[str]) -> list[Mapped]:
    out = []
    for raw in raws:
        if not raw.strip():
            out.append(Mapped(raw, None, None, ""))
            continue
        code = normalise_country(raw)
        out.append(Mapped(raw, code, None if code else "unknown-country", _show(column, raw)))
    return out


def map_multi_country(column: Column, raws: list[str]) -> list[Mapped]:
    out = []
    for raw in raws:
        parts = [p.strip() for p in _SPLIT.split(raw) if p.strip()]
        if not parts:
            out.append(Mapped(raw, None, None, ""))
            continue
        codes = [normalise_country(p) for p in parts]
        if any(c is None for c in codes):
            out.append(Mapped(raw, None, "unknown-country", ""))
        else:
            out.append(Mapped(raw, sorted({c for c in codes if c}), None, ""))
    return out


MAPPERS = {
    Type.ENUM: map_enum,
    Type.MULTI_ENUM: map_multi_enum,
    Type.COUNTRY: map_country,
    Type.MULTI_COUNTRY: map_multi_country,
}
