"""The pattern rules' thresholds: declared once, versioned, recorded with every run.

Every threshold of the carousel rule and the network builder is a setting,
declared with its range in `thbmonitor.store.settings` like every other
(`thb settings` stores changed values in the database's `settings` table); each
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

#: The pattern rules' thresholds, declared (with their ranges) in `thbmonitor.store.settings`.
PATTERN_SETTINGS: tuple[str, ...] = SETTINGS.names("patterns.")


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
