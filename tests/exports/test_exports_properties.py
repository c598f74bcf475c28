"""Property test: random count cubes published as slices that share margins."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thbmonitor.publish.exports import Dimension, audit_cube, protect_cube
from thbmonitor.publish.exports.cube import cube_tables

THRESHOLD = 10
DIMS = (Dimension("sex", ("F", "M", "UNK"), "T"), Dimension("age", ("CHILD", "ADULT")),
        Dimension("form", ("SEX", "LAB", "OTH")))
SLICES = (("sex", "age"), ("sex", "form"))


@st.composite
def cubes(draw: st.DrawFn) -> dict[tuple[str, ...], int]:
    cells = itertools.product(*(d.categories for d in DIMS))
    return {cell: draw(st.one_of(st.integers(0, 6), st.integers(0, 80))) for cell in cells}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cubes())
def test_slices_sharing_margins_are_protected_together(
    counts: dict[tuple[str, ...], int],
) -> None:
    cube = protect_cube(DIMS, counts, SLICES, threshold=THRESHOLD)
    report = audit_cube(cube)
    assert report.ok, [c.to_dict() for c in report.failures]
    assert len(report.cells) == len(cube.suppressed)
    tables, keys = cube_tables(DIMS, counts, SLICES)
    for key, cell in keys.items():
        true, shown = tables.values[key], cube.cells[cell]
        assert shown is None or shown == true  # published values are the true ones
        assert shown is None or shown == 0 or shown >= THRESHOLD
        if 0 < true < THRESHOLD:
            assert shown is None
