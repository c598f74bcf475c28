"""Pseudonymisation at the door: keyed tokens and Bloom-filter encodings.

Nothing that identifies a person is stored in clear. For each personal
value the store keeps:

* a keyed token: HMAC-SHA256 under the deployment key of the normalised
  value, truncated to 128 bits (32 hex characters), with a domain label per
  kind of value so that a phone token can never equal a name token;
* for names, a keyed phonetic token: the same HMAC over the Metaphone code
  (jellyfish) of each word, so that spelling variants that sound alike agree;
* for names, a keyed Bloom-filter encoding of the name's bigrams
  (Schnell, Bachteler & Reiher 2009, "Privacy-preserving record linkage using
  Bloom filters", BMC Med Inform Decis Mak 9:41): m = 1024 bits, q = 2 with
  the name padded by one space on each side, k = 20 positions per bigram
  taken as 10-bit slices of HMAC-SHA512(key, salt, bigram) ("random hashing",
  which Niedermeyer et al. 2014 recommend over double hashing because the
  latter leaks structure to pattern-mining attacks). Dice similarity of two
  encodings with the same salt approximates the bigram similarity of the names.

Hardening (issue 11 item 3). Unsalted, each bigram set the same 20 positions
in every record, and an organisation that knew the names of its own reports
learnt every bigram's footprint and decoded 99% of the other organisations'
names (bench/encoding_attack.py, a known-plaintext pattern attack after
Christen, Schnell, Vidanage et al.). The encodings are now salted per record
with a keyed salt from the birth year and month (`birth_salt`), the attribute
salting that Schnell & Borgs ("Hardening encrypted patient names against
cryptographic attacks", 2016) and Christen et al. ("Linking Sensitive Data",
2020, ch. 9) recommend: an attacker learns a footprint only from its own
reports of people born in the same month, and the same attack recovers 0.4% of
names (tests/store/test_encoding_attack.py; a salt from the birth year alone:
50%). The trade-off, measured in bench/bench_encoding.py (linkage F1 0.977 ->
0.967 on the demo data, 0.976 -> 0.971 on FEBRL4): Dice compares two reports
only when their birth year and month agree; pairs whose birth dates disagree
keep the exact and phonetic token levels. Reports without a birth year get a
salt of the name itself, so their encoding resembles no other name (they
compare by tokens only). Given and family name share the salt (no per-field
salt) so that the linkage can still see a swapped name (Dice of one part
against the other). Other hardenings were weighed and not used: balancing and
XOR-folding change what Dice means and do not stop a footprint attack with
known plaintext; BLIP noise strong enough to stop it (flip rates near 0.4)
destroys the similarity of true matches. `pprl-core` (MDS Leipzig) offers
those bit-level hardeners but no attribute salting, which is one keyed input
to the HMAC here, so it is not a dependency; `clkhash`/`anonlink`
(unmaintained since 2023) encode whole records into one filter, which the
linkage model does not use.

Normalisation of names: Unicode NFKD, combining marks dropped, case folded,
every character that is not a letter turned into a space, spaces collapsed
("Ó'Brien-García " -> "o brien garcia"). Phones are parsed with the
`phonenumbers` library (default region NL) and formatted as E.164 before
hashing. Everything is computed once per distinct value.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache

import jellyfish
import numpy as np
import phonenumbers
from anyascii import anyascii

BLOOM_BITS = 1024
BLOOM_HASHES = 20
BLOOM_Q = 2
#: The salt of an encoding whose report gives no birth year: the name itself (see above).
NO_BIRTH_SALT = "no-birth"
TOKEN_HEX = 32
PHONE_REGION = "NL"


@cache
def _latin(letter: str) -> str:
    """A non-ASCII letter in Latin letters (anyascii), '' for none: 'д' -> 'd',
    'ł' -> 'l', 'đ' -> 'd', 'ь' -> '' (its apostrophe would split a name in two)."""
    ascii_form = anyascii(letter)
    if not ascii_form:  # a letter anyascii does not know: kept as written
        return letter
    return "".join(c for c in ascii_form if c.isalpha())


def normalise_name(value: str) -> str:
    """Script, case, diacritics and spacing normalised; '' when nothing is left.

    Letters of other scripts (Cyrillic, Greek, ...) and Latin letters that NFKD does not
    decompose (ł, đ, ø, ı) are transliterated to Latin letters first, with anyascii
    (ISC licence, maintained, every script; Unidecode is GPL): a name written in
    Cyrillic by one organisation and romanised by another then has one token, one
    Metaphone code and one Bloom encoding (issue 16). Per letter, so one romanisation
    (close to the scientific one) stands for all; the variants of the official
    systems (Shevchenko, Schewtschenko) remain the comparisons' business.
    """
    composed = unicodedata.normalize("NFC", value)
    value = "".join(_latin(c) if ord(c) > 127 and c.isalpha() else c for c in composed)
    decomposed = unicodedata.normalize("NFKD", value)
    kept = (c for c in decomposed if not unicodedata.combining(c))
    folded = "".join(c if c.isalpha() else " " for c in "".join(kept).casefold())
    return " ".join(folded.split())


#: Letters and digraphs that romanisation systems write differently for one Cyrillic letter
#: (ш: sh, š, sch; ч: ch, č, tsch, tch; х: kh, ch, h; ж: zh, ž, sch; ц: ts, c, z; з: z, s),
#: folded into one class; vowels and glides (й: i, j, y; я: ia, ja, ya; и: y, i) dropped.
_ROMAN_CLASS = re.compile(r"tsch|sch|tch|kh|ch|sh|zh|ts|tz|[czsxh]")
_ROMAN_DROP = str.maketrans("wq", "vk", "aeiouyj")
_ROMAN_REPEAT = re.compile(r"(.)\1+")


def romanised_key(normalised: str) -> str:
    """A key that two romanisations of one Cyrillic name share: 'shevchenko', 'sevcenko'
    (Ševčenko, diacritics folded), 'schewtschenko' and 'chevtchenko' all give 'svsnk'.

    Rule-based and written here because no maintained library folds romanisation
    systems: Metaphone and NYSIIS (jellyfish) keep sh/sch/ch apart, and Beider-Morse
    phonetic matching, the method made for this, is only in abydos (GPL-3, no release
    since 2020). The key is coarse on purpose (every sibilant, affricate and h in one
    class, vowels dropped, repeats collapsed); it is compared only as a pair of keys
    (given and family) and blocks only together. '' when no consonant is left. Not
    cached: a cache of names would keep clear names in the memory of a long-running
    process (`thb serve`) after their import.
    """
    words = []
    for word in normalised.split():
        folded = _ROMAN_CLASS.sub("s", word).translate(_ROMAN_DROP)
        folded = _ROMAN_REPEAT.sub(r"\1", folded)
        if folded:
            words.append(folded)
    return " ".join(words)


_PHONE_PUNCTUATION = str.maketrans("", "", " -.()/\t")
_INTERNATIONAL = re.compile(r"\+[1-9]\d{6,14}")
_NATIONAL = re.compile(r"0[1-9]\d{6,12}")


@cache
def _phone_metadata(country_code: int) -> tuple[str, frozenset[int]] | None:
    """National prefix and possible national-number lengths of a country calling code."""
    region = phonenumbers.region_code_for_country_code(country_code)
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    if meta is None or meta.general_desc is None:
        return None
    lengths = frozenset(meta.general_desc.possible_length or ())
    local = frozenset(meta.general_desc.possible_length_local_only or ())
    return (meta.national_prefix or "", lengths | local)


def _fast_e164(value: str) -> str | None:
    """E.164 for the two plain shapes most files use, without a full parse.

    `phonenumbers.parse` costs about 80 microseconds a number here, half a
    minute for the 300,000 distinct numbers of a large delivery (measured in
    bench/bench_import.py). Numbers written as +<country code><digits> or as a
    Dutch national number 0<digits>, with only spaces, dashes, dots, slashes or
    parentheses between the digits, are formatted here with the library's own
    metadata (calling codes, national prefix, possible lengths). Anything
    else, and any number whose national part starts with the national prefix
    or has an unusual length, goes through the full parse. A test checks that
    both paths agree on generated numbers of many countries.
    """
    cleaned = value.translate(_PHONE_PUNCTUATION)
    if _NATIONAL.fullmatch(cleaned):
        cleaned = "+31" + cleaned[1:]
    elif not _INTERNATIONAL.fullmatch(cleaned):
        return None
    digits = cleaned[1:]
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            meta = _phone_metadata(code)
            national = digits[size:]
            if meta is None or (meta[0] and national.startswith(meta[0])):
                return None
            if len(national) in meta[1] and not national.startswith("0"):
                return "+" + digits
            return None
    return None


def normalise_phone(value: str) -> str | None:
    """E.164 form of a phone number; None when it cannot be a phone number."""
    fast = _fast_e164(value)
    if fast is not None:
        return fast
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_free_text(value: str) -> str:
    """For addresses and booking references: case folded, punctuation as space, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", value)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in kept).split())


def birth_salt(year: int | None, month: int | None = None) -> str:
    """The salt of a report's name encodings: its birth year and month ('' without a year)."""
    if year is None:
        return ""
    return f"{int(year):04d}" if month is None else f"{int(year):04d}-{int(month):02d}"


class Pseudonymiser:
    """Keyed tokens under one deployment key. The key is never stored or logged."""

    def __init__(self, key: bytes) -> None:
        self._sha256 = hmac.new(key, digestmod=hashlib.sha256)
        self._sha512 = hmac.new(key, digestmod=hashlib.sha512)
        self._bigram_words = lru_cache(maxsize=1 << 16)(self._bigram_words_uncached)

    def __repr__(self) -> str:
        return "Pseudonymiser(<key withheld>)"

    def token(self, domain: str, value: str) -> str:
        """HMAC-SHA256 of `domain` + value, 32 hex characters."""
        h = self._sha256.copy()
        h.update(domain.encode() + b"\x1f" + value.encode("utf-8"))
        return h.hexdigest()[:TOKEN_HEX]

    # -- names ----------------------------------------------------------------

    def name_token(self, normalised: str) -> str:
        # One domain for given and family names, so a swapped name can be detected.
        return self.token("name", normalised)

    def phonetic_token(self, normalised: str) -> str:
        code = " ".join(jellyfish.metaphone(word) for word in normalised.split())
        return self.token("phonetic", code)

    def romanised_token(self, normalised: str) -> str | None:
        """Keyed token of `romanised_key` (its own domain); None when the key is empty."""
        key = romanised_key(normalised)
        return self.token("romanised", key) if key else None

    def _bigram_words_uncached(self, salt: str, bigram: str) -> bytes:
        """The bigram's BLOOM_HASHES positions, as the first 16-bit big-endian words of its
        keyed HMAC-SHA512 (each taken modulo BLOOM_BITS where it is used)."""
        h = self._sha512.copy()
        h.update(b"bloom\x1f" + salt.encode("utf-8") + b"\x1f" + bigram.encode("utf-8"))
        return h.digest()[:2 * BLOOM_HASHES]

    def bloom(self, normalised: str, salt: str = "") -> str:
        """The Bloom-filter encoding as a string of BLOOM_BITS '0'/'1' (DuckDB BITSTRING).

        `salt`: the report's `birth_salt`; two encodings compare (Dice) only under the same
        salt. Without one ('') the salt is the name itself: the encoding is like no other.
        Bit `p` (counted from the right, as DuckDB reads a BITSTRING as a number) is set
        for every position `p` of every bigram. Set with numpy: the positions of one name
        were OR-ed into a Python integer one by one before, which took two thirds of an
        import's pseudonymising (0.14 ms a name; tests/ingest/test_pseudonymise.py pins
        the encoding to that definition).
        """
        salted = salt or f"{NO_BIRTH_SALT}\x1f{normalised}"
        padded = f" {normalised} "
        words = b"".join([self._bigram_words(salted, padded[i:i + BLOOM_Q])
                          for i in range(len(padded) - BLOOM_Q + 1)])
        bits = np.zeros(BLOOM_BITS, dtype=np.uint8)
        bits[np.frombuffer(words, dtype=">u2") & (BLOOM_BITS - 1)] = 1
        return (bits[::-1] + ord("0")).tobytes().decode("ascii")

    def names(self, values: Iterable[str], salt: str = ""
              ) -> dict[str, tuple[str, str, str] | None]:
        """Raw name -> (token, phonetic token, bloom bits under `salt`); None when nothing
        is left. Reports of different birth months need their own call (or `blooms`)."""
        out: dict[str, tuple[str, str, str] | None] = {}
        for raw in values:
            norm = normalise_name(raw)
            out[raw] = (
                (self.name_token(norm), self.phonetic_token(norm), self.bloom(norm, salt))
                if norm else None
            )
        return out

    def blooms(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        """(raw name, birth salt) -> the salted Bloom encoding; None when no name is left."""
        out: dict[tuple[str, str], str | None] = {}
        for raw, salt in pairs:
            norm = normalise_name(raw)
            out[(raw, salt)] = self.bloom(norm, salt) if norm else None
        return out

    # -- other identifiers -------------------------------------------------------

    def phones(self, values: Iterable[str]) -> dict[str, str | None]:
        """Raw phone -> token of its E.164 form; None when it is not a phone number."""
        out: dict[str, str | None] = {}
        for raw in values:
            e164 = normalise_phone(raw)
            out[raw] = None if e164 is None else self.token("phone", e164)
        return out

    def person_ref(self, source: str, ref: str) -> str:
        """A source's own person identifier: meaningful only within that source."""
        return self.token("person_ref", f"{source}\x1f{ref.strip()}")

    def free_text(self, domain: str, values: Iterable[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for raw in values:
            norm = normalise_free_text(raw)
            out[raw] = self.token(domain, norm) if norm else None
        return out
