"""The pattern rules' thresholds: declared once, versioned, recorded with every run.

Every threshold of the carousel rule and the network builder is a setting
(`thb` stores changed values in the database's `settings` table); each
result carries the effective values under `settings` and the rule version,
code version and data hash under `run`, so a lead can always be traced to
the rule that produced it.
"""

from __future__ import annotations

from typing import Any

from thbmonitor import __version__
from thbmonitor.store import SETTINGS, Database

__all__ = ["RULES_VERSION", "PATTERN_SETTINGS", "effective_settings", "run_record"]

#: Version of the rules themselves; raised whenever a rule (not a threshold) changes.
RULES_VERSION = "patterns-v1"

_DECLARED: tuple[tuple[str, Any, str], ...] = (
    ("patterns.carousel.min_distinct_places", 4,
     "Mobility: at least this many distinct places (municipality and country) in the window."),
    ("patterns.carousel.min_moves_per_30d", 1.5,
     "Mobility: at least this many changes of place per 30 days of the stays' span."),
    ("patterns.carousel.short_stay_days", 14,
     "A stay of at most this many days (end minus start) is short."),
    ("patterns.carousel.min_short_stay_share", 0.5,
     "Mobility: at least this share of the stays with a known end is short."),
    ("patterns.carousel.min_temporary_lodging_share", 0.5,
     "Supporting: share of stays in hotels, holiday parks or short-stay rentals."),
    ("patterns.carousel.min_platform_share", 0.5,
     "Supporting (never enough alone): share of stays booked via platforms or holiday parks."),
    ("patterns.carousel.min_countries", 2,
     "Supporting: stays in at least this many countries."),
    ("patterns.carousel.min_co_moving_persons", 1,
     "Organisation: other reported persons who stayed with this person at two or more "
     "addresses in overlapping dates."),
    ("patterns.carousel.co_movement_min_addresses", 2,
     "Shared addresses (in overlapping dates) that make two persons co-moving."),
    ("patterns.carousel.min_shared_identifier_persons", 2,
     "Organisation: other reported persons sharing a phone or booking account "
     "(hubs and intake lines removed). Two, because one is often the same person "
     "split by linkage."),
    ("patterns.carousel.min_linked_suspects", 1,
     "Organisation: suspects linked to this person and to another reported person "
     "(reports within the investigation window)."),
    ("patterns.carousel.window_days", 90,
     "Length of the rolling window (`--window 90d`): the densest window of the year is used."),
    ("patterns.networks.hub_limit", 20,
     "Identifiers shared by more than this many persons (all years) are hubs and removed."),
    ("patterns.networks.deny_list", [],
     "Deny-listed institutional identifiers, each `kind:token` (kind phone, booking or "
     "address; token as stored), removed before any rule; see docs/patterns.md."),
    ("patterns.networks.intake_source_types", ["ngo", "reception_centre", "shelter"],
     "Source types whose own intake line may be written on their reports."),
    ("patterns.networks.intake_min_persons", 6,
     "A phone only ever recorded by one organisation of an intake source type and shared by "
     "at least this many persons is treated as that organisation's intake line and removed."),
    ("patterns.networks.edge_kinds", ["address", "booking", "investigation", "phone", "suspect"],
     "Kinds of shared identifier that link two persons."),
    ("patterns.networks.investigation_window_days", 30,
     "An investigation or suspect links two persons when reports linked to it are dated "
     "at most this many days apart."),
    ("patterns.home_country", "NL",
     "The monitoring country: stays or exploitation elsewhere are 'abroad'."),
    ("patterns.fairness.min_cell", 10,
     "Fairness report: groups with fewer persons than this are suppressed."),
)

PATTERN_SETTINGS: tuple[str, ...] = tuple(name for name, _, _ in _DECLARED)

for _name, _default, _help in _DECLARED:
    SETTINGS.declare(_name, _default, _help)


def effective_settings(db: Database) -> dict[str, Any]:
    """The effective value of every pattern setting, plus the rule version."""
    values: dict[str, Any] = {name: db.setting(name) for name in PATTERN_SETTINGS}
    values["patterns.version"] = RULES_VERSION
    return dict(sorted(values.items()))


def run_record(db: Database) -> dict[str, Any]:
    """What identifies a run: code version, rule version, the hash of the imported data
    and the vintages the imports declared."""
    vintages = [str(v) for (v,) in db.rows(
        "SELECT DISTINCT vintage FROM imports WHERE vintage IS NOT NULL ORDER BY vintage")]
    return {"version": __version__, "rules": RULES_VERSION, "data_hash": db.data_hash(),
            "vintages": vintages}
