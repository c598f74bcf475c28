"""Shared identifiers per person, with hubs and institutional identifiers removed.

The identifier table is where both pattern rules start: for every linked
person, each keyed token it carries (phone on a report, booking account or
address on a stay) and each investigation and suspect its reports are linked
to, with the dates it was used. Before any rule sees it, three kinds of
identifier are removed, in this order, and counted:

1. deny-listed identifiers (setting `patterns.networks.deny_list`);
2. hubs: identifiers shared by more than `patterns.networks.hub_limit`
   persons over all years (migrant-worker housing, a big investigation);
3. intake lines: a phone only ever recorded by one organisation of an intake
   source type (shelter, NGO, reception centre) and shared by at least
   `patterns.networks.intake_min_persons` persons.

The tables are DuckDB temporary tables, kept for the connection and rebuilt
when the data, the linkage or a setting they depend on changes. Tokens never
leave this module except as a kind plus short prefix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from thbmonitor.store import Database

__all__ = ["IDS", "STAYS", "Removed", "identifier_tables", "short_token"]

#: Temporary tables made by `identifier_tables`.
IDS = "_pat_ids"  # person_id, kind, token, start_date, end_date (kept identifiers only)
STAYS = "_pat_stays"  # person_id and its distinct stays
_ALL = "_pat_ids_all"
_STATUS = "_pat_id_status"

#: Location types that are temporary lodging.
TEMPORARY_LODGING = ("hotel", "holiday_park", "short_stay_rental")
#: Booking channels that count as platform booking.
PLATFORM_CHANNELS = ("booking_platform", "holiday_park")


@dataclass(frozen=True)
class Removed:
    """How many identifiers each removal rule took out (CONTRACTS §5 `removed`)."""

    hub_identifiers: int
    deny_listed: int
    intake_lines: int

    def to_dict(self) -> dict[str, int]:
        return {"deny_listed": self.deny_listed, "hub_identifiers": self.hub_identifiers,
                "intake_lines": self.intake_lines}


def short_token(kind: str, token: str) -> str:
    """How an identifier is shown: its kind and a short prefix, never the value."""
    if kind in ("investigation", "suspect"):
        return f"{kind}:{token}"  # the chain's own identifiers, not personal values
    return f"{kind}:{token[:8]}"


_STAYS_SQL = f"""
CREATE OR REPLACE TEMP TABLE {STAYS} AS
SELECT DISTINCT pr.person_id, l.start_date, l.end_date,
       coalesce(l.place || '|' || coalesce(l.country, ''), l.address_token, l.place, '?')
           AS place_key,
       l.country, l.location_type, l.booking_channel, l.address_token, l.booking_token
FROM locations l JOIN person_reports pr USING (source, report_id)
WHERE coalesce(l.location_type, '') <> 'online'
"""

_ALL_SQL = f"""
CREATE OR REPLACE TEMP TABLE {_ALL} AS
SELECT pr.person_id, 'phone' AS kind, r.phone_token AS token, r.report_date AS start_date,
       r.report_date AS end_date, r.source, r.source_type
FROM reports r JOIN person_reports pr USING (source, report_id)
WHERE r.phone_token IS NOT NULL
UNION ALL
SELECT pr.person_id, 'booking', l.booking_token, l.start_date, coalesce(l.end_date, l.start_date),
       l.source, r.source_type
FROM locations l JOIN person_reports pr USING (source, report_id)
JOIN reports r USING (source, report_id)
WHERE l.booking_token IS NOT NULL
UNION ALL
SELECT pr.person_id, 'address', l.address_token, l.start_date,
       coalesce(l.end_date, l.start_date), l.source, r.source_type
FROM locations l JOIN person_reports pr USING (source, report_id)
JOIN reports r USING (source, report_id)
WHERE l.address_token IS NOT NULL
UNION ALL
SELECT pr.person_id, 'investigation', r.investigation_id, r.report_date,
       r.report_date + $inv_days::INTEGER, r.source, r.source_type
FROM reports r JOIN person_reports pr USING (source, report_id)
WHERE r.investigation_id IS NOT NULL
UNION ALL
SELECT pr.person_id, 'suspect', s.suspect_id, r.report_date,
       r.report_date + $inv_days::INTEGER, r.source, r.source_type
FROM reports r JOIN person_reports pr USING (source, report_id)
JOIN suspects s ON s.investigation_id = r.investigation_id
"""

_STATUS_SQL = f"""
CREATE OR REPLACE TEMP TABLE {_STATUS} AS
WITH per AS (
    SELECT kind, token, count(DISTINCT person_id) AS persons,
           count(DISTINCT source) AS sources, min(source_type) AS source_type
    FROM {_ALL} GROUP BY kind, token
)
SELECT kind, token, persons,
       CASE WHEN list_contains($deny, kind || ':' || token) THEN 'deny_listed'
            WHEN persons > $hub_limit THEN 'hub'
            WHEN kind = 'phone' AND sources = 1 AND list_contains($intake_types, source_type)
                 AND persons >= $intake_min THEN 'intake_line'
            ELSE 'kept' END AS status
FROM per
"""

_IDS_SQL = f"""
CREATE OR REPLACE TEMP TABLE {IDS} AS
SELECT DISTINCT a.person_id, a.kind, a.token, a.start_date, a.end_date
FROM {_ALL} a JOIN {_STATUS} s USING (kind, token)
WHERE s.status = 'kept' AND list_contains($kinds, a.kind)
"""


_CACHE = "_pat_cache"

#: Settings the identifier tables depend on.
_KEY_SETTINGS = ("patterns.networks.deny_list", "patterns.networks.hub_limit",
                 "patterns.networks.intake_source_types", "patterns.networks.intake_min_persons",
                 "patterns.networks.edge_kinds", "patterns.networks.investigation_window_days")


def _cache_key(db: Database, settings: dict[str, Any]) -> str:
    """What the tables were made from: imports, the linkage run, the settings they use."""
    link = db.rows("SELECT max(run_id), count(*) FROM persons")[0]
    rows = db.rows("SELECT (SELECT count(*) FROM person_reports), (SELECT count(*) FROM "
                   "locations), (SELECT count(*) FROM reports), (SELECT count(*) FROM suspects)")
    return json.dumps([db.data_hash(), [str(v) for v in link], list(rows[0]),
                       {k: settings[k] for k in _KEY_SETTINGS}], sort_keys=True, default=str)


def _cached(db: Database, key: str) -> Removed | None:
    exists = db.scalar("SELECT count(*) FROM duckdb_tables() WHERE temporary "
                       "AND table_name = ?", [_CACHE])
    if not exists:
        return None
    row = db.rows(f"SELECT key, hubs, deny, intake FROM {_CACHE}")
    if not row or row[0][0] != key:
        return None
    return Removed(hub_identifiers=int(row[0][1]), deny_listed=int(row[0][2]),
                   intake_lines=int(row[0][3]))


@contextmanager
def identifier_tables(db: Database, settings: dict[str, Any]) -> Iterator[Removed]:
    """Make (or reuse) the stays and kept-identifier tables for this connection.

    The temporary tables are kept for the connection's lifetime and rebuilt when
    the data, the linkage run or a setting they depend on changes, so the yearly
    runs of one session share one build.
    """
    key = _cache_key(db, settings)
    cached = _cached(db, key)
    if cached is not None:
        yield cached
        return
    try:
        db.execute(_STAYS_SQL)
        db.execute(_ALL_SQL, {
            "inv_days": int(settings["patterns.networks.investigation_window_days"])})
        db.execute(_STATUS_SQL, {
            "deny": list(settings["patterns.networks.deny_list"]),
            "hub_limit": int(settings["patterns.networks.hub_limit"]),
            "intake_types": list(settings["patterns.networks.intake_source_types"]),
            "intake_min": int(settings["patterns.networks.intake_min_persons"]),
        })
        db.execute(_IDS_SQL, {"kinds": list(settings["patterns.networks.edge_kinds"])})
        counts = dict(db.rows(f"SELECT status, count(*) FROM {_STATUS} GROUP BY status"))
        removed = Removed(hub_identifiers=int(counts.get("hub", 0)),
                          deny_listed=int(counts.get("deny_listed", 0)),
                          intake_lines=int(counts.get("intake_line", 0)))
        db.execute(f"DROP TABLE IF EXISTS {_ALL}")
        db.execute(f"CREATE OR REPLACE TEMP TABLE {_CACHE} AS SELECT ?::VARCHAR AS key, "
                   "?::INTEGER AS hubs, ?::INTEGER AS deny, ?::INTEGER AS intake",
                   [key, removed.hub_identifiers, removed.deny_listed, removed.intake_lines])
    except BaseException:
        for table in (_CACHE, IDS, _STATUS, _ALL, STAYS):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        raise
    yield removed
