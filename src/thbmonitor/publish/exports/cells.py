"""The cells of the Eurostat and SDG exports as cells of the year's one protected set.

An export cell that *is* a cell of the figures or the breakdowns (Eurostat's
``T/Y_LT18`` is ``victims.by.age_group.minor``) is not a cell of its own: it
takes the verdict of that cell (an *alias*). An export cell that is the sum of
several published cells (``NEU27_2020_FOR`` is the non-EU nationality groups,
``UNK`` sex is ``other`` + ``unknown``) is a cell of its own tied to them by
that relation, and so is a cross cell (sex × age) that no other table has: it
is tied to its margins by the relations of its cube. All of them are then
protected together with the breakdowns (`thbmonitor.publish.protection`), so
that no combination of tables recomputes a suppressed cell
(issue 11 item 6: ``456 − (60 + 101 + 224 + 69) = 2``).

SDG 16.2.2 publishes a subset of the Eurostat victims cube (sex × age and
the forms, with other codes): its cells are the Eurostat cells, renamed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from thbmonitor.disclosure import LinkedTables, Relation, adds_up
from thbmonitor.publish.exports.cube import Cell, Dimension, cube_tables

__all__ = [
    "CHAIN_CUBES", "SUSPECT_DIMENSIONS", "SUSPECT_SLICES", "VICTIM_DIMENSIONS", "VICTIM_SLICES",
    "ExportCells", "cube_key", "export_cells",
]

SEX = Dimension("sex", ("F", "M", "UNK"), "T")
AGE = Dimension("age", ("Y_LT18", "Y_GE18", "UNK"))
CITIZEN = Dimension("citizen", ("NAT", "EU27_2020_FOR", "NEU27_2020_FOR", "UNK"))
EXPLOIT = Dimension("exploit", ("SEXUAL", "LABOUR", "OTHER", "UNK"))
VICTIM_DIMENSIONS = (SEX, AGE, CITIZEN, EXPLOIT)
VICTIM_SLICES: tuple[tuple[str, ...], ...] = (
    ("sex", "citizen"), ("sex", "age"), ("sex", "exploit"))
SUSPECT_DIMENSIONS = (SEX, AGE, CITIZEN)
SUSPECT_SLICES: tuple[tuple[str, ...], ...] = (("sex", "citizen"), ("sex", "age"))

#: Each export category as the figure (or breakdown) cells it adds up (paths without year).
VICTIM_PARTS: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {"F": ("victims.by.sex.female",), "M": ("victims.by.sex.male",),
            "UNK": ("victims.by.sex.other", "victims.by.sex.unknown")},
    "age": {"Y_LT18": ("victims.by.age_group.minor",), "Y_GE18": ("victims.by.age_group.adult",),
            "UNK": ("victims.by.age_group.unknown",)},
    "citizen": {"NAT": ("victims.by.nationality_group.NL",),
                "EU27_2020_FOR": ("victims.by.nationality_group.EU",),
                "NEU27_2020_FOR": tuple(f"victims.by.nationality_group.{g}" for g in (
                    "europe_other", "latin_america", "africa", "asia", "other")),
                "UNK": ("victims.by.nationality_group.unknown",)},
    "exploit": {"SEXUAL": ("victims.by.exploitation.sexual",),
                "LABOUR": ("victims.by.exploitation.labour",),
                "OTHER": tuple(f"victims.by.exploitation.{f}" for f in (
                    "criminal", "organ_removal", "other", "multiple")),
                "UNK": ("victims.by.exploitation.unknown",)},
}
SUSPECT_PARTS: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {"F": ("chain.suspects.by_sex.female",), "M": ("chain.suspects.by_sex.male",),
            "UNK": ("chain.suspects.by_sex.other", "chain.suspects.by_sex.unknown")},
    "age": {"Y_LT18": ("chain.suspects.by_age.minor",),
            "Y_GE18": tuple(f"chain.suspects.by_age.{b}" for b in (
                "18_22", "23_29", "30_39", "40_plus")),
            "UNK": ("chain.suspects.by_age.unknown",)},
}
VICTIM_TOTAL = "victims.total"
SUSPECT_TOTAL = "chain.suspects.total"
#: The persons further down the chain: cube name, the figure its total is, in the order
#: the traffickers' tables list the legal statuses. Their sex, age and citizenship are
#: published nowhere else, so the cube relations tie them to that total alone.
CHAIN_CUBES: dict[str, str] = {
    "eurostat.prosecuted": "chain.prosecution.registered",
    "eurostat.convicted": "chain.verdicts.convictions",
}


def cube_key(cell: Cell) -> str:
    """The key of a cube cell in `ExportCells.cells` (its codes joined by ``|``)."""
    return "|".join(cell)


@dataclass
class ExportCells:
    """The export cells of one year within the year's linked tables.

    ``cells[table][cube key]`` is the key of the cell in the linked tables
    (a figure or breakdown cell for an alias, else an own key); ``values``
    holds the true counts of the own cells, ``relations`` ties them to each
    other and to the figures, ``expected`` the count each alias should have
    (checked against the figures: one definition of a victim).
    """

    cells: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    expected: dict[str, int] = field(default_factory=dict)


def _add_cube(out: ExportCells, year: int, name: str, dimensions: Sequence[Dimension],
              slices: Sequence[Sequence[str]], counts: Mapping[Cell, int],
              parts: Mapping[str, Mapping[str, tuple[str, ...]]], total: str) -> None:
    tables: LinkedTables
    tables, cells = cube_tables(dimensions, counts, slices)
    rename: dict[str, str] = {}
    for key, cell in cells.items():
        shown = [(d.name, c) for d, c in zip(dimensions, cell, strict=True) if c != d.total]
        figure: tuple[str, ...] | None = None
        if not shown:
            figure = (total,)
        elif len(shown) == 1 and shown[0][0] in parts:
            figure = parts[shown[0][0]][shown[0][1]]
        if figure is not None and len(figure) == 1:
            rename[key] = f"{year}:{figure[0]}"
            out.expected[rename[key]] = tables.values[key]
            continue
        rename[key] = f"{year}:{name}.{key}"
        out.values[rename[key]] = tables.values[key]
        if figure is not None:
            out.relations.append(adds_up(rename[key], [f"{year}:{p}" for p in figure],
                                         f"{name} {key} as the figures' cells"))
    for relation in tables.relations:
        out.relations.append(Relation(
            tuple((rename[c], a) for c, a in relation.terms), relation.kind,
            f"{name}: {relation.name or 'adds up'}"))
    out.cells[name] = {cube_key(cells[key]): rename[key] for key in cells}


def export_cells(year: int, victims: Mapping[Cell, int], suspects: Mapping[Cell, int],
                 chain: Mapping[str, Mapping[Cell, int]] | None = None) -> ExportCells:
    """The Eurostat cubes of ``year`` as cells of the year's tables.

    ``victims`` maps (sex, age, citizen, exploit) codes, ``suspects`` (sex,
    age, citizen) codes to counts (no totals; absent = 0); ``chain`` the
    prosecuted and convicted the same way (``{"prosecuted": {...},
    "convicted": {...}}``, `thbmonitor.publish.exports.sources.chain_cubes`).
    Every cube is always there (all zero when not given), so that the shape
    an attacker's model is built on (`year_model`) is the published one.
    """
    out = ExportCells()
    _add_cube(out, year, "eurostat.victims", VICTIM_DIMENSIONS, VICTIM_SLICES, victims,
              VICTIM_PARTS, VICTIM_TOTAL)
    _add_cube(out, year, "eurostat.suspects", SUSPECT_DIMENSIONS, SUSPECT_SLICES, suspects,
              SUSPECT_PARTS, SUSPECT_TOTAL)
    for name, total in CHAIN_CUBES.items():
        counts = (chain or {}).get(name.removeprefix("eurostat."), {})
        _add_cube(out, year, name, SUSPECT_DIMENSIONS, SUSPECT_SLICES, counts, {}, total)
    return out
