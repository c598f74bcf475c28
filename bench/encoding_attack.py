"""A known-plaintext attack on Bloom-filter name encodings, as a curious organisation runs it.

The attacker is one organisation that sees the encodings of every report (a
copy of the store's `reports` table without the key) and knows the clear
names of the reports it delivered itself. It learns each bigram's footprint
(the bit positions that are set in every one of its own encodings containing
that bigram and in few of the others), then decodes the other organisations'
encodings against a dictionary that holds every true name (the strongest
dictionary there is: "dictionary names or not" makes no difference): the
guess for an encoding is the dictionary name whose predicted encoding (the
union of its bigrams' footprints) has the highest Dice similarity with it.
This is the frequency / pattern-mining attack of Christen, Schnell, Vidanage
et al. ("Pattern-mining based cryptanalysis of Bloom filters for PPRL", 2018;
Vidanage et al. 2020) in its known-plaintext form.

When the encodings are salted with a value the attacker can see for every
report (the birth year, in clear in the store), the attacker learns and
decodes per salt group (`context`): it adapts to the hardening.

The same code is used by tests/store/test_encoding_attack.py (acceptance:
under 5% of names recovered) and bench/bench_encoding.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from thbmonitor.ingest.pseudonymise import BLOOM_BITS, BLOOM_Q

#: Share of the attacker's own encodings with a bigram that must have a position set
#: for the position to be in the bigram's footprint (below 1 to survive BLIP noise).
SUPPORT = 0.9
#: A footprint position must be set in at most this share of the attacker's encodings
#: without the bigram (drops positions of bigrams that always occur together).
BACKGROUND = 0.6


def bigrams(normalised: str) -> set[str]:
    padded = f" {normalised} "
    return {padded[i:i + BLOOM_Q] for i in range(len(padded) - BLOOM_Q + 1)}


def bits(encoding: str) -> np.ndarray:
    """A '0'/'1' string as a boolean vector (position 0 is the leftmost character)."""
    return np.frombuffer(encoding.encode("ascii"), dtype=np.uint8) == ord("1")


@dataclass(frozen=True)
class Record:
    name: str  # the normalised clear name (known to the attacker for its own records)
    encoding: str  # BLOOM_BITS '0'/'1'
    context: Hashable = None  # what the attacker sees in clear beside it (salt group)


@dataclass(frozen=True)
class AttackResult:
    targets: int
    recovered: int
    #: Targets whose name is not among the attacker's own names, and how many of those
    #: were recovered (the part of the attack that reaches names it did not know).
    unseen_targets: int
    unseen_recovered: int

    @property
    def rate(self) -> float:
        return self.recovered / self.targets if self.targets else 0.0

    @property
    def unseen_rate(self) -> float:
        return self.unseen_recovered / self.unseen_targets if self.unseen_targets else 0.0


def _footprints(own: Sequence[Record]) -> dict[str, np.ndarray]:
    matrix = np.stack([bits(r.encoding) for r in own]).astype(np.float32)
    total = matrix.sum(axis=0)
    members: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(own):
        for gram in bigrams(record.name):
            members[gram].append(i)
    out: dict[str, np.ndarray] = {}
    n = len(own)
    for gram, rows in members.items():
        with_gram = matrix[rows].sum(axis=0)
        share_with = with_gram / len(rows)
        others = n - len(rows)
        share_without = ((total - with_gram) / others) if others else np.zeros(BLOOM_BITS)
        footprint = (share_with >= SUPPORT) & (share_without <= BACKGROUND)
        if len(rows) >= 2 and footprint.any():
            out[gram] = footprint
    return out


def _decode(footprints: dict[str, np.ndarray], dictionary: Sequence[str],
            targets: np.ndarray) -> list[str | None]:
    """The best dictionary name for each target encoding (None when nothing is known)."""
    if not footprints or not len(targets):
        return [None] * len(targets)
    predicted = np.zeros((len(dictionary), BLOOM_BITS), dtype=np.float32)
    for i, name in enumerate(dictionary):
        for gram in bigrams(name):
            if gram in footprints:
                predicted[i] = np.maximum(predicted[i], footprints[gram])
    target = targets.astype(np.float32)
    common = target @ predicted.T
    dice = 2 * common / (target.sum(axis=1)[:, None] + predicted.sum(axis=1)[None, :] + 1e-9)
    best = dice.argmax(axis=1)
    return [dictionary[j] if dice[i, j] > 0 else None for i, j in enumerate(best)]


def attack(own: Sequence[Record], others: Sequence[Record],
           dictionary: Sequence[str]) -> AttackResult:
    """Learn from `own` (names known) and decode `others` (names used only to score)."""
    known = {r.name for r in own}
    words = sorted(set(dictionary))
    own_by: dict[Hashable, list[Record]] = defaultdict(list)
    for record in own:
        own_by[record.context].append(record)
    others_by: dict[Hashable, list[Record]] = defaultdict(list)
    for record in others:
        others_by[record.context].append(record)
    recovered = unseen = unseen_recovered = 0
    for context, group in others_by.items():
        learned = _footprints(own_by[context]) if own_by.get(context) else {}
        guesses = _decode(learned, words, np.stack([bits(r.encoding) for r in group]))
        for record, guess in zip(group, guesses, strict=True):
            hit = guess == record.name
            recovered += hit
            if record.name not in known:
                unseen += 1
                unseen_recovered += hit
    return AttackResult(len(others), recovered, unseen, unseen_recovered)
