"""Published slices of a count cube, protected together and audited.

An export publishes several tables that share margins (Eurostat: victims by
sex and citizenship, by sex and age, by sex and form; all with the same sex
totals). Each table is a *slice* of one cube: the dimensions it shows vary,
every other dimension is at its total. All cells of all slices form one set
of linked tables, so that a cell suppressed in one table cannot be
recomputed from another (`thbmonitor.disclosure`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from thbmonitor.disclosure import (
    AuditReport,
    LinkedTables,
    adds_up,
    audit_cells,
    suppress,
)

TOTAL = "TOTAL"
Cell = tuple[str, ...]


@dataclass(frozen=True)
class Dimension:
    """A dimension: its name, its categories and the code of its total."""

    name: str
    categories: tuple[str, ...]
    total: str = TOTAL

    def values(self) -> tuple[str, ...]:
        return (*self.categories, self.total)


@dataclass
class ProtectedCube:
    """The published cells of every slice: a count, or None when suppressed."""

    dimensions: tuple[Dimension, ...]
    cells: dict[Cell, int | None]
    slices: tuple[tuple[str, ...], ...]
    threshold: int
    audit: AuditReport
    suppressed: list[Cell] = field(default_factory=list)


def _key(cell: Cell) -> str:
    return "|".join(cell)


def cube_tables(
    dimensions: Sequence[Dimension], counts: Mapping[Cell, int],
    slices: Sequence[Sequence[str]],
) -> tuple[LinkedTables, dict[str, Cell]]:
    """The linked tables of the slices of a cube given its finest counts.

    ``counts`` maps a tuple of categories (one per dimension, no totals) to a
    count; absent tuples count 0.
    """
    names = [d.name for d in dimensions]
    values: dict[str, int] = {}
    cells: dict[str, Cell] = {}
    tables = LinkedTables(values=values)
    for slice_dims in slices:
        shown = [names.index(n) for n in slice_dims]
        choices = [d.values() if i in shown else (d.total,) for i, d in enumerate(dimensions)]
        for cell in itertools.product(*choices):
            key = _key(cell)
            if key in values:
                continue
            values[key] = sum(
                n for fine, n in counts.items()
                if all(c == dimensions[i].total or c == fine[i] for i, c in enumerate(cell)))
            cells[key] = cell
            at_total = sum(c == d.total for c, d in zip(cell, dimensions, strict=True))
            if at_total >= len(names) - 1:  # the grand total and the one-way margins
                tables.weights[key] = 20.0 if at_total == len(names) else 10.0
        for i in shown:
            others = [d.values() if j in shown and j != i else (d.total,)
                      for j, d in enumerate(dimensions)]
            for base in itertools.product(*others):
                def at(category: str, base: Cell = base, i: int = i) -> str:
                    return _key((*base[:i], category, *base[i + 1:]))
                tables.add_relation(adds_up(
                    at(dimensions[i].total), [at(c) for c in dimensions[i].categories]))
    return tables, cells


def protect_cube(
    dimensions: Sequence[Dimension], counts: Mapping[Cell, int],
    slices: Sequence[Sequence[str]], *, threshold: int,
) -> ProtectedCube:
    """Suppress and audit every cell of the slices (see `thbmonitor.disclosure`)."""
    tables, cells = cube_tables(dimensions, counts, slices)
    result = suppress(tables, threshold)
    published = tables.published(result.suppressed)
    audit = audit_cells(published, tables.relations, threshold=threshold,
                        hidden=tables.hidden, paths={k: "/".join(c) for k, c in cells.items()})
    return ProtectedCube(
        dimensions=tuple(dimensions),
        cells={cells[key]: value for key, value in published.items()},
        slices=tuple(tuple(s) for s in slices), threshold=threshold, audit=audit,
        suppressed=sorted(cells[key] for key in result.suppressed))


def audit_cube(cube: ProtectedCube) -> AuditReport:
    """Audit the cells as published (the attacker's view), independently of the protection."""
    tables, cells = cube_tables(cube.dimensions, {}, cube.slices)
    published = {key: cube.cells.get(cell) for key, cell in cells.items()}
    return audit_cells(published, tables.relations, threshold=cube.threshold,
                       paths={k: "/".join(c) for k, c in cells.items()})
