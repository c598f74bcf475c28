"""Every written file is valid under CONTRACTS §1 (checked from the contract, not the intake)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import phonenumbers
import pycountry
import pytest

from thbmonitor.synth import SynthResult

Tables = dict[str, pd.DataFrame]

REQUIRED = {
    "reports": {"report_id", "source", "source_type", "report_date", "exploitation"},
    "locations": {"report_id", "source", "start_date"},
    "investigations": {"investigation_id", "start_date", "exploitation", "scope"},
    "suspects": {"suspect_id", "registered_date"},
    "cases": {"case_id", "registered_date"},
    "verdicts": {"case_id", "verdict_date", "outcome"},
}
VOCAB = {
    ("reports", "source_type"): {"police", "border_police", "labour_inspectorate",
                                 "care_coordinator", "reception_centre", "guardianship",
                                 "municipality", "shelter", "ngo", "lawyer", "self", "other"},
    ("reports", "sex"): {"female", "male", "other", "unknown"},
    ("reports", "exploitation"): {"sexual", "labour", "criminal", "organ_removal", "other",
                                  "unknown"},
    ("reports", "sector"): {"window", "club", "escort", "home", "hotel", "agriculture",
                            "construction", "hospitality", "logistics", "domestic_work",
                            "drug_trade", "money_mule", "explosives", "theft", "begging", "other"},
    ("reports", "scope"): {"domestic", "cross_border", "unknown"},
    ("reports", "legal_basis"): {"statutory", "consent"},
    ("locations", "location_type"): {"hotel", "holiday_park", "short_stay_rental", "private_home",
                                     "workplace", "club", "street", "online", "other"},
    ("locations", "booking_channel"): {"booking_platform", "holiday_park", "direct", "unknown"},
    ("investigations", "exploitation"): {"sexual", "labour", "criminal", "organ_removal", "other",
                                         "unknown"},
    ("investigations", "scope"): {"domestic", "international"},
    ("suspects", "sex"): {"female", "male", "other", "unknown"},
    ("cases", "exploitation"): {"sexual", "labour", "criminal", "organ_removal", "other",
                                "unknown"},
    ("cases", "decision"): {"summons", "technical_dismissal", "policy_dismissal",
                            "conditional_dismissal", "penalty_order", "settlement", "joinder",
                            "transfer", "pending"},
    ("verdicts", "outcome"): {"conviction", "acquittal", "discharge", "other"},
}
MULTI = {("reports", "exploitation"), ("reports", "exploitation_countries")}
DATES = {
    "reports": ("report_date", "date_of_birth"), "locations": ("start_date", "end_date"),
    "investigations": ("start_date", "end_date"), "suspects": ("registered_date",),
    "cases": ("registered_date", "decision_date"), "verdicts": ("verdict_date",),
}
COUNTRIES = {c.alpha_2 for c in pycountry.countries}
COUNTRY_COLUMNS = {("reports", "nationality"), ("reports", "recruitment_country"),
                   ("reports", "exploitation_countries"), ("locations", "country"),
                   ("suspects", "nationality")}


def _values(frame: pd.DataFrame, file: str, column: str) -> set[str]:
    cells = frame[column][frame[column] != ""]
    if (file, column) in MULTI:
        return {v for cell in cells for v in cell.split(";")}
    return set(cells)


def test_files_are_utf8_comma_delimited_with_required_columns(default_set: SynthResult,
                                                              tables: Tables) -> None:
    for name, path in default_set.files.items():
        text = Path(path).read_bytes().decode("utf-8")
        header = next(csv.reader([text.splitlines()[0]]))
        assert REQUIRED[name] <= set(header), name
        for col in REQUIRED[name]:
            assert (tables[name][col] != "").all(), (name, col)


@pytest.mark.parametrize(("file", "column"), sorted(VOCAB))
def test_vocabularies(tables: Tables, file: str, column: str) -> None:
    assert _values(tables[file], file, column) <= VOCAB[(file, column)]


@pytest.mark.parametrize(("file", "column"), sorted(COUNTRY_COLUMNS))
def test_countries_are_iso_alpha2(tables: Tables, file: str, column: str) -> None:
    allowed = COUNTRIES | ({"unknown", "stateless"} if column == "nationality" else set())
    assert _values(tables[file], file, column) <= allowed


@pytest.mark.parametrize("file", sorted(DATES))
def test_dates_are_iso(tables: Tables, file: str) -> None:
    for column in DATES[file]:
        for value in set(tables[file][column]) - {""}:
            dt.date.fromisoformat(value)  # raises on anything else


def test_birth_year_is_an_integer(tables: Tables) -> None:
    for frame, col in ((tables["reports"], "birth_year"), (tables["suspects"], "birth_year")):
        years = frame[col][frame[col] != ""].astype(int)
        assert years.between(1930, 2024).all()


def test_identifiers_unique_and_references_resolve(tables: Tables) -> None:
    reports = tables["reports"]
    assert not reports.duplicated(["source", "report_id"]).any()
    keys = set(zip(reports["source"], reports["report_id"], strict=True))
    loc = tables["locations"]
    assert set(zip(loc["source"], loc["report_id"], strict=True)) <= keys
    inv_ids = set(tables["investigations"]["investigation_id"])
    assert tables["investigations"]["investigation_id"].is_unique
    assert set(tables["suspects"]["investigation_id"]) - {""} <= inv_ids
    assert set(reports["investigation_id"]) - {""} <= inv_ids
    assert set(tables["cases"]["suspect_id"]) - {""} <= set(tables["suspects"]["suspect_id"])
    assert tables["cases"]["case_id"].is_unique
    assert set(tables["verdicts"]["case_id"]) <= set(tables["cases"]["case_id"])


def test_end_dates_not_before_start_dates(tables: Tables) -> None:
    loc = tables["locations"]
    both = loc[loc["end_date"] != ""]
    assert (both["end_date"] >= both["start_date"]).all()


def test_legal_basis_statutory_for_obliged_reporters(tables: Tables) -> None:
    r = tables["reports"]
    obliged = r["source_type"].isin(["police", "border_police", "labour_inspectorate"])
    assert (r.loc[obliged, "legal_basis"] == "statutory").all()
    assert (r.loc[~obliged, "legal_basis"] == "consent").mean() > 0.9


def test_phones_parse_for_region_nl_and_are_not_real_numbers(tables: Tables) -> None:
    phones = set(tables["reports"]["contact_phone"]) - {""}
    assert phones
    for raw in phones:
        number = phonenumbers.parse(raw, "NL")
        assert phonenumbers.is_possible_number(number)
        assert not phonenumbers.is_valid_number(number)  # unallocated block: no one's number


def test_decided_cases_have_decision_dates(tables: Tables) -> None:
    c = tables["cases"]
    assert (c.loc[c["decision"] != "pending", "decision_date"] != "").all()
    assert (c.loc[c["decision"] == "pending", "decision_date"] == "").all()
