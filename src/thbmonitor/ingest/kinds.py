"""The six file kinds of CONTRACTS §1: their columns, types and natural keys.

Declared once: validation, pseudonymisation, the stored columns and the
docs test all read these specifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from thbmonitor import vocab


class Type(Enum):
    TEXT = "text"
    CODE = "code"  # an identifier: trimmed, case kept
    SOURCE = "source"  # organisation code: trimmed, lower case
    DATE = "date"
    INT = "int"
    FLOAT = "float"
    ENUM = "enum"
    MULTI_ENUM = "multi_enum"
    COUNTRY = "country"
    MULTI_COUNTRY = "multi_country"
    NAME = "name"  # personal: pseudonymised
    PHONE = "phone"  # personal: pseudonymised
    PERSON_REF = "person_ref"  # personal: pseudonymised
    ADDRESS = "address"  # personal: pseudonymised
    BOOKING = "booking"  # personal: pseudonymised


#: Types whose values are never stored or shown in clear.
PSEUDONYMISED = frozenset({Type.NAME, Type.PHONE, Type.PERSON_REF, Type.ADDRESS, Type.BOOKING})


@dataclass(frozen=True)
class Column:
    name: str
    type: Type
    required: bool = False
    vocabulary: tuple[str, ...] = ()
    #: Personal data: values never appear in messages, logs or quarantine.
    personal: bool = False
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def pseudonymised(self) -> bool:
        return self.type in PSEUDONYMISED


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    #: Natural key columns; None: the key is a hash of the whole row (locations).
    key: tuple[str, ...] | None
    table: str

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _enum(name: str, values: tuple[str, ...], **kw: object) -> Column:
    return Column(name, Type.ENUM, vocabulary=values, **kw)  # type: ignore[arg-type]


_SEX_ALIASES = tuple(vocab.SEX_SYNONYMS.items())


def _synonyms(table: object) -> tuple[tuple[str, str], ...]:
    return tuple(table.items())  # type: ignore[attr-defined]

REPORTS = Kind("reports", (
    Column("report_id", Type.CODE, required=True),
    Column("source", Type.SOURCE, required=True),
    # Required unless the source is registered: checked by the importer.
    _enum("source_type", vocab.SOURCE_TYPES, aliases=_synonyms(vocab.SOURCE_TYPE_SYNONYMS)),
    Column("report_date", Type.DATE, required=True),
    Column("given_name", Type.NAME, personal=True),
    Column("family_name", Type.NAME, personal=True),
    Column("date_of_birth", Type.DATE, personal=True),
    Column("birth_year", Type.INT, personal=True),
    _enum("sex", vocab.SEXES, aliases=_SEX_ALIASES),
    # A nationality is stored in clear and identifies no one on its own: its value is
    # shown in messages and the quarantine, so that "Atlantis" can be fixed (issue 10).
    Column("nationality", Type.COUNTRY),
    Column("exploitation", Type.MULTI_ENUM, required=True, vocabulary=vocab.EXPLOITATION_FORMS,
           aliases=_synonyms(vocab.EXPLOITATION_SYNONYMS)),
    _enum("sector", vocab.SECTORS, aliases=_synonyms(vocab.SECTOR_SYNONYMS)),
    Column("recruitment_country", Type.COUNTRY),
    Column("exploitation_countries", Type.MULTI_COUNTRY),
    _enum("scope", vocab.SCOPES, aliases=_synonyms(vocab.SCOPE_SYNONYMS)),
    Column("region", Type.TEXT),
    _enum("legal_basis", vocab.LEGAL_BASES, aliases=_synonyms(vocab.LEGAL_BASIS_SYNONYMS)),
    Column("person_ref", Type.PERSON_REF, personal=True),
    Column("contact_phone", Type.PHONE, personal=True),
    Column("investigation_id", Type.CODE),
), key=("source", "report_id"), table="reports")

LOCATIONS = Kind("locations", (
    Column("report_id", Type.CODE, required=True),
    Column("source", Type.SOURCE, required=True),
    Column("start_date", Type.DATE, required=True),
    Column("end_date", Type.DATE),
    Column("place", Type.TEXT),
    Column("country", Type.COUNTRY),
    _enum("location_type", vocab.LOCATION_TYPES,
          aliases=_synonyms(vocab.LOCATION_TYPE_SYNONYMS)),
    _enum("booking_channel", vocab.BOOKING_CHANNELS,
          aliases=_synonyms(vocab.BOOKING_CHANNEL_SYNONYMS)),
    Column("address", Type.ADDRESS, personal=True),
    Column("booking_ref", Type.BOOKING, personal=True),
), key=None, table="locations")

INVESTIGATIONS = Kind("investigations", (
    Column("investigation_id", Type.CODE, required=True),
    Column("start_date", Type.DATE, required=True),
    Column("exploitation", Type.MULTI_ENUM, required=True, vocabulary=vocab.EXPLOITATION_FORMS,
           aliases=_synonyms(vocab.EXPLOITATION_SYNONYMS)),
    _enum("scope", vocab.INVESTIGATION_SCOPES, required=True,
          aliases=_synonyms(vocab.INVESTIGATION_SCOPE_SYNONYMS)),
    Column("end_date", Type.DATE),
    Column("region", Type.TEXT),
), key=("investigation_id",), table="investigations")

SUSPECTS = Kind("suspects", (
    Column("suspect_id", Type.CODE, required=True),
    Column("registered_date", Type.DATE, required=True),
    Column("investigation_id", Type.CODE),
    _enum("sex", vocab.SEXES, aliases=_SEX_ALIASES),
    Column("birth_year", Type.INT, personal=True),
    Column("nationality", Type.COUNTRY),
), key=("suspect_id",), table="suspects")

CASES = Kind("cases", (
    Column("case_id", Type.CODE, required=True),
    Column("registered_date", Type.DATE, required=True),
    Column("suspect_id", Type.CODE),
    Column("exploitation", Type.MULTI_ENUM, vocabulary=vocab.EXPLOITATION_FORMS,
           aliases=_synonyms(vocab.EXPLOITATION_SYNONYMS)),
    _enum("decision", vocab.DECISIONS, aliases=_synonyms(vocab.DECISION_SYNONYMS)),
    Column("decision_date", Type.DATE),
), key=("case_id",), table="cases")

VERDICTS = Kind("verdicts", (
    Column("case_id", Type.CODE, required=True),
    Column("verdict_date", Type.DATE, required=True),
    _enum("outcome", vocab.OUTCOMES, required=True, aliases=_synonyms(vocab.OUTCOME_SYNONYMS)),
    Column("custodial_months", Type.FLOAT),
), key=("case_id", "verdict_date"), table="verdicts")

KINDS: dict[str, Kind] = {
    k.name: k for k in (REPORTS, LOCATIONS, INVESTIGATIONS, SUSPECTS, CASES, VERDICTS)
}

#: Order in which files of one delivery must be imported (references point backwards).
IMPORT_ORDER: tuple[str, ...] = (
    "investigations", "reports", "locations", "suspects", "cases", "verdicts",
)

#: Date pairs that must be ordered: (kind, earlier, later, message detail).
DATE_ORDER: tuple[tuple[str, str, str], ...] = (
    ("locations", "start_date", "end_date"),
    ("investigations", "start_date", "end_date"),
    ("cases", "registered_date", "decision_date"),
)

#: References checked against stored rows: (kind, column, target table, target column, label
#: with its article, for the message).
REFERENCES: tuple[tuple[str, str, str, str, str], ...] = (
    ("suspects", "investigation_id", "investigations", "investigation_id", "an investigation"),
    ("verdicts", "case_id", "cases", "case_id", "a case"),
)

#: Header words that suggest personal data in an unknown column: such a column is
#: dropped even when `ingest.extra_columns` allows it (staging.py).
PERSONAL_HINTS: tuple[str, ...] = (
    "name", "naam", "phone", "telefoon", "tel", "mobile", "mobiel", "email", "e-mail", "mail",
    "address", "adres", "street", "straat", "bsn", "passport", "paspoort", "birth",
    "geboorte", "iban", "ssn", "id_number", "document",
)

# Concerns (CONTRACTS §8) are declared in their own module; a kind like the others, but
# not in IMPORT_ORDER (a delivery of reports does not include them).
from thbmonitor.ingest.concerns import CONCERNS  # noqa: E402

KINDS[CONCERNS.name] = CONCERNS
