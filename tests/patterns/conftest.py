"""Pattern fixtures: a synthetic population of about 10,000 persons, made once per session,
and small hand-built stores named after what they contain."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from thbmonitor.ingest import IMPORT_ORDER, import_file
from thbmonitor.link import link_persons
from thbmonitor.store import Database
from thbmonitor.synth import generate

KEY = bytes.fromhex("7e" * 32)
#: About 10,000 registered persons (docs/synthetic-data.md).
SCALE = 1.75

REPORT_COLUMNS = ("report_id", "source", "source_type", "report_date", "given_name",
                  "family_name", "date_of_birth", "sex", "nationality", "exploitation",
                  "contact_phone", "investigation_id")
LOCATION_COLUMNS = ("report_id", "source", "start_date", "end_date", "place", "country",
                    "location_type", "booking_channel", "address", "booking_ref")


@dataclass(frozen=True)
class SynthStore:
    db_path: Path
    truth: Path
    out: Path


@pytest.fixture(scope="session")
def synth_store(once: Any) -> SynthStore:
    """The synthetic data set at scale 1.75, imported and linked like any user's files:
    built once per run; each xdist worker reads its own copy of the store."""
    from dataclasses import replace

    built = once.build("patterns-synth", _build_synth_store)
    return replace(built, db_path=once.copy(built.db_path, "patterns"))


def _build_synth_store(out: Path) -> SynthStore:
    out.mkdir(parents=True, exist_ok=True)
    result = generate(out, scale=SCALE)
    db_path = out / "thb.duckdb"
    with Database(db_path) as db:
        for kind in IMPORT_ORDER:
            # partial: the synthetic locations file may repeat a row exactly
            import_file(db, kind, result.files[kind], key=KEY, partial=True)
        link_persons(db)
    return SynthStore(db_path, out / "ground_truth", out)


@pytest.fixture
def synth_db(synth_store: SynthStore) -> Iterator[Database]:
    with Database(synth_store.db_path) as db:
        yield db


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


class StoreBuilder:
    """Builds a small store: persons with reports and stays, imported and linked."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.reports: list[dict[str, Any]] = []
        self.locations: list[dict[str, Any]] = []
        self.investigations: list[dict[str, Any]] = []
        self.suspects: list[dict[str, Any]] = []

    def person(self, name: str, *, nationality: str = "CO", phone: str = "",
               investigation: str = "", report_date: str = "2024-06-30",
               source: str = "police-oost", source_type: str = "police") -> str:
        """One report of a new person; returns its report_id."""
        report_id = f"R-{name}"
        self.reports.append({
            "report_id": report_id, "source": source, "source_type": source_type,
            "report_date": report_date, "given_name": name, "family_name": "Testperson",
            "date_of_birth": f"1990-01-{len(self.reports) % 28 + 1:02d}", "sex": "female",
            "nationality": nationality, "exploitation": "sexual", "contact_phone": phone,
            "investigation_id": investigation,
        })
        return report_id

    def stay(self, report_id: str, start: str, end: str, *, place: str, country: str = "NL",
             location_type: str = "hotel", channel: str = "booking_platform",
             address: str = "", booking: str = "", source: str = "police-oost") -> None:
        self.locations.append({
            "report_id": report_id, "source": source, "start_date": start, "end_date": end,
            "place": place, "country": country, "location_type": location_type,
            "booking_channel": channel, "address": address, "booking_ref": booking})

    def investigation(self, investigation_id: str, suspects: int = 1) -> None:
        self.investigations.append({"investigation_id": investigation_id,
                                    "start_date": "2024-01-10", "exploitation": "sexual",
                                    "scope": "international"})
        for i in range(suspects):
            self.suspects.append({"suspect_id": f"S-{investigation_id}-{i}",
                                  "registered_date": "2024-02-01",
                                  "investigation_id": investigation_id})

    def moving_together(self, report_ids: list[str], *, n: int = 6, prefix: str = "carousel",
                        booking: str = "", days: int = 5, gap: int = 2) -> None:
        """`n` stays of `days` days, a new place each time, shared by all `report_ids`."""
        day0 = date(2024, 3, 1)
        for k in range(n):
            start = day0 + timedelta(days=k * (days + gap))
            for rid in report_ids:
                self.stay(rid, start.isoformat(), (start + timedelta(days=days)).isoformat(),
                          place=f"{prefix}-place-{k}", address=f"{prefix} street {k}",
                          booking=booking, country="BE" if k % 3 == 2 else "NL")

    def build(self) -> Database:
        db = Database(self.tmp / "small.duckdb")
        files = {
            "investigations": _write(self.tmp / "investigations.csv",
                                     ("investigation_id", "start_date", "exploitation", "scope"),
                                     self.investigations),
            "reports": _write(self.tmp / "reports.csv", REPORT_COLUMNS, self.reports),
            "locations": _write(self.tmp / "locations.csv", LOCATION_COLUMNS, self.locations),
            "suspects": _write(self.tmp / "suspects.csv",
                               ("suspect_id", "registered_date", "investigation_id"),
                               self.suspects),
        }
        rows = {"investigations": self.investigations, "reports": self.reports,
                "locations": self.locations, "suspects": self.suspects}
        for kind in IMPORT_ORDER:
            if rows.get(kind):
                report = import_file(db, kind, files[kind], key=KEY)
                assert report.to_dict()["stats"]["errors"] == 0, report.to_dict()
        # one person per report, as linkage would give for these distinct persons; the
        # rules read only person_reports, so these tests do not depend on the linker
        db.execute("INSERT INTO persons SELECT 'P-' || report_id, 1, report_date, report_date, "
                   "'fixture' FROM reports")
        db.execute("INSERT INTO person_reports SELECT source, report_id, 'P-' || report_id "
                   "FROM reports")
        return db


@pytest.fixture
def builder(tmp_path: Path) -> StoreBuilder:
    return StoreBuilder(tmp_path)


@pytest.fixture
def builder_factory(tmp_path: Path) -> Any:
    """Several independent small stores in one test."""
    def make(name: str) -> StoreBuilder:
        (tmp_path / name).mkdir()
        return StoreBuilder(tmp_path / name)
    return make
