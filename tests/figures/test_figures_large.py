"""50,000 random reports (numpy): the tables add up and match the recount in every year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from figures_builder import StoreBuilder, stored_birth
from figures_recount import check_adds_up, year_figures

from thbmonitor.figures import compute_figures
from thbmonitor.store import Database
from thbmonitor.vocab import DECISIONS, OUTCOMES, SCOPES, SEXES, SOURCE_TYPES

N_REPORTS = 50_000
N_PERSONS = 30_000
FIRST = date(2019, 1, 1)
DAYS = (date(2024, 12, 31) - FIRST).days + 1
FORM_SETS = [["sexual"], ["labour"], ["criminal"], ["organ_removal"], ["other"], ["unknown"],
             ["sexual", "labour"], ["criminal", "unknown"], ["labour", "labour"]]
NATIONALITIES = ["NL", "UA", "CO", "RO", "NG", "VN", "US", "BR", "XK", "stateless", "unknown",
                 None]


def _dates(rng: np.random.Generator, n: int, start: date, days: int) -> list[date]:
    return [start + timedelta(days=int(d)) for d in rng.integers(0, days, n)]


def _maybe(values: list[Any], keep: np.ndarray) -> list[Any]:
    return [v if k else None for v, k in zip(values, keep, strict=True)]


def _random_reports(rng: np.random.Generator) -> list[dict[str, Any]]:
    n = N_REPORTS
    person = rng.integers(0, N_PERSONS, n)
    linked = rng.random(n) < 0.8
    birth = rng.random(n)
    dob = _maybe(_dates(rng, n, date(1950, 1, 1), 65 * 365), birth < 0.4)
    birth_year = [d.year if d else (int(y) if b < 0.6 else None)
                  for d, y, b in zip(dob, rng.integers(1950, 2015, n), birth, strict=True)]
    sexes = [*SEXES, None]
    columns = {
        "source": [f"org-{i}" for i in rng.integers(0, 40, n)],
        "report_id": [f"r{i}" for i in range(n)],
        "source_type": [SOURCE_TYPES[i] for i in rng.integers(0, len(SOURCE_TYPES), n)],
        "report_date": _dates(rng, n, FIRST, DAYS),
        "exploitation": [FORM_SETS[i] for i in rng.integers(0, len(FORM_SETS), n)],
        "person": [f"p{p}" if k else None for p, k in zip(person, linked, strict=True)],
        "date_of_birth": dob,
        "birth_year": birth_year,
        "sex": [sexes[i] for i in rng.integers(0, len(sexes), n)],
        "nationality": [NATIONALITIES[i] for i in rng.integers(0, len(NATIONALITIES), n)],
        "scope": [SCOPES[i] for i in rng.integers(0, len(SCOPES), n)],
    }
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(),
                                                                          strict=True)]


@pytest.fixture(scope="module")
def large_store() -> Iterator[StoreBuilder]:
    rng = np.random.default_rng(20241018)
    db = Database(":memory:")
    builder = StoreBuilder(db, reports=_random_reports(rng))
    stored = [dict(zip(("dob_token", "birth_month", "age_at_report"),
                       stored_birth(r["date_of_birth"], r["report_date"]), strict=True))
              for r in builder.reports]
    db.conn.register("random_reports", pa.Table.from_pylist(
        [{**r, **b} for r, b in zip(builder.reports, stored, strict=True)]))
    db.execute(
        "INSERT INTO reports (source, report_id, source_type, report_date, dob_token, "
        "birth_month, age_at_report, birth_year, sex, nationality, exploitation, scope, "
        "row_hash, import_id, row_number) "
        "SELECT source, report_id, source_type, report_date, dob_token, birth_month, "
        "age_at_report, birth_year, sex, nationality, exploitation, scope, 'h' || report_id, "
        "1, 0 FROM random_reports"
    )
    db.execute(
        "INSERT INTO person_reports SELECT source, report_id, person FROM random_reports "
        "WHERE person IS NOT NULL"
    )
    db.conn.unregister("random_reports")
    # A smaller chain, inserted through the builder (and kept for the recount).
    for i, day in enumerate(_dates(rng, 400, FIRST, DAYS)):
        forms = FORM_SETS[int(rng.integers(0, len(FORM_SETS)))]
        builder.investigation(f"i{i}", day, forms, ["domestic", "international"][i % 2])
        builder.suspect(f"s{i}", day)
    decisions = [*DECISIONS, None]
    for i, day in enumerate(_dates(rng, 600, FIRST, DAYS)):
        decision = decisions[int(rng.integers(0, len(decisions)))]
        decided = day + timedelta(days=int(rng.integers(0, 400))) if decision else None
        builder.case(f"c{i}", day, decision, decided)
        if i % 3 == 0:
            builder.verdict(f"c{i}", day + timedelta(days=200),
                            OUTCOMES[int(rng.integers(0, len(OUTCOMES)))])
    try:
        yield builder
    finally:
        db.close()


def test_random_store_adds_up_and_matches_the_recount(large_store: StoreBuilder) -> None:
    data = compute_figures(large_store.db, 2024).to_dict()
    series = data["series"]
    assert [entry["year"] for entry in series] == list(range(2019, 2025))
    for entry in series:
        check_adds_up(entry)
        assert entry["victims"]["total"] > 1000
    assert sum(entry["reports"]["total"] for entry in series) == N_REPORTS
    assert series == [year_figures(large_store, year) for year in range(2019, 2025)]
