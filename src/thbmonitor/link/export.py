"""`thb export persons`: which person each report was linked to (CONTRACTS §2)."""

from __future__ import annotations

from typing import IO

from thbmonitor.store import Database


def export_persons(db: Database, out: IO[str]) -> int:
    """Write CSV `report_id,source,person_id`; return the number of rows.

    Identifiers come from the deliveries: written through the export's CSV writer,
    so that one shaped like a formula (`=cmd|...`) cannot run in a spreadsheet.
    """
    # Imported here: the exports package brings the disclosure solvers (SciPy's optimiser),
    # which `thbmonitor.link` (every `thb link`) would otherwise load for nothing.
    from thbmonitor.publish.exports.csv_out import write_grid

    rows = db.rows("SELECT report_id, source, person_id FROM person_reports "
                   "ORDER BY source, report_id")
    write_grid(out, [("report_id", "source", "person_id"), *rows])
    return len(rows)
