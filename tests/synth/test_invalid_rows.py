"""`invalid_rows` injects logged faults for intake tests; other files stay valid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from thbmonitor.synth import generate


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_invalid_rows_are_injected_and_logged(tmp_path: Path) -> None:
    result = generate(tmp_path, scale=0.2, years=[2024], invalid_rows=9)
    log = _read(result.ground_truth["invalid_rows"])
    assert len(log) == 9
    reports = _read(result.files["reports"])
    locations = _read(result.files["locations"])
    for file, row, column, code in log.itertuples(index=False):
        frame = reports if file == "reports.csv" else locations
        value = frame.iloc[int(row) - 1][column]
        if code == "invalid-date":
            try:
                dt.date.fromisoformat(value)
                raise AssertionError(value)
            except ValueError:
                pass
        elif code == "missing-value":
            assert value == ""
        elif code == "duplicate-id":
            rec = frame.iloc[int(row) - 1]
            same = frame[(frame["source"] == rec["source"]) & (frame["report_id"] == value)]
            assert len(same) == 2
        elif code == "unknown-reference":
            assert value not in set(reports["report_id"])
        else:
            assert code == "unknown-value"
            assert value in {"policee", "slavery", "q"}


def test_date_format_noise_writes_some_day_first_dates(tmp_path: Path) -> None:
    result = generate(tmp_path, scale=0.2, years=[2024], date_format_noise=0.2)
    reports = _read(result.files["reports"])
    day_first = reports["report_date"].str.match(r"^\d{2}-\d{2}-\d{4}$")
    assert 0.1 < day_first.mean() < 0.3
    assert reports.loc[~day_first, "report_date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
