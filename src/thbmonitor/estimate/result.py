"""The typed result of the dark-figure estimate (`to_dict()` is `thb estimate --json`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["DarkFigure", "Guard", "SensitivityRow", "YearEstimate", "round_estimate"]

Publication = Literal["estimate", "range", "none"]


def round_estimate(value: float | None) -> int | None:
    """Two significant figures, at least to the ten: 5,612 -> 5,600; 873 -> 870.

    The estimate is a statistical estimate, not a count: the report states it
    in rounded words ("about 5,600 (4,900 to 6,700)"), as the published Dutch
    estimates do.
    """
    if value is None or not math.isfinite(value):
        return None
    if value <= 0:
        return 0
    step = max(10, 10 ** (int(math.floor(math.log10(value))) - 1))
    return int(math.floor(value / step + 0.5) * step)  # half up, not to even


@dataclass(frozen=True)
class Guard:
    """One check of the estimate: `code`, whether it `passed`, the value and its threshold."""

    code: str
    passed: bool
    value: float | None
    threshold: Any
    message: str
    blocks: bool = False  # a failed blocking guard means no estimate at all

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "passed": self.passed, "value": self.value,
                "threshold": self.threshold, "message": self.message, "blocks": self.blocks}


@dataclass(frozen=True)
class SensitivityRow:
    """The same year estimated another way (the sensitivity table)."""

    label: str
    method: str
    window: list[int]
    covariates: list[str]
    criterion: str | None
    estimate: float | None
    ci: list[float] | None
    terms: int | None
    warnings: list[str] = field(default_factory=list)
    key: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "method": self.method, "window": self.window,
                "covariates": self.covariates, "criterion": self.criterion,
                "estimate": self.estimate, "ci": self.ci, "terms": self.terms,
                "warnings": list(self.warnings)}


@dataclass(frozen=True)
class YearEstimate:
    """The estimate of one year of the window (for the chart of earlier years)."""

    year: int
    observed: int
    estimate: float
    ci: list[float] | None

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "observed": self.observed, "estimate": self.estimate,
                "ci": self.ci}


@dataclass
class DarkFigure:
    """The dark figure of one year: CONTRACTS section 4 plus what the report needs."""

    year: int
    observed: int
    estimate: float | None
    ci: list[float] | None
    ci_level: float
    lists: list[str]
    terms: list[str]
    method: str
    warnings: list[str]
    minus_infinity: list[str] = field(default_factory=list)
    covariates: list[str] = field(default_factory=list)
    window: list[int] = field(default_factory=list)
    criterion: str | None = None
    ci_kind: str | None = None
    nboot: int = 0
    seed: int | None = None
    failed_bootstrap_share: float = 0.0
    guards: list[Guard] = field(default_factory=list)
    sensitivity: list[SensitivityRow] = field(default_factory=list)
    by_year: list[YearEstimate] = field(default_factory=list)
    list_members: dict[str, list[str]] = field(default_factory=dict)
    merged_lists: list[str] = field(default_factory=list)
    merged_levels: list[str] = field(default_factory=list)
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dark_figure(self) -> float | None:
        return None if self.estimate is None else self.estimate - self.observed

    @property
    def ratio(self) -> float | None:
        return None if self.estimate is None or not self.observed else (
            self.estimate / self.observed)

    @property
    def published_as(self) -> Publication:
        """`estimate` (about X (lo to hi)), `range` (a warning guard failed) or `none`."""
        if self.estimate is None:
            return "none"
        if any(not g.passed for g in self.guards):
            return "range"
        return "estimate"

    def to_dict(self) -> dict[str, Any]:
        ci = self.ci
        rounded = {
            "estimate": round_estimate(self.estimate),
            "low": round_estimate(ci[0]) if ci else None,
            "high": round_estimate(ci[1]) if ci else None,
        }
        out: dict[str, Any] = {
            "observed": self.observed, "estimate": self.estimate,
            "dark_figure": self.dark_figure, "ci": list(ci) if ci else None,
            "ci_level": self.ci_level, "lists": list(self.lists), "terms": list(self.terms),
            "method": self.method, "warnings": list(self.warnings),
            "minus_infinity": list(self.minus_infinity),
            "year": self.year, "window": list(self.window), "covariates": list(self.covariates),
            "criterion": self.criterion, "ci_kind": self.ci_kind, "nboot": self.nboot,
            "seed": self.seed, "failed_bootstrap_share": self.failed_bootstrap_share,
            "ratio": self.ratio, "published_as": self.published_as, "rounded": rounded,
            "reason": self.reason,
            "guards": [g.to_dict() for g in self.guards],
            "sensitivity": [r.to_dict() for r in self.sensitivity],
            "by_year": [y.to_dict() for y in self.by_year],
            "list_members": {k: list(v) for k, v in self.list_members.items()},
            "merged_levels": list(self.merged_levels),
        }
        if self.merged_lists:
            out["merged_lists"] = list(self.merged_lists)
        out.update(self.extra)
        return out
