"""Aggregate pattern counts for the annual report: counts only, never a person.

`pattern_summary(db, year)` is the only thing from `patterns` that may reach
the report; its counts still pass disclosure control there like every other
published cell.
"""

from __future__ import annotations

from typing import Any

from thbmonitor.patterns.carousel import compute_flags
from thbmonitor.patterns.networks import build_networks
from thbmonitor.patterns.settings import effective_settings, run_record
from thbmonitor.store import Database, audit

__all__ = ["pattern_summary"]


def pattern_summary(db: Database, year: int, *, actor: str | None = None) -> dict[str, Any]:
    """Counts of `year`: carousel leads, networks, cross-border networks, networks with
    exploitation abroad and no linked investigation, and the run record (no person ids).
    """
    settings = effective_settings(db)
    flags = compute_flags(db, year, "year", settings)
    networks, _removed, _persons = build_networks(db, year, settings)
    result = {
        "year": year,
        "carousel_leads": int(flags["lead"].sum()),
        "networks": len(networks),
        "cross_border_networks": sum(1 for n in networks if n["cross_border"]),
        "networks_abroad_without_investigation": sum(
            1 for n in networks if n["abroad_without_investigation"]),
        "run": run_record(db),
    }
    audit.record(db, "read", "patterns.summary", actor=actor, detail={"year": year})
    return result
