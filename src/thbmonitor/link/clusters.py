"""Persons as clusters of scored pairs, with the constraints a person must satisfy.

Pairs at or above the threshold are merged strongest first (match weight
descending, then report order), like single-link clustering, except that a
merge is refused when the two clusters

* hold reports of one organisation with different `person_ref` (an
  organisation's own identifier says they are two people: never merged);
* hold reports of one organisation without a shared `person_ref`, unless the
  pair being merged is itself between two reports of that organisation
  (an organisation rarely reports a person twice; a chain through other
  reports is not evidence enough that it did);
* hold two dates of birth that cannot be one person's (they differ by more
  than day and month swapped or one digit), other than the two of the pair
  being merged, whose own score already weighed them: a report with only a
  birth year, or none, must not chain two people born on other days;
* contain the two reports of a pair a reviewer decided were `different`.

Pairs a reviewer decided were the `same`, and reports of one organisation
with the same `person_ref`, are merged first, unconditionally. Merging
strongest first and in a fixed order makes the persons deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class ClusterStats:
    """What the clustering did."""

    merged_pairs: int = 0
    refused_ref: int = 0
    refused_source: int = 0
    refused_decision: int = 0
    refused_birth: int = 0
    forced: int = 0


#: A date of birth as its keyed tokens (ingest/staging.py `birth_tokens`): the date's token,
#: its day-and-month-swap token and its near tokens (a digit masked, or two neighbours sorted).
Birth = tuple[str, str, frozenset[int]]


def births_compatible(a: Birth, b: Birth) -> bool:
    """Two dates of birth that one person's reports may carry, compared by their tokens.

    Equal, day and month swapped (same swap token), one digit different or two
    adjacent digits transposed (a near token in common).
    """
    return a[0] == b[0] or a[1] == b[1] or bool(a[2] & b[2])


class _Clusters:
    def __init__(self, source: Sequence[int] | np.ndarray, ref: Sequence[int] | np.ndarray,
                 soft_source: bool, births: Sequence[Birth | None] | None) -> None:
        n = len(source)
        self.soft_source = soft_source
        self.births = births
        # per root: the distinct full dates of birth of its reports
        self.dobs: dict[int, set[Birth]] = (
            {} if births is None else {i: {b} for i, b in enumerate(births) if b})
        self.parent = np.arange(n, dtype=np.int64)
        # per root: source code -> set of person_ref codes (-1: report without a ref)
        self.sources: dict[int, dict[int, set[int]]] = {
            i: {int(source[i]): {int(ref[i])}} for i in range(n)}
        self.cannot: dict[int, set[int]] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = int(parent[root])
        while parent[x] != root:
            parent[x], x = root, int(parent[x])
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if len(self.sources[ra]) < len(self.sources[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        into = self.sources[ra]
        for src, refs in self.sources.pop(rb).items():
            into.setdefault(src, set()).update(refs)
        if rb in self.cannot:
            self.cannot.setdefault(ra, set()).update(self.cannot.pop(rb))
        if rb in self.dobs:
            self.dobs.setdefault(ra, set()).update(self.dobs.pop(rb))

    def conflict(self, a: int, b: int, pair_source: int | None) -> str | None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        small, large = (self.sources[ra], self.sources[rb])
        if len(small) > len(large):
            small, large = large, small
        for src, refs in small.items():
            other = large.get(src)
            if other is None:
                continue
            known, other_known = refs - {-1}, other - {-1}
            if known and other_known and known != other_known:
                return "ref"
            if self.soft_source and src != pair_source and not (known and known == other_known):
                return "source"
        for x, y in ((ra, rb), (rb, ra)):
            if any(self.find(z) == y for z in self.cannot.get(x, ())):
                return "decision"
        if self.births is not None and ra in self.dobs and rb in self.dobs:
            own = (self.births[a], self.births[b])
            for d1 in self.dobs[ra]:
                for d2 in self.dobs[rb]:
                    if (d1, d2) != own and not births_compatible(d1, d2):
                        return "birth"
        return None


def cluster(
    n: int,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    source: Sequence[int] | np.ndarray,
    ref: Sequence[int] | np.ndarray,
    *,
    must: Iterable[tuple[int, int]] = (),
    cannot: Iterable[tuple[int, int]] = (),
    soft_source: bool = True,
    births: Sequence[Birth | None] | None = None,
) -> tuple[np.ndarray, ClusterStats]:
    """Cluster label of each of `n` reports.

    `edges` are (left, right, weight) arrays of report row numbers above the
    threshold; `source` and `ref` are integer codes per report (`ref` -1 when
    the report has no person_ref); `must` and `cannot` are reviewers' decisions.
    `soft_source=False` drops the one-organisation rule (the exact-key baseline).
    `births`: each report's date of birth as its tokens (None when unknown); without
    it the date-of-birth rule is not applied.
    """
    stats = ClusterStats()
    state = _Clusters(source, ref, soft_source, births)
    for a, b in must:
        state.union(a, b)
        stats.forced += 1
    by_ref: dict[tuple[int, int], int] = {}
    for i in range(n):
        if ref[i] >= 0:
            key = (int(source[i]), int(ref[i]))
            first = by_ref.setdefault(key, i)
            if first != i:
                state.union(first, i)
    for a, b in cannot:
        state.cannot.setdefault(state.find(a), set()).add(b)
        state.cannot.setdefault(state.find(b), set()).add(a)
    left, right, weight = edges
    order = np.lexsort((right, left, -weight))
    for k in order:
        a, b = int(left[k]), int(right[k])
        why = state.conflict(a, b, int(source[a]) if source[a] == source[b] else None)
        if why is None:
            if state.find(a) != state.find(b):
                state.union(a, b)
                stats.merged_pairs += 1
        elif why == "ref":
            stats.refused_ref += 1
        elif why == "source":
            stats.refused_source += 1
        elif why == "birth":
            stats.refused_birth += 1
        else:
            stats.refused_decision += 1
    labels = np.fromiter((state.find(i) for i in range(n)), dtype=np.int64, count=n)
    return labels, stats
