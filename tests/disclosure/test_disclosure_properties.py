"""Property tests: random tables with margins, protected, then attacked."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thbmonitor.disclosure import LinkedTables, adds_up, audit_cells, suppress

THRESHOLD = 10

# Counts skewed towards small values, as in victim tables (many cells under 10).
small_counts = st.one_of(st.integers(0, 12), st.integers(0, 60), st.integers(0, 400))


@st.composite
def cross_tables(draw: st.DrawFn) -> LinkedTables:
    """An r x c table with its row margins, column margins and grand total."""
    rows = draw(st.integers(1, 5))
    cols = draw(st.integers(1, 5))
    inner = {(r, c): draw(small_counts) for r in range(rows) for c in range(cols)}
    values: dict[str, int] = {f"cell.{r}.{c}": v for (r, c), v in inner.items()}
    for r in range(rows):
        values[f"row.{r}"] = sum(inner[(r, c)] for c in range(cols))
    for c in range(cols):
        values[f"col.{c}"] = sum(inner[(r, c)] for r in range(rows))
    values["total"] = sum(inner.values())
    tables = LinkedTables(values=values, weights={"total": 20.0})
    for r in range(rows):
        tables.add_relation(adds_up(f"row.{r}", [f"cell.{r}.{c}" for c in range(cols)]))
    for c in range(cols):
        tables.add_relation(adds_up(f"col.{c}", [f"cell.{r}.{c}" for r in range(rows)]))
    tables.add_relation(adds_up("total", [f"row.{r}" for r in range(rows)]))
    tables.add_relation(adds_up("total", [f"col.{c}" for c in range(cols)]))
    return tables


@st.composite
def linked_one_way_tables(draw: st.DrawFn) -> LinkedTables:
    """Several one-way tables of the same persons (they share the total), one of them
    refined by a finer table (as nationalities refine nationality groups)."""
    n_tables = draw(st.integers(1, 3))
    total = draw(st.integers(0, 200))
    values: dict[str, int] = {"total": total}
    tables = LinkedTables(values=values, weights={"total": 20.0})
    for t in range(n_tables):
        k = draw(st.integers(2, 5))
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=k - 1, max_size=k - 1)))
        parts = [b - a for a, b in itertools.pairwise([0, *cuts, total])]
        names = [f"t{t}.{i}" for i in range(k)]
        values.update(zip(names, parts, strict=True))
        tables.add_relation(adds_up("total", names))
        if t == 0:  # a finer table under the first category of table 0
            fine_k = draw(st.integers(2, 4))
            fine_cuts = sorted(draw(st.lists(st.integers(0, parts[0]), min_size=fine_k - 1,
                                             max_size=fine_k - 1)))
            fine = [b - a for a, b in itertools.pairwise([0, *fine_cuts, parts[0]])]
            fine_names = [f"fine.{i}" for i in range(fine_k)]
            values.update(zip(fine_names, fine, strict=True))
            tables.add_relation(adds_up(names[0], fine_names))
    return tables


def check_protected(tables: LinkedTables) -> None:
    result = suppress(tables, THRESHOLD)
    published = tables.published(result.suppressed)
    # The attacker's audit, independent of the optimiser's own.
    report = audit_cells(published, tables.relations, threshold=THRESHOLD)
    assert report.ok, [c.to_dict() for c in report.failures]
    assert {c.path for c in report.cells} == result.suppressed
    for cell in result.suppressed:
        interval = next(c for c in report.cells if c.path == cell)
        assert interval.upper is None or interval.upper >= THRESHOLD
        assert interval.width is None or interval.width >= 2
    # Every primary cell is suppressed; no published count is below the threshold but zero.
    assert {c for c, v in tables.values.items() if 0 < v < THRESHOLD} <= result.suppressed
    assert all(v is None or v == 0 or v >= THRESHOLD for v in published.values())
    # Published values are the true values, so every fully published relation adds up.
    for relation in tables.relations:
        if all(published[c] is not None for c in relation.cells):
            assert sum(a * published[c] for c, a in relation.terms) == 0  # type: ignore[operator]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cross_tables())
def test_cross_tables_with_margins_are_protected(tables: LinkedTables) -> None:
    check_protected(tables)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_one_way_tables())
def test_linked_one_way_tables_are_protected(tables: LinkedTables) -> None:
    check_protected(tables)


def test_audit_finds_a_cell_recomputable_from_its_total() -> None:
    """One suppressed cell in a table whose total is published is pinned down exactly."""
    tables = LinkedTables(values={"total": 40, "a": 3, "b": 37})
    tables.add_relation(adds_up("total", ["a", "b"]))
    report = audit_cells(tables.published({"a"}), tables.relations, threshold=THRESHOLD)
    (cell,) = report.cells
    assert (cell.path, cell.lower, cell.upper, cell.ok) == ("a", 3.0, 3.0, False)
    assert not report.ok


def test_audit_flags_a_published_small_cell_and_totals_that_do_not_add_up() -> None:
    tables = LinkedTables(values={"total": 40, "a": 3, "b": 36})
    tables.add_relation(adds_up("total", ["a", "b"]))
    report = audit_cells(tables.published(()), tables.relations, threshold=THRESHOLD)
    assert report.published_small == ["a"]
    assert report.inconsistent
    assert not report.ok


def test_small_cells_under_a_small_total_need_a_partner_one_level_up() -> None:
    """2 + 3 = 5 (all three small): with the grand total published, the attacker still
    bounds them by 5 unless a partner of the total one level up is suppressed too."""
    tables = LinkedTables(values={"total": 5, "a": 2, "b": 3, "grand": 105, "other": 100})
    tables.add_relation(adds_up("total", ["a", "b"]))
    tables.add_relation(adds_up("grand", ["total", "other"]))
    naive = audit_cells(tables.published({"a", "b"}), tables.relations, threshold=THRESHOLD)
    assert not naive.ok
    result = suppress(tables, THRESHOLD)
    assert {"a", "b", "total"} <= result.suppressed
    assert {"other", "grand"} & result.suppressed
    assert audit_cells(tables.published(result.suppressed), tables.relations,
                       threshold=THRESHOLD).ok
