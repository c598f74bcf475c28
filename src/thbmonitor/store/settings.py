"""Settings, declared once: name, default, help and type.

The declarations drive validation (`Database.set_setting`), the docs and
the provenance record of every published result. Secrets are never
settings: the pseudonymisation key lives outside the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from thbmonitor.errors import UsageError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    kind: type

    def check(self, value: Any) -> Any:
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.kind) or (self.kind is int and isinstance(value, bool)):
            raise UsageError(
                f"setting {self.name} takes a {self.kind.__name__}, not {type(value).__name__}"
            )
        return value


class SettingsRegistry:
    def __init__(self) -> None:
        self._settings: dict[str, Setting] = {}

    def declare(self, name: str, default: Any, help: str) -> Setting:
        setting = Setting(name, default, help, type(default))
        self._settings[name] = setting
        return setting

    def get(self, name: str) -> Setting:
        try:
            return self._settings[name]
        except KeyError:
            known = ", ".join(sorted(self._settings))
            raise UsageError(f"unknown setting {name!r}; known settings: {known}") from None

    def __iter__(self) -> Iterator[Setting]:
        return iter(sorted(self._settings.values(), key=lambda s: s.name))


SETTINGS = SettingsRegistry()

SETTINGS.declare(
    "publication.threshold", 10,
    "Smallest count published: cells from 1 to threshold-1 are suppressed (zeros stay).",
)
SETTINGS.declare(
    "publication.priorities", [],
    "Dotted figure paths the publisher most wants published (e.g. "
    "victims.cross.exploitation_by_age_group.criminal.minor); secondary suppression hides "
    "other cells first when that protects as well.",
)
SETTINGS.declare(
    "findings.alpha", 0.05,
    "False discovery rate for year-on-year findings (Benjamini-Hochberg over the tested cells).",
)
SETTINGS.declare(
    "random.seed", 20241016,
    "Seed of every random step (bootstrap intervals, model training): same data, settings "
    "and seed give the same numbers.",
)
SETTINGS.declare(
    "link.threshold", 0.95,
    "Match probability from which two reports are linked into one person (docs/linkage.md).",
)
SETTINGS.declare(
    "link.review_low", 0.3,
    "Pairs from this match probability up to link.threshold go to the review queue.",
)
SETTINGS.declare(
    "ingest.max_age_years", 100,
    "Dates of birth more than this many years before the report date are rejected.",
)
SETTINGS.declare(
    "estimate.window_years", 6,
    "Years pooled for the dark-figure estimate of a year (that year and the ones before), "
    "with the year as a covariate, as in the published Dutch estimates (docs/mse.md).",
)
