"""Names drawn from Faker's locale name lists, and romanisations of Cyrillic names.

Names are never typed by hand: each nationality maps to one or more Faker
locales (`data/nationalities.csv`) and names are drawn, with Faker's own
frequency weights where it has them, straight from the provider's lists using
the generator's `numpy.random.Generator` (no Faker instance, no global state).
Ukrainian, Russian and Bulgarian names are stored in Cyrillic in the ground
truth and romanised in reports with one of several systems, as registrations
in different offices do.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

__all__ = [
    "CYRILLIC_LOCALES", "SPANISH_LOCALES", "NamePool", "name_pool", "romanise",
    "romanisation_systems", "draw_names",
]

CYRILLIC_LOCALES = {"uk_UA": "uk", "ru_RU": "ru", "bg_BG": "bg"}
#: Locales whose people carry two family names (paternal and maternal).
SPANISH_LOCALES = {"es_CO", "es_MX", "es_ES", "es_AR"}


@dataclass(frozen=True)
class NamePool:
    """One locale's given names (per sex) and family names (per sex), with weights."""

    locale: str
    given: Mapping[str, tuple[tuple[str, ...], np.ndarray]]
    family: Mapping[str, tuple[tuple[str, ...], np.ndarray]]


def _entries(values: object) -> tuple[tuple[str, ...], np.ndarray]:
    if isinstance(values, Mapping):
        names = tuple(str(k) for k in values)
        weights = np.asarray([float(v) for v in values.values()], dtype=float)
    else:
        names = tuple(str(v) for v in values)  # type: ignore[attr-defined]
        weights = np.ones(len(names))
    return names, weights / weights.sum()


@cache
def name_pool(locale: str) -> NamePool:
    """The given and family names of a Faker locale, keyed by `female`/`male`."""
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    given: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    family: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    for sex in ("female", "male"):
        first = getattr(provider, f"first_names_{sex}", None) or provider.first_names
        last = getattr(provider, f"last_names_{sex}", None) or provider.last_names
        given[sex] = _entries(first)
        family[sex] = _entries(last)
    return NamePool(locale, given, family)


def draw_names(
    locales: Sequence[str] | np.ndarray, sexes: Sequence[str] | np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Given name, family name and second family name (vectorised per locale and sex).

    `other`/`unknown` sex draws from the female lists. Only Spanish-locale
    people have a second family name (the maternal surname); others get "".
    """
    loc = np.asarray(locales, dtype=object)
    sex = np.where(np.asarray(sexes, dtype=object) == "male", "male", "female")
    given = np.empty(len(loc), dtype=object)
    family = np.empty(len(loc), dtype=object)
    second_family = np.full(len(loc), "", dtype=object)
    keys = np.char.add(loc.astype(str), np.char.add("/", sex.astype(str)))
    for key in sorted(set(keys.tolist())):
        idx = np.flatnonzero(keys == key)
        locale, s = key.split("/")
        pool = name_pool(locale)
        g_names, g_w = pool.given[s]
        f_names, f_w = pool.family[s]
        given[idx] = np.asarray(g_names, dtype=object)[rng.choice(len(g_names), idx.size, p=g_w)]
        fam = np.asarray(f_names, dtype=object)[rng.choice(len(f_names), idx.size, p=f_w)]
        if locale in SPANISH_LOCALES:
            second_family[idx] = np.asarray(f_names, dtype=object)[
                rng.choice(len(f_names), idx.size, p=f_w)]
        family[idx] = fam
    return given, family, second_family


# --- romanisation ---------------------------------------------------------------
_COMMON = {
    "а": "a", "б": "b", "в": "v", "д": "d", "е": "e", "з": "z", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "ь": "", "ъ": "", "'": "", "’": "", "ʼ": "",
}
_SYSTEMS: dict[str, dict[str, dict[str, str]]] = {
    "uk": {
        # Ukrainian national system (Cabinet resolution 55 of 2010, passports)
        "national": {"г": "h", "ґ": "g", "є": "ie", "ж": "zh", "и": "y", "і": "i", "ї": "i",
                     "й": "i", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
                     "ю": "iu", "я": "ia"},
        # scholarly (ISO 9-like) system
        "scholarly": {"г": "h", "ґ": "g", "є": "je", "ж": "ž", "и": "y", "і": "i", "ї": "ji",
                      "й": "j", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč",
                      "ю": "ju", "я": "ja"},
        # German (Duden) transcription
        "german": {"г": "h", "ґ": "g", "є": "je", "ж": "sch", "и": "y", "і": "i", "ї": "ji",
                   "й": "j", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch",
                   "ю": "ju", "я": "ja", "в": "w", "з": "s"},
    },
    "ru": {
        # BGN/PCGN
        "bgn": {"г": "g", "ё": "ye", "ж": "zh", "и": "i", "й": "y", "х": "kh", "ц": "ts",
                "ч": "ch", "ш": "sh", "щ": "shch", "ы": "y", "э": "e", "ю": "yu", "я": "ya"},
        # ICAO Doc 9303 (Russian passports since 2013)
        "icao": {"г": "g", "ё": "e", "ж": "zh", "и": "i", "й": "i", "х": "kh", "ц": "ts",
                 "ч": "ch", "ш": "sh", "щ": "shch", "ы": "y", "э": "e", "ю": "iu", "я": "ia",
                 "ъ": "ie"},
        "german": {"г": "g", "ё": "jo", "ж": "sch", "и": "i", "й": "j", "х": "ch", "ц": "z",
                   "ч": "tsch", "ш": "sch", "щ": "schtsch", "ы": "y", "э": "e", "ю": "ju",
                   "я": "ja", "в": "w", "з": "s"},
    },
    "bg": {
        # Bulgarian official streamlined system (2009 Transliteration Act)
        "official": {"г": "g", "ж": "zh", "и": "i", "й": "y", "х": "h", "ц": "ts", "ч": "ch",
                     "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya"},
        "scholarly": {"г": "g", "ж": "ž", "и": "i", "й": "j", "х": "h", "ц": "c", "ч": "č",
                      "ш": "š", "щ": "št", "ъ": "ă", "ь": "j", "ю": "ju", "я": "ja"},
        "german": {"г": "g", "ж": "sch", "и": "i", "й": "j", "х": "ch", "ц": "z", "ч": "tsch",
                   "ш": "sch", "щ": "scht", "ъ": "a", "ь": "j", "ю": "ju", "я": "ja",
                   "в": "w", "з": "s"},
    },
}
#: Ukrainian national system: these letters are written differently word-initially.
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def romanisation_systems(language: str) -> tuple[str, ...]:
    """Names of the romanisation systems used for a language (`uk`, `ru`, `bg`)."""
    return tuple(_SYSTEMS[language])


@cache
def romanise(text: str, language: str, system: str) -> str:
    """A Cyrillic name written in Latin script with one romanisation system."""
    table = {**_COMMON, **_SYSTEMS[language][system]}
    out: list[str] = []
    initial = True
    for ch in text:
        low = ch.lower()
        if low in table or low in _UK_INITIAL:
            if initial and language == "uk" and system == "national" and low in _UK_INITIAL:
                rom = _UK_INITIAL[low]
            else:
                rom = table.get(low, low)
            out.append(rom.capitalize() if ch != low or initial else rom)
            initial = False
        else:
            out.append(ch)
            initial = ch in " -"
    return "".join(out)
