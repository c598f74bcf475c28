"""The further breakdowns (thbmonitor.figures.breakdowns) on the session's realistic store."""

from __future__ import annotations

from typing import Any

import pytest

from thbmonitor.figures.breakdowns import count_breakdowns
from thbmonitor.store import Database


@pytest.fixture(scope="module")
def counted(realistic_db_path: Any, realistic_figures: dict[str, Any]) -> Any:
    with Database(realistic_db_path, create=False) as db:
        return count_breakdowns(db, 2020, 2024)


def _entry(figures: dict[str, Any], year: int) -> dict[str, Any]:
    return next(e for e in figures["series"] if e["year"] == year)


@pytest.mark.parametrize("year", [2020, 2022, 2024])
def test_breakdowns_add_up_to_the_figures(counted: Any, realistic_figures: dict[str, Any],
                                          year: int) -> None:
    fig, bd = _entry(realistic_figures, year), counted.tables[year]
    victims, chain = fig["victims"], fig["chain"]
    assert sum(bd["victims.by.age_band"].values()) == victims["by"]["age_group"]["adult"]
    assert sum(bd["victims.by.region"].values()) == victims["total"]
    for form, row in bd["victims.cross.exploitation_by_scope"].items():
        assert sum(row.values()) == victims["by"]["exploitation"][form]
    for form, row in bd["victims.cross.exploitation_by_sector"].items():
        assert sum(row.values()) == victims["by"]["exploitation"][form]
    for source_type, n in victims["by"]["source_type"].items():
        assert sum(bd["victims.cross.source_type_by_age_group"][source_type].values()) == n
        assert sum(bd["victims.cross.source_type_by_dutch"][source_type].values()) == n
    assert sum(bd["chain.suspects.by_sex"].values()) == chain["suspects"]["total"]
    assert sum(bd["chain.suspects.by_age"].values()) == chain["suspects"]["total"]
    assert (sum(bd["chain.prosecution.by_decision"].values()) + chain["prosecution"]["summons"]
            == chain["prosecution"]["decided"])
    assert (sum(bd["chain.verdicts.by_outcome"].values()) + chain["verdicts"]["convictions"]
            == chain["verdicts"]["total"])
    assert sum(bd["chain.verdicts.custodial"].values()) == chain["verdicts"]["convictions"]


def test_suspects_and_sentences_match_a_plain_recount(counted: Any,
                                                      realistic_db_path: Any) -> None:
    """An independent pandas recount of two tables from the stored rows."""
    with Database(realistic_db_path, create=False) as db:
        suspects = db.frame("SELECT registered_date, sex FROM suspects")
        verdicts = db.frame("SELECT verdict_date, outcome, custodial_months FROM verdicts")
    suspects = suspects[suspects.registered_date.astype(str).str.startswith("2024")]
    sexes = suspects.sex.where(suspects.sex.isin(["female", "male", "other"]), "unknown")
    assert counted.tables[2024]["chain.suspects.by_sex"] == {
        s: int((sexes == s).sum()) for s in ("female", "male", "other", "unknown")}
    convicted = verdicts[verdicts.verdict_date.astype(str).str.startswith("2024")
                         & (verdicts.outcome == "conviction")]
    months = convicted.custodial_months.fillna(0)
    assert counted.tables[2024]["chain.verdicts.custodial"] == {
        "none": int((months <= 0).sum()), "lt_12": int(((months > 0) & (months < 12)).sum()),
        "12_24": int(((months >= 12) & (months < 24)).sum()),
        "24_48": int(((months >= 24) & (months < 48)).sum()), "48_plus": int((months >= 48).sum())}
