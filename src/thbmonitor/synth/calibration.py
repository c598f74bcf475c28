"""Calibration targets: the published Dutch figures the simulation must reproduce.

Published values come from the packaged copy of `nl_victims.csv`; values the
publications do not give (earlier years, a few strata) come from
`assumptions.csv`. A published value always wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from thbmonitor.synth.packaged import read_data

__all__ = ["STRATA", "SOURCE_TYPES", "YearTargets", "load_targets", "published_values"]

#: Calibration strata: a partition of victims by traits (see `population.stratum_of`).
STRATA: tuple[str, ...] = (
    "minor_criminal", "minor_other", "ua", "latam_sexual", "africa_sexual", "rest",
)

#: CONTRACTS §1 source types, in the order used by the reporting model.
SOURCE_TYPES: tuple[str, ...] = (
    "police", "border_police", "labour_inspectorate", "care_coordinator", "ngo",
    "reception_centre", "guardianship", "municipality", "shelter", "lawyer", "self", "other",
)

#: A first guess of how many true victims stand behind one registered victim, per
#: stratum: it only sizes the pilot draws of `population.simulate_victims`; the
#: true numbers follow from the capture model (`capture.py`, about five overall).
DARK_MULTIPLIER: dict[str, float] = {
    "minor_criminal": 8.0, "minor_other": 5.0, "ua": 4.0,
    "latam_sexual": 5.0, "africa_sexual": 3.5, "rest": 4.5,
}

_REPORT_METRICS = {
    "reports_police": "police",
    "reports_care_coordinator": "care_coordinator",
    "reports_ngo_fairwork": "ngo",
    "reports_border_police": "border_police",
    "reports_labour_inspectorate": "labour_inspectorate",
}
#: Small source types share what the published five leave (about 3% of reports).
_MINOR_TYPE_SHARES = {
    "reception_centre": 0.008, "guardianship": 0.008, "municipality": 0.006,
    "shelter": 0.006, "lawyer": 0.002, "self": 0.002, "other": 0.003,
}


@dataclass(frozen=True)
class YearTargets:
    """What the registered victims of one year must show."""

    year: int
    total: int
    minors: int
    minor_criminal: int
    ua: int
    latam_sexual: int
    africa_sexual: int
    report_shares: dict[str, float] = field(default_factory=dict)

    def quotas(self) -> dict[str, int]:
        """Registered victims per calibration stratum; they add up to `total`."""
        q = {
            "minor_criminal": self.minor_criminal,
            "minor_other": self.minors - self.minor_criminal,
            "ua": self.ua,
            "latam_sexual": self.latam_sexual,
            "africa_sexual": self.africa_sexual,
        }
        q["rest"] = self.total - sum(q.values())
        return q


@cache
def published_values() -> dict[tuple[int, str], float]:
    """(year, metric) -> value: published figures (rapporteur series first), then assumptions."""
    values: dict[tuple[int, str], float] = {}
    for row in read_data("assumptions.csv"):
        values[(int(row["year"]), row["metric"])] = float(row["value"])
    rows = [r for r in read_data("nl_victims.csv") if r["year"].isdigit()]
    # coordination_centre first so that the rapporteur series overwrites it.
    rows.sort(key=lambda r: r["series"] == "rapporteur")
    for row in rows:
        values[(int(row["year"]), row["metric"])] = float(row["value"])
    return values


def _report_shares(year: int, values: dict[tuple[int, str], float]) -> dict[str, float]:
    known = max((y for (y, m) in values if m == "reports_police" and y <= year), default=None)
    if known is None:
        known = min(y for (y, m) in values if m == "reports_police")
    counts = {t: values.get((known, m), 0.0) for m, t in _REPORT_METRICS.items()}
    rest = sum(_MINOR_TYPE_SHARES.values())
    total = sum(counts.values())
    if total > 1.5:  # counts, not shares
        counts = {t: c / total * (1 - rest) for t, c in counts.items()}
    shares = {t: counts.get(t, 0.0) for t in SOURCE_TYPES}
    shares.update(_MINOR_TYPE_SHARES)
    norm = sum(shares.values())
    return {t: s / norm for t, s in shares.items()}


def load_targets(years: range | list[int]) -> dict[int, YearTargets]:
    """The calibration targets of each year (published where published)."""
    values = published_values()
    targets: dict[int, YearTargets] = {}
    for year in years:
        def get(metric: str, default: float = 0.0, year: int = year) -> int:
            return int(round(values.get((year, metric), default)))

        total = get("victims_total", 900)
        targets[year] = YearTargets(
            year=year,
            total=total,
            minors=get("victims_minor", round(total * 0.08)),
            minor_criminal=get("victims_minor_criminal", 10),
            ua=get("victims_nationality_UA", 3),
            latam_sexual=get("victims_latin_america_sexual", 30),
            africa_sexual=get("victims_africa_sexual", 120),
            report_shares=_report_shares(year, values),
        )
    return targets
