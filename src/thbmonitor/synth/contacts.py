"""Identifiers on reports: contact phones and the sources' own person references.

Phone numbers are fictitious: Dutch mobile numbers in the unallocated block
06-0xxxxxxx (`+31 60 xxxxxxx`). They parse with `phonenumbers` for region NL
(`is_possible_number` is true) but belong to no one (`is_valid_number` is
false). Each number is issued once, so a number shared between persons is
always planted: a carousel's or network's phone, or a shelter's or NGO's
intake line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from thbmonitor.synth.groups import PlantedGroups
from thbmonitor.synth.sources import PERSON_REF_RATE, ref_prefix

__all__ = ["PhoneBook", "assign_phones", "assign_person_refs", "INTAKE_LINE_SOURCES"]

#: Sources whose intake phone line is written on many of their reports.
INTAKE_LINE_SOURCES: dict[str, float] = {
    "fairwork": 0.3, "ngo-other": 0.5, "shelter-noord": 0.5, "shelter-oost": 0.5,
    "shelter-midden": 0.5, "shelter-west": 0.5, "coa": 0.2,
}
_POOL = 10_000_000


class PhoneBook:
    """Issues distinct fictitious numbers and writes them in several formats."""

    def __init__(self, rng: np.random.Generator, needed: int) -> None:
        self._numbers = rng.choice(_POOL, min(needed, _POOL), replace=False)
        self._next = 0

    def issue(self, k: int) -> np.ndarray:
        out = self._numbers[self._next : self._next + k]
        self._next += k
        return out

    @staticmethod
    def format(numbers: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        digits = np.char.zfill(numbers.astype(str), 7)
        style = rng.choice(4, numbers.size, p=[0.5, 0.3, 0.1, 0.1])
        return np.select(
            [style == 0, style == 1, style == 2],
            [np.char.add("+3160", digits), np.char.add("060", digits),
             np.char.add("06 0", digits)],
            np.char.add("06-0", digits),
        ).astype(object)


def assign_phones(
    reports: pd.DataFrame, frame: pd.DataFrame, groups: PlantedGroups, rng: np.random.Generator
) -> tuple[np.ndarray, pd.DataFrame]:
    """`contact_phone` of each report, and the `shelter_phone` group members.

    `reports` needs py, person_id, source. Returns the phone column (numbers as
    issued, formatted per report) and rows group_id, kind, year, py.
    """
    n = len(reports)
    py = reports["py"].to_numpy()
    pid = reports["person_id"].to_numpy()
    kind_of = dict(zip(groups.members["py"], groups.members["kind"], strict=True))
    gid_of = dict(zip(groups.members["py"], groups.members["group_id"], strict=True))
    meta = groups.meta
    n_group_phones = int((meta["kind"].isin(["carousel", "network"])).sum()) * 2
    persons = np.unique(pid)
    book = PhoneBook(rng, len(persons) + n_group_phones + len(INTAKE_LINE_SOURCES) + 10)
    own = pd.Series(book.issue(len(persons)), index=persons)
    has_own = pd.Series(rng.random(len(persons)) < 0.35, index=persons)
    group_phones = {
        g: book.issue(int(rng.integers(1, 3)))
        for g in meta.loc[meta["kind"].isin(["carousel", "network"]), "group_id"]
    }
    lines = dict(zip(INTAKE_LINE_SOURCES, book.issue(len(INTAKE_LINE_SOURCES)), strict=True))
    kinds = np.array([kind_of.get(int(i), "") for i in py], dtype=object)
    phone = np.full(n, -1, dtype=np.int64)
    u = rng.random(n)
    touring = kinds == "touring_lookalike"
    plain = ~np.isin(kinds, ["carousel", "network", "touring_lookalike"])
    own_use = (plain & has_own.loc[pid].to_numpy() & (u < 0.75)) | (touring & (u < 0.9))
    phone[own_use] = own.loc[pid[own_use]].to_numpy()
    for i in np.flatnonzero(np.isin(kinds, ["carousel", "network"])):
        share = 0.8 if kinds[i] == "carousel" else 0.6
        if u[i] < share:
            nums = group_phones[gid_of[int(py[i])]]
            phone[i] = nums[int(rng.integers(0, nums.size))]
    src = reports["source"].to_numpy()
    line_rows: list[tuple[str, str, int, int]] = []
    years = reports["report_date"].dt.year.to_numpy()
    v = rng.random(n)
    for s, rate in INTAKE_LINE_SOURCES.items():
        idx = np.flatnonzero((src == s) & (phone < 0) & (v < rate))
        phone[idx] = lines[s]
        line_rows.extend((f"shelter_phone-{s}", "shelter_phone", int(years[i]), int(py[i]))
                         for i in idx)
    formatted = np.full(n, "", dtype=object)
    has = phone >= 0
    formatted[has] = PhoneBook.format(phone[has], rng)
    shelter = pd.DataFrame(line_rows, columns=["group_id", "kind", "year", "py"]).drop_duplicates()
    return formatted, shelter


def assign_person_refs(reports: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """The source's own person reference: stable per (source, person), present at a rate per type.

    A person reported twice by one source usually carries the same reference
    both times, sometimes none.
    """
    n = len(reports)
    a = int(rng.integers(1, 10**7)) * 10 + 3  # odd, not a multiple of 5: a bijection mod 10^8
    b = int(rng.integers(0, 10**8))
    pid = reports["person_id"].to_numpy().astype(np.int64)
    src = reports["source"].to_numpy().astype(str)
    codes, src_idx = np.unique(src, return_inverse=True)
    value = (pid * a + src_idx.astype(np.int64) * 7919 + b) % 10**8
    prefixes = np.array([ref_prefix(c) for c in codes], dtype=object)[src_idx]
    refs = np.char.add(prefixes.astype(str), np.char.zfill(value.astype(str), 8)).astype(object)
    rate = reports["source_type"].map(PERSON_REF_RATE).fillna(0.0).to_numpy()
    u = rng.random(n)
    # a source either uses its reference for a person or not; duplicates follow the first
    key = pd.Series(pid * 1000 + src_idx)
    first_u = pd.Series(u).groupby(key).transform("first").to_numpy()
    keep = first_u < rate
    dup = reports["duplicate"].to_numpy()
    keep &= ~(dup & (rng.random(n) < 0.2))
    refs[~keep] = ""
    return np.asarray(refs)
