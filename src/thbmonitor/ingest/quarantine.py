"""Rows rejected by `--partial` imports, with their errors."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thbmonitor.store import Database


@dataclass
class QuarantineList:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"count": len(self.rows), "rows": self.rows}

    def export(self, path: Path) -> None:
        """One CSV line per error: file, row, kind, column, code, message, import."""
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["quarantine_id", "import_id", "kind", "file", "row", "column", "code",
                             "message", "row_data"])
            for row in self.rows:
                for error in row["errors"]:
                    writer.writerow([row["quarantine_id"], row["import_id"], row["kind"],
                                     row["file"], row["row"], error["column"], error["code"],
                                     error["message"], json.dumps(row["row_data"])])


def quarantine_rows(db: Database) -> QuarantineList:
    result = QuarantineList()
    for qid, import_id, kind, file, row, errors, data in db.rows(
        "SELECT quarantine_id, import_id, kind, file_name, row_number, errors, row_data "
        "FROM quarantine ORDER BY quarantine_id"
    ):
        result.rows.append({"quarantine_id": qid, "import_id": import_id, "kind": kind,
                            "file": file, "row": row, "errors": json.loads(errors),
                            "row_data": json.loads(data)})
    return result
