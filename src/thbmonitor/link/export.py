"""`thb export persons`: which person each report was linked to (CONTRACTS §2)."""

from __future__ import annotations

import csv
from typing import TextIO

from thbmonitor.store import Database


def export_persons(db: Database, out: TextIO) -> int:
    """Write CSV `report_id,source,person_id`; return the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["report_id", "source", "person_id"])
    rows = db.rows("SELECT report_id, source, person_id FROM person_reports "
                   "ORDER BY source, report_id")
    writer.writerows(rows)
    return len(rows)
