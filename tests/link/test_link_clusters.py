"""The clustering constraints, on hand-made pairs (reports numbered 0..n-1)."""

from __future__ import annotations

import numpy as np

from thbmonitor.link.clusters import cluster

NO_REF = -1


def edges(*pairs: tuple[int, int, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    left, right, weight = zip(*pairs, strict=True)
    return np.array(left), np.array(right), np.array(weight, dtype=float)


def test_chain_through_another_source_never_joins_two_person_refs() -> None:
    # 0: source 0 ref 1; 1: source 1; 2: source 0 ref 2. 0-1 and 1-2 both score high.
    labels, stats = cluster(3, edges((0, 1, 20.0), (1, 2, 15.0)), [0, 1, 0], [1, NO_REF, 2])
    assert labels[0] == labels[1] != labels[2]
    assert stats.refused_ref == 1


def test_same_person_ref_within_a_source_is_one_person() -> None:
    labels, _ = cluster(3, edges(), [0, 1, 0], [7, NO_REF, 7])
    assert labels[0] == labels[2] != labels[1]


def test_one_source_twice_only_by_a_direct_pair() -> None:
    # 0 and 2 from source 0 without refs; chain 0-1-2 is refused, a direct 0-2 pair is not.
    chained, stats = cluster(3, edges((0, 1, 20.0), (1, 2, 15.0)), [0, 1, 0], [NO_REF] * 3)
    assert chained[0] == chained[1] != chained[2] and stats.refused_source == 1
    direct, _ = cluster(3, edges((0, 1, 20.0), (0, 2, 18.0), (1, 2, 15.0)), [0, 1, 0],
                        [NO_REF] * 3)
    assert len(set(direct.tolist())) == 1


def test_decisions_split_and_merge() -> None:
    pairs = edges((0, 1, 20.0), (2, 3, 10.0))
    labels, stats = cluster(4, pairs, [0, 1, 2, 3], [NO_REF] * 4, must=[(1, 2)],
                            cannot=[(0, 1)])
    assert labels[0] != labels[1] and labels[1] == labels[2] == labels[3]
    assert stats.refused_decision == 1 and stats.forced == 1


def test_strongest_pair_first_decides_a_conflict() -> None:
    # 1 may join 0 or 2 (same source, different refs); the stronger pair wins.
    labels, _ = cluster(3, edges((1, 2, 12.0), (0, 1, 11.0)), [0, 1, 0], [1, NO_REF, 2])
    assert labels[1] == labels[2] != labels[0]


def _tokens(*dates: str | None) -> list:
    """Dates of birth (YYYYMMDD) as the store keeps them: keyed tokens (ingest/staging.py)."""
    from datetime import datetime

    from thbmonitor.ingest.pseudonymise import Pseudonymiser
    from thbmonitor.ingest.staging import birth_tokens

    pseudo = Pseudonymiser(bytes(32))
    out = []
    for text in dates:
        if text is None:
            out.append(None)
            continue
        dob, swap, near = birth_tokens(pseudo, datetime.strptime(text, "%Y%m%d").date())
        out.append((dob, swap, frozenset(near)))
    return out


def test_report_without_birth_date_never_chains_two_birth_dates() -> None:
    # 0 born 1987-04-04, 1 only a birth year, 2 born 1987-10-25: 0-1 and 1-2 score high.
    births = _tokens("19870404", None, "19871025")
    labels, stats = cluster(3, edges((0, 1, 20.0), (1, 2, 15.0)), [0, 1, 2], [NO_REF] * 3,
                            births=births)
    assert labels[0] == labels[1] != labels[2] and stats.refused_birth == 1
    # a typo (one digit) or day and month swapped is one person's date of birth
    for other in ("19870413", "19871204", "19870421"):
        joined, _ = cluster(3, edges((0, 1, 20.0), (1, 2, 15.0)), [0, 1, 2], [NO_REF] * 3,
                            births=_tokens("19870412", None, other))
        assert len(set(joined.tolist())) == 1


def test_birth_dates_compatible() -> None:
    from thbmonitor.link.clusters import births_compatible

    def compatible(a: str, b: str) -> bool:
        first, second = _tokens(a, b)
        return births_compatible(first, second)

    assert compatible("19870412", "19870412")
    assert compatible("19870412", "19871204")  # day and month swapped
    assert compatible("19870412", "19870421")  # adjacent digits transposed
    assert compatible("19870412", "19870413")  # one digit
    assert compatible("19870412", "19970412")  # one digit of the year
    assert not compatible("19870412", "19880413")
    assert not compatible("19870412", "19871025")
    assert not compatible("19870412", "19870124"), "swapped digits that are not neighbours"
