"""Releases (CONTRACTS §7): the annual publication assembled, frozen, listed and compared.

`assemble_release` builds everything a report shows as one typed `Release` (protected
figures with findings, breakdowns, concerns, the dark figure, pattern counts, linkage
quality, provenance). `freeze_release` stores it, numbered per year (``2024-1``,
``2024-2``), as canonical JSON text with its SHA-256, and records that hash in the audit
chain (`store.audit`). A release is never changed: this module has no UPDATE or DELETE
of the ``releases`` table (a test checks the source), and `stored_release` refuses a
release whose text no longer matches the hash recorded when it was frozen.

Disclosure control holds across releases (`thbmonitor.disclosure.releases`): the
suppression of a new release takes every earlier release of the same year and of the
neighbouring years its series shows into account.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from thbmonitor.errors import DataError, UsageError

if TYPE_CHECKING:
    from thbmonitor.disclosure import AuditReport
    from thbmonitor.disclosure.releases import ReleaseCells, TableCells
    from thbmonitor.estimate import DarkFigure
    from thbmonitor.figures.breakdowns import Breakdowns
    from thbmonitor.publish.exports.cells import ExportCells
    from thbmonitor.publish.protection import ProtectedBreakdowns, ProtectedYear
    from thbmonitor.store import Database

__all__ = ["Release", "Revision", "Revisions", "StoredRelease", "assemble_release",
           "canonical_json", "freeze_release", "latest_release", "list_releases",
           "release_audit", "revisions", "stored_release"]

log = logging.getLogger(__name__)

#: The releases of these neighbouring years show the same years in their series.
NEIGHBOURS = 4


def check_year(year: int) -> int:
    """A calendar year a release can be of (a clear usage error for anything else)."""
    if not 1900 <= int(year) <= 2199:
        raise UsageError(f"{year} is not a year a release can be of; give a year such as 2024")
    return int(year)


def canonical_json(data: Any) -> str:
    """The one text form of a release: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Release(Mapping[str, Any]):
    """Everything the annual report of one year shows, as published.

    A Mapping over `to_dict()` (the report, the workbook and the web read it as such);
    `--json` prints exactly `to_dict()`. ``release_id`` is set once frozen.
    """

    year: int
    figures: dict[str, Any]
    provenance: dict[str, Any]
    publication: dict[str, Any] = field(default_factory=dict)
    findings_rule: dict[str, Any] = field(default_factory=dict)
    breakdowns: dict[str, Any] | None = None
    estimate: dict[str, Any] | None = None
    patterns: dict[str, Any] | None = None
    linkage: dict[str, Any] | None = None
    concerns: dict[str, Any] | None = None
    #: The data-quality annex per organisation (`release.quality_annex`).
    quality: dict[str, Any] | None = None
    #: Flags of the cells (docs/releases.md): provisional years, series breaks.
    flags: dict[str, Any] = field(default_factory=dict)
    #: Cells that differ from the year's previous release (`Revisions.to_dict()`).
    revisions: dict[str, Any] | None = None
    #: The standard extracts as frozen with the release: kind -> CSV text (None when the
    #: extract did not pass its audit then). `thb export` of a released year prints these.
    exports: dict[str, str | None] | None = None
    release_id: str | None = None
    released_at: str | None = None

    # -- Mapping ----------------------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        if key not in _FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(_FIELDS)

    def __len__(self) -> int:
        return len(_FIELDS)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELDS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Release:
        known = {k: v for k, v in data.items() if k in _FIELDS}
        known["year"] = int(known.get("year") or data["figures"]["year"])
        return cls(**known)

    @property
    def suppressed(self) -> list[str]:
        """The suppression pattern: every suppressed published path."""
        out = list(self.figures.get("suppressed") or [])
        out += [f"breakdowns.{c}" for c in (self.breakdowns or {}).get("suppressed") or []]
        out += [f"concerns.{c}" for c in (self.concerns or {}).get("suppressed") or []]
        return out


_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Release))


# -- assembling ---------------------------------------------------------------------------


def release_flags(db: Database, year: int) -> dict[str, Any]:
    """Provisional years and declared series breaks (settings `release.*`)."""
    keep = int(db.setting("release.provisional_years"))
    breaks = {str(k): str(v) for k, v in dict(db.setting("release.series_breaks")).items()}
    return {"provisional": [y for y in range(year - keep + 1, year + 1)] if keep else [],
            "breaks": breaks}


@dataclass(frozen=True)
class Assembly:
    """What the assembly knows beyond the release: the true counts and the one protected
    set the release was cut from (its extracts are cut from the same set)."""

    raw: dict[str, Any]
    #: The release's cells for the protection of later releases (None: not protected).
    cells: ReleaseCells | None = None
    #: The year's protected set after the protection across releases (None: not protected,
    #: or made without breakdowns).
    protected: ProtectedYear | None = None


def _walk_cells(prefix: str, node: Any) -> Iterator[tuple[str, Any]]:
    """The count leaves of a nested table, ``prefix.key[.col]`` (None kept)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk_cells(f"{prefix}.{key}", value)
    elif node is None or (isinstance(node, int | float) and not isinstance(node, bool)):
        yield prefix, node


def breakdown_cells(raw: Mapping[str, Any], counted: Breakdowns, shown: ProtectedBreakdowns,
                    exports: Mapping[int, ExportCells]) -> TableCells:
    """The breakdowns and export cells of a release as the attacker's model holds them:
    the same cells and relations `protect_breakdowns` protected them with."""
    from thbmonitor.disclosure.figures import _collect
    from thbmonitor.disclosure.releases import TableCells
    from thbmonitor.disclosure.tables import Relation
    from thbmonitor.publish.protection import _NON_DUTCH_GROUPS, _own_cells, _relations

    collected = _collect(raw)
    out = TableCells()
    for year in sorted(shown.tables):
        tables = counted.tables[year]
        values = _own_cells(year, tables)
        published: dict[str, int | None] = {}
        for name, table in shown.tables[year].items():
            for path, value in _walk_cells(f"{year}:{name}", table):
                published[path] = None if value is None else int(value)
        non_nl = f"{year}:victims.by.dutch.non_NL"
        figure = collected.get(year, {})
        values[non_nl] = sum(int(figure.get(f"{year}:victims.by.nationality_group.{g}") or 0)
                             for g in _NON_DUTCH_GROUPS)
        published[non_nl] = None
        figure_paths = {k.split(":", 1)[1] for k in figure}
        relations: list[Relation] = list(_relations(year, tables, figure_paths))
        cells = exports.get(year)
        if cells is not None:
            values.update(cells.values)
            for name, table in cells.cells.items():
                for code, key in table.items():
                    if key in cells.values:
                        published[key] = shown.exports.get(year, {}).get(name, {}).get(code)
            known = {*values, *figure}
            relations += [r for r in cells.relations if all(c in known for c in r.cells)]
        out = out + TableCells(values, published, tuple(relations), frozenset({non_nl}))
    return out


def concern_cells(counts: Mapping[str, Any] | None, shown: Mapping[str, Any] | None
                  ) -> TableCells:
    """The concerns of a release (`concern_tables` unprotected and protected) as cells
    ``<year>:concerns.<path>``, with the relations they were protected with."""
    from thbmonitor.disclosure.releases import TableCells
    from thbmonitor.disclosure.tables import Relation
    from thbmonitor.publish.concerns import _cells, _tables

    if not counts or not shown:
        return TableCells()

    def name(key: str) -> str:
        year, path = key.split(".", 1)
        return f"{year}:concerns.{path}"

    out = TableCells()
    for year_text, table in counts["tables"].items():
        year = int(year_text)
        cells = _cells(year, table)
        linked = _tables(year, table, cells)
        published: dict[str, int | None] = {}
        for path, value in _walk_cells(f"{year}", shown["tables"][year_text]):
            published[name(path)] = None if value is None else int(value)
        out = out + TableCells(
            {name(k): v for k, v in cells.items()}, published,
            tuple(Relation(tuple((name(c), a) for c, a in r.terms), r.kind, r.name)
                  for r in linked.relations),
            frozenset(), {name(k): w for k, w in linked.weights.items()})
    return out


def _suppress_tables(tables: Mapping[str, Any], year: int, keys: set[str]) -> tuple[
        dict[str, Any], list[str]]:
    """One year's breakdown tables with the cells ``keys`` nulled, and those suppressed."""
    import copy

    out: dict[str, Any] = copy.deepcopy(dict(tables))
    done: list[str] = []
    for name, table in out.items():
        for key, value in table.items():
            if isinstance(value, dict):
                for col in value:
                    if f"{year}:{name}.{key}.{col}" in keys and value[col] is not None:
                        value[col] = None
                        done.append(f"{year}:{name}.{key}.{col}")
            elif f"{year}:{name}.{key}" in keys and value is not None:
                table[key] = None
                done.append(f"{year}:{name}.{key}")
    return out, done


def apply_across(extra: set[str], published: dict[str, Any],
                 breakdowns: ProtectedBreakdowns | None, exports: Mapping[int, ExportCells],
                 concerns: dict[str, Any] | None
                 ) -> tuple[dict[str, Any], ProtectedBreakdowns | None, dict[str, Any] | None]:
    """The figures, breakdowns (with their export cells) and concerns of a release with the
    further cells the protection across releases chose suppressed too."""
    import copy

    from thbmonitor.disclosure.releases import apply_suppression

    figures_keys = {k for k in extra if not k.split(":", 1)[1].startswith(
        ("concerns.", "eurostat.")) and not _is_breakdown(k)}
    published = apply_suppression(published, figures_keys)
    if breakdowns is not None:
        breakdowns = copy.deepcopy(breakdowns)
        for year in list(breakdowns.tables):
            breakdowns.tables[year], done = _suppress_tables(breakdowns.tables[year], year,
                                                             extra)
            breakdowns.suppressed = sorted({*breakdowns.suppressed, *done})
            cells = exports.get(year)
            if cells is None or year not in breakdowns.exports:
                continue
            for name, table in cells.cells.items():
                shown = breakdowns.exports[year].get(name, {})
                for code, key in table.items():  # an alias takes its cell's verdict
                    if key in extra and shown.get(code) is not None:
                        shown[code] = None
    if concerns is not None:
        concerns = copy.deepcopy(concerns)
        listed = set(concerns.get("suppressed") or [])
        for key in sorted(extra):
            year_text, path = key.split(":", 1)
            if not path.startswith("concerns."):
                continue
            node = concerns["tables"][year_text]
            parts = path.removeprefix("concerns.").split(".")
            for part in parts[:-1]:
                node = node[part]
            node[parts[-1]] = None
            listed.add(f"{year_text}.{'.'.join(parts)}")
        concerns["suppressed"] = sorted(listed)
    return published, breakdowns, concerns


def _is_breakdown(key: str) -> bool:
    from thbmonitor.publish.protection import _OWN_PREFIXES

    return key.split(":", 1)[1].startswith(_OWN_PREFIXES)


def assemble_release(db: Database, year: int, *,
                     estimate: DarkFigure | dict[str, Any] | None = None,
                     protected: bool = True, with_estimate: bool = True,
                     with_patterns: bool = True, with_breakdowns: bool = True,
                     earlier: list[ReleaseCells] | None = None,
                     release_id: str = "new") -> tuple[Release, Assembly, AuditReport | None]:
    """The release of ``year`` from the stored data, settings and seed, and its raw figures.

    Every table is protected on its own first (the figures, then the breakdowns and export
    cells with them, the concerns). ``earlier``: the cells of releases already published
    (`release_cells_of`); the new release's suppression then also protects them
    (`disclosure.releases.protect_across`, over every table the releases froze), and the
    further cells it chooses are suppressed in every table of the release and in the
    protected set its extracts are cut from (`Assembly.protected`).
    """
    from thbmonitor.disclosure.releases import TableCells, protect_across, release_cells
    from thbmonitor.figures import compute_figures
    from thbmonitor.figures.breakdowns import count_breakdowns
    from thbmonitor.publish import with_findings
    from thbmonitor.publish.concerns import concern_tables
    from thbmonitor.publish.protection import ProtectedYear, protect_breakdowns, year_exports
    from thbmonitor.release import (
        REPORT_YEARS,
        dark_figure,
        finding_rule,
        latest_linkage,
        pattern_counts,
        protect,
        provenance,
        publication_settings,
        quality_annex,
    )

    threshold = int(db.setting("publication.threshold"))
    priorities = list(db.setting("publication.priorities"))
    raw = compute_figures(db, year).to_dict()
    published = protect(raw, threshold, priorities) if protected else raw
    first = max(year - REPORT_YEARS + 1, min(int(e["year"]) for e in raw.get("series") or [raw]))
    shown: ProtectedBreakdowns | None = None
    breakdowns: dict[str, Any] | None = None
    exports: dict[int, ExportCells] = {}
    counted = count_breakdowns(db, first, year) if with_breakdowns else None
    if counted is not None and protected:
        exports = year_exports(db, range(first, year + 1))
        shown = protect_breakdowns(raw, published, counted, threshold=threshold,
                                   years=range(first, year + 1), priorities=priorities,
                                   exports=exports)  # one protected set per year
    elif counted is not None:
        breakdowns = {"tables": {str(y): counted.tables[y] for y in counted.tables},
                      "suppressed": [], "threshold": None}
    concerns = concern_tables(db, year, threshold=threshold if protected else None)
    across = None
    cells = None
    if protected:
        counts = concern_tables(db, year, threshold=None) if concerns else None
        tables = concern_cells(counts, concerns)
        if shown is not None and counted is not None:
            tables = breakdown_cells(raw, counted, shown, exports) + tables
        cells = release_cells(release_id, raw, published, tables)
        if earlier:
            extra, across = protect_across(earlier, cells, threshold)
            if extra:
                log.info("release %s: %d further cells suppressed for the earlier releases",
                         release_id, len(extra))
                published, shown, concerns = apply_across(extra, published, shown, exports,
                                                          concerns)
                cells = release_cells(release_id, raw, published, (
                    breakdown_cells(raw, counted, shown, exports)
                    if shown is not None and counted is not None else TableCells())
                    + concern_cells(counts, concerns))
        if shown is not None:
            breakdowns = shown.to_dict()
    figures = with_findings(raw, published=published if protected else None,
                            **finding_rule(db))
    if estimate is None and with_estimate:
        estimate = dark_figure(db, year)
    if estimate is not None and not isinstance(estimate, dict):
        estimate = estimate.to_dict()  # the release reads the typed result
    release = Release(
        year=year,
        breakdowns=breakdowns,
        publication=publication_settings(db),
        figures=figures,
        findings_rule=finding_rule(db),
        estimate=estimate,
        patterns=pattern_counts(db, year, threshold) if with_patterns else None,
        linkage=latest_linkage(db),
        provenance=provenance(db),
        concerns=concerns,
        quality=quality_annex(db, year, published if protected else None),
        flags=release_flags(db, year),
    )
    year_set = None
    if shown is not None:
        year_set = ProtectedYear(year=year, years=(year,), threshold=threshold, raw=raw,
                                 figures=published, breakdowns=shown)
    return release, Assembly(raw, cells, year_set), across


# -- the stored releases --------------------------------------------------------------


@dataclass(frozen=True)
class StoredRelease:
    """One row of the ``releases`` table, without the content (`thb releases`)."""

    release_id: str
    year: int
    number: int
    released_at: str
    released_by: str
    content_hash: str
    intact: bool

    def to_dict(self) -> dict[str, Any]:
        return {"release_id": self.release_id, "year": self.year, "number": self.number,
                "released_at": self.released_at, "released_by": self.released_by,
                "content_hash": self.content_hash, "intact": self.intact}


@dataclass(frozen=True)
class ReleaseList:
    releases: list[StoredRelease]

    def to_dict(self) -> dict[str, Any]:
        return {"releases": [r.to_dict() for r in self.releases]}


def _recorded_hashes(db: Database) -> dict[str, str]:
    """The content hash of each release as recorded in the audit chain when it was frozen."""
    rows = db.rows("SELECT resource, detail FROM audit_log WHERE action = 'release.create'")
    out: dict[str, str] = {}
    for resource, detail in rows:
        parsed = json.loads(detail) if detail else {}
        out.setdefault(str(resource), str(parsed.get("content_hash") or ""))
    return out


def list_releases(db: Database, year: int | None = None) -> ReleaseList:
    """Every stored release (of ``year``), oldest first, each checked against its hash."""
    recorded = _recorded_hashes(db)
    where, params = ("WHERE year = ?", [check_year(year)]) if year is not None else ("", [])
    rows = db.rows("SELECT release_id, year, number, released_at, released_by, content_hash, "
                   f"content FROM releases {where} ORDER BY year, number", params)
    out = []
    for rid, y, number, at, by, digest, content in rows:
        intact = _hash(content) == digest and recorded.get(rid) == digest
        out.append(StoredRelease(rid, int(y), int(number), str(at), str(by), digest, intact))
    return ReleaseList(out)


def stored_release(db: Database, release_id: str) -> Release:
    """A stored release as it was frozen; refused when its text was changed since."""
    row = db.execute("SELECT content, content_hash FROM releases WHERE release_id = ?",
                     [release_id]).fetchone()
    if row is None:
        raise UsageError(f"there is no release {release_id}; `thb releases` lists them")
    content, digest = row
    recorded = _recorded_hashes(db).get(release_id)
    if _hash(content) != digest or recorded != digest:
        raise DataError(f"release {release_id} no longer matches the hash recorded in the "
                        "audit log when it was frozen: it was changed in the store; restore "
                        "the store from a backup (`thb audit verify` checks the log itself)")
    return Release.from_dict(json.loads(content))


def latest_release(db: Database, year: int) -> Release | None:
    """The newest release of ``year``, or None when the year was never released."""
    rid = db.scalar("SELECT release_id FROM releases WHERE year = ? ORDER BY number DESC "
                    "LIMIT 1", [year])
    return None if rid is None else stored_release(db, str(rid))


def release_cells_of(db: Database, years: range) -> list[ReleaseCells]:
    """The cells (true and published) of every release of ``years``, oldest first."""
    from thbmonitor.disclosure.releases import ReleaseCells

    rows = db.rows("SELECT cells FROM releases WHERE year BETWEEN ? AND ? "
                   "ORDER BY released_at, year, number", [years.start, years.stop - 1])
    return [ReleaseCells.from_dict(json.loads(cells)) for (cells,) in rows]


@dataclass(frozen=True)
class FrozenRelease:
    """What `thb release --year Y` did: the release stored, its hash, what it suppressed."""

    release: Release
    content_hash: str
    earlier: list[str]

    def to_dict(self) -> dict[str, Any]:
        r = self.release
        return {"release_id": r.release_id, "year": r.year, "released_at": r.released_at,
                "content_hash": self.content_hash, "suppressed": len(r.suppressed),
                "protected_with": list(self.earlier),
                "revisions": len((r.revisions or {}).get("revisions") or [])}


def freeze_release(db: Database, year: int, *, actor: str | None = None,
                   estimate: DarkFigure | dict[str, Any] | None = None,
                   with_estimate: bool = True) -> FrozenRelease:
    """`thb release --year Y`: assemble, protect across releases, store, audit.

    ``with_estimate=False`` freezes the release without a dark figure (the report then
    says there is none), as a store of one organisation type must.
    """
    from thbmonitor.disclosure.releases import release_cells
    from thbmonitor.store import audit

    if not db.scalar("SELECT count(*) FROM reports WHERE year(report_date) = ?",
                     [check_year(year)]):
        raise UsageError(f"there are no reports of {year}: nothing to release")
    number = int(db.scalar("SELECT coalesce(max(number), 0) FROM releases WHERE year = ?",
                           [year])) + 1
    release_id = f"{year}-{number}"
    earlier = release_cells_of(db, range(year - NEIGHBOURS, year + NEIGHBOURS + 1))
    release, assembly, across = assemble_release(db, year, estimate=estimate, earlier=earlier,
                                                 release_id=release_id,
                                                 with_estimate=with_estimate)
    if across is not None and not across.ok:
        failing = ", ".join(f.path for f in across.failures[:5])
        raise DataError(f"release {release_id} cannot be protected together with the earlier "
                        f"releases ({failing}); nothing was stored")
    previous = latest_release(db, year)
    now = datetime.now(UTC).replace(microsecond=0)
    release = replace(release, release_id=release_id, released_at=now.isoformat(),
                      exports=export_texts(db, year, protected=assembly.protected))
    if previous is not None:
        release = replace(release, revisions=compare(previous, release).to_dict())
    content = canonical_json(release.to_dict())
    digest = _hash(content)
    cells = assembly.cells or release_cells(release_id, assembly.raw, release.figures)
    who = actor or audit.current_actor()
    with db.transaction():
        db.execute("INSERT INTO releases (release_id, year, number, released_at, released_by, "
                   "content, content_hash, cells) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [release_id, year, number, now.replace(tzinfo=None), who, content, digest,
                    canonical_json(cells.to_dict())])
        audit.record(db, "release.create", release_id, actor=who,
                     detail={"year": year, "number": number, "content_hash": digest,
                             "suppressed": len(release.suppressed)})
    return FrozenRelease(release, digest, [c.release_id for c in earlier])


def release_audit(db: Database, year: int) -> AuditReport:
    """The attacker's audit over every release of ``year`` and its neighbouring years."""
    from thbmonitor.disclosure.releases import audit_releases

    cells = release_cells_of(db, range(year - NEIGHBOURS, year + NEIGHBOURS + 1))
    # quick: the same verdicts as the exact audit, with far fewer LPs (disclosure.audit)
    return audit_releases(cells, int(db.setting("publication.threshold")), quick=True)


# -- the standard extracts of a release ------------------------------------------------

#: The extracts frozen with a release (`thb export KIND --year Y`).
EXPORT_KINDS = ("eurostat", "sdg", "ctdc")


def export_texts(db: Database, year: int, *,
                 protected: ProtectedYear | None = None) -> dict[str, str | None]:
    """The standard extracts of ``year`` as CSV text, as `thb export` writes them (None: the
    extract did not pass its audit, or cannot be made from these data).

    ``protected``: the release's own protected set (`Assembly.protected`), so that the
    extracts hold the release's verdict on every cell, the further suppression across
    releases included; without it they are protected live (`protect_year`).
    """
    import io

    from thbmonitor.errors import ThbError
    from thbmonitor.publish import exports

    makers: dict[str, Callable[..., Any]] = {
        "eurostat": exports.eurostat_export, "sdg": exports.sdg_export,
        "ctdc": exports.ctdc_export}
    out: dict[str, str | None] = {}
    for kind in EXPORT_KINDS:
        try:
            extract = makers[kind](db, year, protected=protected)
        except ThbError as exc:
            log.info("release %s: no %s extract (%s)", year, kind, exc)
            out[kind] = None
            continue
        if not extract.audit.ok:
            out[kind] = None
            continue
        buffer = io.StringIO(newline="")
        extract.write_csv(buffer)
        out[kind] = buffer.getvalue()
    return out


def frozen_export(db: Database, kind: str, year: int) -> tuple[str, str] | None:
    """(release id, CSV text) of ``kind`` in the latest release of ``year``; None when the
    year has no release or its release holds no such extract (then it is made live)."""
    release = latest_release(db, year)
    if release is None or not release.exports or not release.exports.get(kind):
        return None
    return str(release.release_id), str(release.exports[kind])


# -- revisions ------------------------------------------------------------------------


def published_cells(release: Mapping[str, Any]) -> dict[str, Any]:
    """Every published number of a release by its path (None: suppressed).

    Paths: the figures' own (``victims.by.sex.female``, ``series.2023.victims.total``),
    ``breakdowns.<year>.<table>.<key>[.<column>]``, ``concerns.<table>.<key>`` and the
    dark figure's ``estimate.<key>``.
    """
    out: dict[str, Any] = {}

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(value, f"{prefix}.{key}" if prefix else str(key))
        elif node is None or (isinstance(node, int | float) and not isinstance(node, bool)):
            out[prefix] = node

    figures = release["figures"]
    for section in ("victims", "reports", "chain"):
        walk(figures.get(section), section)
    for entry in figures.get("series") or []:
        for section in ("victims", "reports", "chain"):
            walk(entry.get(section), f"series.{int(entry['year'])}.{section}")
    walk((release.get("breakdowns") or {}).get("tables"), "breakdowns")
    walk((release.get("concerns") or {}).get("tables"), "concerns")
    estimate = release.get("estimate") or {}
    for key in ("observed", "estimate", "dark_figure"):
        if key in estimate:
            walk(estimate.get(key), f"estimate.{key}")
    return out


@dataclass(frozen=True)
class Revision:
    """One published cell whose value differs between two releases of a year."""

    path: str
    before_release: str
    after_release: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before_release": self.before_release,
                "after_release": self.after_release, "before": self.before,
                "after": self.after}


@dataclass(frozen=True)
class Revisions:
    """`thb revisions --year Y --json`: every changed published cell, with both values."""

    year: int
    releases: list[str]
    cells: list[Revision]

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "releases": list(self.releases),
                "revisions": [c.to_dict() for c in self.cells]}


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> Revisions:
    """The cells of ``after`` that differ from ``before``: a value changed, was suppressed
    or published, or a category appeared or went (a cell one release does not show at
    all compares as not published)."""
    old, new = published_cells(before), published_cells(after)
    a, b = str(before.get("release_id") or "before"), str(after.get("release_id") or "after")
    order = ("victims.", "reports.", "chain.", "series.", "breakdowns.", "concerns.")

    def rank(path: str) -> tuple[int, str]:
        return (next((i for i, p in enumerate(order) if path.startswith(p)), len(order)), path)

    cells = [Revision(path, a, b, old.get(path), new.get(path))
             for path in sorted(set(old) | set(new), key=rank)
             if old.get(path) != new.get(path)]
    return Revisions(int(after["figures"]["year"]), [a, b], cells)


def revisions(db: Database, year: int) -> Revisions:
    """Every published cell of ``year`` that differs between consecutive releases."""
    ids = [r.release_id for r in list_releases(db, check_year(year)).releases]
    if not ids:
        raise UsageError(f"{year} has no release yet; `thb release --year {year}` makes one")
    cells: list[Revision] = []
    previous = stored_release(db, ids[0])
    for rid in ids[1:]:
        current = stored_release(db, rid)
        cells += compare(previous, current).cells
        previous = current
    return Revisions(year, ids, cells)
