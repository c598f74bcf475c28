"""Concerns counted and protected: signals that did not become reports (CONTRACTS §8).

Per year: the concerns by source type, suspected form, age group, nationality group and
reason not reported, and source type by age group (the blind spot the 2024 release
named: minors in reception). Every cell passes the same disclosure control as the
victims' (`thbmonitor.disclosure`): the one-way tables add up to the year's total (the
suspected form, multi-valued, adds up to at least the total), the cross-table to its
margins; primary and secondary suppression by the integer programme, and the attacker's
audit decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from thbmonitor import vocab
from thbmonitor.ingest.concerns import REASONS

if TYPE_CHECKING:
    from thbmonitor.store import Database

__all__ = ["CONCERN_TABLES", "concern_tables", "count_concerns"]

#: The published one-way tables: name -> (SQL expression, categories).
CONCERN_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "source_type": ("st", vocab.SOURCE_TYPES),
    "exploitation": ("unnest(coalesce(exploitation, ['unknown']))", vocab.EXPLOITATION_FORMS),
    "age_group": ("age_group", vocab.AGE_GROUPS),
    "nationality_group": ("nationality_group", vocab.NATIONALITY_GROUPS),
    "reason_not_reported": ("reason_not_reported", REASONS),
}
#: The report shows this many years, ending in the report's year (as the victims' tables).
YEARS = 5
_SOURCE = ("SELECT c.*, coalesce(c.source_type, o.source_type, 'other') AS st "
           "FROM concerns c LEFT JOIN organisations o ON o.source = c.source")


def count_concerns(db: Database, year: int) -> dict[str, Any]:
    """The true counts of one year (never published as such: see `concern_tables`)."""
    total = int(db.scalar(f"SELECT count(*) FROM ({_SOURCE}) WHERE year(concern_date) = ?",
                          [year]))
    by: dict[str, dict[str, int]] = {}
    for name, (expr, categories) in CONCERN_TABLES.items():
        counted = dict(db.rows(
            f"SELECT v, count(*) FROM (SELECT {expr} AS v FROM ({_SOURCE}) "
            "WHERE year(concern_date) = ?) GROUP BY v", [year]))
        shown = [c for c in categories if c in counted or name != "source_type"]
        by[name] = {c: int(counted.get(c, 0)) for c in shown}
    cross: dict[str, dict[str, int]] = {}
    for st, age, n in db.rows(
            f"SELECT st, age_group, count(*) FROM ({_SOURCE}) WHERE year(concern_date) = ? "
            "GROUP BY ALL", [year]):
        cross.setdefault(str(st), {a: 0 for a in vocab.AGE_GROUPS})[str(age)] = int(n)
    return {"total": total, "by": by, "cross": {"source_type_by_age_group": cross}}


def _cells(year: int, counts: Mapping[str, Any]) -> dict[str, int]:
    cells = {f"{year}.total": int(counts["total"])}
    for name, table in counts["by"].items():
        cells.update({f"{year}.by.{name}.{k}": int(v) for k, v in table.items()})
    for name, table in counts["cross"].items():
        for row, cols in table.items():
            cells.update({f"{year}.cross.{name}.{row}.{c}": int(v) for c, v in cols.items()})
    return cells


def _tables(year: int, counts: Mapping[str, Any], cells: Mapping[str, int]) -> Any:
    from thbmonitor.disclosure import LinkedTables, adds_up, at_least

    linked = LinkedTables(values=dict(cells))
    total = f"{year}.total"
    linked.weights[total] = 20.0
    for name, table in counts["by"].items():
        parts = [f"{year}.by.{name}.{k}" for k in table]
        relation = at_least if name == "exploitation" else adds_up
        linked.add_relation(relation(total, parts, f"concerns by {name}"))
        for part in parts:
            linked.weights.setdefault(part, 2.0)
    for name, table in counts["cross"].items():
        row_dim, _, col_dim = name.partition("_by_")
        cols = list(vocab.AGE_GROUPS)
        for row in table:
            linked.add_relation(adds_up(f"{year}.by.{row_dim}.{row}",
                                        [f"{year}.cross.{name}.{row}.{c}" for c in cols]))
        for col in cols:
            linked.add_relation(adds_up(f"{year}.by.{col_dim}.{col}",
                                        [f"{year}.cross.{name}.{r}.{col}" for r in table]))
    return linked


def _set(node: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def concern_tables(db: Database, year: int, *, threshold: int | None) -> dict[str, Any] | None:
    """The concerns of the report's years as published (``threshold`` None: unprotected).

    None when the store holds no concern at all (the report then has no concerns part).
    ``suppressed`` lists ``<year>.by.<table>.<key>`` paths; the audit must pass, or the
    tables are not published (DataError).
    """
    from thbmonitor.disclosure import suppress
    from thbmonitor.errors import DataError

    if not db.scalar("SELECT count(*) FROM concerns"):
        return None
    first = db.scalar("SELECT min(year(concern_date)) FROM concerns")
    years = list(range(max(year - YEARS + 1, int(first)), year + 1))
    tables: dict[str, Any] = {}
    suppressed: list[str] = []
    for y in years:
        counts = count_concerns(db, y)
        tables[str(y)] = counts
        if threshold is None:
            continue
        cells = _cells(y, counts)
        linked = _tables(y, counts, cells)
        result = suppress(linked, threshold)
        if result.audit is not None and not result.audit.ok:
            raise DataError(f"the concerns of {y} cannot be protected; raise "
                            "publication.threshold or publish the report without them")
        for cell in sorted(result.suppressed):
            _set(tables[str(y)], cell.split(".")[1:], None)
            suppressed.append(cell)
    return {"years": years, "tables": tables, "suppressed": suppressed,
            "threshold": threshold}
