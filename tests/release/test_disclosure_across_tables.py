"""Disclosure control across releases for the further breakdowns (issue 15, CONTRACTS §7).

A planted leak in a breakdown table. The figures (sex) are large and published in both
releases; the breakdown by region is where the small cell is:

* release 2024-1: female 24, male 20 (total 44); regions noord 5, oost 19, midden 20.
  Protected on its own: noord (primary) and oost (the cheaper partner) suppressed.
* late reports add two men: release 2024-2 has male 22 (total 46) and oost 21. Protected
  on its own the cheaper partner is now midden: it publishes oost = 21.

Each release passes its own audit, and the audit of the figures across releases sees
nothing (their cells are all published). Together with the breakdowns: the revision
moved every cell by at most 2, so oost in 2024-1 lies in [19, 23] and noord = 44 - 20 -
oost in [1, 5]: the five victims of noord are recovered as small.
"""

from __future__ import annotations

from typing import Any

import pytest

from thbmonitor.disclosure import protect_figures
from thbmonitor.disclosure.releases import (
    ReleaseCells,
    audit_releases,
    protect_across,
    release_cells,
)
from thbmonitor.figures.breakdowns import Breakdowns
from thbmonitor.publish.protection import ProtectedBreakdowns, protect_breakdowns
from thbmonitor.publish.release import apply_across, breakdown_cells

T = 10
YEAR = 2024
#: The tables `protect_breakdowns` always reads; empty here (no relation is made of them).
EMPTY = ("victims.by.age_band", "chain.suspects.by_sex", "chain.suspects.by_age",
         "chain.prosecution.by_decision", "chain.verdicts.by_outcome", "chain.verdicts.custodial")


def figures(female: int, male: int) -> dict[str, Any]:
    return {"year": YEAR, "victims": {"total": female + male,
                                      "by": {"sex": {"female": female, "male": male}}}}


def one_release(rid: str, male: int, regions: dict[str, int], *, with_tables: bool = True
                ) -> tuple[dict[str, Any], Breakdowns, ProtectedBreakdowns, ReleaseCells]:
    """A release protected on its own: its figures, breakdowns and cells."""
    raw = figures(24, male)
    shown_figures = protect_figures(raw, threshold=T).to_dict()
    counted = Breakdowns(YEAR, YEAR, {YEAR: {"victims.by.region": regions,
                                             **{name: {} for name in EMPTY}}})
    shown = protect_breakdowns(raw, shown_figures, counted, threshold=T, years=[YEAR])
    tables = breakdown_cells(raw, counted, shown, {}) if with_tables else None
    return raw, counted, shown, release_cells(rid, raw, shown_figures, tables)


@pytest.fixture
def planted() -> tuple[Any, Any]:
    first = one_release("2024-1", 20, {"noord": 5, "oost": 19, "midden": 20})
    second = one_release("2024-2", 22, {"noord": 5, "oost": 21, "midden": 20})
    return first, second


def test_each_release_alone_suppresses_a_different_partner(planted) -> None:
    first, second = planted
    assert first[2].suppressed == ["2024:victims.by.region.noord", "2024:victims.by.region.oost"]
    assert second[2].suppressed == ["2024:victims.by.region.midden",
                                    "2024:victims.by.region.noord"]
    assert first[2].audit.ok and second[2].audit.ok
    assert second[2].tables[YEAR]["victims.by.region"]["oost"] == 21


def test_the_figures_alone_do_not_see_the_leak(planted) -> None:
    """What protection across releases covered before: the figures' cells only."""
    (raw1, _c1, _s1, cells1), (raw2, _c2, _s2, cells2) = planted
    figures_only = [ReleaseCells(c.release_id, c.values, c.published) for c in (cells1, cells2)]
    assert audit_releases(figures_only, T).ok


def test_the_audit_across_releases_catches_the_breakdown_leak(planted) -> None:
    (_r1, _c1, _s1, cells1), (_r2, _c2, _s2, cells2) = planted
    report = audit_releases([cells1, cells2], T)
    assert not report.ok
    failed = {f.path: (f.lower, f.upper) for f in report.failures}
    assert failed["2024-1|2024:victims.by.region.noord"] == pytest.approx((1, 5))


def test_protection_across_releases_prevents_it(planted) -> None:
    (_r1, _c1, _s1, cells1), (raw2, counted2, shown2, cells2) = planted
    extra, report = protect_across([cells1], cells2, T)
    assert report.ok
    assert "2024:victims.by.region.oost" in extra
    published, breakdowns, _concerns = apply_across(
        extra, protect_figures(raw2, threshold=T).to_dict(), shown2, {}, None)
    assert breakdowns is not None
    assert breakdowns.tables[YEAR]["victims.by.region"] == {"noord": None, "oost": None,
                                                           "midden": None}
    assert "2024:victims.by.region.oost" in breakdowns.suppressed
    assert shown2.tables[YEAR]["victims.by.region"]["oost"] == 21, "the input is not changed"
    again = release_cells("2024-2", raw2, published,
                          breakdown_cells(raw2, counted2, breakdowns, {}))
    union = audit_releases([cells1, again], T)
    assert union.ok, [f.to_dict() for f in union.failures]
    for cell in union.cells:
        if cell.role == "suppressed":
            assert cell.upper is None or (cell.upper >= T and cell.upper - cell.lower >= 2)


def test_the_cells_of_a_release_survive_the_store(planted) -> None:
    """The tables' cells and relations are kept with the release as JSON (`cells`)."""
    import json

    (_r1, _c1, _s1, cells1), _second = planted
    back = ReleaseCells.from_dict(json.loads(json.dumps(cells1.to_dict())))
    assert back == cells1
    assert back.tables.relations, "the region table adds up to the victims"
    old = {k: v for k, v in cells1.to_dict().items() if k != "tables"}
    assert ReleaseCells.from_dict(old).tables.values == {}, "a release stored before"


def test_the_frozen_extracts_take_the_suppression_across_releases(two_releases_copy) -> None:
    """The extracts of a release are cut from the release's own protected set: a cell the
    protection across releases suppresses is confidential in the frozen Eurostat extract."""
    import csv
    import io
    from dataclasses import replace

    from thbmonitor.publish.exports.cells import AGE, CITIZEN, EXPLOIT
    from thbmonitor.publish.protection import protect_year, year_exports
    from thbmonitor.publish.release import export_texts
    from thbmonitor.store import Database

    with Database(two_releases_copy) as db:
        alone = protect_year(db, YEAR)
        assert alone.figures["victims"]["by"]["sex"]["female"] is not None
        extra = {f"{YEAR}:victims.by.sex.female", f"{YEAR}:victims.by.sex.male"}
        figures, breakdowns, _ = apply_across(extra, alone.figures, alone.breakdowns,
                                              year_exports(db, [YEAR]), None)
        assert breakdowns is not None
        texts = export_texts(db, YEAR, protected=replace(alone, figures=figures,
                                                         breakdowns=breakdowns))
    assert texts["eurostat"] is not None, "the extract passed its joint audit"
    rows = list(csv.DictReader(io.StringIO(texts["eurostat"])))
    totals = {"age": AGE.total, "citizen": CITIZEN.total, "exploit": EXPLOIT.total}

    def cell(sex: str) -> dict[str, str]:
        return next(r for r in rows if r["leg_stat"] == "VICT" and r["sex"] == sex
                    and all(r[d] == t for d, t in totals.items()))

    assert cell("F")["obs_flag"] == "c" and cell("F")["obs_value"] == ""
    assert cell("M")["obs_flag"] == "c"
    assert cell("T")["obs_value"] not in ("", None)


def concerns_release(adult: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Concerns of 2024 by age group, counted and protected on their own, as
    `publish.concerns.concern_tables` does (the integer programme over their tables)."""
    import copy

    from thbmonitor.disclosure import suppress
    from thbmonitor.publish.concerns import _cells, _tables

    counts = {"total": 5 + adult + 20, "by": {"age_group": {"minor": 5, "adult": adult,
                                                            "unknown": 20}}, "cross": {}}
    chosen = suppress(_tables(YEAR, counts, _cells(YEAR, counts)), T).suppressed
    shown = copy.deepcopy(counts)
    for cell in chosen:
        shown["by"]["age_group"][cell.rsplit(".", 1)[1]] = None
    return ({"tables": {str(YEAR): counts}},
            {"tables": {str(YEAR): shown}, "suppressed": sorted(chosen)})


def test_concerns_are_protected_across_releases_too() -> None:
    """The same leak in the concerns: minors 5, adults 19 then 21, unknown 20."""
    from thbmonitor.publish.release import concern_cells

    raw = figures(24, 20)
    published = protect_figures(raw, threshold=T).to_dict()
    (counts1, shown1), (counts2, shown2) = concerns_release(19), concerns_release(21)
    assert shown2["tables"]["2024"]["by"]["age_group"]["adult"] == 21, "published alone"
    first = release_cells("2024-1", raw, published, concern_cells(counts1, shown1))
    second = release_cells("2024-2", raw, published, concern_cells(counts2, shown2))
    report = audit_releases([first, second], T)
    failed = {f.path: (f.lower, f.upper) for f in report.failures}
    assert failed["2024-1|2024:concerns.by.age_group.minor"] == pytest.approx((1, 5))
    extra, across = protect_across([first], second, T)
    assert across.ok and "2024:concerns.by.age_group.adult" in extra
    _figures, _breakdowns, concerns = apply_across(extra, published, None, {}, shown2)
    assert concerns is not None
    assert concerns["tables"]["2024"]["by"]["age_group"]["adult"] is None
    assert "2024.by.age_group.adult" in concerns["suppressed"]
    again = release_cells("2024-2", raw, published, concern_cells(counts2, concerns))
    assert audit_releases([first, again], T).ok
