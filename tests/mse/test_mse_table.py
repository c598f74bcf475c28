"""Capture tables: reading CSV, building from sightings, the shipped data sets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from thbmonitor.errors import DataError, UsageError
from thbmonitor.mse import CaptureTable, capture_table_from_records, datasets


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_absent_patterns_count_zero_and_all_zero_row_is_ignored(tmp_path: Path) -> None:
    text = "A,B,C,count\n1,0,0,5\n0,1,1,2\n0,0,0,99\n"
    path = write(tmp_path, "three-lists-with-zero-row.csv", text)
    table = CaptureTable.from_csv(path)
    assert table.lists == ("A", "B", "C")
    assert table.observed == 7
    assert table.counts[0b001 - 1] == 5
    assert table.counts[0b110 - 1] == 2
    assert np.count_nonzero(table.counts) == 2


def test_semicolon_bom_case_and_repeated_patterns(tmp_path: Path) -> None:
    path = tmp_path / "semicolon-bom.csv"
    path.write_bytes("\ufeffP ; Q ; Count\n1;1;3\n1;1;4\n0;1;1\n".encode())
    table = CaptureTable.from_csv(path)
    assert table.lists == ("P", "Q")
    assert table.counts.tolist() == [0.0, 1.0, 7.0]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("no-count-column.csv", "A,B\n1,0\n"),
        ("non-binary-flags.csv", "A,B,count\n2,0,3\n"),
        ("negative-count.csv", "A,B,count\n1,0,-3\n"),
        ("fractional-count.csv", "A,B,count\n1,0,1.5\n"),
        ("one-list-only.csv", "A,count\n1,4\n"),
    ],
)
def test_bad_tables_raise_data_error(tmp_path: Path, name: str, text: str) -> None:
    with pytest.raises(DataError):
        CaptureTable.from_csv(write(tmp_path, name, text))


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        CaptureTable.from_csv(tmp_path / "missing.csv")


def test_covariate_columns_make_strata_that_add_up(tmp_path: Path) -> None:
    path = write(
        tmp_path, "with-sex.csv",
        "A,B,sex,count\n1,0,f,3\n0,1,f,2\n1,1,m,4\n1,0,m,1\n",
    )
    table = CaptureTable.from_csv(path, covariates=["sex"])
    assert table.strata is not None and table.strata_counts is not None
    assert table.strata["sex"].tolist() == ["f", "m"]
    assert np.array_equal(table.strata_counts.sum(axis=0), table.counts)
    with pytest.raises(UsageError):
        CaptureTable.from_csv(path, covariates=["age"])


def test_shipped_tables_load_with_their_stated_sizes() -> None:
    assert "UKdat_5" in datasets.names()
    uk = datasets.load("UKdat_5")
    assert uk.observed == sum(int(c) for c in uk.counts)
    ned = datasets.load("Ned.csv")
    assert ned.lists == ("I", "K", "O", "P", "R", "Z")
    assert {r["table"] for r in datasets.reference()} <= {f"{n}.csv" for n in datasets.names()}
    with pytest.raises(UsageError):
        datasets.load("nope")


def test_round_trip_through_frame() -> None:
    table = datasets.load("Kosovo")
    again = CaptureTable.from_frame(table.to_frame())
    assert np.array_equal(again.counts, table.counts)


def test_records_one_row_per_sighting_with_merge_and_covariates() -> None:
    records = pd.DataFrame(
        {
            "person_id": ["p1", "p1", "p2", "p3", "p3", "p4", "p5"],
            "list": ["police", "ngo", "police", "self", "police", "ngo", "police"],
            "sex": ["f", "f", "m", "f", "f", None, "m"],
        }
    )
    table = capture_table_from_records(
        records, covariates=["sex"], merge={"ngo": "other", "self": "other"}
    )
    assert table.lists == ("other", "police")
    assert table.observed == 5
    frame = table.to_frame()
    both = frame[(frame["other"] == 1) & (frame["police"] == 1)]["count"].sum()
    assert both == 2  # p1 and p3, each counted once
    assert table.strata is not None
    assert set(table.strata["sex"]) == {"f", "m", "unknown"}


def test_records_with_unknown_list_in_explicit_order_is_usage_error() -> None:
    records = pd.DataFrame({"person_id": ["a", "b"], "list": ["x", "y"]})
    with pytest.raises(UsageError):
        capture_table_from_records(records, lists=["x", "z"])
    table = capture_table_from_records(records, lists=["y", "x", "z"])
    assert table.lists == ("y", "x", "z")


def test_text_column_not_named_as_covariate_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "unnamed-covariate.csv", "A,B,sex,count\n1,0,f,3\n0,1,m,2\n")
    with pytest.raises(DataError, match="--covariates"):
        CaptureTable.from_csv(path)
