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
#: Nationalities written as adjectives ("Nederlands", "Pools", "Oekraïens"; "Dutch",
#: "Polish"): the most frequent nationalities of victims and suspects in the Netherlands
#: and its neighbours. Neither pycountry nor country_converter carries demonyms, and no
#: maintained table of Dutch ones exists, so they are listed here; the inflected Dutch form
#: ("Nederlandse", "Poolse", "Chinese") is derived by `_inflected`.
_DUTCH_NATIONALITIES = {
    "nederlands": "NL", "belgisch": "BE", "duits": "DE", "frans": "FR", "brits": "GB",
    "engels": "GB", "iers": "IE", "spaans": "ES", "portugees": "PT", "italiaans": "IT",
    "grieks": "GR", "pools": "PL", "roemeens": "RO", "bulgaars": "BG", "hongaars": "HU",
    "tsjechisch": "CZ", "slowaaks": "SK", "sloveens": "SI", "kroatisch": "HR", "litouws": "LT",
    "lets": "LV", "ests": "EE", "oostenrijks": "AT", "zweeds": "SE", "deens": "DK",
    "noors": "NO", "fins": "FI", "servisch": "RS", "bosnisch": "BA", "albanees": "AL",
    "kosovaars": "XK", "macedonisch": "MK", "montenegrijns": "ME", "moldavisch": "MD",
    "oekraiens": "UA", "russisch": "RU", "wit-russisch": "BY", "belarussisch": "BY",
    "georgisch": "GE", "armeens": "AM", "turks": "TR", "marokkaans": "MA", "algerijns": "DZ",
    "tunesisch": "TN", "libisch": "LY", "egyptisch": "EG", "nigeriaans": "NG", "ghanees": "GH",
    "sierra leoons": "SL", "guinees": "GN", "eritrees": "ER", "ethiopisch": "ET",
    "somalisch": "SO", "soedanees": "SD", "oegandees": "UG", "keniaans": "KE",
    "kameroens": "CM", "congolees": "CD", "angolees": "AO", "syrisch": "SY", "iraaks": "IQ",
    "iraans": "IR", "afghaans": "AF", "pakistaans": "PK", "indiaas": "IN", "bengaals": "BD",
    "chinees": "CN", "vietnamees": "VN", "thais": "TH", "filipijns": "PH", "indonesisch": "ID",
    "surinaams": "SR", "braziliaans": "BR", "colombiaans": "CO", "venezolaans": "VE",
    "dominicaans": "DO", "mexicaans": "MX", "peruaans": "PE", "amerikaans": "US",
    "canadees": "CA",
}
_ENGLISH_NATIONALITIES = {
    "dutch": "NL", "belgian": "BE", "german": "DE", "french": "FR", "british": "GB",
    "english": "GB", "irish": "IE", "spanish": "ES", "portuguese": "PT", "italian": "IT",
    "greek": "GR", "polish": "PL", "romanian": "RO", "bulgarian": "BG", "hungarian": "HU",
    "czech": "CZ", "slovak": "SK", "slovenian": "SI", "croatian": "HR", "lithuanian": "LT",
    "latvian": "LV", "estonian": "EE", "austrian": "AT", "swedish": "SE", "danish": "DK",
    "norwegian": "NO", "finnish": "FI", "serbian": "RS", "bosnian": "BA", "albanian": "AL",
    "kosovar": "XK", "macedonian": "MK", "montenegrin": "ME", "moldovan": "MD",
    "ukrainian": "UA", "russian": "RU", "belarusian": "BY", "georgian": "GE",
    "armenian": "AM", "turkish": "TR", "moroccan": "MA", "algerian": "DZ", "tunisian": "TN",
    "libyan": "LY", "egyptian": "EG", "nigerian": "NG", "ghanaian": "GH",
    "sierra leonean": "SL", "guinean": "GN", "eritrean": "ER", "ethiopian": "ET",
    "somali": "SO", "sudanese": "SD", "ugandan": "UG", "kenyan": "KE", "cameroonian": "CM",
    "congolese": "CD", "angolan": "AO", "syrian": "SY", "iraqi": "IQ", "iranian": "IR",
    "afghan": "AF", "pakistani": "PK", "indian": "IN", "bangladeshi": "BD", "chinese": "CN",
    "vietnamese": "VN", "thai": "TH", "filipino": "PH", "indonesian": "ID",
    "surinamese": "SR", "brazilian": "BR", "colombian": "CO", "venezuelan": "VE",
    "dominican": "DO", "mexican": "MX", "peruvian": "PE", "american": "US", "canadian": "CA",
}


def _inflected(adjective: str) -> str:
    """The Dutch adjective with its -e ending: pools -> poolse, chinees -> chinese.

    A long vowel written double before one final consonant is written single once the
    syllable is open (Dutch spelling: chinees -> chinese, ghanees -> ghanese).
    """
    if len(adjective) >= 3 and adjective[-2] == adjective[-3] and adjective[-2] in "aeou":
        return adjective[:-2] + adjective[-1] + "e"
    return adjective + "e"


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
    for name, code in _DUTCH_NATIONALITIES.items():
        table.setdefault(_fold(name), code)
        table.setdefault(_fold(_inflected(name)), code)
    for name, code in _ENGLISH_NATIONALITIES.items():
        table.setdefault(_fold(name), code)
    table.update(_UNKNOWN_ALIASES)
    return table


def normalise_country(value: str) -> str | None:
    """ISO alpha-2 code, `unknown` or `stateless`; None when not recognised.

    Accepts ISO codes, English and Dutch names and nationalities ("Nederlands", "Pools").
    """
    return country_lookup().get(_fold(value))


def suggest_country(value: str) -> str | None:
    """The nearest recognised spelling of a near miss, as "NL, Netherlands"; None if none.

    difflib's ratio on the folded spellings; 0.85 keeps typos ("Nederlnd", "Polen.") and
    leaves unrelated words alone.
    """
    import difflib

    folded = _fold(value)
    if len(folded) < 4:
        return None
    lookup = country_lookup()
    close = difflib.get_close_matches(folded, list(lookup), n=1, cutoff=0.85)
    if not close:
        return None
    code = lookup[close[0]]
    country = pycountry.countries.get(alpha_2=code)
    return f"{code}, {country.name}" if country is not None else code


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
