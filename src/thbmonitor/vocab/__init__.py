"""Controlled vocabularies and country normalisation. Imports nothing of ours."""

from thbmonitor.vocab.countries import (
    nationality_group,
    nationality_groups,
    normalise_country,
)
from thbmonitor.vocab.terms import (
    AGE_GROUPS,
    BOOKING_CHANNELS,
    DECISIONS,
    EXPLOITATION_CATEGORIES,
    EXPLOITATION_FORMS,
    INVESTIGATION_SCOPES,
    LEGAL_BASES,
    LOCATION_TYPES,
    NATIONALITY_GROUPS,
    OUTCOMES,
    SCOPES,
    SECTORS,
    SEX_ALIASES,
    SEXES,
    SOURCE_TYPES,
    UNDECIDED,
)

__all__ = [
    "AGE_GROUPS", "BOOKING_CHANNELS", "DECISIONS", "EXPLOITATION_CATEGORIES",
    "EXPLOITATION_FORMS", "INVESTIGATION_SCOPES", "LEGAL_BASES", "LOCATION_TYPES",
    "NATIONALITY_GROUPS", "OUTCOMES", "SCOPES", "SECTORS", "SEXES", "SEX_ALIASES",
    "SOURCE_TYPES", "UNDECIDED", "nationality_group", "nationality_groups", "normalise_country",
]
