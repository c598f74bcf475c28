"""Capture histories for the dark-figure estimate: which lists saw each victim.

A list is a group of organisation types (the Dutch studies used police,
border police, labour inspectorate, care coordinators, shelters and others).
One row per (victim, list) sighting in the year, with the victim's
classification from the figures as possible covariates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from thbmonitor.figures.victims import PERSON_REPORTS_CTE, person_years
from thbmonitor.store import Database

if TYPE_CHECKING:
    import pandas as pd

#: Default lists: one per organisation type that reports many victims; the
#: rest together as `other`. Change with `--lists` (thb estimate).
DEFAULT_LISTS: dict[str, tuple[str, ...]] = {
    "police": ("police",),
    "border_police": ("border_police",),
    "labour_inspectorate": ("labour_inspectorate",),
    "care_coordinator": ("care_coordinator",),
    "ngo": ("ngo",),
    "other": ("reception_centre", "guardianship", "municipality", "shelter", "lawyer", "self",
              "other"),
}

#: Who reported whom: the person-report rows of the figures (an unlinked report is a
#: person of its own there too), one row per victim and organisation type.
_SIGHTINGS = f"""
WITH {PERSON_REPORTS_CTE}
SELECT DISTINCT person_id, source_type FROM person_report
"""


def pooled_records(db: Database, years: range | list[int],
                   lists: Mapping[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """`capture_records` of several years, with `year` and a person-year key `person_year`.

    A person reported in two years of the window is a victim of each year
    (as in the figures), so the capture histories are per person and year.
    """
    import pandas as pd

    parts = []
    for year in years:
        part = capture_records(db, year, lists)
        part["year"] = str(year)
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame["person_year"] = frame["person_id"].astype(str) + "@" + frame["year"]
    return frame


def capture_records(db: Database, year: int,
                    lists: Mapping[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """One row per (victim, list) of `year`: person_id, list, and the victim's classification.

    Organisation types that no list names are left out (their victims are
    then not observed by the lists, which the estimate must know: name them).
    """
    groups = lists or DEFAULT_LISTS
    to_list = {t: name for name, types in groups.items() for t in types}
    sightings = db.frame(_SIGHTINGS, {"start": date(year, 1, 1), "end": date(year + 1, 1, 1)})
    sightings["list"] = sightings["source_type"].map(to_list)
    sightings = sightings.dropna(subset=["list"])
    people = person_years(db, year, year).drop(columns=["year"])
    people["dutch"] = (people["nationality"] == "NL").map({True: "NL", False: "non-NL"})
    people.loc[people["nationality"] == "unknown", "dutch"] = "unknown"
    merged: pd.DataFrame = sightings[["person_id", "list"]].merge(people, on="person_id",
                                                                  how="left")
    return merged
