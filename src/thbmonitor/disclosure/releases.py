"""Disclosure control across releases: no suppressed cell of any release can be recovered
from the cells of all releases together (CONTRACTS §7).

A year is published more than once: its own releases (``2024-1``, ``2024-2`` after late
reports) and the releases of the neighbouring years, whose five-year series show it
again. Each release on its own passes the attacker's audit (`thbmonitor.disclosure`),
but together they can leak: a cell suppressed in the first release and published in the
second, together with the knowledge that a revision changes every cell by little, pins
down the first release's small cell. The attacker model here is that of one release
(every published cell, every relation of the linked tables, counts non-negative) for
every release at once, plus, for each cell shown in two releases, that it moved by at
most ``D`` between them: ``|cell_a - cell_b| <= D`` where ``D`` is the largest change of
any cell of that year between the two (a conservative attacker: one who knows exactly
how much the year was revised at most).

A release freezes more than the figures: the further breakdowns and the export cells
protected with them, and the concerns. Those are `TableCells` (their true counts, what
was published, the relations that tie them to each other and to the figures, their
structural hidden cells), kept with the figures' cells in `ReleaseCells.tables`, and
modelled with them: every table a release froze is protected across releases.

The cells of release ``R`` are named ``R|<year>:<path>`` (the figures' own cell names,
`thbmonitor.disclosure.figures`). ``D`` enters the relations as the difference of two
published constant cells ``T + D`` and ``T`` (both at least the threshold, so neither is
a small published count): the linked tables take homogeneous relations only.

`protect_across` takes the suppression the one-release protection chose for the new
release and adds what the earlier releases require: first the optimiser
(`thbmonitor.disclosure.suppress`) over the union, with every earlier suppressed cell and
every cell the new release already suppresses hidden and every earlier published cell too
costly to choose; then the exact audit of the union, and for a cell that still fails,
the new release's published cells around it are suppressed too, until the audit passes
(at worst every non-zero cell of that year in the new release is suppressed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from thbmonitor.disclosure.audit import AuditReport, audit_cells
from thbmonitor.disclosure.figures import _collect, _view_cells, _views, build_year_tables
from thbmonitor.disclosure.suppression import neighbourhood, relation_index, suppress
from thbmonitor.disclosure.tables import LinkedTables, Relation

__all__ = ["ReleaseCells", "TableCells", "apply_suppression", "audit_releases",
           "joint_tables", "protect_across", "release_cells"]

#: Cost weight of a cell an earlier release published: it cannot be taken back.
PUBLISHED_WEIGHT = 1e6
#: Rounds of the audit-and-widen loop of `protect_across`.
MAX_ROUNDS = 30
SEP = "|"


def _year_of(key: str) -> int:
    return int(key.split(":", 1)[0])


@dataclass(frozen=True)
class TableCells:
    """The cells of a release beyond the figures: breakdowns, export cells, concerns.

    Keyed ``<year>:<path>`` as the figures' cells (``2024:victims.by.region.noord``,
    ``2024:eurostat.victims.<cube key>``, ``2024:concerns.by.age_group.minor``).
    ``relations`` tie them to each other and to the figures' cells of the same year;
    ``hidden`` are cells never published by design (protected like suppressed ones).
    """

    values: dict[str, int] = field(default_factory=dict)
    published: dict[str, int | None] = field(default_factory=dict)
    relations: tuple[Relation, ...] = ()
    hidden: frozenset[str] = frozenset()
    weights: dict[str, float] = field(default_factory=dict)

    def __add__(self, other: TableCells) -> TableCells:
        return TableCells({**self.values, **other.values}, {**self.published, **other.published},
                          (*self.relations, *other.relations), self.hidden | other.hidden,
                          {**self.weights, **other.weights})

    def of_year(self, year: int) -> TableCells:
        prefix = f"{year}:"
        return TableCells(
            {k: v for k, v in self.values.items() if k.startswith(prefix)},
            {k: v for k, v in self.published.items() if k.startswith(prefix)},
            tuple(r for r in self.relations if r.cells and r.cells[0].startswith(prefix)),
            frozenset(k for k in self.hidden if k.startswith(prefix)),
            {k: v for k, v in self.weights.items() if k.startswith(prefix)})

    def to_dict(self) -> dict[str, Any]:
        return {"values": dict(self.values), "published": dict(self.published),
                "relations": [[[list(t) for t in r.terms], r.kind, r.name]
                              for r in self.relations],
                "hidden": sorted(self.hidden), "weights": dict(self.weights)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TableCells:
        return cls({k: int(v) for k, v in data["values"].items()},
                   {k: (None if v is None else int(v)) for k, v in data["published"].items()},
                   tuple(Relation(tuple((str(c), int(a)) for c, a in terms), kind, str(name))
                         for terms, kind, name in data.get("relations") or []),
                   frozenset(data.get("hidden") or []),
                   {k: float(v) for k, v in (data.get("weights") or {}).items()})


@dataclass(frozen=True)
class ReleaseCells:
    """One release as the attacker's model needs it: the true counts and what was published.

    ``values`` and ``published`` are the figures' cells, keyed ``<year>:<path>``;
    ``published`` is None for a suppressed cell. ``tables``: every other table the release
    froze (breakdowns, export cells, concerns; empty for a release stored before they
    were kept). The true counts are kept in the store with the release (never
    published) so that a later release can be protected together with it.
    """

    release_id: str
    values: dict[str, int]
    published: dict[str, int | None]
    tables: TableCells = field(default_factory=TableCells)

    def years(self) -> set[int]:
        return {_year_of(key) for key in (*self.values, *self.tables.values)}

    def suppressed(self) -> set[str]:
        return {key for key, value in (*self.published.items(), *self.tables.published.items())
                if value is None}

    def to_dict(self) -> dict[str, Any]:
        return {"release_id": self.release_id, "values": dict(self.values),
                "published": dict(self.published), "tables": self.tables.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReleaseCells:
        tables = data.get("tables")
        return cls(str(data["release_id"]), {k: int(v) for k, v in data["values"].items()},
                   {k: (None if v is None else int(v)) for k, v in data["published"].items()},
                   TableCells.from_dict(tables) if tables else TableCells())


def release_cells(release_id: str, raw_figures: Mapping[str, Any],
                  protected_figures: Mapping[str, Any],
                  tables: TableCells | None = None) -> ReleaseCells:
    """The cells of one release from its raw and its protected figures (with ``series``),
    and its other tables (`TableCells`)."""
    raw = _collect(raw_figures)
    shown = _collect(protected_figures)
    values: dict[str, int] = {}
    published: dict[str, int | None] = {}
    for year, cells in raw.items():
        for key, value in cells.items():
            values[key] = int(value or 0)
            published[key] = shown.get(year, {}).get(key)
    return ReleaseCells(release_id, values, published, tables or TableCells())


def _name(release_id: str, key: str) -> str:
    return f"{release_id}{SEP}{key}"


def _year_values(cells: ReleaseCells, year: int) -> dict[str, int | None]:
    prefix = f"{year}:"
    return {k: v for k, v in cells.values.items() if k.startswith(prefix)}


def _signature(cells: ReleaseCells, year: int) -> tuple[Any, ...]:
    prefix = f"{year}:"
    published = {**cells.published, **cells.tables.published}
    return tuple(sorted((k, v, published.get(k))
                        for k, v in (*cells.values.items(), *cells.tables.values.items())
                        if k.startswith(prefix)))


def joint_tables(releases: Sequence[ReleaseCells], threshold: int, *,
                 linked_only: bool = False) -> tuple[
        LinkedTables, dict[str, int | None], set[str]]:
    """The linked tables of every release together, with the relations across releases.

    Returns the tables (true values), what all releases publish (None: suppressed or
    hidden) and the structural hidden cells (the figures' never-published cells).

    A year a release shows exactly as an earlier one did (the same counts, the same
    cells published) adds nothing an attacker did not have: that copy is left out. With
    ``linked_only``, so is every year of a release that no relation ties to another
    release (each release's own audit covers it).
    """
    # (release, year) tables to model: one per distinct way a year was shown
    kept: list[tuple[ReleaseCells, int]] = []
    seen: dict[tuple[int, tuple[Any, ...]], str] = {}
    for cells in releases:
        for year in sorted(cells.years()):
            signature = (year, _signature(cells, year))
            if signature not in seen:
                seen[signature] = cells.release_id
                kept.append((cells, year))
    pairs: list[tuple[ReleaseCells, ReleaseCells, int]] = [
        (a, b, ya) for i, (a, ya) in enumerate(kept) for b, yb in kept[i + 1:]
        if ya == yb and a.release_id != b.release_id]
    if linked_only:
        linked = {(c.release_id, y) for a, b, y in pairs for c in (a, b)}
        kept = [(c, y) for c, y in kept if (c.release_id, y) in linked]
    values: dict[str, int] = {}
    relations: list[Relation] = []
    hidden: set[str] = set()
    weights: dict[str, float] = {}
    published: dict[str, int | None] = {}
    for cells, year in kept:
        rid = cells.release_id
        tables = build_year_tables(year, _year_values(cells, year))
        for key, value in tables.values.items():
            values[_name(rid, key)] = value
            shown = None if key in tables.hidden else cells.published.get(key)
            published[_name(rid, key)] = shown
        for key, weight in tables.weights.items():
            weights[_name(rid, key)] = weight
        hidden |= {_name(rid, key) for key in tables.hidden}
        relations += [Relation(tuple((_name(rid, c), a) for c, a in r.terms), r.kind,
                               f"{rid} {r.name}") for r in tables.relations]
        # the release's other tables of the year, tied to its figures
        more = cells.tables.of_year(year)
        for key, value in more.values.items():
            values[_name(rid, key)] = value
            published[_name(rid, key)] = None if key in more.hidden else more.published.get(key)
        for key, weight in more.weights.items():
            weights[_name(rid, key)] = weight
        hidden |= {_name(rid, key) for key in more.hidden}
        relations += [Relation(tuple((_name(rid, c), a) for c, a in r.terms), r.kind,
                               f"{rid} {r.name}") for r in more.relations
                      if all(_name(rid, c) in values for c in r.cells)]
    # Across releases: each cell of a year shown by two releases moved by at most D.
    for first, second, year in pairs:
        a_id, b_id = first.release_id, second.release_id
        common = [k for k in (*_year_values(first, year), *first.tables.of_year(year).values)
                  if _name(a_id, k) in values and _name(b_id, k) in values]
        if not common:
            continue
        most = max(abs(values[_name(a_id, k)] - values[_name(b_id, k)]) for k in common)
        high, low = (f"~{a_id}~{b_id}{SEP}{year}:revision.high",
                     f"~{a_id}~{b_id}{SEP}{year}:revision.low")
        values[high], values[low] = threshold + most, threshold
        published[high], published[low] = threshold + most, threshold
        weights[high] = weights[low] = PUBLISHED_WEIGHT
        for k in common:
            a, b = _name(a_id, k), _name(b_id, k)
            # high - low - (a - b) >= 0 and high - low - (b - a) >= 0
            relations.append(Relation(((high, 1), (low, -1), (a, -1), (b, 1)), "ge",
                                      f"{k} revised by at most {most}"))
            relations.append(Relation(((high, 1), (low, -1), (b, -1), (a, 1)), "ge",
                                      f"{k} revised by at most {most}"))
    tables = LinkedTables(values=values, relations=relations, hidden=frozenset(hidden),
                          weights=weights)
    return tables, published, hidden


def audit_releases(releases: Sequence[ReleaseCells], threshold: int, *,
                   quick: bool = False) -> AuditReport:
    """The attacker's audit over the union of the releases: every suppressed cell's interval.

    A suppressed cell must reach the threshold and be at least 2 wide (the rule of one
    release); the figures' structural hidden cells follow their own rule.
    """
    if not releases:
        return AuditReport(threshold=threshold)
    tables, published, hidden = joint_tables(releases, threshold)
    return audit_cells(published, tables.relations, threshold=threshold, hidden=hidden,
                       quick=quick)


def protect_across(earlier: Sequence[ReleaseCells], new: ReleaseCells,
                   threshold: int) -> tuple[set[str], AuditReport]:
    """The further cells (``<year>:<path>``) the new release must suppress, and the audit.

    ``new.published`` is the new release as the one-release protection publishes it;
    nothing an earlier release published or suppressed is changed.
    """
    if not earlier:
        return set(), AuditReport(threshold=threshold)
    releases = [*earlier, new]
    tables, published, hidden = joint_tables(releases, threshold, linked_only=True)
    rid = new.release_id
    own = {_name(rid, key): key for key in (*new.values, *new.tables.values)
           if _name(rid, key) in tables.values and _name(rid, key) not in hidden}
    if not own:  # the new release shows every year exactly as an earlier one did
        return set(), AuditReport(threshold=threshold)
    shown_new = {**new.published, **new.tables.published}
    already = {name for name, key in own.items() if shown_new.get(key) is None}
    # 1. the optimiser over the union: everything already unpublished is hidden, earlier
    # published cells are too costly to choose.
    earlier_cells = {c for c in tables.values if not c.startswith(rid + SEP)}
    optimise = LinkedTables(
        values=tables.values, relations=tables.relations,
        hidden=frozenset(hidden | already | {c for c in earlier_cells if published[c] is None}),
        weights={**tables.weights, **{c: PUBLISHED_WEIGHT for c in earlier_cells
                                      if published[c] is not None}})
    chosen = suppress(optimise, threshold).suppressed
    extra = {c for c in chosen if c in own}
    # 2. the exact audit of the union; widen around whatever still fails.
    by_cell = relation_index(tables)
    report = AuditReport(threshold=threshold)
    for _ in range(MAX_ROUNDS):
        shown = {c: (None if c in extra else v) for c, v in published.items()}
        report = audit_cells(shown, tables.relations, threshold=threshold, hidden=hidden,
                             quick=True)
        if report.ok:
            break
        unknown = {c for c, v in shown.items() if v is None}
        added: set[str] = set()
        for failure in report.failures:
            added |= {c for c in neighbourhood(tables, failure.path, unknown, by_cell)
                      if c in own and tables.values[c] > 0}
        if not added:
            year_of = {f.path.split(SEP, 1)[1].split(":", 1)[0] for f in report.failures}
            added = {c for c, key in own.items() if key.split(":", 1)[0] in year_of
                     and tables.values[c] > 0 and c not in extra and c not in hidden}
            if not added:
                break
        extra |= added
    return {own[c] for c in extra}, report


def apply_suppression(protected: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The protected figures with the cells ``keys`` (``<year>:<path>``) suppressed too.

    Every view of a cell (the year's tables, its series entry, the next year's
    ``previous``) is nulled, and the derived values computed from it; the ``suppressed``
    lists are extended.
    """
    import copy

    from thbmonitor.disclosure.figures import DERIVED, _key, _set

    wanted = set(keys)
    out = copy.deepcopy(dict(protected))
    if not wanted:
        return out
    listed = set(out.get("suppressed") or [])
    for prefix, year, entry in list(_views(protected)):
        target = out if not prefix else next(
            e for e in out["series"] if int(e["year"]) == year)
        own = set(target.get("suppressed") or []) if prefix else set()
        for path, key, value in _view_cells(year, entry):
            if value is None:
                continue
            if key is None:
                _kind, (off_a, path_a), (off_b, path_b) = DERIVED[path]
                hit = (_key(year + off_a, path_a) in wanted
                       or _key(year + off_b, path_b) in wanted)
            else:
                hit = key in wanted
            if hit:
                _set(target, path, None)
                own.add(path)
                listed.add(prefix + path)
        if prefix:
            target["suppressed"] = sorted(own)
    out["suppressed"] = sorted(listed)
    return out
