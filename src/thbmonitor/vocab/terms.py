"""Controlled vocabularies of CONTRACTS §1, with the aliases the intake accepts.

Each vocabulary is declared once here; validation, the docs test and the
figures' zero-filled category keys all read these tuples.
"""

from __future__ import annotations

from types import MappingProxyType

SOURCE_TYPES: tuple[str, ...] = (
    "police", "border_police", "labour_inspectorate", "care_coordinator",
    "reception_centre", "guardianship", "municipality", "shelter", "ngo",
    "lawyer", "self", "other",
)
SEXES: tuple[str, ...] = ("female", "male", "other", "unknown")
SEX_ALIASES = MappingProxyType({
    "f": "female", "v": "female", "vrouw": "female", "female": "female", "w": "female",
    "m": "male", "man": "male", "male": "male",
    "x": "other", "other": "other", "anders": "other",
    "unknown": "unknown", "onbekend": "unknown", "u": "unknown",
})
EXPLOITATION_FORMS: tuple[str, ...] = (
    "sexual", "labour", "criminal", "organ_removal", "other", "unknown",
)
#: Exclusive categories of the figures (CONTRACTS §3): a single known form,
#: `multiple` when more than one known form, `unknown` when none.
EXPLOITATION_CATEGORIES: tuple[str, ...] = (
    "sexual", "labour", "criminal", "organ_removal", "other", "multiple", "unknown",
)
SECTORS: tuple[str, ...] = (
    "window", "club", "escort", "home", "hotel", "agriculture", "construction",
    "hospitality", "logistics", "domestic_work", "drug_trade", "money_mule",
    "explosives", "theft", "begging", "other",
)
SCOPES: tuple[str, ...] = ("domestic", "cross_border", "unknown")
LEGAL_BASES: tuple[str, ...] = ("statutory", "consent")
LOCATION_TYPES: tuple[str, ...] = (
    "hotel", "holiday_park", "short_stay_rental", "private_home", "workplace",
    "club", "street", "online", "other",
)
BOOKING_CHANNELS: tuple[str, ...] = ("booking_platform", "holiday_park", "direct", "unknown")
INVESTIGATION_SCOPES: tuple[str, ...] = ("domestic", "international")
DECISIONS: tuple[str, ...] = (
    "summons", "technical_dismissal", "policy_dismissal", "conditional_dismissal",
    "penalty_order", "settlement", "joinder", "transfer", "pending",
)
#: Decisions that do not count as "decided" (CONTRACTS §3).
UNDECIDED: tuple[str, ...] = ("pending", "joinder", "transfer")
OUTCOMES: tuple[str, ...] = ("conviction", "acquittal", "discharge", "other")
AGE_GROUPS: tuple[str, ...] = ("minor", "adult", "unknown")
NATIONALITY_GROUPS: tuple[str, ...] = (
    "NL", "EU", "europe_other", "latin_america", "africa", "asia", "other", "unknown",
)
