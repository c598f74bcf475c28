"""Every name comes from the generator's lists; report names derive from the true name."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

from thbmonitor.synth.names import (
    CYRILLIC_LOCALES,
    NIGERIAN_LOCALES,
    SECOND_GIVEN_FROM,
    SECOND_GIVEN_SHARE,
    SPANISH_LOCALES,
    name_pool,
    romanise,
    vietnamese_surnames,
)

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


def _pool_names(locale: str) -> tuple[set[str], set[str], set[str]]:
    pool = name_pool(locale)
    given = {n for s in pool.given.values() for n in s[0]}
    family = {n for s in pool.family.values() for n in s[0]}
    middle = {n for s in pool.middle.values() for n in s[0]}
    return given, family, middle


def test_true_names_come_from_the_generator_lists(tables: Tables) -> None:
    p = tables["gt_persons"]
    named = p[p["given_name"] != ""].drop_duplicates("person_id")
    assert len(named) > 5000
    for locale, rows in named.groupby("name_locale"):
        given, family, middle = _pool_names(str(locale))
        if locale == "en_NG":  # the Nigerian locales' family names together
            assert family == set().union(*(_faker_names(loc)[1] for loc in NIGERIAN_LOCALES))
        elif locale != "vi_VN":  # Faker's lists as they are
            faker_given, faker_family = _faker_names(str(locale))
            assert given <= faker_given and family <= faker_family, locale
        if not middle:
            assert set(rows["given_name"]) <= given, locale
        else:
            parts = {name for g in rows["given_name"] for name in (
                g.split(" ", 1) if locale != "vi_VN" else _vi_split(g, middle))}
            assert parts <= given | middle, locale
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


def _vi_split(given: str, middle: set[str]) -> list[str]:
    """A Vietnamese given name is a middle name (one word or two, 'Mai Bảo') and a name."""
    head, _, last = given.rpartition(" ")
    assert head in middle, given
    return [head, last]


def test_vietnamese_names_have_a_middle_name_and_real_family_name_skew(tables: Tables) -> None:
    p = tables["gt_persons"].drop_duplicates("person_id")
    p = p[p["given_name"] != ""]
    vi = p[p["name_locale"] == "vi_VN"]
    assert len(vi) > 100
    assert vi["given_name"].str.contains(" ").all()
    assert not vi.loc[vi["sex"] == "male", "given_name"].str.startswith("Thị ").any()
    assert not vi.loc[vi["sex"] == "female", "given_name"].str.startswith("Văn ").any()
    names, weights = vietnamese_surnames()
    assert dict(zip(names, weights, strict=True))["Nguyễn"] == pytest.approx(38.4 / 89.1, abs=1e-9)
    assert (vi["family_name"] == "Nguyễn").mean() == pytest.approx(0.431, abs=0.08)


def test_nigerian_second_given_names(tables: Tables) -> None:
    p = tables["gt_persons"].drop_duplicates("person_id")
    p = p[p["given_name"] != ""]
    for locale, source in SECOND_GIVEN_FROM.items():
        rows = p[p["name_locale"] == locale]
        assert len(rows) > 50, locale
        two = rows["given_name"].str.split(" ", n=1)
        has = two.str.len() == 2
        assert has.mean() == pytest.approx(SECOND_GIVEN_SHARE, abs=0.12), locale
        seconds = set(two[has].str[1])
        assert seconds <= _faker_names(source)[0], locale
        assert (two[has].str[0] != two[has].str[1]).all()
