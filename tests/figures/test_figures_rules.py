"""One rule at a time, on one person, with the expected class derived by hand."""

from __future__ import annotations

from datetime import date

import pytest
from figures_builder import StoreBuilder

from thbmonitor.figures import compute_figures
from thbmonitor.store import Database

Report = tuple[date, date | None, int | None]  # report date, date of birth, birth year


def age_group_of(reports: list[Report]) -> str:
    """The 2024 age group of one person with these reports."""
    with Database(":memory:") as db:
        builder = StoreBuilder(db)
        for i, (day, dob, birth_year) in enumerate(reports):
            builder.report("police-oost", f"r{i}", "police", day, ["sexual"], person="p",
                           date_of_birth=dob, birth_year=birth_year)
        table = compute_figures(db, day.year).to_dict()["victims"]["by"]["age_group"]
    assert sum(table.values()) == 1
    return next(group for group, n in table.items() if n == 1)


@pytest.mark.parametrize(("reports", "expected"), [
    # date of birth: full years on the first report date in the year
    ([(date(2024, 7, 7), date(2006, 7, 7), None)], "adult"),   # the 18th birthday itself
    ([(date(2024, 7, 6), date(2006, 7, 7), None)], "minor"),   # the day before
    ([(date(2026, 2, 28), date(2008, 2, 29), None)], "minor"),  # leap-day birthday
    ([(date(2026, 3, 1), date(2008, 2, 29), None)], "adult"),
    # the first report date counts, not a later one
    ([(date(2024, 1, 10), date(2006, 6, 1), None), (date(2024, 8, 1), None, None)], "minor"),
    # birth year only: minor or adult only when certain
    ([(date(2024, 1, 1), None, 2007)], "minor"),     # at most 17
    ([(date(2024, 12, 31), None, 2007)], "minor"),    # exactly 17
    ([(date(2024, 12, 30), None, 2006)], "unknown"),  # 17 or 18
    ([(date(2024, 12, 31), None, 2006)], "adult"),    # every birthday has passed
    ([(date(2024, 1, 1), None, 2005)], "adult"),      # at least 18
    # a date of birth from an earlier report beats a later bare birth year
    ([(date(2024, 2, 1), date(2000, 1, 1), None), (date(2024, 3, 1), None, 2010)], "adult"),
    # dates of birth that disagree: the most recent
    ([(date(2024, 2, 1), date(2000, 1, 1), None), (date(2024, 3, 1), date(2010, 1, 1), None)],
     "minor"),
    # nothing known
    ([(date(2024, 5, 5), None, None)], "unknown"),
])
def test_age_group(reports: list[Report], expected: str) -> None:
    assert age_group_of(reports) == expected


def test_birth_information_from_another_year_is_not_used() -> None:
    reports: list[Report] = [(date(2023, 5, 5), date(2010, 1, 1), None),
                             (date(2024, 5, 5), None, None)]
    assert age_group_of(reports) == "unknown"


@pytest.mark.parametrize(("scopes", "expected"), [
    (["domestic", "cross_border", "domestic"], "cross_border"),
    (["unknown", "domestic"], "domestic"),
    (["unknown"], "unknown"),
])
def test_scope_cross_border_wins(scopes: list[str], expected: str) -> None:
    with Database(":memory:") as db:
        builder = StoreBuilder(db)
        for i, scope in enumerate(scopes):
            builder.report("nla", f"r{i}", "labour_inspectorate", date(2024, 1, 1 + i),
                           ["labour"], person="p", scope=scope)
        table = compute_figures(db, 2024).to_dict()["victims"]["by"]["scope"]
    assert table == {s: int(s == expected) for s in ("domestic", "cross_border", "unknown")}


def test_exploitation_union_over_the_year_only() -> None:
    with Database(":memory:") as db:
        builder = StoreBuilder(db)
        builder.report("nla", "r1", "labour_inspectorate", date(2023, 12, 31), ["sexual"],
                       person="p")
        builder.report("nla", "r2", "labour_inspectorate", date(2024, 1, 1),
                       ["labour", "unknown"], person="p")
        builder.report("fw", "r3", "ngo", date(2024, 2, 1), ["unknown"], person="p")
        data = compute_figures(db, 2024).to_dict()["victims"]
    assert data["by"]["exploitation"]["labour"] == 1
    assert data["previous_by"]["exploitation"]["sexual"] == 1
    assert data["total"] == data["previous"] == 1
