"""Every count of CONTRACTS §3 on the hand-made store, against an independent recount."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from figures_builder import StoreBuilder
from figures_recount import check_adds_up, year_figures

from thbmonitor.errors import UsageError
from thbmonitor.figures import Figures, compute_figures
from thbmonitor.store import Database


@pytest.fixture
def figures(small_store: StoreBuilder) -> Figures:
    return compute_figures(small_store.db, 2024)


def test_every_count_matches_the_recount(small_store: StoreBuilder, figures: Figures) -> None:
    data = figures.to_dict()
    assert {k: v for k, v in data.items() if k not in ("findings", "series", "warnings")} == \
        year_figures(small_store, 2024)
    assert (data["available"], data["previous_available"]) == (True, True)
    # the three reports without a person are counted as persons of their own, and said so
    assert data["warnings"] and "3 reports are not linked" in data["warnings"][0]


def test_the_series_matches_the_recount_for_every_year(
    small_store: StoreBuilder, figures: Figures
) -> None:
    series = figures.to_dict()["series"]
    assert [entry["year"] for entry in series] == [2022, 2023, 2024]
    assert series == [year_figures(small_store, y) for y in (2022, 2023, 2024)]
    for entry in series:
        assert set(entry) == {"year", "available", "previous_available", "victims", "reports",
                              "chain"}
    # 2021 has no data: 2022 is compared with nothing, never with zeros
    assert series[0]["previous_available"] is False
    assert series[0]["victims"]["previous"] is None and series[0]["victims"]["change"] is None


def test_the_top_level_is_the_last_year_of_the_series(figures: Figures) -> None:
    data = figures.to_dict()
    assert list(data) == ["year", "available", "previous_available", "victims", "reports",
                          "chain", "findings", "warnings", "series"]
    assert data["findings"] == []
    assert data["series"][-1] == {k: data[k] for k in (
        "year", "available", "previous_available", "victims", "reports", "chain")}
    assert data["victims"]["previous_by"] == data["series"][-2]["victims"]["by"]


def test_every_year_adds_up(figures: Figures) -> None:
    for entry in figures.to_dict()["series"]:
        check_adds_up(entry)


def test_the_rules_on_the_hand_made_persons(figures: Figures) -> None:
    """Hand-derived numbers, so that the recount and the SQL cannot share a misreading."""
    victims = figures.to_dict()["victims"]
    by = victims["by"]
    # 2024: 11 linked persons (p-2023-only is not there) + 1 unlinked report.
    assert victims["total"] == 12
    assert victims["previous"] == 4  # p-stateless, p-dob-disagrees, p-2023-only, po-6
    assert victims["change"] == 8
    # minors: p-minor-multiple, p-minor-by-year, p-dob-disagrees, p-birthday (17 the day
    # before the birthday); unknown: p-unknown-age, p-borderline-year.
    assert by["age_group"] == {"minor": 4, "adult": 6, "unknown": 2}
    assert by["exploitation"] == {"sexual": 3, "labour": 3, "criminal": 3, "organ_removal": 0,
                                  "other": 1, "multiple": 1, "unknown": 1}
    assert by["scope"] == {"domestic": 6, "cross_border": 5, "unknown": 1}
    assert by["sex"] == {"female": 4, "male": 6, "other": 1, "unknown": 1}
    assert by["nationality"] == {"NL": 2, "MA": 1, "ER": 1, "UA": 2, "CO": 1, "US": 1, "NG": 1,
                                 "RO": 1, "stateless": 1, "unknown": 1}
    assert list(by["nationality"])[:2] == ["NL", "UA"]
    assert list(by["nationality"])[-2:] == ["stateless", "unknown"]
    assert by["nationality_group"] == {"NL": 2, "EU": 1, "europe_other": 2, "latin_america": 1,
                                       "africa": 3, "asia": 0, "other": 2, "unknown": 1}
    # p-minor-multiple counts for police and ngo; p-dob-disagrees once for police.
    assert by["source_type"]["police"] == 6
    assert by["source_type"]["ngo"] == 1
    assert victims["cross"]["exploitation_by_age_group"]["criminal"] == \
        {"minor": 3, "adult": 0, "unknown": 0}
    # 2023: p-dob-disagrees and p-2023-only are minors, p-stateless an adult, po-6 unknown.
    assert victims["previous_by"]["age_group"] == {"minor": 2, "adult": 1, "unknown": 1}


def test_the_chain_on_the_hand_made_cases(figures: Figures) -> None:
    chain = figures.to_dict()["chain"]
    assert chain["investigations"] == {
        "total": 5, "previous": 3,
        "by_exploitation": {"sexual": 2, "labour": 0, "criminal": 1, "organ_removal": 0,
                            "other": 0, "multiple": 1, "unknown": 1},
        "by_scope": {"domestic": 2, "international": 3},
        "sexual_by_scope": {"domestic": 1, "international": 1},
    }
    assert chain["suspects"] == {"total": 3, "previous": 2}
    # decided in 2024: c23-3 summons, c24-1 summons, c24-2 policy_dismissal; not pending,
    # joinder, transfer, a summons without a date, or a decision dated 2025.
    assert chain["prosecution"] == {"registered": 8, "previous": 3, "decided": 3, "summons": 2,
                                    "summons_pct": 66.7, "previous_summons_pct": 50.0}
    assert chain["verdicts"] == {"total": 3, "convictions": 2, "conviction_pct": 66.7}


def test_every_count_is_an_integer_and_pcts_are_floats(figures: Figures) -> None:
    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif path.endswith("_pct"):
            assert node is None or isinstance(node, float), path
        elif path.endswith("available"):
            assert type(node) is bool, path
        elif path.endswith("warnings"):
            assert all(isinstance(w, str) for w in node), path
        elif path.endswith(("previous", "change", "previous_by")) and node is None:
            assert ".series[0]." in path, path  # only the first year has no year before
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")
        else:
            assert type(node) is int, path

    walk(figures.to_dict(), "")


def test_an_empty_store_has_no_figures_not_a_table_of_zeros() -> None:
    with Database(":memory:") as db, pytest.raises(UsageError) as refused:
        compute_figures(db, 2024)
    assert str(refused.value) == ("no data for 2024: the store holds no data yet; import files "
                                  "with `thb import`")


@pytest.mark.parametrize("year", [2010, 2031])
def test_a_year_without_data_is_refused(small_store: StoreBuilder, year: int) -> None:
    """The defect: `thb report --year 2031` wrote "0 victims reported in 2031"."""
    with pytest.raises(UsageError) as refused:
        compute_figures(small_store.db, year)
    assert str(refused.value) == f"no data for {year}: the store holds data for 2022 to 2025"


def test_a_year_with_only_chain_data_has_figures(small_store: StoreBuilder) -> None:
    data = compute_figures(small_store.db, 2025).to_dict()
    assert data["victims"]["total"] == 0
    assert data["chain"]["prosecution"]["decided"] == 1  # the settlement of 2025
    assert [entry["year"] for entry in data["series"]] == [2022, 2023, 2024, 2025]
    assert data["victims"]["previous"] == 6 or data["victims"]["previous"] > 0


def test_a_year_after_a_year_without_data_is_compared_with_nothing() -> None:
    """The defect: the 2019 report said "1,336 more than in 2018" with no 2018 data."""
    with Database(":memory:") as db:
        builder = StoreBuilder(db)
        builder.report("police-oost", "a", "police", date(2022, 3, 1), ["sexual"], person="p1")
        builder.report("police-oost", "b", "police", date(2024, 3, 1), ["sexual"], person="p2")
        data = compute_figures(db, 2024).to_dict()
    assert data["previous_available"] is False
    assert data["victims"]["previous"] is None and data["victims"]["change"] is None
    assert data["victims"]["previous_by"] is None
    assert data["chain"]["investigations"]["previous"] is None
    assert [e["available"] for e in data["series"]] == [True, False, True]


def test_a_store_never_linked_is_refused() -> None:
    """The defect: on a store that was never linked the headline counted reports as victims."""
    with Database(":memory:") as db:
        builder = StoreBuilder(db)
        builder.report("police-oost", "a", "police", date(2024, 3, 1), ["sexual"])
        with pytest.raises(UsageError, match="not linked into persons yet"):
            compute_figures(db, 2024)
        assert compute_figures(db, 2024, allow_unlinked=True).to_dict()["warnings"]


def test_value_reads_a_dotted_path(figures: Figures) -> None:
    assert figures.value("victims.cross.exploitation_by_age_group.criminal.minor") == 3
    assert figures.value("victims.total", 2023) == 4
    with pytest.raises(KeyError):
        figures.value("victims.total", 1999)


def test_linking_two_reports_counts_one_person(small_store: StoreBuilder) -> None:
    before = compute_figures(small_store.db, 2024).to_dict()["victims"]["total"]
    small_store.db.execute(
        "INSERT INTO person_reports VALUES ('police-oost', 'po-5', 'p-unknown-age')"
    )
    after = compute_figures(small_store.db, 2024).to_dict()
    assert after["victims"]["total"] == before - 1
    check_adds_up(after)


def test_an_impossible_year_is_a_usage_error(small_store: StoreBuilder) -> None:
    with pytest.raises(UsageError, match="out of range"):
        compute_figures(small_store.db, 0)
