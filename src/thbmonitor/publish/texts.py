"""Texts in Dutch and English: gettext catalogues, category labels, numbers per locale.

The catalogues are the ``.po`` files in ``locale/{nl,en}/LC_MESSAGES/thbmonitor.po``;
they are read at run time (``babel.messages.pofile.read_po``), so no compile
step is needed. msgids are English. Numbers and percentages are formatted with
Babel for the report's language (Dutch: ``1.234`` and ``52%``; English: ``1,234``
and ``52%``). Every label that code looks up from data is marked with ``N_`` so
that extraction (and the catalogue test) sees it.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

import pycountry
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from thbmonitor.errors import UsageError

__all__ = ["LANGUAGES", "NOT_PUBLISHED", "Texts", "finding_text", "texts_for", "translations"]

LANGUAGES = ("nl", "en")
DOMAIN = "thbmonitor"
LOCALE_DIR = Path(__file__).parent / "locale"
#: Marker for a null (suppressed, not publishable) cell in tables.
NOT_PUBLISHED = "·"


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is used."""
    return message


EXPLOITATION_LABEL = {
    "sexual": N_("Sexual exploitation"), "labour": N_("Labour exploitation"),
    "criminal": N_("Criminal exploitation"), "organ_removal": N_("Forced organ removal"),
    "other": N_("Other forms"), "multiple": N_("More than one form"), "unknown": N_("Unknown"),
}
FORM = {
    "sexual": N_("sexual exploitation"), "labour": N_("labour exploitation"),
    "criminal": N_("criminal exploitation"), "organ_removal": N_("forced organ removal"),
    "other": N_("other forms of exploitation"),
    "multiple": N_("more than one form of exploitation"),
    "unknown": N_("an unknown form of exploitation"),
}
AGE_LABEL = {"minor": N_("Minors"), "adult": N_("Adults"), "unknown": N_("Unknown")}
AGE_WHAT = {
    "minor": N_("minor victims"), "adult": N_("adult victims"),
    "unknown": N_("victims of unknown age"),
}
AGE_FORM_WHAT = {
    "minor": N_("minor victims of %(form)s"), "adult": N_("adult victims of %(form)s"),
    "unknown": N_("victims of %(form)s of unknown age"),
}
SEX_LABEL = {
    "female": N_("Female"), "male": N_("Male"), "other": N_("Other"), "unknown": N_("Unknown"),
}
SEX_WHAT = {
    "female": N_("female victims"), "male": N_("male victims"),
    "other": N_("victims of another sex"), "unknown": N_("victims of unknown sex"),
}
SCOPE_LABEL = {
    "domestic": N_("Domestic"), "cross_border": N_("Cross-border"), "unknown": N_("Unknown"),
}
SCOPE_WHAT = {
    "domestic": N_("victims of domestic trafficking"),
    "cross_border": N_("victims of cross-border trafficking"),
    "unknown": N_("victims of trafficking of unknown scope"),
}
SOURCE_LABEL = {
    "police": N_("Police"), "border_police": N_("Border police"),
    "labour_inspectorate": N_("Labour inspectorate"), "care_coordinator": N_("Care coordinators"),
    "reception_centre": N_("Reception centres"), "guardianship": N_("Guardianship"),
    "municipality": N_("Municipalities"), "shelter": N_("Shelters"), "ngo": N_("NGOs"),
    "lawyer": N_("Lawyers"), "self": N_("Self-reported"), "other": N_("Other"),
    "care": N_("Care coordinators"),
}
SOURCE = {
    "police": N_("the police"), "border_police": N_("the border police"),
    "labour_inspectorate": N_("the labour inspectorate"),
    "care_coordinator": N_("care coordinators"),
    "reception_centre": N_("reception centres"),
    "guardianship": N_("the guardianship organisation"),
    "municipality": N_("municipalities"), "shelter": N_("shelters"),
    "ngo": N_("non-governmental organisations"), "lawyer": N_("lawyers"),
    "self": N_("victims themselves"), "other": N_("other organisations"),
}
GROUP_LABEL = {
    "NL": N_("Dutch"), "EU": N_("Other EU"), "europe_other": N_("Europe outside the EU"),
    "latin_america": N_("Latin America"), "africa": N_("Africa"), "asia": N_("Asia"),
    "other": N_("Other"), "unknown": N_("Unknown"),
}
ORIGIN = {
    "NL": N_("with Dutch nationality"), "EU": N_("from other EU countries"),
    "europe_other": N_("from European countries outside the EU"),
    "latin_america": N_("from Latin America"), "africa": N_("from Africa"), "asia": N_("from Asia"),
    "other": N_("from other countries"), "unknown": N_("of unknown nationality"),
}
NATIONALITY_SPECIAL = {"stateless": N_("Stateless"), "unknown": N_("Unknown")}
NATIONALITY_SPECIAL_WHAT = {
    "stateless": N_("stateless victims"), "unknown": N_("victims of unknown nationality"),
}
INVESTIGATION_SCOPE_LABEL = {"domestic": N_("Domestic"), "international": N_("International")}
CHAIN_STAGE = {
    "investigations": N_("Police investigations"), "suspects": N_("Suspects"),
    "registered": N_("Registered at the prosecution service"),
    "decided": N_("Decided by the prosecution service"),
    "summons": N_("Brought before a judge (summons)"), "verdicts": N_("First-instance verdicts"),
    "convictions": N_("Convictions"),
}
FILE_KIND_LABEL = {
    "reports": N_("Reports"), "locations": N_("Locations"),
    "investigations": N_("Police investigations"), "suspects": N_("Suspects"),
    "cases": N_("Prosecution cases"), "verdicts": N_("Verdicts"),
    "organisations": N_("Organisations"), "persons": N_("Persons"),
}
TABLE_TITLE = {
    "exploitation": N_("Form of exploitation"), "age_group": N_("Age group"), "sex": N_("Sex"),
    "scope": N_("Scope"), "source_type": N_("Reported by"), "nationality": N_("Nationality"),
    "nationality_group": N_("Nationality group"),
}
LABELS = {
    "exploitation": EXPLOITATION_LABEL, "age_group": AGE_LABEL, "sex": SEX_LABEL,
    "scope": SCOPE_LABEL, "source_type": SOURCE_LABEL, "nationality_group": GROUP_LABEL,
    "by_exploitation": EXPLOITATION_LABEL, "by_source_type": SOURCE_LABEL,
    "by_scope": INVESTIGATION_SCOPE_LABEL, "sexual_by_scope": INVESTIGATION_SCOPE_LABEL,
    "file_kind": FILE_KIND_LABEL,
}
#: Fixed metrics: the plural noun phrase a sentence counts ("the number of ...").
FIXED_WHAT = {
    "victims.total": N_("victims"),
    "reports.total": N_("reports"),
    "chain.investigations.total": N_("police investigations"),
    "chain.investigations.by_scope.domestic": N_("domestic police investigations"),
    "chain.investigations.by_scope.international": N_("international police investigations"),
    "chain.investigations.sexual_by_scope.domestic":
        N_("domestic police investigations into sexual exploitation"),
    "chain.investigations.sexual_by_scope.international":
        N_("international police investigations into sexual exploitation"),
    "chain.suspects.total": N_("suspects"),
    "chain.prosecution.registered": N_("cases registered at the prosecution service"),
    "chain.prosecution.decided": N_("cases decided by the prosecution service"),
    "chain.prosecution.summons": N_("cases brought before a judge"),
    "chain.verdicts.total": N_("first-instance verdicts"),
    "chain.verdicts.convictions": N_("convictions"),
}
PERCENT_SUBJECT = {
    "chain.prosecution.summons_pct": N_("the share of decided cases brought before a judge"),
    "chain.verdicts.conviction_pct": N_("the conviction rate"),
}
SENTENCE = {
    ("up", "moderate", False): N_("%(subject)s rose: from %(previous)s in %(previous_year)s "
                                  "to %(value)s in %(year)s."),
    ("up", "strong", False): N_("%(subject)s rose strongly: from %(previous)s in "
                                "%(previous_year)s to %(value)s in %(year)s."),
    ("down", "moderate", False): N_("%(subject)s fell: from %(previous)s in %(previous_year)s "
                                    "to %(value)s in %(year)s."),
    ("down", "strong", False): N_("%(subject)s fell sharply: from %(previous)s in "
                                  "%(previous_year)s to %(value)s in %(year)s."),
    ("up", "moderate", True): N_("%(subject)s rises again: from %(previous)s in "
                                 "%(previous_year)s to %(value)s in %(year)s."),
    ("up", "strong", True): N_("%(subject)s rises again, strongly: from %(previous)s in "
                               "%(previous_year)s to %(value)s in %(year)s."),
    ("down", "moderate", True): N_("%(subject)s keeps falling: from %(previous)s in "
                                   "%(previous_year)s to %(value)s in %(year)s."),
    ("down", "strong", True): N_("%(subject)s keeps falling sharply: from %(previous)s in "
                                 "%(previous_year)s to %(value)s in %(year)s."),
}
#: A finding on the trend alone (the change from last year was not significant).
TREND_SENTENCE = {
    ("up", "moderate"): N_("%(subject)s has risen over the last %(years)s years: from "
                           "%(first)s in %(first_year)s to %(value)s in %(year)s."),
    ("up", "strong"): N_("%(subject)s has risen strongly over the last %(years)s years: from "
                         "%(first)s in %(first_year)s to %(value)s in %(year)s."),
    ("down", "moderate"): N_("%(subject)s has fallen over the last %(years)s years: from "
                             "%(first)s in %(first_year)s to %(value)s in %(year)s."),
    ("down", "strong"): N_("%(subject)s has fallen sharply over the last %(years)s years: from "
                           "%(first)s in %(first_year)s to %(value)s in %(year)s."),
}
#: English country names that take an article in running text.
ENGLISH_ARTICLE = {"NL", "US", "GB", "PH", "AE", "DO", "CD", "CF", "BS", "GM", "KM", "MV", "SC"}


@cache
def translations(lang: str) -> Translations:
    """The gettext catalogue for a language, read from its ``.po`` file."""
    if lang not in LANGUAGES:
        raise UsageError(f"Unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}.")
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


class Texts:
    """Every word and number of the publication in one language."""

    def __init__(self, lang: str) -> None:
        self.translations = translations(lang)
        self.lang = lang
        self.locale = Locale.parse(lang)

    def _(self, message: str, **values: Any) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        return self.translations.ngettext(singular, plural, n) % values

    def number(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return NOT_PUBLISHED
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, pct: float | None, digits: int = 0) -> str:
        """A percentage given on the 0-100 scale, e.g. 52.0 -> '52%'."""
        if pct is None:
            return NOT_PUBLISHED
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
        return format_percent(pct / 100, format=pattern, locale=self.locale)

    def value(self, metric: str, value: float | None) -> str:
        return self.percent(value) if metric.endswith("_pct") else self.number(value)

    def country(self, code: str) -> str:
        """A nationality code (alpha-2 or alpha-3) as a country name in this language."""
        if code in NATIONALITY_SPECIAL:
            return self._(NATIONALITY_SPECIAL[code])
        alpha2 = code.upper()
        if len(alpha2) == 3:
            found = pycountry.countries.get(alpha_3=alpha2)
            alpha2 = found.alpha_2 if found is not None else alpha2
        return str(self.locale.territories.get(alpha2, code))

    def label(self, table: str, key: str) -> str:
        """A category's label for a table row or chart axis."""
        if table == "nationality":
            return self.country(key)
        if table == "chain":
            return self._(CHAIN_STAGE[key]) if key in CHAIN_STAGE else key
        labels = LABELS.get(table, {})
        return self._(labels[key]) if key in labels else key

    def table_title(self, table: str) -> str:
        return self._(TABLE_TITLE[table]) if table in TABLE_TITLE else table

    def _form(self, key: str) -> str:
        return self._(FORM[key]) if key in FORM else key

    def _source(self, key: str) -> str:
        return self._(SOURCE[key]) if key in SOURCE else key

    def _origin(self, key: str) -> str:
        return self._(ORIGIN[key]) if key in ORIGIN else key

    def what(self, metric: str) -> str:
        """The plural noun phrase a count is about: 'minor victims of criminal exploitation'."""
        if metric in FIXED_WHAT:
            return self._(FIXED_WHAT[metric])
        parts = metric.split(".")
        head, rest = ".".join(parts[:3]), parts[3:]
        if head == "victims.by.exploitation" and len(rest) == 1:
            return self._("victims of %(form)s", form=self._form(rest[0]))
        if head == "victims.by.age_group" and len(rest) == 1 and rest[0] in AGE_WHAT:
            return self._(AGE_WHAT[rest[0]])
        if head == "victims.by.sex" and len(rest) == 1 and rest[0] in SEX_WHAT:
            return self._(SEX_WHAT[rest[0]])
        if head == "victims.by.scope" and len(rest) == 1 and rest[0] in SCOPE_WHAT:
            return self._(SCOPE_WHAT[rest[0]])
        if head == "victims.by.source_type" and len(rest) == 1:
            return self._("victims reported by %(source)s", source=self._source(rest[0]))
        if head == "victims.by.nationality" and len(rest) == 1:
            if rest[0] in NATIONALITY_SPECIAL_WHAT:
                return self._(NATIONALITY_SPECIAL_WHAT[rest[0]])
            country = self.country(rest[0])
            if self.lang == "en" and rest[0].upper() in ENGLISH_ARTICLE:
                country = "the " + country
            return self._("victims from %(country)s", country=country)
        if head == "victims.by.nationality_group" and len(rest) == 1:
            return self._("victims %(origin)s", origin=self._origin(rest[0]))
        if head == "victims.cross.exploitation_by_age_group" and len(rest) == 2:
            form, age = rest
            if age in AGE_FORM_WHAT:
                return self._(AGE_FORM_WHAT[age], form=self._form(form))
        if head == "victims.cross.exploitation_by_nationality_group" and len(rest) == 2:
            form, group = rest
            return self._("victims of %(form)s %(origin)s", form=self._form(form),
                          origin=self._origin(group))
        if metric.startswith("reports.by_source_type.") and len(parts) == 3:
            return self._("reports from %(source)s", source=self._source(parts[2]))
        if metric.startswith("chain.investigations.by_exploitation.") and len(parts) == 4:
            return self._("police investigations into %(form)s", form=self._form(parts[3]))
        return self._("cases counted as %(metric)s", metric=metric)

    def subject(self, metric: str) -> str:
        """The subject of a sentence about a metric: 'the number of ...' or a percentage."""
        if metric in PERCENT_SUBJECT:
            return self._(PERCENT_SUBJECT[metric])
        return self._("the number of %(what)s", what=self.what(metric))

    def metric_label(self, metric: str) -> str:
        """A metric as a table row label: 'Minor victims of criminal exploitation'."""
        if metric in PERCENT_SUBJECT:
            return _capitalize(self._(PERCENT_SUBJECT[metric]))
        return _capitalize(self.what(metric))

    def finding(self, metric: str, direction: str, strength: str, streak: int,
                value: float, previous: float | None, year: int, *,
                previous_below: int | None = None,
                trend_from: tuple[int, float] | None = None) -> str:
        """The finding as the Rapporteur would write it.

        ``previous_below``: last year's value is not published, only that it was
        below this threshold ("from fewer than 10"). ``trend_from``: a finding on
        the trend alone, worded from its first year's value.
        """
        if trend_from is not None:
            first_year, first = trend_from
            sentence = self._(
                TREND_SENTENCE[(direction, strength)], subject=self.subject(metric),
                first=self.value(metric, first), first_year=first_year,
                value=self.value(metric, value), year=year, years=year - first_year + 1,
            )
            return _capitalize(sentence)
        template = SENTENCE[(direction, strength, streak >= 2)]
        shown = (self._("fewer than %(threshold)s", threshold=self.number(previous_below))
                 if previous_below is not None else self.value(metric, previous))
        sentence = self._(
            template, subject=self.subject(metric), value=self.value(metric, value),
            previous=shown, year=year, previous_year=year - 1,
        )
        if streak >= 3:
            sentence += " " + self._("That is %(streak)s years in a row.", streak=streak)
        return _capitalize(sentence)


@cache
def texts_for(lang: str) -> Texts:
    """The (cached) texts for 'nl' or 'en'."""
    return Texts(lang)


def finding_text(lang: str, metric: str, direction: str, strength: str, streak: int,
                 value: float, previous: float | None, year: int, *,
                 previous_below: int | None = None,
                 trend_from: tuple[int, float] | None = None) -> str:
    """One finding's sentence in one language."""
    return texts_for(lang).finding(metric, direction, strength, streak, value, previous, year,
                                   previous_below=previous_below, trend_from=trend_from)
