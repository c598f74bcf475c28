"""The prosecuted and convicted cubes read the chain's aggregates (issue 14 item 7).

Reproduced gap: the Eurostat export had victims and suspects only; the persons
prosecuted and convicted (Eurostat's legal statuses beside *suspected*) were
not exported. Their totals must be the chain figures (one definition of each
stage), and a case that names no known suspect counts under UNK, never
guessed.
"""

from __future__ import annotations

from datetime import date

from thbmonitor.figures.chain import count_chain, count_chain_persons
from thbmonitor.publish.exports.cells import CHAIN_CUBES, export_cells
from thbmonitor.publish.exports.sources import chain_cubes
from thbmonitor.store import Database

YEAR = 2024


def _store(db: Database) -> None:
    rows = [  # suspect_id, registered, sex, birth_year, nationality
        ("s-nl-f", date(2023, 5, 1), "female", 1980, "NL"),
        ("s-pl-m", date(2024, 2, 1), "male", 1990, "PL"),
        ("s-minor", date(2024, 3, 1), "male", 2008, "NG"),
        ("s-blank", date(2024, 3, 1), None, None, None),
    ]
    for number, (sid, registered, sex, born, nationality) in enumerate(rows, start=1):
        db.execute("INSERT INTO suspects (suspect_id, registered_date, sex, birth_year, "
                   "nationality, row_hash, import_id, row_number) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                   [sid, registered, sex, born, nationality, f"hs{number}", number])
    cases = [  # case_id, registered, suspect_id
        ("c1", date(2024, 1, 10), "s-nl-f"), ("c2", date(2024, 4, 1), "s-pl-m"),
        ("c3", date(2024, 6, 1), "s-minor"), ("c4", date(2024, 7, 1), None),
        ("c5", date(2024, 8, 1), "s-gone"), ("c6", date(2023, 9, 1), "s-nl-f"),
        ("c7", date(2024, 9, 1), "s-blank"),
    ]
    for number, (cid, registered, sid) in enumerate(cases, start=1):
        db.execute("INSERT INTO cases (case_id, registered_date, suspect_id, decision, "
                   "decision_date, row_hash, import_id, row_number) "
                   "VALUES (?, ?, ?, 'summons', ?, ?, 1, ?)",
                   [cid, registered, sid, registered, f"hc{number}", number])
    verdicts = [("c1", date(2024, 11, 1), "conviction"), ("c2", date(2024, 12, 1), "acquittal"),
                ("c6", date(2024, 3, 1), "conviction"), ("c3", date(2025, 1, 5), "conviction"),
                ("c-unknown", date(2024, 5, 5), "conviction")]
    for number, (cid, day, outcome) in enumerate(verdicts, start=1):
        db.execute("INSERT INTO verdicts (case_id, verdict_date, outcome, row_hash, import_id, "
                   "row_number) VALUES (?, ?, ?, ?, 1, ?)", [cid, day, outcome, f"hv{number}",
                                                            number])


def test_prosecuted_and_convicted_by_the_suspect_the_case_names(db: Database) -> None:
    _store(db)
    cubes = chain_cubes(db, YEAR)
    assert cubes["prosecuted"] == {
        ("F", "Y_GE18", "NAT"): 1,                # c1
        ("M", "Y_GE18", "EU27_2020_FOR"): 1,      # c2
        ("M", "Y_LT18", "NEU27_2020_FOR"): 1,     # c3: 2024 - 2008 = 16
        ("UNK", "UNK", "UNK"): 3,                 # c4 no suspect, c5 unknown one, c7 blank
    }
    assert cubes["convicted"] == {
        ("F", "Y_GE18", "NAT"): 2,                # c1 and c6 (registered in 2023)
        ("UNK", "UNK", "UNK"): 1,                 # a verdict whose case is not stored
    }


def test_the_totals_are_the_chain_figures(db: Database) -> None:
    _store(db)
    stages = count_chain(db, YEAR, YEAR)[YEAR].stages
    persons = count_chain_persons(db, YEAR)
    assert sum(n for *_rest, n in persons["prosecuted"]) == stages["registered"] == 6
    assert sum(n for *_rest, n in persons["convicted"]) == stages["convictions"] == 3


def test_the_chain_cubes_are_cells_of_the_year_tied_to_the_chain_figures(db: Database) -> None:
    _store(db)
    cells = export_cells(YEAR, {}, {}, chain_cubes(db, YEAR))
    for name, figure in CHAIN_CUBES.items():
        table = cells.cells[name]
        # the grand total is the figure cell itself (an alias), every other cell its own
        assert table["T|TOTAL|TOTAL"] == f"{YEAR}:{figure}"
        assert cells.expected[f"{YEAR}:{figure}"] == (6 if name.endswith("prosecuted") else 3)
        own = [key for code, key in table.items() if code != "T|TOTAL|TOTAL"]
        assert own and all(key.startswith(f"{YEAR}:{name}.") for key in own)
        assert all(key in cells.values for key in own)
        tied = {c for r in cells.relations for c in r.cells}
        assert set(own) <= tied and f"{YEAR}:{figure}" in tied
