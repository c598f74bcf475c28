"""Exclusive categories and zero-filled tables shared by the victim and chain counts.

A victim or an investigation can carry several forms of exploitation; the
figures count it once, in one exclusive category (CONTRACTS §3): the single
known form, ``multiple`` when more than one known form, ``unknown`` when none.
``unknown`` in the data is not a known form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

MULTIPLE = "multiple"
UNKNOWN = "unknown"


def exclusive_category_sql(forms: str) -> str:
    """A SQL expression for the exclusive category of a list of forms.

    ``forms`` is a column name or expression (from our own constants, never
    from user input) of type ``VARCHAR[]``; it may hold ``unknown``, repeats
    and NULL elements.
    """
    known = f"list_distinct(list_filter({forms}, x -> x IS NOT NULL AND x <> 'unknown'))"
    return (
        f"CASE coalesce(len({known}), 0) WHEN 0 THEN '{UNKNOWN}' "
        f"WHEN 1 THEN {known}[1] ELSE '{MULTIPLE}' END"
    )


def zero_filled(keys: Iterable[str], counts: Mapping[str, int]) -> dict[str, int]:
    """``counts`` over ``keys`` in vocabulary order, 0 where absent.

    A key outside the vocabulary (a value the intake let through that this
    version does not know) is kept after the declared keys, so that tables
    still add up to their total.
    """
    table = {key: int(counts.get(key, 0)) for key in keys}
    for key in sorted(set(counts) - set(table)):
        table[key] = int(counts[key])
    return table
