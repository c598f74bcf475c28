"""The quarantine: rows rejected by `--partial` imports, with their errors, until fixed.

A quarantined row is of one record: its natural key (`RECORD_KEYS`; for locations,
which are keyed by their whole content, the report and start date of the stay). It
leaves the quarantine when a later import stores that record (the fixed file was
imported), when a later import quarantines the same record again (the newer errors
replace the older), or by hand with `resolve_quarantine` (`thb quarantine resolve ID`).
Every departure is written to the audit log.

Personal values of a quarantined row are withheld (see docs/privacy.md); the other
values, the offending ones among them, are kept so that the row can be fixed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thbmonitor.errors import UsageError
from thbmonitor.ingest.kinds import KINDS
from thbmonitor.store import Database

#: The columns that name the record a row is of, per kind.
RECORD_KEYS: dict[str, tuple[str, ...]] = {
    "reports": ("source", "report_id"),
    "locations": ("source", "report_id", "start_date"),
    "investigations": ("investigation_id",),
    "suspects": ("suspect_id",),
    "cases": ("case_id",),
    "verdicts": ("case_id", "verdict_date"),
}
RECORD_KEYS["concerns"] = ("source", "concern_id")  # the kind of ingest/concerns.py
#: Columns of the export before the row's own columns.
EXPORT_FIRST = ("quarantine_id", "import_id", "kind", "file", "line", "row")
#: Columns of the export after the row's own columns.
EXPORT_LAST = ("error_columns", "error_codes", "errors")


def record_key_sql(kind: str, alias: str) -> str:
    """SQL of the record key over normalised columns (`alias.<column>`); NULL if incomplete."""
    columns = RECORD_KEYS[kind]
    present = " AND ".join(f"{alias}.{c} IS NOT NULL" for c in columns)
    joined = " || chr(31) || ".join(f"CAST({alias}.{c} AS VARCHAR)" for c in columns)
    return f"CASE WHEN {present} THEN {joined} END"


@dataclass
class QuarantineList:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"count": len(self.rows), "rows": self.rows}

    def columns(self) -> list[str]:
        """The rows' own columns: each kind's columns in its order, then unknown columns."""
        present: dict[str, None] = {}
        for kind in KINDS.values():
            rows = [r["row_data"] for r in self.rows if r["kind"] == kind.name]
            for name in kind.names:
                if any(name in data for data in rows):
                    present.setdefault(name)
        for row in self.rows:
            for name in row["row_data"]:
                if name != "malformed":
                    present.setdefault(name)
        return [c for c in present if c not in EXPORT_FIRST and c not in EXPORT_LAST]

    def export(self, path: Path, *, force: bool = False,
               stores: Iterable[str | Path] = ()) -> None:
        """One CSV line per row: where it came from, its own columns, its errors beside them.

        Plain columns, so that the file opens in a spreadsheet; several errors of a row
        are separated by ` | ` in the error columns. Written whole or not at all, mode
        0600, through the safe CSV writer (`thbmonitor.output_file`, `safe_text`): an
        existing file is replaced only with `force`, a store or key file never.
        """
        from thbmonitor.output_file import output_file
        from thbmonitor.safe_text import spreadsheet_row

        own = self.columns()
        with output_file(path, force=force, private=True, stores=stores) as handle:
            writer = csv.writer(handle)
            writer.writerow([*EXPORT_FIRST, *own, *EXPORT_LAST])
            for row in self.rows:
                data = row["row_data"]
                errors = row["errors"]
                writer.writerow(spreadsheet_row([
                    row["quarantine_id"], row["import_id"], row["kind"], row["file"],
                    row["line"], row["row"],
                    *["" if data.get(c) is None else data.get(c) for c in own],
                    " | ".join(e["column"] or "(row)" for e in errors),
                    " | ".join(e["code"] for e in errors),
                    " | ".join(e["message"] for e in errors),
                ]))


def quarantine_rows(db: Database) -> QuarantineList:
    """Every row in the quarantine, oldest first, with its record, line and errors."""
    result = QuarantineList()
    for qid, import_id, kind, file, row, errors, data in db.rows(
        "SELECT quarantine_id, import_id, kind, file_name, row_number, errors, row_data "
        "FROM quarantine ORDER BY quarantine_id"
    ):
        row_data = json.loads(data)
        record = {c: row_data.get(c) for c in RECORD_KEYS.get(kind, ()) if c in row_data}
        result.rows.append({
            "quarantine_id": qid, "import_id": import_id, "kind": kind, "file": file,
            "row": row, "line": row + 1, "report_id": row_data.get("report_id"),
            "record": record, "errors": json.loads(errors), "row_data": row_data,
        })
    return result


@dataclass
class Resolution:
    """Rows taken out of the quarantine by hand."""

    resolved: list[int]
    remaining: int

    def to_dict(self) -> dict[str, Any]:
        return {"resolved": self.resolved, "remaining": self.remaining}


def resolve_quarantine(db: Database, ids: Sequence[int], *,
                       actor: str | None = None) -> Resolution:
    """Take rows out of the quarantine (they were fixed another way, or are not wanted).

    Unknown ids are a usage error and nothing is resolved; the resolution is audited.
    """
    from thbmonitor.store.audit import record

    wanted = sorted(set(int(i) for i in ids))
    if not wanted:
        raise UsageError("give the id of at least one quarantined row (see `thb quarantine`)")
    known = {int(r[0]) for r in db.rows(
        "SELECT quarantine_id FROM quarantine WHERE quarantine_id IN (SELECT unnest(?))",
        [wanted])}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        listed = ", ".join(str(i) for i in unknown)
        noun = "id" if len(unknown) == 1 else "ids"
        raise UsageError(f"no quarantined row with {noun} {listed}; list the rows with "
                         "`thb quarantine`")
    with db.transaction():
        db.execute("DELETE FROM quarantine WHERE quarantine_id IN (SELECT unnest(?))", [wanted])
        record(db, "quarantine.resolve", "quarantine", actor=actor,
               detail={"quarantine_ids": wanted, "by": "hand"})
    remaining = int(db.scalar("SELECT count(*) FROM quarantine"))
    return Resolution(wanted, remaining)


def leave_quarantine(db: Database, kind: str, keys_sql: str, import_id: int, *,
                     reason: str, params: Sequence[Any] = ()) -> int:
    """Inside an import's transaction: remove the rows of earlier imports whose record key
    `keys_sql` selects, because this import stored the record (`reason="stored"`) or
    quarantined it again with its current errors (`reason="quarantined again"`). Audited;
    `params` fill the placeholders of `keys_sql`. Returns how many rows left."""
    from thbmonitor.store.audit import record

    gone = [int(r[0]) for r in db.rows(
        f"DELETE FROM quarantine WHERE kind = ? AND import_id <> ? AND record_key IN "
        f"(SELECT k FROM ({keys_sql}) AS keys(k) WHERE k IS NOT NULL) RETURNING quarantine_id",
        [kind, import_id, *params])]
    if gone:
        record(db, "quarantine.resolve", "quarantine",
               detail={"quarantine_ids": sorted(gone), "by": "import", "import_id": import_id,
                       "reason": reason})
    return len(gone)
