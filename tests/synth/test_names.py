"""Every name comes from Faker's locale lists; report names derive from the true name."""

from __future__ import annotations

import importlib

import pandas as pd

from thbmonitor.synth.names import CYRILLIC_LOCALES, SPANISH_LOCALES, romanise

Tables = dict[str, pd.DataFrame]


def _faker_names(locale: str) -> tuple[set[str], set[str]]:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    given: set[str] = set()
    family: set[str] = set()
    for attr in ("first_names", "first_names_female", "first_names_male"):
        given |= set(getattr(provider, attr, ()) or ())
    for attr in ("last_names", "last_names_female", "last_names_male"):
        family |= set(getattr(provider, attr, ()) or ())
    return given, family


def test_true_names_come_from_faker_lists(tables: Tables) -> None:
    p = tables["gt_persons"]
    named = p[p["given_name"] != ""].drop_duplicates("person_id")
    assert len(named) > 5000
    for locale, rows in named.groupby("name_locale"):
        given, family = _faker_names(str(locale))
        assert set(rows["given_name"]) <= given, locale
        assert set(rows["family_name"]) <= family, locale
        second = set(rows["family_name_2"]) - {""}
        assert second <= family, locale
        assert bool(second) == (locale in SPANISH_LOCALES)


def test_report_names_after_undoing_noise_are_the_true_names(tables: Tables) -> None:
    r = tables["reports"].merge(tables["gt_report_persons"], on=["source", "report_id"])
    truth = tables["gt_persons"].drop_duplicates("person_id").set_index("person_id")
    r = r.join(truth[["given_name", "family_name", "family_name_2", "name_locale"]],
               on="person_id", rsuffix="_true")
    clean = r[~r["noise"].str.contains("typo|surname_")]
    checked = 0
    for row in clean.itertuples(index=False):
        given, family = row.given_name, row.family_name
        if "swap" in row.noise.split(";"):
            given, family = family, given
        true_given, true_family = row.given_name_true, row.family_name_true
        if row.family_name_2:
            true_family = f"{true_family} {row.family_name_2}"
        lang = CYRILLIC_LOCALES.get(row.name_locale)
        if lang:
            tags = row.noise.split(";")
            system = next(t.split(":")[1] for t in tags if t.startswith("romanised"))
            true_given = romanise(true_given, lang, system)
            true_family = romanise(true_family, lang, system)
        assert (given, family) == (true_given, true_family)
        checked += 1
    assert checked > 4000


def test_romanisation_systems_differ() -> None:
    name = "Шевченко"
    variants = {romanise(name, "uk", s) for s in ("national", "scholarly", "german")}
    assert variants == {"Shevchenko", "Ševčenko", "Schewtschenko"}
    assert romanise("Юлія", "uk", "national") == "Yuliia"
    assert romanise("Щербаков", "ru", "bgn") == "Shcherbakov"
    assert romanise("Стоянова", "bg", "official") == "Stoyanova"
