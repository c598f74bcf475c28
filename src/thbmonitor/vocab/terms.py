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

# -- synonyms -------------------------------------------------------------------------
# Dutch and English words organisations write for each value. Matching folds case,
# diacritics, `_` and `-` (so `seksuele-uitbuiting`, `Arbeidsuitbuiting` and
# `organ removal` all match); a value's own name is always accepted. The lists are ours:
# no maintained vocabulary of Dutch THB registration terms exists to take them from.

SOURCE_TYPE_SYNONYMS = MappingProxyType({
    "politie": "police", "nationale politie": "police", "police force": "police",
    "koninklijke marechaussee": "border_police", "marechaussee": "border_police",
    "kmar": "border_police", "grenspolitie": "border_police",
    "arbeidsinspectie": "labour_inspectorate",
    "nederlandse arbeidsinspectie": "labour_inspectorate", "inspectie szw": "labour_inspectorate",
    "nla": "labour_inspectorate", "labour inspection": "labour_inspectorate",
    "labor inspectorate": "labour_inspectorate",
    "zorgcoordinator": "care_coordinator", "zorgcoordinatie": "care_coordinator",
    "care coordination": "care_coordinator",
    "coa": "reception_centre", "asielopvang": "reception_centre", "azc": "reception_centre",
    "reception center": "reception_centre", "asylum reception": "reception_centre",
    "nidos": "guardianship", "voogdij": "guardianship", "voogdijinstelling": "guardianship",
    "guardian": "guardianship",
    "gemeente": "municipality", "municipal": "municipality",
    "opvang": "shelter", "opvanginstelling": "shelter", "vrouwenopvang": "shelter",
    "hulpverlening": "ngo", "maatschappelijke organisatie": "ngo",
    "non governmental organisation": "ngo", "non governmental organization": "ngo",
    "advocaat": "lawyer", "advocatuur": "lawyer", "attorney": "lawyer", "solicitor": "lawyer",
    "zelfmelder": "self", "zelfmelding": "self", "zelf": "self", "self report": "self",
    "self reported": "self",
    "anders": "other", "overig": "other", "overige": "other",
})
EXPLOITATION_SYNONYMS = MappingProxyType({
    "seksuele uitbuiting": "sexual", "seksueel": "sexual", "seksuele": "sexual",
    "sexual exploitation": "sexual", "seks": "sexual", "sex": "sexual",
    "arbeidsuitbuiting": "labour", "arbeid": "labour", "uitbuiting in de arbeid": "labour",
    "labour exploitation": "labour", "labor": "labour", "labor exploitation": "labour",
    "forced labour": "labour", "forced labor": "labour", "dwangarbeid": "labour",
    "criminele uitbuiting": "criminal", "crimineel": "criminal", "criminele": "criminal",
    "criminal exploitation": "criminal", "forced criminality": "criminal",
    "gedwongen criminaliteit": "criminal",
    "orgaanverwijdering": "organ_removal", "orgaanhandel": "organ_removal",
    "verwijdering van organen": "organ_removal", "organ trafficking": "organ_removal",
    "organ removal": "organ_removal",
    "andere uitbuiting": "other", "anders": "other", "overig": "other",
    "other exploitation": "other",
    "onbekend": "unknown", "niet bekend": "unknown", "not known": "unknown",
})
SECTOR_SYNONYMS = MappingProxyType({
    "raamprostitutie": "window", "raam": "window", "window prostitution": "window",
    "seksclub": "club", "privehuis": "club", "privehuizen": "club", "clubs": "club",
    "escortservice": "escort", "escortbureau": "escort",
    "thuisprostitutie": "home", "thuis": "home", "home prostitution": "home",
    "hotelprostitutie": "hotel",
    "landbouw": "agriculture", "tuinbouw": "agriculture", "land en tuinbouw": "agriculture",
    "agrarisch": "agriculture", "farming": "agriculture", "horticulture": "agriculture",
    "bouw": "construction", "bouwsector": "construction",
    "horeca": "hospitality", "catering": "hospitality",
    "logistiek": "logistics", "transport": "logistics", "distributie": "logistics",
    "huishoudelijk werk": "domestic_work", "huishouding": "domestic_work",
    "domestic servitude": "domestic_work",
    "drugshandel": "drug_trade", "drugs": "drug_trade", "drug trafficking": "drug_trade",
    "geldezel": "money_mule", "geldezels": "money_mule", "money mules": "money_mule",
    "explosieven": "explosives",
    "diefstal": "theft", "winkeldiefstal": "theft", "shoplifting": "theft",
    "bedelen": "begging", "bedelarij": "begging",
    "anders": "other", "overig": "other", "overige": "other",
})
SCOPE_SYNONYMS = MappingProxyType({
    "binnenlands": "domestic", "nationaal": "domestic", "national": "domestic",
    "grensoverschrijdend": "cross_border", "internationaal": "cross_border",
    "international": "cross_border", "transnational": "cross_border",
    "onbekend": "unknown",
})
LEGAL_BASIS_SYNONYMS = MappingProxyType({
    "wettelijk": "statutory", "wettelijke grondslag": "statutory", "wettelijke taak": "statutory",
    "wet": "statutory", "legal obligation": "statutory", "law": "statutory",
    "toestemming": "consent", "instemming": "consent", "informed consent": "consent",
})
LOCATION_TYPE_SYNONYMS = MappingProxyType({
    "vakantiepark": "holiday_park", "bungalowpark": "holiday_park", "camping": "holiday_park",
    "kortverblijf": "short_stay_rental", "vakantiewoning": "short_stay_rental",
    "short stay": "short_stay_rental", "short term rental": "short_stay_rental",
    "holiday rental": "short_stay_rental",
    "woning": "private_home", "prive woning": "private_home", "privewoning": "private_home",
    "woonhuis": "private_home", "private residence": "private_home", "house": "private_home",
    "home": "private_home",
    "werkplek": "workplace", "werkplaats": "workplace", "bedrijf": "workplace",
    "work place": "workplace",
    "seksclub": "club", "privehuis": "club",
    "straat": "street", "tippelzone": "street",
    "internet": "online", "hotelkamer": "hotel", "hotel room": "hotel",
    "anders": "other", "overig": "other", "overige": "other",
})
BOOKING_CHANNEL_SYNONYMS = MappingProxyType({
    "boekingsplatform": "booking_platform", "boekingssite": "booking_platform",
    "platform": "booking_platform", "online platform": "booking_platform",
    "booking site": "booking_platform",
    "vakantiepark": "holiday_park",
    "rechtstreeks": "direct", "direct bij verhuurder": "direct",
    "onbekend": "unknown",
})
INVESTIGATION_SCOPE_SYNONYMS = MappingProxyType({
    "binnenlands": "domestic", "nationaal": "domestic", "national": "domestic",
    "internationaal": "international", "grensoverschrijdend": "international",
    "cross border": "international", "transnational": "international",
})
DECISION_SYNONYMS = MappingProxyType({
    "dagvaarding": "summons", "dagvaarden": "summons", "gedagvaard": "summons",
    "indictment": "summons",
    "technisch sepot": "technical_dismissal", "technical dismissal": "technical_dismissal",
    "beleidssepot": "policy_dismissal", "policy dismissal": "policy_dismissal",
    "voorwaardelijk sepot": "conditional_dismissal",
    "conditional dismissal": "conditional_dismissal",
    "strafbeschikking": "penalty_order", "penalty order": "penalty_order",
    "transactie": "settlement", "schikking": "settlement",
    "voeging": "joinder", "gevoegd": "joinder", "ad informandum": "joinder",
    "overdracht": "transfer", "overgedragen": "transfer",
    "overdracht strafvervolging": "transfer",
    "lopend": "pending", "in behandeling": "pending", "nog geen beslissing": "pending",
    "open": "pending",
})
OUTCOME_SYNONYMS = MappingProxyType({
    "veroordeling": "conviction", "veroordeeld": "conviction", "convicted": "conviction",
    "schuldig": "conviction", "guilty": "conviction",
    "vrijspraak": "acquittal", "vrijgesproken": "acquittal", "acquitted": "acquittal",
    "not guilty": "acquittal",
    "ontslag van alle rechtsvervolging": "discharge", "ontslag van rechtsvervolging": "discharge",
    "ovar": "discharge", "discharged": "discharge",
    "anders": "other", "overig": "other", "overige": "other",
})
#: Sex: besides SEX_ALIASES (the one-letter codes), the Dutch and English words.
SEX_SYNONYMS = MappingProxyType({
    **SEX_ALIASES,
    "vrouwelijk": "female", "woman": "female", "women": "female", "meisje": "female",
    "girl": "female",
    "mannelijk": "male", "jongen": "male", "boy": "male",
    "divers": "other", "non binair": "other", "non binary": "other", "overig": "other",
    "niet bekend": "unknown", "not known": "unknown", "onbekend geslacht": "unknown",
})
