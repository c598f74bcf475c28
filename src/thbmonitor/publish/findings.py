"""Findings: the changes in the annual figures that deserve a sentence.

The statistics live in `thbmonitor.figures.changes` (the change from last year,
the trend over several years, Benjamini–Hochberg within families); this
module turns the figures JSON (CONTRACTS §3 plus ``series``) into the cells
those tests take, and words what they decide:

* **Key indicators** (setting ``findings.key_indicators``, each with its
  direction of interest) are one family: the headline findings.
  Every other published table is a family of its own; its findings are
  labelled exploratory (``"family": "exploratory"``).
* A finding is made when the change from last year or the trend over the
  window is significant after the correction. "Again" / "keeps" (``streak``
  of 2 and more) only when the trend is significant in the direction of this
  year's change; the streak is the number of consecutive same-signed steps.
* Never about a cell that is not published this year (below the
  publication threshold, null, or listed in ``"suppressed"``). A change
  *from* a count below the threshold is tested like any other and worded
  without the protected value ("from fewer than 10 to 42"); its p-value is
  then left out, because it would give the hidden count away.
* One finding per phenomenon: findings on nested cells (a cell and the cell
  it is part of, such as minors in criminal exploitation and criminal
  exploitation, or the reports of a source and the victims it reported) that
  move the same way are merged into the finding of the strongest cell, which
  lists the others under ``related``. The total is never merged.
* Years without data are not compared: a cell whose previous year has no
  data has no change (its trend may still be tested over the years it has).

See docs/report.md for the rule and its references.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from thbmonitor.figures.changes import (
    CellSeries,
    Change,
    ChangeRule,
    benjamini_hochberg,
    judge,
    poisson_test,
    proportion_test,
)
from thbmonitor.publish.texts import LANGUAGES, finding_text
from thbmonitor.vocab.indicators import KEY_INDICATORS, Interest

__all__ = [
    "DEFAULT_KEY_INDICATORS",
    "Finding",
    "FindingRule",
    "benjamini_hochberg",
    "find_changes",
    "judge_changes",
    "lookup",
    "metric_paths",
    "poisson_test",
    "previous_value",
    "proportion_test",
    "with_findings",
]

Direction = Literal["up", "down"]
Strength = Literal["strong", "moderate"]

SECTIONS = ("victims", "reports", "chain")
#: Percentages and the counts they are computed from (numerator, denominator).
PERCENT_PARTS: dict[str, tuple[str, str]] = {
    "chain.prosecution.summons_pct": ("chain.prosecution.summons", "chain.prosecution.decided"),
    "chain.verdicts.conviction_pct": ("chain.verdicts.convictions", "chain.verdicts.total"),
}
#: Where the figures JSON itself states last year's value.
EXPLICIT_PREVIOUS: dict[str, str] = {
    "victims.total": "victims.previous",
    "chain.investigations.total": "chain.investigations.previous",
    "chain.suspects.total": "chain.suspects.previous",
    "chain.prosecution.registered": "chain.prosecution.previous",
    "chain.prosecution.summons_pct": "chain.prosecution.previous_summons_pct",
}

#: The pre-specified key indicators (default of the setting ``findings.key_indicators``).
DEFAULT_KEY_INDICATORS = KEY_INDICATORS


@dataclass(frozen=True)
class FindingRule:
    """The settings that decide what is a finding (documented in docs/report.md)."""

    alpha: float = 0.05
    min_count: int = 10
    strong: float = 1.5
    strong_points: float = 10.0
    window: int = 5
    key_indicators: Mapping[str, Interest] = field(
        default_factory=lambda: dict(DEFAULT_KEY_INDICATORS))
    family: str = "key-and-table"
    correction: str = "benjamini-hochberg"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["key_indicators"] = dict(self.key_indicators)
        return data

    @property
    def changes(self) -> ChangeRule:
        return ChangeRule(self.alpha, self.window, self.strong, self.strong_points)


@dataclass(frozen=True)
class Finding:
    """A significant change, with its sentence in Dutch and English."""

    metric: str
    direction: Direction
    strength: Strength
    streak: int
    value: float
    previous: float | None
    p_value: float | None
    text: dict[str, str] = field(default_factory=dict)
    q_value: float = 1.0
    family: Literal["key", "exploratory"] = "exploratory"
    basis: Literal["change", "trend", "change-and-trend"] = "change"
    previous_below: int | None = None
    trend: dict[str, Any] | None = None
    related: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The CONTRACTS §3 finding shape, extended with what it rests on."""
        return {
            "metric": self.metric,
            "direction": self.direction,
            "strength": self.strength,
            "streak": self.streak,
            "value": self.value,
            "previous": self.previous,
            "p_value": self.p_value,
            "text": dict(self.text),
            "family": self.family,
            "basis": self.basis,
            "q_value": self.q_value,
            "previous_below": self.previous_below,
            "trend": self.trend,
            "related": list(self.related),
        }


# -- reading the figures dict ------------------------------------------------------


def lookup(data: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a dotted path, or None when any part is missing."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def has_path(data: Mapping[str, Any] | None, path: str) -> bool:
    """Whether the dotted path exists (its value may be null)."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def metric_paths(figures: Mapping[str, Any]) -> Iterator[str]:
    """Dotted paths of every tested figure: counts and percentages, not previous*/change."""

    def walk(node: Mapping[str, Any], prefix: str) -> Iterator[str]:
        for key, value in node.items():
            if key.startswith("previous") or key == "change":
                continue
            path = f"{prefix}.{key}"
            if isinstance(value, Mapping):
                yield from walk(value, path)
            elif value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
                yield path

    for section in SECTIONS:
        node = figures.get(section)
        if isinstance(node, Mapping):
            yield from walk(node, section)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _series_by_year(figures: Mapping[str, Any]) -> dict[int, Mapping[str, Any]]:
    series = figures.get("series") or []
    return {int(entry["year"]): entry for entry in series if isinstance(entry, Mapping)}


def _available(entry: Mapping[str, Any] | None) -> bool:
    return entry is not None and entry.get("available", True) is not False


def _year_value(entry: Mapping[str, Any] | None, metric: str) -> float | None:
    """A figure in one year's dict; None when suppressed there or the year has no data.

    A percentage that is absent (not: null) is recomputed from its counts.
    """
    if not _available(entry) or metric in (entry.get("suppressed") or []):  # type: ignore[union-attr]
        return None
    value = _number(lookup(entry, metric))
    if value is None and metric in PERCENT_PARTS and not has_path(entry, metric):
        num, den = (_number(lookup(entry, p)) for p in PERCENT_PARTS[metric])
        if num is not None and den:
            value = 100.0 * num / den
    return value


def _previous(figures: Mapping[str, Any], last: Mapping[str, Any] | None, metric: str) -> Any:
    explicit = EXPLICIT_PREVIOUS.get(metric)
    if explicit is None and metric.startswith("victims.by."):
        explicit = "victims.previous_by." + metric.removeprefix("victims.by.")
    if f"{explicit}" in (figures.get("suppressed") or []):
        return None
    if explicit is not None and (has_path(figures, explicit) or last is None):
        return lookup(figures, explicit)
    return _year_value(last, metric)


def previous_value(figures: Mapping[str, Any], metric: str) -> float | None:
    """Last year's value of a metric: from the figures' previous* keys, else the series."""
    last = _series_by_year(figures).get(int(figures["year"]) - 1)
    if last is not None and not _available(last):
        return None
    return _number(_previous(figures, last, metric))


def family_of(metric: str) -> str:
    """The published table a metric belongs to (its family when it is not a key indicator)."""
    parts = metric.split(".")
    if parts[:2] == ["victims", "cross"]:
        return ".".join(parts[:3])
    return ".".join(parts[:-1])


def cells(figures: Mapping[str, Any]) -> list[CellSeries]:
    """Every published cell of the year with its series, oldest year first."""
    year = int(figures["year"])
    by_year = _series_by_year(figures)
    first = min(by_year) if by_year else year - 1
    years = tuple(range(first, year + 1))
    suppressed = set(figures.get("suppressed") or [])
    out: list[CellSeries] = []
    for metric in metric_paths(figures):
        current = None if metric in suppressed else _number(lookup(figures, metric))
        values: list[float | None] = [_year_value(by_year.get(y), metric) for y in years[:-2]]
        values += [previous_value(figures, metric), current]
        kind: Literal["count", "percent"] = "percent" if metric in PERCENT_PARTS else "count"
        nums: tuple[float | None, ...] = ()
        dens: tuple[float | None, ...] = ()
        if kind == "percent":
            num_path, den_path = PERCENT_PARTS[metric]
            entries = [by_year.get(y) for y in years[:-1]] + [figures]
            if (suppressed & {num_path, den_path}):
                current = None
                values[-1] = None
            nums = tuple(_year_value(e, num_path) for e in entries)
            dens = tuple(_year_value(e, den_path) for e in entries)
        out.append(CellSeries(metric, years[-len(values):], tuple(values), kind,
                              family_of(metric), nums, dens))
    return out


# -- judging and wording --------------------------------------------------------------


def judge_changes(figures: Mapping[str, Any], rule: FindingRule | None = None) -> list[Change]:
    """Test every published cell's change and trend; q-values within each family."""
    rule = rule or FindingRule()
    return judge(cells(figures), rule.key_indicators, rule.changes)


def _strength(change: Change, rule: FindingRule, previous: float | None) -> Strength:
    if previous is None:
        return "strong"
    if change.kind == "percent":
        big = abs(change.value - previous) >= rule.strong_points
    elif previous == 0:
        big = True
    else:
        ratio = change.value / previous
        big = ratio >= rule.strong or ratio <= 1 / rule.strong
    return "strong" if big else "moderate"


def _published(figures: Mapping[str, Any], metric: str, min_count: int) -> bool:
    """Whether this year's value of a metric is published (and so may carry a finding)."""
    if metric in (figures.get("suppressed") or []):
        return False
    value = _number(lookup(figures, metric))
    if value is None:
        return False
    if metric in PERCENT_PARTS:
        den = _number(lookup(figures, PERCENT_PARTS[metric][1]))
        return den is not None and den >= min_count
    return value == 0 or value >= min_count


def find_changes(figures: Mapping[str, Any], *, published: Mapping[str, Any] | None = None,
                 alpha: float = 0.05, min_count: int = 10, strong: float = 1.5,
                 strong_points: float = 10.0, window: int = 5,
                 key_indicators: Mapping[str, Interest] | None = None,
                 **_ignored: Any) -> list[Finding]:
    """The significant changes, key indicators first, one per phenomenon.

    ``figures`` are judged; ``published`` (default: ``figures``) is what the
    release shows: a finding is only made on a cell published there, and its
    values are worded as published. Order: key before exploratory, strong
    before moderate, then the smallest adjusted p-value, then the largest change.
    """
    rule = FindingRule(alpha, min_count, strong, strong_points, window,
                       dict(DEFAULT_KEY_INDICATORS if key_indicators is None else key_indicators))
    shown = published if published is not None else figures
    year = int(figures["year"])
    findings: list[Finding] = []
    for change in judge_changes(figures, rule):
        finding = _finding(change, rule, shown, year)
        if finding is not None:
            findings.append(finding)
    findings = merge_phenomena(findings)
    findings.sort(key=lambda f: (f.family != "key", f.strength != "strong", f.q_value,
                                 -abs(f.value - (f.previous or 0)), f.metric))
    return findings


def _finding(change: Change, rule: FindingRule, shown: Mapping[str, Any],
             year: int) -> Finding | None:
    by_change = change.significant_change(rule.alpha)
    by_trend = change.significant_trend(rule.alpha)
    if not (by_change or by_trend) or not _published(shown, change.metric, rule.min_count):
        return None
    trend = change.trend
    direction: Direction | None = change.direction if by_change else (
        trend.direction if trend else None)
    if direction is None:
        return None
    if by_change and by_trend and trend is not None and trend.direction != direction:
        by_trend = False
    value = _number(lookup(shown, change.metric))
    assert value is not None  # _published
    shown_previous = previous_value(shown, change.metric)
    previous_below = None
    if change.previous is not None and not _publishable(shown_previous, rule.min_count):
        previous_below, shown_previous = rule.min_count, None
    streak = min(change.streak(rule.alpha), _published_run(shown, change.metric, rule.min_count)
                 ) if by_change else 1
    basis: Literal["change", "trend", "change-and-trend"] = (
        "change-and-trend" if by_change and by_trend else "change" if by_change else "trend")
    trend_from = None
    if basis == "trend" and trend is not None:
        first = previous_value_at(shown, change.metric, trend.first_year)
        if first is None:
            return None
        trend_from = (trend.first_year, first)
    strength = _strength(change, rule, shown_previous if trend_from is None else trend_from[1])
    text = {
        lang: finding_text(lang, change.metric, direction, strength, streak, value,
                           shown_previous, year, previous_below=previous_below,
                           trend_from=trend_from)
        for lang in LANGUAGES
    }
    p_value = None if previous_below is not None else (
        change.p_change if by_change else trend.p_value if trend else None)
    return Finding(
        metric=change.metric, direction=direction, strength=strength, streak=streak,
        value=value, previous=shown_previous, p_value=p_value, text=text,
        q_value=min(change.q_change if by_change else 1.0, change.q_trend if by_trend else 1.0),
        family="key" if change.key else "exploratory", basis=basis,
        previous_below=previous_below,
        trend=None if trend is None or previous_below is not None else trend.to_dict(),
    )


def _publishable(value: float | None, min_count: int) -> bool:
    return value is not None and (value == 0 or value >= min_count)


def _published_run(shown: Mapping[str, Any], metric: str, min_count: int) -> int:
    """Year-on-year steps, ending this year, between values that are all published.

    A streak never rests on a value the release does not show ("rises again"
    would tell that a hidden value was lower).
    """
    year = int(shown["year"])
    by_year = _series_by_year(shown)
    steps = 0
    for y in range(year - 1, min(by_year, default=year) - 1, -1):
        value = previous_value(shown, metric) if y == year - 1 else _year_value(by_year.get(y),
                                                                                 metric)
        size = value
        if metric in PERCENT_PARTS:
            den_path = PERCENT_PARTS[metric][1]
            size = _number(lookup(shown, den_path)) if y == year else _year_value(
                by_year.get(y), den_path)
        if not _publishable(size, min_count) or value is None:
            break
        steps += 1
    return max(1, steps)


def previous_value_at(figures: Mapping[str, Any], metric: str, year: int) -> float | None:
    """A metric's published value in an earlier year of the series."""
    if year == int(figures["year"]) - 1:
        return previous_value(figures, metric)
    return _year_value(_series_by_year(figures).get(year), metric)


# -- one finding per phenomenon ---------------------------------------------------------


def _dimensions(metric: str) -> tuple[str, frozenset[tuple[str, str]]] | None:
    """The population a metric counts: a domain and the conditions that narrow it."""
    parts = metric.split(".")
    if metric == "victims.total" or len(parts) < 3:
        return None
    if parts[0] in ("victims", "reports"):
        names = {"exploitation": "form", "age_group": "age", "sex": "sex", "scope": "scope",
                 "nationality": "nationality", "nationality_group": "group",
                 "source_type": "source", "by_source_type": "source"}
        if parts[0] == "victims" and parts[1] == "by" and len(parts) == 4:
            dims = {(names.get(parts[2], parts[2]), parts[3])}
            if parts[2] == "nationality":
                dims.add(("group", _group(parts[3])))
            return "victims", frozenset(dims)
        if parts[0] == "victims" and parts[1] == "cross" and len(parts) == 5:
            second = "age" if parts[2].endswith("age_group") else "group"
            return "victims", frozenset({("form", parts[3]), (second, parts[4])})
        if parts[0] == "reports" and parts[1] == "by_source_type" and len(parts) == 3:
            return "victims", frozenset({("source", parts[2])})
        return None
    if parts[:2] == ["chain", "investigations"]:
        if parts[2] == "total":  # all investigations: the parent of every breakdown of them
            return "investigations", frozenset()
        if parts[2] == "by_exploitation" and len(parts) == 4:
            return "investigations", frozenset({("form", parts[3])})
        if parts[2] == "by_scope" and len(parts) == 4:
            return "investigations", frozenset({("scope", parts[3])})
        if parts[2] == "sexual_by_scope" and len(parts) == 4:
            return "investigations", frozenset({("form", "sexual"), ("scope", parts[3])})
    return None


def _group(code: str) -> str:
    from thbmonitor.vocab import nationality_group

    return nationality_group(code)


def _nested(a: str, b: str) -> bool:
    da, db = _dimensions(a), _dimensions(b)
    if da is None or db is None or da[0] != db[0]:
        return False
    return da[1] <= db[1] or db[1] <= da[1]


def merge_phenomena(findings: Sequence[Finding]) -> list[Finding]:
    """Merge findings on nested cells that move the same way into the strongest one."""
    parent = list(range(len(findings)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(findings):
        for j in range(i + 1, len(findings)):
            b = findings[j]
            if a.direction == b.direction and _nested(a.metric, b.metric):
                parent[root(i)] = root(j)
    groups: dict[int, list[Finding]] = {}
    for i, finding in enumerate(findings):
        groups.setdefault(root(i), []).append(finding)
    merged = []
    for members in groups.values():
        members.sort(key=lambda f: (f.family != "key", f.q_value, f.metric))
        best = members[0]
        others = tuple(sorted(f.metric for f in members[1:]))
        merged.append(Finding(**{**best.__dict__, "related": others,
                                 "family": "key" if any(f.family == "key" for f in members)
                                 else "exploratory"}))
    return merged


#: Bounds a protected release states p-values by: an exact p-value of a test on
#: published counts could give away the suppressed or rounded counts it rests on.
P_BOUNDS = (0.001, 0.01, 0.05, 1.0)


def _bound(p: float | None) -> float | None:
    if p is None:
        return None
    return next(b for b in P_BOUNDS if p <= b)


def _bounded(finding: dict[str, Any]) -> dict[str, Any]:
    trend = finding.get("trend")
    return finding | {
        "p_value": _bound(finding.get("p_value")), "q_value": _bound(finding.get("q_value")),
        "trend": None if not trend else {k: trend[k] for k in ("first_year", "last_year")},
    }


def with_findings(figures: Mapping[str, Any], *, published: Mapping[str, Any] | None = None,
                  **rule: Any) -> dict[str, Any]:
    """The published figures with ``"findings"`` filled in (CONTRACTS §3).

    ``figures`` are judged (the unprotected counts); the findings are stated
    on ``published`` (the protected counts, default ``figures``), whose copy is
    returned. With ``published``, p- and q-values are stated as bounds
    (`P_BOUNDS`): "p at most 0.01".
    """
    result = dict(published if published is not None else figures)
    found = [f.to_dict() for f in find_changes(figures, published=published, **rule)]
    result["findings"] = [_bounded(f) for f in found] if published is not None else found
    return result
