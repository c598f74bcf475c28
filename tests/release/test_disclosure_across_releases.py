"""Disclosure control across releases: a planted case where per-release suppression leaks.

Release 2024-1: female 5, male 19, other 20 (total 44). The one-release protection
suppresses female (primary) and male (the cheaper partner). Late reports add two men:
release 2024-2 has female 5, male 21, other 20 (total 46), and on its own the cheaper
partner is now `other`: it publishes male = 21. Each release passes its own audit, but
together: the revision moved every cell by at most 2, so male in 2024-1 lies in
[19, 23] and female = 44 - 20 - male in [1, 5] — recovered as small.
"""

from __future__ import annotations

import pytest

from thbmonitor.disclosure import audit_figures, protect_figures
from thbmonitor.disclosure.releases import (
    apply_suppression,
    audit_releases,
    protect_across,
    release_cells,
)

T = 10


def figures(female: int, male: int, other: int) -> dict:
    return {"year": 2024, "victims": {"total": female + male + other,
                                      "by": {"sex": {"female": female, "male": male,
                                                     "other": other}}}}


@pytest.fixture
def planted():
    raw1, raw2 = figures(5, 19, 20), figures(5, 21, 20)
    first = protect_figures(raw1, threshold=T).to_dict()
    second = protect_figures(raw2, threshold=T).to_dict()
    return raw1, first, raw2, second


def test_each_release_alone_passes_its_audit(planted) -> None:
    _raw1, first, _raw2, second = planted
    assert audit_figures(first).ok and audit_figures(second).ok
    assert first["suppressed"] == ["victims.by.sex.female", "victims.by.sex.male"]
    assert second["suppressed"] == ["victims.by.sex.female", "victims.by.sex.other"]


def test_the_audit_across_releases_catches_the_naive_leak(planted) -> None:
    raw1, first, raw2, second = planted
    report = audit_releases([release_cells("2024-1", raw1, first),
                             release_cells("2024-2", raw2, second)], T)
    assert not report.ok
    failed = {f.path: (f.lower, f.upper) for f in report.failures}
    # the first release's 5 women, recovered as between 1 and 5
    assert failed["2024-1|2024:victims.by.sex.female"] == pytest.approx((1, 5))


def test_suppression_across_releases_prevents_it(planted) -> None:
    raw1, first, raw2, second = planted
    earlier = release_cells("2024-1", raw1, first)
    extra, report = protect_across([earlier], release_cells("2024-2", raw2, second), T)
    assert extra == {"2024:victims.by.sex.male"} and report.ok
    protected = apply_suppression(second, extra)
    assert protected["victims"]["by"]["sex"] == {"female": None, "male": None, "other": None}
    assert protected["victims"]["total"] == 46
    assert "victims.by.sex.male" in protected["suppressed"]
    assert audit_figures(protected).ok
    union = audit_releases([earlier, release_cells("2024-2", raw2, protected)], T)
    assert union.ok, [f.to_dict() for f in union.failures]
    # every suppressed cell of both releases keeps an interval reaching the threshold
    for cell in union.cells:
        if cell.role == "suppressed":
            assert cell.upper is None or (cell.upper >= T and cell.upper - cell.lower >= 2)


def test_an_unchanged_year_needs_nothing_more(planted) -> None:
    raw1, first, _raw2, _second = planted
    earlier = release_cells("2024-1", raw1, first)
    extra, report = protect_across([earlier], release_cells("2024-2", raw1, first), T)
    assert extra == set() and report.ok


def test_a_revision_that_publishes_a_grown_cell_is_allowed() -> None:
    """5 women suppressed in 2024-1 may be published as 15 in 2024-2: moving by 10, the
    earlier value is only known to lie in [5, 25], so it stays protected."""
    raw1, raw2 = figures(5, 19, 20), figures(15, 19, 20)
    first = protect_figures(raw1, threshold=T).to_dict()
    second = protect_figures(raw2, threshold=T).to_dict()
    assert second["suppressed"] == []
    earlier = release_cells("2024-1", raw1, first)
    extra, report = protect_across([earlier], release_cells("2024-2", raw2, second), T)
    assert report.ok and extra == set()
