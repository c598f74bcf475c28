"""Findings: the year-on-year changes in the annual figures that deserve a sentence.

Every count in the figures JSON (CONTRACTS §3) is compared with the same count a
year earlier:

* counts (victims, reports, chain counts): the exact conditional test for two
  Poisson counts. Given the two counts ``x1`` (this year) and ``x0`` (last year),
  under "no change" ``x1`` is binomial with ``n = x0 + x1`` and ``p = 1/2``
  (equal exposure: one year each); ``scipy.stats.binomtest``, two-sided.
* percentages (``summons_pct``, ``conviction_pct``): a two-proportion test on the
  underlying counts (summons/decided, convictions/verdicts): the pooled z-test,
  or Fisher's exact test when an expected cell count is below 5.

Cells below the publication threshold (``min_count``, either year), null
(suppressed) cells and cells listed in ``"suppressed"`` are not tested. The
tested cells of one year form one family; the Benjamini–Hochberg procedure
controls the false discovery rate at ``alpha`` over that family (with
``family="table"``: within each published table instead). A change is a
finding when its adjusted p-value is at most ``alpha``; it is *strong* when the
figure became at least ``strong`` times as high (or at most ``1/strong`` as high)
or, for a percentage, moved by at least ``strong_points`` percentage points.
The streak counts the consecutive years the figure moved the same way.
See docs/report.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from scipy import stats

from thbmonitor.publish.texts import LANGUAGES, finding_text

__all__ = [
    "Change",
    "Finding",
    "FindingRule",
    "benjamini_hochberg",
    "find_changes",
    "metric_paths",
    "poisson_test",
    "previous_value",
    "proportion_test",
    "judge_changes",
    "with_findings",
]

Direction = Literal["up", "down"]
Strength = Literal["strong", "moderate"]
Family = Literal["release", "table"]

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


@dataclass(frozen=True)
class FindingRule:
    """The settings that decide what is a finding (documented in docs/report.md)."""

    alpha: float = 0.05
    min_count: int = 10
    strong: float = 1.5
    strong_points: float = 10.0
    family: Family = "release"
    correction: str = "benjamini-hochberg"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Change:
    """One tested cell: its values, test and adjusted p-value (q-value)."""

    metric: str
    kind: Literal["count", "percent"]
    value: float
    previous: float
    p_value: float
    q_value: float = 1.0
    test: str = ""

    @property
    def direction(self) -> Direction | None:
        if self.value > self.previous:
            return "up"
        if self.value < self.previous:
            return "down"
        return None


@dataclass(frozen=True)
class Finding:
    """A significant change, with its sentence in Dutch and English."""

    metric: str
    direction: Direction
    strength: Strength
    streak: int
    value: float
    previous: float
    p_value: float
    text: dict[str, str] = field(default_factory=dict)
    q_value: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """Exactly the CONTRACTS §3 finding shape."""
        return {
            "metric": self.metric,
            "direction": self.direction,
            "strength": self.strength,
            "streak": self.streak,
            "value": self.value,
            "previous": self.previous,
            "p_value": self.p_value,
            "text": dict(self.text),
        }


def poisson_test(value: int, previous: int) -> float:
    """Two-sided exact conditional test that two Poisson counts have the same rate."""
    n = int(value) + int(previous)
    if n == 0:
        return 1.0
    return float(stats.binomtest(int(value), n, 0.5).pvalue)


def proportion_test(k1: int, n1: int, k0: int, n0: int) -> tuple[float, str]:
    """Two-sided test that k1/n1 and k0/n0 estimate the same proportion.

    Pooled two-proportion z-test; Fisher's exact test when an expected cell
    count is below 5. Returns the p-value and the name of the test used.
    """
    pooled = (k1 + k0) / (n1 + n0)
    expected = [n * pooled for n in (n1, n0)] + [n * (1 - pooled) for n in (n1, n0)]
    if min(expected) < 5:
        table = [[k1, n1 - k1], [k0, n0 - k0]]
        return float(stats.fisher_exact(table).pvalue), "fisher-exact"
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if se == 0:
        return 1.0, "two-proportion-z"
    z = (k1 / n1 - k0 / n0) / se
    return float(2 * stats.norm.sf(abs(z))), "two-proportion-z"


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = min(1.0, running)
    return adjusted


def lookup(data: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a dotted path, or None when any part is missing."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


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


def _series_by_year(figures: Mapping[str, Any]) -> dict[int, Mapping[str, Any]]:
    series = figures.get("series") or []
    return {int(entry["year"]): entry for entry in series if isinstance(entry, Mapping)}


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def has_path(data: Mapping[str, Any] | None, path: str) -> bool:
    """Whether the dotted path exists (its value may be null)."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def _year_value(entry: Mapping[str, Any] | None, metric: str) -> float | None:
    """A figure in one year's dict; null when suppressed there.

    A percentage that is absent (not: null) is recomputed from its counts.
    """
    if entry is not None and metric in (entry.get("suppressed") or []):
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
    if explicit is not None and (has_path(figures, explicit) or last is None):
        return lookup(figures, explicit)
    return _year_value(last, metric)


def previous_value(figures: Mapping[str, Any], metric: str) -> float | None:
    """Last year's value of a metric: from the figures' previous* keys, else the series."""
    last = _series_by_year(figures).get(int(figures["year"]) - 1)
    return _number(_previous(figures, last, metric))


def judge_changes(figures: Mapping[str, Any], rule: FindingRule | None = None) -> list[Change]:
    """Test every publishable cell against last year; q-values adjusted over the family."""
    rule = rule or FindingRule()
    year = int(figures["year"])
    last = _series_by_year(figures).get(year - 1)
    suppressed = set(figures.get("suppressed") or [])
    tested: list[Change] = []
    for metric in metric_paths(figures):
        value = _number(lookup(figures, metric))
        previous = _number(_previous(figures, last, metric))
        if metric in suppressed or value is None or previous is None:
            continue
        if metric in PERCENT_PARTS:
            num_path, den_path = PERCENT_PARTS[metric]
            if suppressed & {num_path, den_path}:
                continue
            counts = [_number(lookup(figures, num_path)), _number(lookup(figures, den_path)),
                      _year_value(last, num_path), _year_value(last, den_path)]
            k1, n1, k0, n0 = counts
            if k1 is None or n1 is None or k0 is None or n0 is None:
                continue
            if min(n1, n0) < rule.min_count:
                continue
            p, test = proportion_test(int(k1), int(n1), int(k0), int(n0))
            tested.append(Change(metric, "percent", value, previous, p, test=test))
        else:
            if min(value, previous) < rule.min_count:
                continue
            p = poisson_test(int(value), int(previous))
            tested.append(Change(metric, "count", value, previous, p, test="poisson-conditional"))
    families: dict[str, list[int]] = {}
    for i, change in enumerate(tested):
        key = family_of(change.metric) if rule.family == "table" else "release"
        families.setdefault(key, []).append(i)
    q_values = [1.0] * len(tested)
    for members in families.values():
        adjusted = benjamini_hochberg([tested[i].p_value for i in members])
        for i, q in zip(members, adjusted, strict=True):
            q_values[i] = q
    return [
        Change(c.metric, c.kind, c.value, c.previous, c.p_value, q, c.test)
        for c, q in zip(tested, q_values, strict=True)
    ]


def family_of(metric: str) -> str:
    """The published table a metric belongs to (the family when ``family="table"``)."""
    parts = metric.split(".")
    if parts[:2] == ["victims", "cross"]:
        return ".".join(parts[:3])
    return ".".join(parts[:-1])


def _streak(figures: Mapping[str, Any], change: Change, direction: Direction,
            min_count: int) -> int:
    """Consecutive years, ending this year, in which the figure moved in ``direction``.

    An earlier year counts only when both its values were publishable (not null,
    and at least ``min_count``, or for a percentage its denominator).
    """
    year = int(figures["year"])
    by_year = _series_by_year(figures)
    values: dict[int, float | None] = {}
    for y, entry in by_year.items():
        value = _year_value(entry, change.metric)
        size = _number(lookup(entry, PERCENT_PARTS[change.metric][1])) \
            if change.metric in PERCENT_PARTS else value
        values[y] = value if size is not None and size >= min_count else None
    values[year], values[year - 1] = change.value, change.previous
    streak, y = 1, year - 1
    while True:
        before, after = values.get(y - 1), values.get(y)
        if before is None or after is None:
            break
        moved = "up" if after > before else "down" if after < before else None
        if moved != direction:
            break
        streak, y = streak + 1, y - 1
    return streak


def _strength(change: Change, rule: FindingRule) -> Strength:
    if change.kind == "percent":
        big = abs(change.value - change.previous) >= rule.strong_points
    elif change.previous == 0:
        big = True
    else:
        ratio = change.value / change.previous
        big = ratio >= rule.strong or ratio <= 1 / rule.strong
    return "strong" if big else "moderate"


def find_changes(
    figures: Mapping[str, Any],
    *,
    alpha: float = 0.05,
    min_count: int = 10,
    strong: float = 1.5,
    strong_points: float = 10.0,
    family: Family = "release",
) -> list[Finding]:
    """The significant year-on-year changes, most important first.

    Order: strong before moderate; then the smallest adjusted p-value (the
    clearest change); then the largest absolute change; then the metric path.
    """
    rule = FindingRule(alpha, min_count, strong, strong_points, family)
    year = int(figures["year"])
    findings: list[Finding] = []
    for change in judge_changes(figures, rule):
        direction = change.direction
        if direction is None or change.q_value > rule.alpha:
            continue
        strength = _strength(change, rule)
        streak = _streak(figures, change, direction, rule.min_count)
        text = {
            lang: finding_text(
                lang, change.metric, direction, strength, streak,
                change.value, change.previous, year,
            )
            for lang in LANGUAGES
        }
        findings.append(
            Finding(change.metric, direction, strength, streak, change.value,
                    change.previous, change.p_value, text, change.q_value)
        )
    findings.sort(
        key=lambda f: (f.strength != "strong", f.q_value, f.p_value,
                       -abs(f.value - f.previous), f.metric)
    )
    return findings


def with_findings(figures: Mapping[str, Any], **rule: Any) -> dict[str, Any]:
    """A copy of the figures dict with ``"findings"`` filled in (CONTRACTS §3)."""
    result = dict(figures)
    result["findings"] = [f.to_dict() for f in find_changes(figures, **rule)]
    return result
