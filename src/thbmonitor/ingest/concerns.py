"""Concerns (CONTRACTS §8): signals about possible victims that did not become reports.

A concern is counted, never linked: the file holds no name and no identifier
of a person, and a header that looks like one (a name, a birth date, a phone,
an identity document) refuses the whole file with `personal-column` before any
value is read into the store. The kind goes through the normal import path
(`thb import concerns FILE`): the same reader, validation, quarantine and
all-or-nothing transaction as every other kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from thbmonitor import vocab
from thbmonitor.ingest.kinds import Column, Kind, Type

__all__ = ["AGE_GROUP_SYNONYMS", "CONCERNS", "CONCERNS_STORED", "NATIONALITY_GROUP_SYNONYMS",
           "REASONS", "REASON_SYNONYMS", "personal_columns"]

#: Why a concern did not become a report (CONTRACTS §8).
REASONS: tuple[str, ...] = ("no_consent", "insufficient_signal", "referred_elsewhere", "unknown")

REASON_SYNONYMS = MappingProxyType({
    "geen toestemming": "no_consent", "geen instemming": "no_consent",
    "no permission": "no_consent",
    "onvoldoende signaal": "insufficient_signal", "te weinig signalen": "insufficient_signal",
    "weak signal": "insufficient_signal",
    "doorverwezen": "referred_elsewhere", "elders gemeld": "referred_elsewhere",
    "referred": "referred_elsewhere",
    "onbekend": "unknown", "niet bekend": "unknown", "not known": "unknown",
})
AGE_GROUP_SYNONYMS = MappingProxyType({
    "minderjarig": "minor", "minderjarige": "minor", "kind": "minor", "child": "minor",
    "meerderjarig": "adult", "meerderjarige": "adult", "volwassen": "adult",
    "volwassene": "adult",
    "onbekend": "unknown", "niet bekend": "unknown", "not known": "unknown",
})
NATIONALITY_GROUP_SYNONYMS = MappingProxyType({
    "nederlands": "NL", "nederland": "NL", "dutch": "NL",
    "eu lidstaat": "EU", "european union": "EU",
    "overig europa": "europe_other", "rest of europe": "europe_other",
    "latijns amerika": "latin_america", "latin america and the caribbean": "latin_america",
    "afrika": "africa", "azie": "asia",
    "overig": "other", "anders": "other",
    "onbekend": "unknown", "niet bekend": "unknown",
})


def _enum(name: str, values: tuple[str, ...], synonyms: Mapping[str, str]) -> Column:
    return Column(name, Type.ENUM, vocabulary=values, aliases=tuple(synonyms.items()))


CONCERNS: Kind = Kind("concerns", (
    Column("concern_id", Type.CODE, required=True),
    Column("source", Type.SOURCE, required=True),
    # An extension of CONTRACTS §8: when absent, the type registered for the source.
    _enum("source_type", vocab.SOURCE_TYPES, vocab.SOURCE_TYPE_SYNONYMS),
    Column("concern_date", Type.DATE, required=True),
    Column("exploitation", Type.MULTI_ENUM, vocabulary=vocab.EXPLOITATION_FORMS,
           aliases=tuple(vocab.EXPLOITATION_SYNONYMS.items())),
    _enum("age_group", vocab.AGE_GROUPS, AGE_GROUP_SYNONYMS),
    _enum("nationality_group", vocab.NATIONALITY_GROUPS, NATIONALITY_GROUP_SYNONYMS),
    _enum("reason_not_reported", REASONS, REASON_SYNONYMS),
), key=("source", "concern_id"), table="concerns")

_EXTRA = "CASE WHEN c._extra IS NULL THEN NULL ELSE CAST(to_json(c._extra) AS JSON) END"
#: The stored columns as expressions over the checked table (`ingest.stored`).
CONCERNS_STORED: dict[str, str] = {
    "source": "c.source",
    "concern_id": "c.concern_id",
    "source_type": "c.source_type",
    "concern_date": "c.concern_date",
    "exploitation": "c.exploitation",
    "age_group": "coalesce(c.age_group, 'unknown')",
    "nationality_group": "coalesce(c.nationality_group, 'unknown')",
    "reason_not_reported": "coalesce(c.reason_not_reported, 'unknown')",
    "extra": _EXTRA,
}

#: Header words of a column that would identify a person. Broader than the reports'
#: hints (`ingest.kinds.PERSONAL_HINTS`): a concerns file has no personal column at all.
_REFUSED_HINTS: tuple[str, ...] = (
    "name", "naam", "voornaam", "achternaam", "birth", "geboorte", "dob", "phone",
    "telefoon", "mobile", "mobiel", "email", "mail", "address", "adres", "street", "straat",
    "bsn", "passport", "paspoort", "document", "iban", "ssn", "person", "persoon",
    "v_number", "vnummer", "v-nummer", "client", "initials", "initialen", "booking",
)


def personal_columns(header: Iterable[str]) -> list[str]:
    """The header's columns that look like a name or an identifier of a person.

    The kind's own columns are never refused (`concern_id` identifies the signal at its
    source, not a person).
    """
    own = set(CONCERNS.names)
    return [name for name in header
            if name not in own and any(hint in name.lower() for hint in _REFUSED_HINTS)]
