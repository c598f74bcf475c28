"""The carousel signal: mobility together with a sign that someone else organises it.

The rule, in full (thresholds are settings, see `patterns.settings`):

- **mobility** fires when `distinct_places`, `moves_per_30d` and
  `short_stay_share` all meet their thresholds;
- **organisation** fires when any of `co_moving_persons`,
  `shared_identifier_persons` or `linked_suspects` meets its threshold;
- a person is a **lead** when mobility and organisation both fire.

`temporary_lodging_share`, `platform_share` and `distinct_countries` are
supporting indicators: listed and marked, never enough on their own (an
independent worker books through platforms too). Nationality and origin are
not inputs. A lead is a reason for a person to look at the case, not a
finding and not a score: see docs/patterns.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from thbmonitor.errors import UsageError
from thbmonitor.patterns.features import WINDOWS, person_features
from thbmonitor.patterns.identifiers import identifier_tables
from thbmonitor.patterns.settings import effective_settings, run_record
from thbmonitor.store import Database, audit

__all__ = ["INDICATORS", "CarouselLeads", "carousel_leads", "evaluate_rule", "latest_year"]

_P = "patterns.carousel."

#: indicator -> (feature column, setting with its threshold, role).
INDICATORS: dict[str, tuple[str, str, str]] = {
    "distinct_places": ("distinct_places", _P + "min_distinct_places", "mobility"),
    "moves_per_30d": ("moves_per_30d", _P + "min_moves_per_30d", "mobility"),
    "short_stay_share": ("short_stay_share", _P + "min_short_stay_share", "mobility"),
    "co_movement": ("co_moving_persons", _P + "min_co_moving_persons", "organisation"),
    "shared_identifier": ("shared_identifier_persons", _P + "min_shared_identifier_persons",
                          "organisation"),
    "linked_suspect": ("linked_suspects", _P + "min_linked_suspects", "organisation"),
    "temporary_lodging": ("temporary_lodging_share", _P + "min_temporary_lodging_share",
                          "supporting"),
    "platform_booking": ("platform_share", _P + "min_platform_share", "supporting"),
    "cross_border": ("distinct_countries", _P + "min_countries", "supporting"),
}


def evaluate_rule(features: pd.DataFrame, settings: dict[str, Any]) -> pd.DataFrame:
    """Add a boolean column per indicator and `mobility`, `organisation`, `lead`."""
    out = features.copy()
    for name, (column, setting, _role) in INDICATORS.items():
        out[f"met_{name}"] = out[column].fillna(0).to_numpy() >= settings[setting]
    def role(r: str) -> list[str]:
        return [f"met_{n}" for n, (_c, _s, rr) in INDICATORS.items() if rr == r]
    out["mobility"] = out[role("mobility")].all(axis=1) if len(out) else False
    out["organisation"] = out[role("organisation")].any(axis=1) if len(out) else False
    out["lead"] = out["mobility"] & out["organisation"]
    return out


def latest_year(db: Database) -> int:
    """The latest calendar year with a report (the default `--year`)."""
    year = db.scalar("SELECT max(year(report_date)) FROM reports")
    if year is None:
        raise UsageError("the database holds no reports: import reports first, or give --year")
    return int(year)


def _number(value: Any) -> int | float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.integer, int)):
        return int(value)
    as_float = float(value)
    return int(as_float) if as_float.is_integer() and abs(as_float) < 2**53 else round(as_float, 3)


@dataclass
class CarouselLeads:
    """Persons whose movement fits the carousel rule, with every indicator."""

    year: int
    window: str
    leads: list[dict[str, Any]]
    settings: dict[str, Any]
    run: dict[str, Any]
    population: int = 0
    mobility_only: int = 0
    flags: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """CONTRACTS §5 carousel shape (plus `population` and `mobility_only` counts)."""
        data = {"year": self.year, "window": self.window, "leads": self.leads,
                "population": self.population, "mobility_only": self.mobility_only,
                "settings": self.settings, "run": self.run}
        result: dict[str, Any] = json.loads(json.dumps(data, sort_keys=True))
        return result


def _lead(row: Any, settings: dict[str, Any]) -> dict[str, Any]:
    indicators = {
        name: {"value": _number(getattr(row, column)), "threshold": settings[setting],
               "met": bool(getattr(row, f"met_{name}")), "role": role}
        for name, (column, setting, role) in INDICATORS.items()
    }
    fired = sorted(["mobility", "organisation"]
                   + [n for n in INDICATORS if getattr(row, f"met_{n}")])
    lead: dict[str, Any] = {"person_id": row.person_id, "indicators": indicators, "fired": fired,
                            "stays": _number(row.stays),
                            "median_stay_days": _number(row.median_stay_days)}
    if row.window_start is not None and not pd.isna(row.window_start):
        lead["period"] = [str(pd.Timestamp(row.window_start).date()),
                          str(pd.Timestamp(row.window_end).date())]
    return lead


def compute_flags(db: Database, year: int, window: str, settings: dict[str, Any]
                  ) -> pd.DataFrame:
    """Features and rule outcome for every person with a report in `year` (no audit)."""
    with identifier_tables(db, settings):
        features = person_features(db, year, window, settings)
    return evaluate_rule(features, settings)


def carousel_leads(db: Database, year: int | None = None, window: str = "year", *,
                   actor: str | None = None) -> CarouselLeads:
    """The carousel leads of `year` (default: the latest year with reports).

    Restricted output: the read is written to the audit log.
    """
    if window not in WINDOWS:
        raise UsageError(f"unknown window {window!r}; use one of: {', '.join(WINDOWS)}")
    year = latest_year(db) if year is None else int(year)
    settings = effective_settings(db)
    flags = compute_flags(db, year, window, settings)
    leads = [_lead(row, settings)
             for row in flags[flags["lead"]].sort_values("person_id").itertuples(index=False)]
    result = CarouselLeads(year=year, window=window, leads=leads, settings=settings,
                           run=run_record(db), population=len(flags),
                           mobility_only=int(flags["mobility"].sum()), flags=flags)
    audit.record(db, "read", "patterns.carousel", actor=actor,
                 detail={"year": year, "window": window, "leads": len(leads)})
    return result
