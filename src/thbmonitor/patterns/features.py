"""Named per-person features of movement and organisation, in DuckDB SQL.

For every person with a report in year Y (the same population the annual
figures count), over the stays that overlap the window:

| feature | meaning |
| --- | --- |
| `stays` | distinct stays (online places left out) |
| `distinct_places` | distinct municipalities (with country; the address when no place) |
| `distinct_countries` | distinct countries |
| `moves_per_30d` | changes of place in date order per 30 days of the span (min. 30 days) |
| `median_stay_days` | median of end minus start over stays with an end date |
| `short_stay_share` | share of stays with an end date lasting at most `short_stay_days` |
| `temporary_lodging_share` | share of stays in a hotel, holiday park or short-stay rental |
| `platform_share` | share of stays booked via a booking platform or holiday park |
| `co_moving_persons` | other persons at two or more of the same addresses in overlapping dates |
| `shared_identifier_persons` | other persons sharing a phone or booking account (any year) |
| `linked_suspects` | suspects linked to the person and to another person (reports close in time) |

Window `year` is the calendar year; window `90d` is, per person, the
densest 90-day window (most distinct places, then most stays, then the
earliest) that starts on one of the person's stays in the year. Nationality
and origin are not read here: they are never an input to a rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from thbmonitor.errors import UsageError
from thbmonitor.patterns.identifiers import (
    IDS,
    PLATFORM_CHANNELS,
    STAYS,
    TEMPORARY_LODGING,
)
from thbmonitor.store import Database

__all__ = ["FEATURES", "WINDOWS", "population_sql", "person_features"]

WINDOWS = ("year", "90d")

#: Feature columns, in the order they are listed.
FEATURES = (
    "stays", "distinct_places", "distinct_countries", "moves_per_30d", "median_stay_days",
    "short_stay_share", "temporary_lodging_share", "platform_share", "co_moving_persons",
    "shared_identifier_persons", "linked_suspects",
)

#: Persons counted in year $year: at least one report dated in it.
population_sql = """
SELECT DISTINCT pr.person_id
FROM reports r JOIN person_reports pr USING (source, report_id)
WHERE r.report_date BETWEEN $start AND $end
"""

_WINDOWS_SQL = {
    "year": "SELECT person_id, $start::DATE AS w_start, $end::DATE AS w_end FROM pop",
    "90d": f"""
        SELECT DISTINCT s.person_id, greatest(s.start_date, $start::DATE) AS w_start,
               least(greatest(s.start_date, $start::DATE) + ($days - 1)::INTEGER, $end::DATE)
                   AS w_end
        FROM {STAYS} s JOIN pop USING (person_id)
        WHERE s.start_date <= $end AND coalesce(s.end_date, s.start_date) >= $start""",
}

_FEATURES_SQL = f"""
WITH pop AS ({population_sql}),
w AS ({{windows}}),
sw AS (
    SELECT w.person_id, w.w_start, w.w_end, s.start_date, s.end_date, s.place_key, s.country,
           s.location_type, s.booking_channel, s.address_token
    FROM w JOIN {STAYS} s ON s.person_id = w.person_id
     AND s.start_date <= least(w.w_end, $end) AND coalesce(s.end_date, s.start_date) >= w.w_start
),
seq AS (
    SELECT *, lag(place_key) OVER (PARTITION BY person_id, w_start
                                   ORDER BY start_date, place_key) AS prev_place
    FROM sw
),
mov AS (
    SELECT person_id, w_start, any_value(w_end) AS w_end,
           count(*) AS stays,
           count(DISTINCT place_key) AS distinct_places,
           count(DISTINCT country) AS distinct_countries,
           count(*) FILTER (WHERE prev_place IS NOT NULL AND prev_place <> place_key) AS moves,
           greatest(date_diff('day', min(start_date), max(coalesce(end_date, start_date))), 30)
               AS span_days,
           median(date_diff('day', start_date, end_date)) AS median_stay_days,
           count(end_date) AS stays_with_end,
           count(*) FILTER (WHERE date_diff('day', start_date, end_date) <= $short) AS short_stays,
           count(*) FILTER (WHERE list_contains($lodging, location_type)) AS temporary_stays,
           count(*) FILTER (WHERE list_contains($channels, booking_channel)) AS platform_stays
    FROM seq GROUP BY person_id, w_start
),
best AS (
    SELECT * FROM mov
    QUALIFY row_number() OVER (PARTITION BY person_id
                               ORDER BY distinct_places DESC, stays DESC, w_start) = 1
),
co_pairs AS (
    SELECT sw.person_id, i.person_id AS other, count(DISTINCT i.token) AS shared
    FROM sw JOIN best USING (person_id, w_start)
    JOIN {IDS} i ON i.kind = 'address' AND i.token = sw.address_token
     AND i.person_id <> sw.person_id
     AND i.start_date <= coalesce(sw.end_date, sw.start_date) AND sw.start_date <= i.end_date
    GROUP BY sw.person_id, i.person_id
),
co AS (
    SELECT person_id, count(*) FILTER (WHERE shared >= $co_min) AS co_moving_persons
    FROM co_pairs GROUP BY person_id
),
shared AS (
    SELECT a.person_id, count(DISTINCT b.person_id) AS shared_identifier_persons
    FROM {IDS} a JOIN pop USING (person_id)
    JOIN {IDS} b ON a.kind = b.kind AND a.token = b.token AND a.person_id <> b.person_id
    WHERE a.kind IN ('phone', 'booking')
    GROUP BY a.person_id
),
sus AS (
    SELECT a.person_id, count(DISTINCT a.token) AS linked_suspects
    FROM {IDS} a JOIN pop USING (person_id)
    JOIN {IDS} b ON b.kind = 'suspect' AND b.token = a.token AND b.person_id <> a.person_id
     AND a.start_date <= b.end_date AND b.start_date <= a.end_date
    WHERE a.kind = 'suspect' GROUP BY a.person_id
)
SELECT pop.person_id,
       b.w_start AS window_start, b.w_end AS window_end,
       coalesce(b.stays, 0) AS stays,
       coalesce(b.distinct_places, 0) AS distinct_places,
       coalesce(b.distinct_countries, 0) AS distinct_countries,
       coalesce(round(b.moves * 30.0 / b.span_days, 3), 0.0) AS moves_per_30d,
       b.median_stay_days::DOUBLE AS median_stay_days,
       coalesce(round(b.short_stays / nullif(b.stays_with_end, 0), 3), 0.0) AS short_stay_share,
       coalesce(round(b.temporary_stays / b.stays, 3), 0.0) AS temporary_lodging_share,
       coalesce(round(b.platform_stays / b.stays, 3), 0.0) AS platform_share,
       coalesce(co.co_moving_persons, 0) AS co_moving_persons,
       coalesce(shared.shared_identifier_persons, 0) AS shared_identifier_persons,
       coalesce(sus.linked_suspects, 0) AS linked_suspects
FROM pop LEFT JOIN best b USING (person_id) LEFT JOIN co USING (person_id)
LEFT JOIN shared USING (person_id) LEFT JOIN sus USING (person_id)
ORDER BY pop.person_id
"""


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def person_features(db: Database, year: int, window: str, settings: dict[str, Any]
                    ) -> pd.DataFrame:
    """One row per person with a report in `year`: the features above.

    Must run inside `identifier_tables(db, settings)`, which makes the stays
    and the kept identifiers.
    """
    if window not in WINDOWS:
        raise UsageError(f"unknown window {window!r}; use one of: {', '.join(WINDOWS)}")
    start, end = year_bounds(year)
    params: dict[str, Any] = {
        "start": start, "end": end,
        "short": int(settings["patterns.carousel.short_stay_days"]),
        "lodging": list(TEMPORARY_LODGING), "channels": list(PLATFORM_CHANNELS),
        "co_min": int(settings["patterns.carousel.co_movement_min_addresses"]),
    }
    if window == "90d":
        params["days"] = int(settings["patterns.carousel.window_days"])
    sql = _FEATURES_SQL.replace("{windows}", _WINDOWS_SQL[window])
    frame: pd.DataFrame = db.frame(sql, params)
    return frame
