"""Texts: numbers per locale, labels, finding sentences and complete catalogues."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2.ext
import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from publish_builder import release_figures, steady

from thbmonitor import vocab
from thbmonitor.errors import UsageError
from thbmonitor.publish import texts as texts_module
from thbmonitor.publish.findings import metric_paths
from thbmonitor.publish.texts import LANGUAGES, finding_text, texts_for

PUBLISH = Path(texts_module.__file__).parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def used_msgids() -> set[str | tuple[str, ...]]:
    """Every msgid in the publish code and the report template (as babel extracts them)."""
    found: set[str | tuple[str, ...]] = set()
    for path in sorted(PUBLISH.glob("*.py")):
        with path.open("rb") as handle:
            found.update(message for _, message, _, _ in extract("python", handle))
    for path in sorted((PUBLISH / "templates").glob("*.j2")):
        with path.open("rb") as handle:
            found.update(message for _, message, _, _ in extract(
                jinja2.ext.babel_extract, handle, options={"extensions": "jinja2.ext.i18n"}))
    return found


def catalogue(lang: str):  # type: ignore[no-untyped-def]
    path = PUBLISH / "locale" / lang / "LC_MESSAGES" / "thbmonitor.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def untranslated(lang: str, used: set[str | tuple[str, ...]]) -> list[str | tuple[str, ...]]:
    """The msgids in ``used`` without a non-empty translation in the catalogue."""
    catalog = catalogue(lang)
    missing = []
    for msgid in sorted(used, key=str):
        message = catalog.get(msgid[0] if isinstance(msgid, tuple) else msgid)
        strings = message.string if message is not None else None
        ok = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        if not ok:
            missing.append(msgid)
    return missing


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_msgid_used_in_code_is_translated(lang: str) -> None:
    used = used_msgids()
    assert len(used) > 150
    assert untranslated(lang, used) == []
    # and the check does catch a message nobody translated
    assert untranslated(lang, used | {"A sentence nobody translated"}) == [
        "A sentence nobody translated"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    for message in catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, message.id


def test_numbers_follow_the_locale() -> None:
    nl, en = texts_for("nl"), texts_for("en")
    assert nl.number(1234) == "1.234"
    assert en.number(1234) == "1,234"
    assert nl.number(4.37, 1) == "4,4"
    assert en.number(4.37, 1) == "4.4"
    assert nl.percent(52) == "52%"
    assert en.percent(52) == "52%"
    assert nl.percent(52.4, 1) == "52,4%"
    assert en.percent(52.4, 1) == "52.4%"
    assert nl.number(None) == "·"


def test_labels_and_countries_are_translated() -> None:
    nl, en = texts_for("nl"), texts_for("en")
    assert nl.label("exploitation", "sexual") == "Seksuele uitbuiting"
    assert en.label("exploitation", "sexual") == "Sexual exploitation"
    assert nl.label("age_group", "minor") == "Minderjarigen"
    assert en.label("age_group", "minor") == "Minors"
    assert nl.country("UA") == "Oekraïne"
    assert en.country("UKR") == "Ukraine"
    assert nl.label("source_type", "police") == "Politie"
    assert nl.label("chain", "convictions") == "Veroordelingen"


def test_finding_sentence_reads_like_the_rapporteur() -> None:
    metric = "victims.cross.exploitation_by_age_group.criminal.minor"
    assert finding_text("nl", metric, "up", "strong", 1, 42, 13, 2024) == (
        "Het aantal minderjarige slachtoffers van criminele uitbuiting steeg sterk: "
        "van 13 in 2023 naar 42 in 2024.")
    assert finding_text("en", metric, "up", "strong", 1, 42, 13, 2024) == (
        "The number of minor victims of criminal exploitation rose strongly: "
        "from 13 in 2023 to 42 in 2024.")


def test_finding_sentences_format_numbers_and_name_countries() -> None:
    assert finding_text("nl", "victims.total", "down", "moderate", 2, 1234, 1372, 2020) == (
        "Het aantal slachtoffers blijft dalen: van 1.372 in 2019 naar 1.234 in 2020.")
    assert finding_text("en", "victims.by.nationality.UA", "up", "strong", 1, 51, 7, 2022) == (
        "The number of victims from Ukraine rose strongly: from 7 in 2021 to 51 in 2022.")
    latin = "victims.cross.exploitation_by_nationality_group.sexual.latin_america"
    assert finding_text("nl", latin, "up", "strong", 2, 68, 26, 2023) == (
        "Het aantal slachtoffers van seksuele uitbuiting uit Latijns-Amerika stijgt opnieuw "
        "sterk: van 26 in 2022 naar 68 in 2023.")
    assert finding_text("en", "victims.by.nationality.NL", "up", "moderate", 1, 500, 400,
                        2024).startswith("The number of victims from the Netherlands rose")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_tested_metric_has_its_own_wording(lang: str) -> None:
    t = texts_for(lang)
    figures = release_figures(steady())
    phrases = {metric: t.subject(metric) for metric in metric_paths(figures)}
    generic = [m for m, phrase in phrases.items() if m in phrase]
    assert generic == []
    same: dict[str, list[str]] = {}
    for metric, phrase in phrases.items():
        same.setdefault(phrase, []).append(metric)
    # the one pair that is the same quantity under two names
    assert [m for m in same.values() if len(m) > 1] == [
        ["victims.by.nationality.unknown", "victims.by.nationality_group.unknown"]]


def test_unknown_language_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="nl, en"):
        texts_for("de")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_vocabulary_key_has_a_label_and_wording(lang: str) -> None:
    t = texts_for(lang)
    tables = {"exploitation": vocab.EXPLOITATION_CATEGORIES, "age_group": vocab.AGE_GROUPS,
              "sex": vocab.SEXES, "scope": vocab.SCOPES, "source_type": vocab.SOURCE_TYPES,
              "nationality_group": vocab.NATIONALITY_GROUPS}
    for table, keys in tables.items():
        for key in keys:
            assert t.label(table, key) != key, (table, key)
            assert "victims." not in t.subject(f"victims.by.{table}.{key}")
    for key in vocab.INVESTIGATION_SCOPES:
        assert t.label("by_scope", key) != key
        assert "chain." not in t.subject(f"chain.investigations.sexual_by_scope.{key}")
    for key in ("NL", "UA", "XK", "stateless", "unknown"):
        assert t.label("nationality", key) != key
