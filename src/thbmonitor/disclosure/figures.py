"""Disclosure control of the annual figures (CONTRACTS §3 ``--protected``).

The figures dict shows the same count in several places: a year's tables at
the top level, again in its ``series`` entry, and as ``previous``/``previous_by``
of the next year. Each place is a *view* of one cell per (year, path). The
cells of one year form linked tables (see `build_year_tables`); years are not
tied by any relation, so each year is protected on its own and every view of
a cell gets the same verdict. Derived values are published only when what
they are computed from is: ``change`` (total − previous) and the percentages
(``summons_pct``, ``previous_summons_pct``, ``conviction_pct``).

Published paths of suppressed cells: the dotted path in the dict, as the
findings name their metrics (``victims.by.nationality.UA``,
``victims.previous_by.age_group.minor``), and for the series
``series.<year>.<path>`` (``series.2022.victims.by.nationality.UA``). Each
series entry also lists its own suppressed paths, relative to the entry.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from thbmonitor.disclosure.audit import AuditReport, audit_cells
from thbmonitor.disclosure.suppression import suppress
from thbmonitor.disclosure.tables import LinkedTables, adds_up, at_least, at_most
from thbmonitor.errors import DataError

__all__ = [
    "ProtectedFigures", "audit_figures", "build_year_tables", "protect_figures",
]

#: ``previous`` keys: the same count one year earlier.
PREVIOUS: dict[str, str] = {
    "victims.previous": "victims.total",
    "chain.investigations.previous": "chain.investigations.total",
    "chain.suspects.previous": "chain.suspects.total",
    "chain.prosecution.previous": "chain.prosecution.registered",
}
#: Derived values: kind, then (year offset, path) of what they are computed from.
DERIVED: dict[str, tuple[str, tuple[int, str], tuple[int, str]]] = {
    "victims.change": ("difference", (0, "victims.total"), (-1, "victims.total")),
    "chain.prosecution.summons_pct": (
        "percent", (0, "chain.prosecution.summons"), (0, "chain.prosecution.decided")),
    "chain.prosecution.previous_summons_pct": (
        "percent", (-1, "chain.prosecution.summons"), (-1, "chain.prosecution.decided")),
    "chain.verdicts.conviction_pct": (
        "percent", (0, "chain.verdicts.convictions"), (0, "chain.verdicts.total")),
}
SECTIONS = ("victims", "reports", "chain")
#: Hidden cells: never published, fixed by the published ones (whole = part + hidden).
HIDDEN: tuple[tuple[str, str, str], ...] = (
    ("chain.prosecution.other_decisions", "chain.prosecution.decided",
     "chain.prosecution.summons"),
    ("chain.verdicts.other_outcomes", "chain.verdicts.total", "chain.verdicts.convictions"),
)
ROUNDING_BASE = 5
ROUNDED_PREFIX = "chain."
DEFAULT_THRESHOLD = 10


#: Relative cost of suppressing a cell about minors, and one of an unknown category
#: (1 is a plain cell; docs/publication.md, "Priorities").
MINOR_WEIGHT = 1.5
UNKNOWN_WEIGHT = 0.5
#: Cost of suppressing a cell the publisher listed as a priority (setting
#: `publication.priorities`): hidden only when nothing else protects.
PRIORITY_WEIGHT = 50.0


def _key(year: int, path: str) -> str:
    return f"{year}:{path}"


def _split(key: str) -> tuple[int, str]:
    year, path = key.split(":", 1)
    return int(year), path


def _is_count(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _leaves(node: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            yield from _leaves(value, path)
        elif _is_count(value):
            yield path, value


def _views(figures: Mapping[str, Any]) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    """(prefix of published paths, year, entry) for the top level and every series entry."""
    yield "", int(figures["year"]), figures
    for entry in figures.get("series") or []:
        yield f"series.{int(entry['year'])}.", int(entry["year"]), entry


def _view_cells(year: int, entry: Mapping[str, Any]) -> Iterator[tuple[str, str | None, Any]]:
    """(path in the entry, cell key or None for a derived value, value)."""
    for section in SECTIONS:
        node = entry.get(section)
        if not isinstance(node, Mapping):
            continue
        for path, value in _leaves(node, section):
            if path in DERIVED:
                yield path, None, value
            elif path in PREVIOUS:
                yield path, _key(year - 1, PREVIOUS[path]), value
            elif path.startswith("victims.previous_by."):
                yield path, _key(year - 1, "victims.by." + path.removeprefix(
                    "victims.previous_by.")), value
            elif isinstance(value, int) or value is None:
                yield path, _key(year, path), value


def _collect(figures: Mapping[str, Any]) -> dict[int, dict[str, int | None]]:
    """Every cell of every year, merged over the views (published wins over null)."""
    years: dict[int, dict[str, int | None]] = {}
    for _prefix, year, entry in _views(figures):
        for _path, key, value in _view_cells(year, entry):
            if key is None:
                continue
            cells = years.setdefault(_split(key)[0], {})
            if value is not None and cells.get(key) is not None and cells[key] != value:
                raise DataError(f"the figures hold two values for {key}; recompute them")
            if cells.get(key) is None:
                cells[key] = None if value is None else int(value)
    return years


def _group_of(code: str, groups: Mapping[str, str]) -> str:
    if code == "unknown":
        return "unknown"
    return groups.get(code, "other")


def build_year_tables(year: int, values: Mapping[str, int | None],
                      priorities: Sequence[str] = ()) -> LinkedTables:
    """The linked tables of one year: its cells, their relations and the hidden cells.

    Relations (each added only when all its cells are present):
    every ``victims.by`` table adds up to ``victims.total`` except
    ``source_type`` (at least the total, each cell at most the total and at
    most the reports of that type); nationalities add up to their nationality
    group; every cross-table's rows and columns add up to the ``by`` tables of
    its two dimensions (``<row>_by_<column>``); reports by source type add up
    to the reports; victims are at most the reports; investigations by form
    and by scope add up to the total, sexual by scope to the sexual form; the
    hidden cells are decided cases other than summons, verdicts other than
    convictions and non-sexual investigations by scope.
    """
    from thbmonitor.vocab import nationality_groups

    def k(path: str) -> str:
        return _key(year, path)

    paths = {_split(key)[1] for key in values}
    true_values = {key: (0 if v is None else int(v)) for key, v in values.items()}
    tables = LinkedTables(values=true_values)
    hidden: set[str] = set()

    def table(prefix: str) -> list[str]:
        return [p for p in paths if p.startswith(prefix) and "." not in p[len(prefix):]]

    by_names = {p.split(".")[2] for p in paths if p.startswith("victims.by.")}
    for name in sorted(by_names):
        parts = [k(p) for p in sorted(table(f"victims.by.{name}."))]
        if name == "source_type":
            tables.add_relation(at_least(k("victims.total"), parts, "source types"))
            for part in parts:
                tables.add_relation(at_most(part, k("victims.total")))
                report_cell = k("reports.by_source_type." + part.rsplit(".", 1)[1])
                tables.add_relation(at_most(part, report_cell))
        else:
            tables.add_relation(adds_up(k("victims.total"), parts, f"victims by {name}"))
    tables.add_relation(at_most(k("victims.total"), k("reports.total")))
    nationalities = table("victims.by.nationality.")
    if nationalities:
        groups = nationality_groups() | {"stateless": "other"}
        members: dict[str, list[str]] = {}
        for p in nationalities:
            members.setdefault(_group_of(p.rsplit(".", 1)[1], groups), []).append(k(p))
        for group_path in table("victims.by.nationality_group."):
            group = group_path.rsplit(".", 1)[1]
            tables.add_relation(adds_up(k(group_path), sorted(members.get(group, [])),
                                        f"nationality group {group}"))
    cross_names = {p.split(".")[2] for p in paths if p.startswith("victims.cross.")}
    for name in sorted(cross_names):
        row_dim, _, col_dim = name.partition("_by_")
        cells = [p.split(".")[3:] for p in paths if p.startswith(f"victims.cross.{name}.")]
        rows = sorted({r for r, _ in cells})
        cols = sorted({c for _, c in cells})
        for r in rows:
            tables.add_relation(adds_up(
                k(f"victims.by.{row_dim}.{r}"),
                [k(f"victims.cross.{name}.{r}.{c}") for c in cols], f"{name} row {r}"))
        for c in cols:
            tables.add_relation(adds_up(
                k(f"victims.by.{col_dim}.{c}"),
                [k(f"victims.cross.{name}.{r}.{c}") for r in rows], f"{name} column {c}"))
    tables.add_relation(adds_up(
        k("reports.total"), [k(p) for p in sorted(table("reports.by_source_type."))],
        "reports by source type"))
    inv = "chain.investigations."
    for sub in ("by_exploitation", "by_scope"):
        tables.add_relation(adds_up(
            k(inv + "total"), [k(p) for p in sorted(table(f"{inv}{sub}."))],
            f"investigations {sub}"))
    sexual = sorted(table(f"{inv}sexual_by_scope."))
    tables.add_relation(adds_up(k(inv + "by_exploitation.sexual"), [k(p) for p in sexual],
                                "sexual investigations by scope"))
    hidden_parts = [
        (f"{inv}nonsexual_by_scope.{p.rsplit('.', 1)[1]}", f"{inv}by_scope.{p.rsplit('.', 1)[1]}",
         p) for p in sexual]
    for name, whole, part in (*HIDDEN, *hidden_parts):
        if whole in paths and part in paths:
            hidden.add(k(name))
            tables.values[k(name)] = max(0, true_values[k(whole)] - true_values[k(part)])
            tables.add_relation(adds_up(k(whole), [k(part), k(name)], name))
    tables.hidden = frozenset(hidden)
    for key in tables.values:
        path = _split(key)[1]
        last = path.rsplit(".", 1)[1]
        if path.count(".") <= 2 and (last in ("total", "registered", "decided", "summons",
                                               "convictions")):
            tables.weights[key] = 20.0
        elif path.startswith(("victims.by.", "chain.investigations.by_")):
            tables.weights[key] = 2.0
        elif last == "minor":
            # Publication priority: minors are a focus of the release (DOMAIN.md), so the
            # optimiser hides a neighbouring adult cell rather than a minor one when either
            # would protect the same primary cell.
            tables.weights[key] = MINOR_WEIGHT
        elif last == "unknown":
            # An unknown category tells the reader least: hide it first.
            tables.weights[key] = UNKNOWN_WEIGHT
        if path in priorities:
            tables.weights[key] = PRIORITY_WEIGHT
    return tables


@dataclass
class ProtectedFigures:
    """The figures as published: suppressed cells null and listed, with the audit.

    ``to_dict()`` is the figures shape (CONTRACTS §3 plus ``series``) with
    ``"suppressed"`` (dotted paths) and ``"disclosure"`` (threshold, rule,
    rounding) added; `thb figures --protected --json` prints exactly that.
    """

    figures: dict[str, Any]
    suppressed: list[str]
    threshold: int
    audit: AuditReport
    primary: list[str] = field(default_factory=list)
    secondary: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.figures)


def _percent(part: int | None, whole: int | None) -> float | None:
    if part is None or whole is None or whole == 0:
        return None
    return round(part / whole * 100, 1)


def _round(value: int, base: int) -> int:
    return int(base * ((2 * value + base) // (2 * base)))


def _set(node: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def _published_values(
    years: Mapping[int, Mapping[str, int | None]], suppressed: set[str], rounding: int | None,
) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for cells in years.values():
        for key, value in cells.items():
            if key in suppressed or value is None:
                out[key] = None
            elif rounding and _split(key)[1].startswith(ROUNDED_PREFIX):
                out[key] = _round(value, rounding)
            else:
                out[key] = value
    return out


def protect_figures(
    figures: Mapping[str, Any], *, threshold: int = DEFAULT_THRESHOLD,
    round_chain: bool = False, priorities: Sequence[str] = (),
) -> ProtectedFigures:
    """Suppress small cells and whatever would let them be recomputed.

    ``figures`` is ``Figures.to_dict()`` (with or without ``series``). Cells
    from 1 to ``threshold - 1`` are suppressed (primary); secondary cells are
    chosen per year by `thbmonitor.disclosure.suppression.suppress` so that
    the audit passes. With ``round_chain`` the chain counts are published
    rounded to base 5 (the percentages then come from the rounded counts).
    ``findings`` are left as they are: compute them after protection.
    ``priorities`` are dotted paths (as in ``suppressed``, without the year)
    the publisher most wants published: secondary suppression avoids them
    when another choice protects as well (a primary cell is always hidden).
    """
    if threshold < 1:
        raise DataError(f"the publication threshold must be at least 1, not {threshold}")
    years = _collect(figures)
    suppressed: set[str] = set()
    primary: set[str] = set()
    report = AuditReport(threshold=threshold)
    for year in sorted(years):
        result = suppress(build_year_tables(year, years[year], priorities), threshold)
        suppressed |= result.suppressed
        primary |= result.primary
        if result.audit is not None:
            report.merge(result.audit)
    rounding = ROUNDING_BASE if round_chain else None
    published = _published_values(years, suppressed, rounding)
    out = copy.deepcopy(dict(figures))
    listed: list[str] = []
    for prefix, year, entry in _views(figures):
        target = out if not prefix else next(
            e for e in out["series"] if int(e["year"]) == year)
        own: list[str] = []
        for path, key, value in _view_cells(year, entry):
            if key is not None:
                new: Any = published.get(key, value)
            else:
                kind, (off_a, path_a), (off_b, path_b) = DERIVED[path]
                a = published.get(_key(year + off_a, path_a))
                b = published.get(_key(year + off_b, path_b))
                if kind == "difference":
                    new = None if a is None or b is None else a - b
                elif rounding and path.startswith(ROUNDED_PREFIX):
                    new = _percent(a, b)
                else:
                    new = value if a is not None and b is not None else None
            _set(target, path, new)
            if new is None and value is not None:
                own.append(path)
        if prefix:
            target["suppressed"] = sorted(own)
        listed += [prefix + path for path in own]
    out["suppressed"] = sorted(set(listed))
    out["disclosure"] = {
        "threshold": threshold,
        "rule": f"cells from 1 to {threshold - 1} suppressed, zeros published; secondary "
                f"suppression so that every suppressed cell's interval reaches {threshold} "
                "and is at least 2 wide",
        "rounding": {"base": rounding, "prefix": ROUNDED_PREFIX} if rounding else None,
    }
    return ProtectedFigures(
        figures=out, suppressed=out["suppressed"], threshold=threshold, audit=report,
        primary=sorted(primary), secondary=sorted(suppressed - primary))


def _display(key: str, top_year: int) -> str:
    year, path = _split(key)
    return path if year == top_year else f"series.{year}.{path}"


def audit_figures(protected: Mapping[str, Any], *, threshold: int | None = None) -> AuditReport:
    """Play the attacker on published figures: every hidden cell's interval, and the verdict.

    Uses only what ``protected`` publishes (its threshold and rounding come
    from its ``"disclosure"`` key unless ``threshold`` is given). Also
    flags a published count from 1 to threshold - 1, a derived value
    (change, percentage) published while a count it comes from is not, and
    published values that do not add up.
    """
    info = protected.get("disclosure") or {}
    limit = int(threshold if threshold is not None else info.get("threshold", DEFAULT_THRESHOLD))
    rounding_info = info.get("rounding") or {}
    base = rounding_info.get("base")
    prefix = rounding_info.get("prefix", ROUNDED_PREFIX)
    years = _collect(protected)
    top = int(protected["year"])
    report = AuditReport(threshold=limit)
    for view_prefix, year, entry in _views(protected):
        for path, key, value in _view_cells(year, entry):
            if key is not None or value is None:
                continue
            _kind, (off_a, path_a), (off_b, path_b) = DERIVED[path]
            for off, part in ((off_a, path_a), (off_b, path_b)):
                cells = years.get(year + off, {})
                if cells.get(_key(year + off, part), 0) is None:
                    report.inconsistent.append(
                        f"{view_prefix}{path} is published while {part} of {year + off} is not")
    for year in sorted(years):
        tables = build_year_tables(year, years[year])
        published: dict[str, int | None] = {
            key: (None if key in tables.hidden else years[year].get(key))
            for key in tables.values}
        bounds: dict[str, tuple[float, float]] = {}
        if base:
            for key, value in published.items():
                if value and _split(key)[1].startswith(prefix):
                    bounds[key] = (float(max(limit, value - base // 2)), float(value + base // 2))
        paths = {key: _display(key, top) for key in tables.values}
        report.merge(audit_cells(published, tables.relations, threshold=limit,
                                 hidden=tables.hidden, bounds=bounds, paths=paths))
    return report
