"""Disclosure control of the further breakdowns and the exports, with the figures they extend.

The one entry point that protects a whole year is `protect_year` (every
table published for the year: figures, the report's breakdowns, the
Eurostat and SDG cells; CTDC is cut from it), and `audit_year` is the
attacker's audit over all of them (docs/publication.md, "One protected set
per year").

The figures are protected first (`thbmonitor.disclosure.protect_figures`);
their verdicts are final, because ``thb figures --protected`` publishes the
same cells. The breakdowns (`thbmonitor.figures.breakdowns`) are then
protected per year in one set of linked tables with *every* cell and relation
of the figures of that year (`build_year_tables`) plus their own cells and
the relations an attacker knows between the two:

* the regions add up to the victims' total; the adult age bands add up
  to the figures' adults (minors and unknown age are the figures' own cells);
* each victims cross-table's rows add up to the figures' one-way table of its
  row dimension and its columns to the table of its column dimension
  (``non_NL`` is the sum of the non-Dutch nationality groups); the sectors within
  a form add up to the form (their totals over the forms are not published);
* per reporter type (persons counted for each type that reported them):
  rows add up to ``victims.by.source_type``, each column at least the margin
  and each cell at most the margin;
* suspects by sex and by age add up to the suspects; decisions by type (with
  the figures' summonses) to the decided cases; verdicts by outcome (with
  the convictions) to the verdicts; convictions by custodial length to the
  convictions.

Figure cells suppressed by the figures' protection are *hidden* here (never
published, protected when small), published figure cells weigh so much that
the optimiser avoids them; should it still need one, the breakdown cells
around that figure cell are hidden outright and the optimiser runs again (at
worst every breakdown cell of the year is hidden). Cells the attacker can pin
exactly from published cells are published again (that tells nothing new),
and the audit decides. A breakdown that fails
its audit is not published (DataError).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from thbmonitor.disclosure import AuditReport, audit_cells, build_year_tables, suppress
from thbmonitor.disclosure.figures import _collect  # the figures' own cell model
from thbmonitor.disclosure.tables import LinkedTables, Relation, adds_up, at_least, at_most
from thbmonitor.errors import DataError
from thbmonitor.figures.breakdowns import Breakdowns
from thbmonitor.publish.exports.cells import ExportCells

__all__ = ["ProtectedBreakdowns", "ProtectedYear", "audit_year", "protect_breakdowns",
           "protect_year", "year_exports", "year_model"]

#: Cost weight of a figure cell already published: never worth hiding here.
PUBLISHED_WEIGHT = 1e4
#: Rounds of hiding breakdown cells next to a figure cell the optimiser wanted.
MAX_ROUNDS = 4
#: The figures' one-way table of each cross dimension.
_MARGIN = {"exploitation": "victims.by.exploitation", "scope": "victims.by.scope",
           "age_group": "victims.by.age_group", "source_type": "victims.by.source_type",
           "dutch": "victims.by.dutch"}
_NON_DUTCH_GROUPS = ("EU", "europe_other", "latin_america", "africa", "asia", "other")


@dataclass
class ProtectedBreakdowns:
    """The breakdowns as published: ``tables[year][table][key]`` (None = suppressed).

    ``exports[year][table][cube key]`` are the export cells protected with them
    (`thbmonitor.publish.exports.cells`), when they were given.
    """

    tables: dict[int, dict[str, dict[str, Any]]]
    suppressed: list[str] = field(default_factory=list)
    threshold: int = 10
    audit: AuditReport | None = None
    exports: dict[int, dict[str, dict[str, int | None]]] = field(default_factory=dict)

    def value(self, year: int, table: str, *keys: str) -> Any:
        node: Any = self.tables.get(year, {}).get(table)
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        return node

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tables": {str(y): t for y, t in self.tables.items()},
                               "suppressed": list(self.suppressed), "threshold": self.threshold}
        if self.exports:
            out["exports"] = {str(y): t for y, t in self.exports.items()}
        return out


def _relations(year: int, tables: Mapping[str, Mapping[str, Any]],
               figure_cells: set[str]) -> list[Relation]:
    def k(path: str) -> str:
        return f"{year}:{path}"

    rel: list[Relation] = []
    total = k("victims.total")
    for name in ("victims.by.region",):
        rel.append(adds_up(total, [k(f"{name}.{key}") for key in tables[name]], name))
    bands = [k(f"victims.by.age_band.{b}") for b in tables["victims.by.age_band"]]
    rel.append(adds_up(k("victims.by.age_group.adult"), bands, "adult age bands"))
    rel.append(adds_up(k("victims.by.dutch.non_NL"),
                       [k(f"victims.by.nationality_group.{g}") for g in _NON_DUTCH_GROUPS],
                       "non-Dutch"))
    for name, table in tables.items():
        if not name.startswith("victims.cross."):
            continue
        row_dim, _, col_dim = name.removeprefix("victims.cross.").partition("_by_")
        rows = list(table)
        cols = list(next(iter(table.values()))) if rows else []

        def margin(dim: str, key: str) -> str:
            if dim == "dutch" and key != "non_NL":
                return k(f"victims.by.nationality_group.{key}")
            return k(f"{_MARGIN[dim]}.{key}")

        for r in rows:
            rel.append(adds_up(margin(row_dim, r), [k(f"{name}.{r}.{c}") for c in cols],
                               f"{name} row {r}"))
        for c in cols:
            if col_dim == "sector":
                break  # the sectors' totals over the forms are not published
            parts = [k(f"{name}.{r}.{c}") for r in rows]
            if row_dim == "source_type":
                rel.append(at_least(margin(col_dim, c), parts, f"{name} column {c}"))
                rel.extend(at_most(part, margin(col_dim, c)) for part in parts)
            else:
                rel.append(adds_up(margin(col_dim, c), parts, f"{name} column {c}"))
    chain = [
        ("chain.suspects.total", "chain.suspects.by_sex", ()),
        ("chain.suspects.total", "chain.suspects.by_age", ()),
        ("chain.prosecution.decided", "chain.prosecution.by_decision",
         ("chain.prosecution.summons",)),
        ("chain.verdicts.total", "chain.verdicts.by_outcome", ("chain.verdicts.convictions",)),
        ("chain.verdicts.convictions", "chain.verdicts.custodial", ()),
    ]
    for whole, name, known in chain:
        parts = [k(f"{name}.{key}") for key in tables[name]] + [k(p) for p in known]
        rel.append(adds_up(k(whole), parts, name))
    return [r for r in rel if all(c.split(":", 1)[1] in figure_cells or
                                  not _is_figure(c) for c in r.cells)]


def _is_figure(cell: str) -> bool:
    """A cell of the figures (not one of the breakdowns' own)."""
    return not cell.split(":", 1)[1].startswith(_OWN_PREFIXES)


_OWN_PREFIXES = ("victims.by.region.", "victims.by.age_band.",
                 "victims.by.dutch.", "victims.cross.exploitation_by_scope.",
                 "victims.cross.exploitation_by_sector.", "victims.cross.source_type_by_",
                 "chain.suspects.by_", "chain.prosecution.by_decision.",
                 "chain.verdicts.by_outcome.", "chain.verdicts.custodial.")


def _own_cells(year: int, tables: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    cells: dict[str, int] = {}
    for name, table in tables.items():
        for key, value in table.items():
            if isinstance(value, Mapping):
                for col, n in value.items():
                    cells[f"{year}:{name}.{key}.{col}"] = int(n)
            else:
                cells[f"{year}:{name}.{key}"] = int(value)
    return cells


def _published(year: int, tables: Mapping[str, Mapping[str, Any]],
               suppressed: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, table in tables.items():
        out[name] = {}
        for key, value in table.items():
            if isinstance(value, Mapping):
                out[name][key] = {c: None if f"{year}:{name}.{key}.{c}" in suppressed else n
                                  for c, n in value.items()}
            else:
                out[name][key] = None if f"{year}:{name}.{key}" in suppressed else value
    return out


def _check_aliases(year: int, cells: ExportCells, values: Mapping[str, int]) -> None:
    """An export cell that is a figure cell must count what the figure counts."""
    for key, expected in cells.expected.items():
        if key in values and values[key] != expected:
            raise DataError(
                f"the exports of {year} count {expected} for {key.split(':', 1)[1]}, the figures "
                f"{values[key]}: the two classifications differ; report this as a defect")


def _choose(combined: LinkedTables, own: Mapping[str, int], figure_keys: set[str],
            relations: list[Relation], threshold: int) -> set[str]:
    """The breakdown cells to suppress, never a published figure cell.

    When the optimiser would hide a published figure cell, the breakdown cells
    of every relation around that cell are hidden outright and the optimiser
    runs again for the rest; after a few rounds, every non-zero breakdown cell.
    """
    base_hidden = combined.hidden
    forced: set[str] = set()
    for _ in range(MAX_ROUNDS):
        combined.hidden = frozenset(base_hidden | forced)
        chosen = suppress(combined, threshold).suppressed
        wrong = chosen & figure_keys
        if not wrong:
            combined.hidden = base_hidden
            return (chosen | forced) & set(own)
        around = {c for r in relations if set(r.cells) & wrong for c in r.cells
                  if c in own and own[c] > 0}
        if around <= forced:
            break
        forced |= around
    combined.hidden = base_hidden
    return {c for c, v in own.items() if v > 0}


def protect_breakdowns(raw_figures: Mapping[str, Any], protected_figures: Mapping[str, Any],
                       breakdowns: Breakdowns, *, threshold: int,
                       years: Iterable[int] | None = None,
                       priorities: Iterable[str] = (),
                       exports: Mapping[int, ExportCells] | None = None) -> ProtectedBreakdowns:
    """The breakdowns of ``years`` protected jointly with the (already protected) figures.

    With ``exports`` (per year, `thbmonitor.publish.exports.cells.export_cells`)
    the export cells are protected in the same problem as the breakdowns (one
    protected set per year: every table published for the year is cut from it)
    and come back in ``ProtectedBreakdowns.exports``.
    """
    raw, published = _collect(raw_figures), _collect(protected_figures)
    result = ProtectedBreakdowns(tables={}, threshold=threshold,
                                 audit=AuditReport(threshold=threshold))
    wanted = sorted(years) if years is not None else sorted(breakdowns.tables)
    for year in wanted:
        tables = breakdowns.tables[year]
        values = {key: value for key, value in raw.get(year, {}).items()}
        linked = build_year_tables(year, values, tuple(priorities))
        figure_keys = set(linked.values)
        hidden_figures = {key for key, v in published.get(year, {}).items() if v is None}
        own = _own_cells(year, tables)
        # non_NL is a cell of the Dutch / non-Dutch split, derived from the groups.
        groups = [linked.values.get(f"{year}:victims.by.nationality_group.{g}", 0)
                  for g in _NON_DUTCH_GROUPS]
        own[f"{year}:victims.by.dutch.non_NL"] = int(sum(groups))
        relations = _relations(year, tables, {c.split(":", 1)[1] for c in figure_keys})
        cells = exports.get(year) if exports else None
        if cells is not None:
            _check_aliases(year, cells, {**linked.values, **own})
            own.update(cells.values)
            known = {**linked.values, **own}
            relations += [r for r in cells.relations if all(c in known for c in r.cells)]
        combined = LinkedTables(
            values={**linked.values, **own},
            relations=[*linked.relations, *relations],
            hidden=frozenset(linked.hidden | hidden_figures | {f"{year}:victims.by.dutch.non_NL"}),
            weights={**linked.weights, **{c: PUBLISHED_WEIGHT for c in figure_keys
                                          if c not in hidden_figures}},
        )
        suppressed = _choose(combined, own, figure_keys, relations, threshold)
        report = audit_cells(combined.published(suppressed), combined.relations,
                             threshold=threshold, hidden=combined.hidden, quick=True)
        for _ in range(20):
            pinned = {f.path for f in report.failures
                      if f.path in own and f.path in suppressed and f.lower == f.upper
                      and own[f.path] >= threshold}
            if not pinned:
                break
            suppressed -= pinned
            report = audit_cells(combined.published(suppressed), combined.relations,
                                 threshold=threshold, hidden=combined.hidden, quick=True)
        if not report.ok:
            failing = ", ".join([f.path for f in report.failures[:5]] + report.published_small[:5]
                                + report.inconsistent[:5])
            raise DataError(f"the breakdowns of {year} cannot be protected ({failing}); "
                            "publish the report without them or raise publication.threshold")
        assert result.audit is not None
        result.audit.merge(report)
        result.tables[year] = _published(year, tables, suppressed)
        if cells is not None:
            unknown = suppressed | hidden_figures | set(linked.hidden)
            values = {**linked.values, **own}
            result.exports[year] = {
                name: {code: None if key in unknown else values[key]
                       for code, key in table.items()}
                for name, table in cells.cells.items()}
        result.suppressed += sorted(c for c in suppressed if c in own)
    return result


# -- the one protected set of a year ----------------------------------------------------------


@dataclass
class ProtectedYear:
    """Everything published for the years of a report, cut from one protected set.

    ``figures`` is the protected figures dict (`thb figures --protected`),
    ``breakdowns`` the report's further tables and the export cells
    (Eurostat, SDG) protected with them. Every publication of these years
    (figures, report, its XLSX/CSV tables, Eurostat, SDG, CTDC) reads its
    cells from here.
    """

    year: int
    years: tuple[int, ...]
    threshold: int
    raw: dict[str, Any]
    figures: dict[str, Any]
    breakdowns: ProtectedBreakdowns

    def export(self, table: str, year: int | None = None) -> dict[tuple[str, ...], int | None]:
        """The published cells of an export cube (``eurostat.victims``, ``eurostat.suspects``)."""
        cells = self.breakdowns.exports[self.year if year is None else year][table]
        return {tuple(key.split("|")): value for key, value in cells.items()}


def year_exports(db: Any, years: Iterable[int], geo: str = "NL") -> dict[int, ExportCells]:
    """The export cells (Eurostat victims, suspects, prosecuted, convicted) of ``years``."""
    from thbmonitor.publish.exports.cells import export_cells
    from thbmonitor.publish.exports.sources import chain_cubes, suspect_cube, victim_cube

    return {y: export_cells(y, victim_cube(db, y, geo), suspect_cube(db, y, geo),
                            chain_cubes(db, y, geo)) for y in years}


def protect_year(db: Any, year: int, *, first: int | None = None,
                 threshold: int | None = None) -> ProtectedYear:
    """Protect every table published for ``year`` (and the years from ``first``) together.

    The one entry point that protects a whole year: the figures first
    (`thbmonitor.disclosure.protect_figures`, their verdicts are final), then
    the breakdowns and the export cells of each year in one problem with
    every figure cell and the relations between them. ``threshold`` defaults
    to the setting ``publication.threshold``.
    """
    from thbmonitor.disclosure import protect_figures
    from thbmonitor.figures import compute_figures
    from thbmonitor.figures.breakdowns import count_breakdowns
    from thbmonitor.store.settings import THRESHOLD_FLOOR

    limit = int(threshold if threshold is not None else db.setting("publication.threshold"))
    if threshold is None and limit < THRESHOLD_FLOOR and not str(
            db.setting("publication.threshold_reason")).strip():
        raise DataError(f"publication.threshold is {limit}, below {THRESHOLD_FLOOR}, with no "
                        "recorded reason; set publication.threshold_reason or raise the threshold")
    priorities = list(db.setting("publication.priorities"))
    raw = compute_figures(db, year).to_dict()
    published = protect_figures(raw, threshold=limit, priorities=priorities).to_dict()
    start = year if first is None else first
    years = tuple(range(start, year + 1))
    counted = count_breakdowns(db, start, year)
    breakdowns = protect_breakdowns(raw, published, counted, threshold=limit, years=years,
                                    priorities=priorities, exports=year_exports(db, years))
    return ProtectedYear(year=year, years=years, threshold=limit, raw=raw, figures=published,
                         breakdowns=breakdowns)


def year_model(year: int, figures: Mapping[str, Any],
               breakdowns: Mapping[str, Mapping[str, Any]] | None,
               exports: Mapping[str, Mapping[str, int | None]] | None,
               ) -> tuple[dict[str, int | None], list[Relation], set[str], list[str]]:
    """What an attacker holds for one year: published cells, relations, hidden cells, conflicts.

    Built from published values only (the protected figures dict, the
    published breakdowns of the year, the published export cells of the
    year); None is a cell not published.
    """
    from thbmonitor.publish.exports.cells import export_cells

    cells = _collect(figures).get(year, {})
    linked = build_year_tables(year, cells)
    published: dict[str, int | None] = {
        key: None if key in linked.hidden else cells.get(key) for key in linked.values}
    relations = list(linked.relations)
    hidden = set(linked.hidden)
    conflicts: list[str] = []
    if breakdowns:
        for name, table in breakdowns.items():
            for key, value in table.items():
                if isinstance(value, Mapping):
                    for col, n in value.items():
                        published[f"{year}:{name}.{key}.{col}"] = n
                else:
                    published[f"{year}:{name}.{key}"] = value
        non_nl = f"{year}:victims.by.dutch.non_NL"
        published[non_nl] = None
        hidden.add(non_nl)
        figure_paths = {c.split(":", 1)[1] for c in linked.values}
        relations += _relations(year, breakdowns, figure_paths)
    if exports:
        shape = export_cells(year, {}, {})
        for name, table in exports.items():
            for code, value in table.items():
                key = shape.cells[name][code]
                if key in published and published[key] != value:
                    if published[key] is None:
                        published[key] = value  # published here: the attacker knows it
                    elif value is not None:
                        conflicts.append(f"{name} {code} ({value}) differs from {key} "
                                         f"({published[key]})")
                elif key not in published:
                    published[key] = value
        relations += [r for r in shape.relations if all(c in published for c in r.cells)]
    return published, relations, hidden, conflicts


def audit_year(protected: ProtectedYear, *, extra_published: Mapping[str, int | None] | None = None,
               extra_relations: Iterable[Relation] = ()) -> AuditReport:
    """The attacker's audit over every table published for each year of ``protected``.

    For each year: the figures, the report's breakdowns and the export cells
    together (and, when given, what other publications add: the bounds an
    attacker reads from the CTDC records). Uses only published values.
    """
    report = AuditReport(threshold=protected.threshold)
    for year in protected.years:
        published, relations, hidden, conflicts = year_model(
            year, protected.figures, protected.breakdowns.tables.get(year),
            protected.breakdowns.exports.get(year))
        if year == protected.year and extra_published:
            published = {**published, **extra_published}
            relations = [*relations, *extra_relations]
        report.merge(audit_cells(published, relations, threshold=protected.threshold,
                                 hidden=hidden))
        report.inconsistent += conflicts
    return report
