"""The report's release parts: revisions, cell flags, series breaks and the concerns.

Flags follow Eurostat's: ``r`` revised since the year's previous release, ``p``
provisional (setting `release.provisional_years`), ``e`` estimated (the dark figure),
``b`` a declared break in the series (setting `release.series_breaks`). A revised cell
is found by rebuilding the previous release's tables from the revisions the release
carries (every changed cell with its earlier value) and comparing them with this
release's tables cell by cell, so a table shows exactly the cells `thb revisions` lists.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from thbmonitor.publish.tables import MISSING, Row, Table, cell_text, report_tables
from thbmonitor.publish.texts import N_, NOT_PUBLISHED, Texts

__all__ = ["FLAG_TEXT", "cell_flags", "concern_tables_shown", "previous_release",
           "release_info", "revision_rows"]

FLAG_TEXT = {
    "r": N_("revised since the previous release"),
    "p": N_("provisional: may still change with late reports"),
    "e": N_("estimated"),
    "b": N_("break in the series: not fully comparable with the years before"),
}
CONCERN_TITLE = {
    "source_type": N_("Concerns by the type of organisation that raised them"),
    "age_group": N_("Concerns by age group"),
    "exploitation": N_("Concerns by suspected form of exploitation"),
    "nationality_group": N_("Concerns by nationality group"),
    "reason_not_reported": N_("Concerns by the reason they did not become a report"),
}
REASON_LABEL = {
    "no_consent": N_("No consent to report"),
    "insufficient_signal": N_("Signal too weak to report"),
    "referred_elsewhere": N_("Referred elsewhere"),
    "unknown": N_("Reason unknown"),
}


def _locate(node: Any, rest: str) -> tuple[Any, str] | None:
    """The container and key of a dotted path whose keys may hold dots themselves."""
    while isinstance(node, Mapping):
        if rest in node:
            return node, rest
        for key in sorted(node, key=lambda k: -len(str(k))):
            if rest.startswith(f"{key}."):
                node, rest = node[key], rest[len(str(key)) + 1:]
                break
        else:
            return None
    return None


def _entry(release: dict[str, Any], path: str) -> tuple[Any, str]:
    if path.startswith("series."):
        _, year, rest = path.split(".", 2)
        entry = next((e for e in release["figures"].get("series") or []
                      if str(e["year"]) == year), None)
        return entry, rest
    if path.startswith("breakdowns."):
        return (release.get("breakdowns") or {}).get("tables"), path.removeprefix("breakdowns.")
    if path.startswith("concerns."):
        return (release.get("concerns") or {}).get("tables"), path.removeprefix("concerns.")
    if path.startswith("estimate."):
        return release.get("estimate"), path.removeprefix("estimate.")
    return release["figures"], path


def previous_release(release: Mapping[str, Any]) -> dict[str, Any] | None:
    """The previous release's published values, rebuilt from this release's revisions."""
    revisions = release.get("revisions")
    if not revisions:
        return None
    before = copy.deepcopy(dict(release))
    for cell in revisions.get("revisions") or []:
        node, rest = _entry(before, str(cell["path"]))
        found = _locate(node, rest) if node is not None else None
        if found is not None:
            container, key = found
            container[key] = cell["before"]
    return before


def _cell_key(table: Table, row: Row, index: int) -> tuple[str, str, str, int]:
    return (table.id, row.label, row.kind, table.years[index])


def cell_flags(release: Mapping[str, Any], tables: list[Table],
               t: Texts) -> dict[tuple[str, str, str, int], str]:
    """(table id, row label, row kind, year) -> flags (``r``, ``p``) of every table cell.

    Flags are a property of a frozen release: a live report (no ``release_id``) has none.
    """
    if not release.get("release_id"):
        return {}
    flags = release.get("flags") or {}
    provisional = {int(y) for y in flags.get("provisional") or []}
    revised: set[tuple[str, str, str, int]] = set()
    before = previous_release(release)
    if before is not None:
        old = {tab.id: tab for tab in report_tables(before, t)}
        for table in tables:
            other = old.get(table.id)
            if other is None:
                continue
            rows = {(r.label, r.kind): r for r in other.rows}
            for row in table.rows:
                match = rows.get((row.label, row.kind))
                for i, value in enumerate(row.values):
                    year = table.years[i]
                    if match is None or year not in other.years:
                        continue
                    if match.values[other.years.index(year)] != value:
                        revised.add(_cell_key(table, row, i))
    out: dict[tuple[str, str, str, int], str] = {}
    for table in tables:
        for row in table.rows:
            if row.kind == "heading":
                continue
            for i, value in enumerate(row.values):
                key = _cell_key(table, row, i)
                mark = ("r" if key in revised else "") + (
                    "p" if table.years[i] in provisional and value is not MISSING else "")
                if mark:
                    out[key] = mark
    return out


def release_info(t: Texts, release: Mapping[str, Any]) -> dict[str, Any]:
    """Which release this is, the flags' legend and the declared breaks."""
    flags = release.get("flags") or {}
    breaks = {int(y): str(text) for y, text in (flags.get("breaks") or {}).items()}
    return {
        "id": release.get("release_id"),
        "released_at": str(release.get("released_at") or "")[:10],
        "legend": [{"flag": f, "text": t._(FLAG_TEXT[f])} for f in ("r", "p", "e", "b")],
        "provisional": [int(y) for y in flags.get("provisional") or []],
        "breaks": breaks,
        "break_notes": [t._("Break in the series in %(year)s: %(what)s.", year=y, what=text)
                        for y, text in sorted(breaks.items())],
    }


def _label(t: Texts, path: str) -> str:
    year = ""
    if path.startswith("series."):
        _, year, path = path.split(".", 2)
    if path.startswith(("breakdowns.", "concerns.")):
        head, year, path = path.split(".", 2)
        if head == "concerns":
            path = "concerns." + path
    label = _metric(t, path)
    return f"{label} ({year})" if year else label


def _metric(t: Texts, path: str) -> str:
    """A cell's label: the report's own wording when it has one, else table and category."""
    if path.startswith(("victims.", "reports.", "chain.")):
        label = t.metric_label(path)
        if label != t.metric_label("?").replace("?", path):
            return label
    parts = path.split(".")
    if len(parts) >= 2:
        dim = parts[-2]
        if parts[0] == "concerns":
            cell = f"{t.table_title(dim)}, {t.label(dim, parts[-1])}"
            return t._("Concerns: %(cell)s", cell=cell)
        return f"{t.table_title(dim)}: {t.label(dim, parts[-1])}"
    return path


def revision_rows(t: Texts, release: Mapping[str, Any]) -> dict[str, Any] | None:
    """The revisions table: every published number that changed since the previous release."""
    revisions = release.get("revisions")
    if not revisions:
        return None
    before, after = (list(revisions.get("releases") or []) + ["", ""])[:2]

    def shown(value: Any) -> str:
        return NOT_PUBLISHED if value is None else cell_text(t, value, percent=False)

    rows = [{"label": _label(t, str(c["path"])), "path": str(c["path"]),
             "before": shown(c["before"]), "after": shown(c["after"])}
            for c in revisions.get("revisions") or []]
    return {"before": before, "after": after, "rows": rows}


def concern_tables_shown(t: Texts, release: Mapping[str, Any]) -> list[Table]:
    """The concerns as five-year tables (the victims' table layout)."""
    concerns = release.get("concerns")
    if not concerns:
        return []
    years = [int(y) for y in concerns.get("years") or []]
    tables = concerns.get("tables") or {}

    def values(*keys: str) -> list[Any]:
        out: list[Any] = []
        for y in years:
            node: Any = tables.get(str(y))
            for key in keys:
                node = node.get(key) if isinstance(node, Mapping) else MISSING
            out.append(MISSING if node is MISSING else node)
        return out

    total = values("total")
    shown: list[Table] = []
    minors = Table("concerns-minors", t._("Concerns about minors by the type of organisation "
                                           "that raised them"), t.table_title("source_type"),
                   years)
    minor_total = values("by", "age_group", "minor")
    kinds: list[str] = []
    for y in years:
        cross = ((tables.get(str(y)) or {}).get("cross") or {}).get("source_type_by_age_group")
        kinds += [k for k in cross or {} if k not in kinds]
    for kind in kinds:
        minors.rows.append(Row(t.label("source_type", kind),
                               values("cross", "source_type_by_age_group", kind, "minor"),
                               base=minor_total))
    minors.rows.append(Row(t._("Total"), minor_total, kind="total", base=minor_total))
    for name, title in CONCERN_TITLE.items():
        keys: list[str] = []
        for y in years:
            for key in ((tables.get(str(y)) or {}).get("by") or {}).get(name) or {}:
                if key not in keys:
                    keys.append(key)
        header = (t._("Reason not reported") if name == "reason_not_reported"
                  else t.table_title(name))
        table = Table(f"concerns-{name}", t._(title), header, years)
        for key in keys:
            label = (t._(REASON_LABEL[key]) if name == "reason_not_reported"
                     and key in REASON_LABEL else t.label(name, key))
            table.rows.append(Row(label, values("by", name, key), base=total))
        table.rows.append(Row(t._("Total"), total, kind="total", base=total))
        if name == "exploitation":
            table.notes.append(t._("A concern can name more than one form: the forms add "
                                   "up to more than the total."))
        shown.append(table)
    return [*shown[:1], minors, *shown[1:]] if kinds else shown
