"""Names drawn from Faker's locale name lists and published name frequencies; romanisations.

Names are never typed by hand: each nationality maps to one or more Faker
locales (`data/nationalities.csv`) and names are drawn, with Faker's own
frequency weights where it has them, straight from the provider's lists using
the generator's `numpy.random.Generator` (no Faker instance, no global state).
Ukrainian, Russian and Bulgarian names are stored in Cyrillic in the ground
truth and romanised in reports with one of several systems, as registrations
in different offices do.

Where every list comes from (Faker 40, `faker.providers.person.<locale>`, MIT licence):

- every locale's given names (`first_names_female`/`first_names_male`, else
  `first_names`) and family names (`last_names_<sex>`, else `last_names`),
  with Faker's weights where the list is a mapping (e.g. nl_NL, hu_HU, en_KE),
  uniform otherwise;
- Vietnamese (vi_VN): given names are Faker's `first_names_<sex>` and
  `first_names_unisex`, preceded by a middle name (tên đệm) from Faker's
  `middle_names`, as Vietnamese passports write them (given names "Thị Lan");
  Thị is given to women only and Văn to men only, the other middle names to
  both, uniformly (no published frequencies). Family names are not Faker's ten
  uniform ones but the published frequency table of the most common Vietnamese
  family names (`data/vietnamese_surnames.csv`: Nguyễn 38.4%, Trần 11%, Lê
  9.5%, ...; the table of Wikipedia's "Vietnamese name" article, widely
  reproduced; Hoàng/Huỳnh and Vũ/Võ are one name each there and are split
  evenly), normalised over the 16 listed names (the 10% of rarer family names
  are left out, which keeps the real concentration);
- Nigerian (yo_NG, ig_NG, ha_NG, en_NG; en_NG also stands in for Sierra Leone):
  Faker's lists are 20 names per sex for three of the four locales. Nigerians
  commonly carry two given names (a native and an English, or among the Hausa
  an Arabic-origin one) and Dutch registrations record all given names, so
  `SECOND_GIVEN_SHARE` of them carry a second given name after the first,
  drawn from the list of the same sex of the locale in `SECOND_GIVEN_FROM`
  (the English names of en_NG for Yoruba, Igbo and English-named people; the
  Hausa list for the Hausa), never equal to the first. The share is an
  assumption, not a published figure. Faker's en_NG family names are a mix of
  Yoruba, Igbo and Hausa ones (Adeyemi, Okonkwo, Ibrahim): English-named
  Nigerians come from every group, so en_NG draws its family names from the
  four Nigerian locales' lists together (`NIGERIAN_LOCALES`, uniformly).

Second and middle names are drawn from their own random stream (`draw_names`'
`middle_rng`), so that every other name of the generator stays as it was.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from thbmonitor.synth.packaged import read_data

__all__ = [
    "CYRILLIC_LOCALES", "NIGERIAN_LOCALES", "SECOND_GIVEN_FROM", "SECOND_GIVEN_SHARE",
    "SPANISH_LOCALES", "NamePool", "draw_names", "name_pool", "romanisation_systems",
    "romanise", "vietnamese_surnames",
]

CYRILLIC_LOCALES = {"uk_UA": "uk", "ru_RU": "ru", "bg_BG": "bg"}
#: Locales whose people carry two family names (paternal and maternal).
SPANISH_LOCALES = {"es_CO", "es_MX", "es_ES", "es_AR"}
#: Locales whose people may carry a second given name: locale -> the locale whose list of
#: the same sex supplies it (see the module docstring).
SECOND_GIVEN_FROM = {"yo_NG": "en_NG", "ig_NG": "en_NG", "en_NG": "en_NG", "ha_NG": "ha_NG"}
#: Share of the people of a `SECOND_GIVEN_FROM` locale with a second given name (assumed).
SECOND_GIVEN_SHARE = 0.6
#: Faker's Nigerian locales, whose family names en_NG draws from together.
NIGERIAN_LOCALES = ("yo_NG", "ig_NG", "ha_NG", "en_NG")
#: Vietnamese middle names that mark the sex: never given to the other one.
_VI_MIDDLE_ONLY = {"female": "Thị", "male": "Văn"}

Entries = tuple[tuple[str, ...], np.ndarray]


@dataclass(frozen=True)
class NamePool:
    """One locale's given names (per sex) and family names (per sex), with weights.

    `middle` (per sex) are second given names, carried by `middle_share` of the
    people, written before the given name when `middle_first` (Vietnamese) and
    after it otherwise; empty for most locales.
    """

    locale: str
    given: Mapping[str, Entries]
    family: Mapping[str, Entries]
    middle: Mapping[str, Entries] = field(default_factory=dict)
    middle_share: float = 0.0
    middle_first: bool = False


def _entries(values: object) -> Entries:
    if isinstance(values, Mapping):
        names = tuple(str(k) for k in values)
        weights = np.asarray([float(v) for v in values.values()], dtype=float)
    else:
        names = tuple(str(v) for v in values)  # type: ignore[attr-defined]
        weights = np.ones(len(names))
    return names, weights / weights.sum()


def _faker_lists(locale: str) -> tuple[dict[str, Entries], dict[str, Entries]]:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    given: dict[str, Entries] = {}
    family: dict[str, Entries] = {}
    for sex in ("female", "male"):
        first = getattr(provider, f"first_names_{sex}", None) or provider.first_names
        last = getattr(provider, f"last_names_{sex}", None) or provider.last_names
        given[sex] = _entries(first)
        family[sex] = _entries(last)
    return given, family


def _unique(names: Sequence[str]) -> Entries:
    return _entries(tuple(dict.fromkeys(names)))


@cache
def vietnamese_surnames() -> Entries:
    """The published frequencies of Vietnamese family names (`data/vietnamese_surnames.csv`)."""
    return _entries({r["family_name"]: float(r["percent"])
                     for r in read_data("vietnamese_surnames.csv")})


def _vietnamese() -> NamePool:
    provider = importlib.import_module("faker.providers.person.vi_VN").Provider
    unisex = tuple(provider.first_names_unisex)
    given = {sex: _unique(tuple(getattr(provider, f"first_names_{sex}")) + unisex)
             for sex in ("female", "male")}
    middle = {sex: _unique([m for m in provider.middle_names if m != other])
              for sex, other in (("female", _VI_MIDDLE_ONLY["male"]),
                                 ("male", _VI_MIDDLE_ONLY["female"]))}
    family = {sex: vietnamese_surnames() for sex in ("female", "male")}
    return NamePool("vi_VN", given, family, middle, middle_share=1.0, middle_first=True)


@cache
def name_pool(locale: str) -> NamePool:
    """The given and family names of a locale, keyed by `female`/`male` (see the module)."""
    if locale == "vi_VN":
        return _vietnamese()
    given, family = _faker_lists(locale)
    if locale == "en_NG":
        family = {s: _unique([n for loc in NIGERIAN_LOCALES for n in _faker_lists(loc)[1][s][0]])
                  for s in ("female", "male")}
    if locale in SECOND_GIVEN_FROM:
        middle = {s: _unique(_faker_lists(SECOND_GIVEN_FROM[locale])[0][s][0])
                  for s in ("female", "male")}
        return NamePool(locale, given, family, middle, middle_share=SECOND_GIVEN_SHARE)
    return NamePool(locale, given, family)


def _middle_names(first: np.ndarray, pool: NamePool, sex: str,
                  rng: np.random.Generator) -> np.ndarray:
    """A second given name per person ("" for those without), never equal to the first."""
    names, weights = pool.middle[sex]
    arr = np.asarray(names, dtype=object)
    has = rng.random(first.size) < pool.middle_share
    out = np.where(has, arr[rng.choice(len(arr), first.size, p=weights)], "").astype(object)
    for _ in range(8):  # redraw the few equal to the first name
        same = np.flatnonzero(has & (out == first))
        if not same.size:
            break
        out[same] = arr[rng.choice(len(arr), same.size, p=weights)]
    return out


def draw_names(
    locales: Sequence[str] | np.ndarray, sexes: Sequence[str] | np.ndarray,
    rng: np.random.Generator, *, middle_rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Given name, family name and second family name (vectorised per locale and sex).

    `other`/`unknown` sex draws from the female lists. Only Spanish-locale
    people have a second family name (the maternal surname); others get "".
    Middle and second given names (`NamePool.middle`) are part of the given
    name and come from `middle_rng`, so that `rng` draws what it drew before.
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
        first = np.asarray(g_names, dtype=object)[rng.choice(len(g_names), idx.size, p=g_w)]
        fam = np.asarray(f_names, dtype=object)[rng.choice(len(f_names), idx.size, p=f_w)]
        if locale in SPANISH_LOCALES:
            second_family[idx] = np.asarray(f_names, dtype=object)[
                rng.choice(len(f_names), idx.size, p=f_w)]
        if pool.middle:
            middle = _middle_names(first, pool, s, middle_rng)
            pair = (middle, first) if pool.middle_first else (first, middle)
            first = np.asarray([f"{a} {b}" if m else f for a, b, m, f in
                                zip(*pair, middle, first, strict=True)], dtype=object)
        given[idx] = first
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
