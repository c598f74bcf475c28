"""Linked tables: cells, the linear relations an attacker knows, and what is published.

Every published table is a set of integer cells (non-negative counts) tied by
linear relations: a table adds up to its total, a cross-table's rows and
columns add up to its margins, a finer classification adds up to a coarser
one. Disclosure control works on this model only; `thbmonitor.disclosure.figures`
and the exports build it from their own shapes.

A relation is ``sum(coefficient × cell) = 0`` (``kind="eq"``) or ``>= 0``
(``kind="ge"``). A *hidden* cell is never published by design but is fixed by
the relations (for example the verdicts that are not convictions); it is
protected like a suppressed cell when it is small.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

RelationKind = Literal["eq", "ge"]


@dataclass(frozen=True)
class Relation:
    """``sum(coefficient × cell)`` is 0 (``eq``) or at least 0 (``ge``)."""

    terms: tuple[tuple[str, int], ...]
    kind: RelationKind = "eq"
    name: str = ""

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(cell for cell, _ in self.terms)


def adds_up(total: str, parts: Iterable[str], name: str = "") -> Relation:
    """``total = sum(parts)``."""
    return Relation(((total, 1), *((part, -1) for part in parts)), "eq", name)


def at_least(whole: str, parts: Iterable[str], name: str = "") -> Relation:
    """``sum(parts) >= whole`` (for example: persons counted under several types)."""
    return Relation(((whole, -1), *((part, 1) for part in parts)), "ge", name)


def at_most(part: str, whole: str, name: str = "") -> Relation:
    """``part <= whole``."""
    return Relation(((whole, 1), (part, -1)), "ge", name)


@dataclass
class LinkedTables:
    """Cells with their true values, the relations between them, and the hidden cells.

    ``weights`` make a cell more (> 1) or less (< 1) costly to suppress than its
    size alone says (a grand total is costly). ``bounds`` hold, for cells
    published as an interval (rounded cells), the interval an attacker knows.
    """

    values: dict[str, int]
    relations: list[Relation] = field(default_factory=list)
    hidden: frozenset[str] = frozenset()
    weights: dict[str, float] = field(default_factory=dict)

    def add_relation(self, relation: Relation) -> None:
        """Add a relation when every one of its cells is in the tables."""
        if all(cell in self.values for cell in relation.cells) and len(relation.terms) > 1:
            self.relations.append(relation)

    def published(self, suppressed: Iterable[str]) -> dict[str, int | None]:
        """What an attacker sees: the values, None for suppressed and hidden cells."""
        unknown = set(suppressed) | set(self.hidden)
        return {cell: None if cell in unknown else value for cell, value in self.values.items()}


def check_consistent(values: Mapping[str, int], relations: Iterable[Relation]) -> list[str]:
    """Names of relations the true values break (the input does not add up)."""
    broken = []
    for relation in relations:
        total = sum(coef * values[cell] for cell, coef in relation.terms)
        if (relation.kind == "eq" and total != 0) or (relation.kind == "ge" and total < 0):
            broken.append(relation.name or " + ".join(relation.cells))
    return broken
