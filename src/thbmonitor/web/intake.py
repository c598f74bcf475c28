"""Intake through the web: one report typed in, a file uploaded, a quarantined row fixed.

Each goes through the import (`thbmonitor.ingest.import_file`), so a report
typed into the form is validated, normalised and pseudonymised exactly as
an imported one. The import reads files: the typed-in row is written as a
one-row CSV into a private folder (mode 0700, file 0600) on a RAM file
system (`/dev/shm`) when there is one, and removed as soon as the import
returns; nothing of it reaches the store's disk in clear.

A registrar works for one organisation: every row must carry that
organisation as `source`, or nothing is imported.

These functions belong in `thbmonitor.ingest` (a `import_rows` from memory
and an org-scoped quarantine); they live here until that package offers them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thbmonitor.ingest import KINDS, ImportReport, Pseudonymiser, import_file, normalise_name
from thbmonitor.ingest.reader import read_table
from thbmonitor.ingest.staging import birth_tokens, parse_date
from thbmonitor.store import Database, audit
from thbmonitor.web.errors import WebError

#: Kinds a registrar may upload: those whose rows name their organisation.
UPLOAD_KINDS = ("reports", "locations")
WITHHELD = "<withheld>"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def report_columns() -> list[dict[str, Any]]:
    """The form's fields: the `reports` columns with type, vocabulary and personal flag."""
    return [{"name": c.name, "type": c.type.value, "required": c.required,
             "vocabulary": list(c.vocabulary), "personal": c.personal or c.pseudonymised}
            for c in KINDS["reports"].columns]


def personal_columns(kind: str) -> set[str]:
    return {c.name for c in KINDS[kind].columns if c.personal or c.pseudonymised}


@contextmanager
def private_file(name: str, data: bytes) -> Iterator[Path]:
    """`data` as a file readable by this process only, removed on leaving the block."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    folder = tempfile.mkdtemp(prefix="thb-web-", dir=base)  # mode 0700
    try:
        path = Path(folder) / (_SAFE_NAME.sub("_", Path(name).name)[:100] or "upload.csv")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _csv(rows: list[dict[str, str]], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


def _clean(fields: dict[str, Any], kind: str) -> dict[str, str]:
    names = KINDS[kind].names
    return {k: str(v).strip() for k, v in fields.items() if k in names and v is not None}


# -- one report typed in ---------------------------------------------------------------


@dataclass
class Submission:
    """What happened to a report typed in: stored, or the errors (no value echoed)."""

    stored: bool
    report_id: str | None
    source: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    hint: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"stored": self.stored, "report_id": self.report_id, "source": self.source,
                "errors": self.errors, "hint": self.hint}


class _DryRun(Exception):
    """Raised to roll back a validation-only import."""


def submit_report(db: Database, key: bytes, fields: dict[str, Any], *, org: str,
                  actor: str, dry_run: bool = False) -> Submission:
    """Validate and store one report of `org` through the import; audited in one transaction.

    With `dry_run` the row is validated by the same import and rolled back:
    nothing is stored and nothing is audited (nothing was written).
    """
    row = _clean(fields, "reports")
    row["source"] = org
    columns = [c for c in KINDS["reports"].names if c in row or c == "source"]
    report: ImportReport | None = None
    with private_file("form.csv", _csv([row], columns)) as path:
        try:
            with db.transaction():
                report = import_file(db, "reports", path, key=key, partial=False)
                if dry_run:
                    raise _DryRun
                audit.record(db, "write", "reports", actor=actor,
                             detail={"source": org, "stored": report.stored, "via": "form",
                                     "errors": len(report.errors)})
        except _DryRun:
            pass
    assert report is not None
    errors = [_error(e.to_dict()) for e in report.errors]
    stored = report.valid and report.stored > 0 and not dry_run
    return Submission(stored, row.get("report_id") or None, org, errors)


def _error(error: dict[str, Any]) -> dict[str, Any]:
    return {"row": error.get("row"), "column": error.get("column"), "code": error["code"],
            "message": error["message"]}


def existing_person_hint(db: Database, key: bytes, fields: dict[str, Any]) -> dict[str, Any]:
    """Earlier reports with the same keyed name tokens (and the same birth date or year).

    Counts only: no report of another organisation is named. The tokens are
    computed in memory with the deployment key and compared with the stored
    ones; the names themselves go nowhere.
    """
    pseudo = Pseudonymiser(key)
    given = normalise_name(str(fields.get("given_name") or ""))
    family = normalise_name(str(fields.get("family_name") or ""))
    if not given or not family:
        return {"checked": False, "same_name": 0, "same_name_and_birth": 0}
    tokens = [pseudo.name_token(given), pseudo.name_token(family)]
    rows = db.rows(
        "SELECT dob_token, birth_year FROM reports WHERE "
        "(given_token = ? AND family_token = ?) OR (given_token = ? AND family_token = ?)",
        [tokens[0], tokens[1], tokens[1], tokens[0]])
    # The store keeps the date of birth as a keyed token (ingest/staging.py): the typed
    # date is tokenised in memory and compared with the stored tokens.
    born, _ = parse_date(str(fields.get("date_of_birth") or ""))
    dob = birth_tokens(pseudo, born)[0] if born is not None else None
    year = str(fields.get("birth_year") or "").strip() or (str(born.year) if born else "")
    both = sum(1 for d, y in rows
               if (dob is not None and d == dob)
               or (year and y is not None and str(y) == year))
    return {"checked": True, "same_name": len(rows), "same_name_and_birth": both}


# -- a file uploaded --------------------------------------------------------------------


def upload_file(db: Database, key: bytes, kind: str, filename: str, data: bytes, *, org: str,
                actor: str) -> ImportReport:
    """Import an uploaded file of `org` with --partial: bad rows go to the quarantine."""
    if kind not in UPLOAD_KINDS:
        raise WebError(422, f"a registrar uploads one of: {', '.join(UPLOAD_KINDS)}")
    if len(data) > MAX_UPLOAD_BYTES:
        raise WebError(413, f"the file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB")
    with private_file(filename or "upload.csv", data) as path:
        read = read_table(path, display_name=Path(filename or "upload.csv").name)
        if read.table is not None and "source" in read.header:
            sources = read.table.column("source").to_pylist()
            rows = read.table.column("_row").to_pylist()
            other = [int(r) for r, s in zip(rows, sources, strict=True)
                     if (s or "").strip().lower() != org]
            if other:
                listed = ", ".join(str(r) for r in other[:10])
                raise WebError(403, f"rows {listed}: the source is not your organisation "
                                    f"({org}); nothing was imported")
        with db.transaction():
            report = import_file(db, kind, path, key=key, partial=True)
            audit.record(db, "write", "imports", actor=actor,
                         detail={"kind": kind, "source": org, **report.stats()})
    return report


# -- the quarantine of one organisation --------------------------------------------------

_Q = ("SELECT quarantine_id, import_id, kind, file_name, row_number, errors, row_data "
      "FROM quarantine")
_OWN = " WHERE lower(trim(json_extract_string(row_data, '$.source'))) = ?"


def _version(errors: str, data: str) -> str:
    return hashlib.sha256(f"{errors}\x1f{data}".encode()).hexdigest()[:16]


def _q_row(row: tuple[Any, ...]) -> dict[str, Any]:
    qid, import_id, kind, file, number, errors, data = row
    return {"quarantine_id": int(qid), "import_id": int(import_id), "kind": kind, "file": file,
            "row": int(number), "errors": json.loads(errors), "row_data": json.loads(data),
            "version": _version(errors, data)}


def org_quarantine(db: Database, org: str, *, actor: str) -> list[dict[str, Any]]:
    """The quarantined rows of `org` (personal values are withheld there already); audited."""
    rows = [_q_row(r) for r in db.rows(_Q + _OWN + " ORDER BY quarantine_id", [org])]
    audit.record(db, "read", "quarantine", actor=actor,
                 detail={"source": org, "rows": len(rows)})
    return rows


def quarantine_entry(db: Database, qid: int, org: str, *, actor: str) -> dict[str, Any]:
    found = db.rows(_Q + _OWN + " AND quarantine_id = ?", [org, qid])
    if not found:
        raise WebError(404, f"no quarantined row {qid} of your organisation")
    audit.record(db, "read", "quarantine", actor=actor, detail={"quarantine_id": qid})
    return _q_row(found[0])


@dataclass
class Fix:
    fixed: bool
    quarantine_id: int
    errors: list[dict[str, Any]]
    version: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"fixed": self.fixed, "quarantine_id": self.quarantine_id,
                "errors": self.errors, "version": self.version}


def fix_quarantined(db: Database, key: bytes, qid: int, version: str, fields: dict[str, Any],
                    *, org: str, actor: str) -> Fix:
    """Re-validate one quarantined row with the registrar's corrections.

    `version` is the one the form was made from: when the row changed since
    (another fix) or is gone, the edit is stale and refused with 409. A valid
    row is imported and leaves the quarantine; an invalid one keeps its place
    with the new errors (and a new version). Withheld personal values are
    empty unless typed again.
    """
    found = db.rows(_Q + _OWN + " AND quarantine_id = ?", [org, qid])
    if not found:
        raise WebError(409, f"quarantined row {qid} is no longer there: it was fixed or removed "
                            "meanwhile; reload the quarantine")
    entry = _q_row(found[0])
    if entry["version"] != version:
        raise WebError(409, f"quarantined row {qid} changed since you opened it; reload it and "
                            "make your correction again")
    kind = entry["kind"]
    if kind not in UPLOAD_KINDS:
        raise WebError(422, f"rows of kind {kind} are fixed in the file and imported again")
    names = KINDS[kind].names
    row = {k: ("" if v is None or v == WITHHELD else str(v))
           for k, v in entry["row_data"].items() if k in names}
    personal = personal_columns(kind)
    row.update({k: v for k, v in _clean(fields, kind).items() if v or k not in personal})
    row["source"] = org
    columns = [c for c in names if c in row]
    with private_file(entry["file"], _csv([row], columns)) as path, db.transaction():
        report = import_file(db, kind, path, key=key, partial=False)
        errors = [_error(e.to_dict()) for e in report.errors]
        new_version: str | None = None
        if report.valid:
            db.execute("DELETE FROM quarantine WHERE quarantine_id = ?", [qid])
        else:
            kept = {k: (WITHHELD if k in personal and v else v) for k, v in row.items()}
            errors_text = json.dumps([{k: e[k] for k in ("column", "code", "message")}
                                      for e in errors])
            data_text = json.dumps(kept)
            db.execute("UPDATE quarantine SET errors = ?, row_data = ? WHERE quarantine_id = ?",
                       [errors_text, data_text, qid])
            new_version = _version(*db.rows("SELECT errors, row_data FROM quarantine WHERE "
                                            "quarantine_id = ?", [qid])[0])
        audit.record(db, "write", "quarantine", actor=actor,
                     detail={"quarantine_id": qid, "fixed": report.valid,
                             "errors": len(errors)})
    return Fix(report.valid, qid, errors, new_version)
