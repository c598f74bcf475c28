"""Country normalisation: ISO alpha-2/alpha-3, English or Dutch names to ISO alpha-2.

Names come from pycountry (ISO 3166-1 and its Dutch translation catalogue);
regions for the nationality groups come from the UN M49 classification as
shipped by `country_converter` (maintained tables, not hand-typed lists).
"""

from __future__ import annotations

import gettext
import unicodedata
from functools import cache

import pycountry

SPECIAL = ("unknown", "stateless")
#: Common alternative spellings that neither catalogue carries.
_EXTRA_NAMES = {
    "holland": "NL", "the netherlands": "NL", "nederland": "NL", "uk": "GB",
    "great britain": "GB", "england": "GB", "usa": "US", "united states of america": "US",
    "russia": "RU", "rusland": "RU", "kosovo": "XK", "xk": "XK", "xkx": "XK",
    "czech republic": "CZ", "tsjechie": "CZ", "vietnam": "VN", "syria": "SY",
    "iran": "IR", "bolivia": "BO", "venezuela": "VE", "moldova": "MD", "tanzania": "TZ",
    "south korea": "KR", "north korea": "KP", "laos": "LA", "turkey": "TR",
    "turkije": "TR", "ivory coast": "CI", "congo-kinshasa": "CD", "dr congo": "CD",
}
_UNKNOWN_ALIASES = {"unknown": "unknown", "onbekend": "unknown", "stateless": "stateless",
                    "staatloos": "stateless", "xx": "unknown"}


def _fold(text: str) -> str:
    """Lower case, without diacritics, single spaces: the key names are matched on."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().replace("_", " ").split())


@cache
def country_lookup() -> dict[str, str]:
    """Every accepted spelling (folded) mapped to its ISO alpha-2 code or special value."""
    try:
        dutch = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])
        translate = dutch.gettext
    except OSError:  # pragma: no cover - pycountry always ships nl
        def translate(message: str) -> str:
            return message
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = {country.alpha_2, country.alpha_3, country.name}
        for attr in ("official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(value)
        for name in list(names - {country.alpha_2, country.alpha_3}):
            names.add(translate(name))
        for name in names:
            table.setdefault(_fold(name), code)
    for name, code in _EXTRA_NAMES.items():
        table[_fold(name)] = code
    table.update(_UNKNOWN_ALIASES)
    return table


def normalise_country(value: str) -> str | None:
    """ISO alpha-2 code, `unknown` or `stateless`; None when not recognised."""
    return country_lookup().get(_fold(value))


@cache
def nationality_groups() -> dict[str, str]:
    """ISO alpha-2 code to the figures' nationality group (CONTRACTS §3).

    NL; EU (the other 26 member states); europe_other (rest of Europe in M49);
    latin_america (M49 Latin America and the Caribbean: South and Central
    America and the Caribbean); africa; asia; other (Northern America,
    Oceania, Antarctica, stateless); unknown.
    """
    import country_converter  # heavy import, only when groups are needed

    data = country_converter.CountryConverter().data
    groups: dict[str, str] = {}
    # Keyed by ISO3: the table's ISO2 column holds regular expressions for a few
    # countries (United Kingdom: ``^GB$|^UK$``).
    alpha3_to_2 = {c.alpha_3: c.alpha_2 for c in pycountry.countries} | {"XKX": "XK"}
    for iso3, continent, region, eu27 in data[["ISO3", "continent", "UNregion", "EU27"]].itertuples(
        index=False
    ):
        iso2 = alpha3_to_2.get(iso3) if isinstance(iso3, str) else None
        if iso2 is None:
            continue
        if iso2 == "NL":
            group = "NL"
        elif isinstance(eu27, str) and eu27.strip():
            group = "EU"
        elif continent == "Europe":
            group = "europe_other"
        elif region in ("South America", "Central America", "Caribbean"):
            group = "latin_america"
        elif continent == "Africa":
            group = "africa"
        elif continent == "Asia":
            group = "asia"
        else:
            group = "other"
        groups[iso2] = group
    groups["unknown"] = "unknown"
    groups["stateless"] = "other"
    return groups


def nationality_group(code: str | None) -> str:
    """The nationality group of a normalised code; `unknown` for none."""
    if code is None:
        return "unknown"
    return nationality_groups().get(code, "other")
