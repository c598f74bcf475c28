"""The full name's term frequency: never rarer than its parts over all reports, or 0.1 / N.

Defect (issue 16, measured at 1,080,174 synthetic reports on 2026-12-02): for a full
name on two reports the frequency fell back to the product of its parts within the
nationality, down to 1 / N² for parts seen nowhere else, so an exact name without a
birth date scored 0.95 to 0.999 and more where such pairs were matches 66% to 85% of the
time (calibration from 0.95 up 2.5 / 5.0 / 12 times the expected non-matches). Here the
SQL runs on a small DuckDB table built so that each bound decides one name.
"""

from __future__ import annotations

import duckdb
import pytest

from thbmonitor.link.splink_model import FULL_NAME_TF_FLOOR, FULL_NAME_TF_SQL


@pytest.fixture()
def tf() -> dict[str, float]:
    con = duckdb.connect()
    rows = []
    # 1,000 reports of one nationality with given name "ga", 1,000 of another with
    # family name "fa", each with a name part of its own
    rows += [("BB", "ga", f"f{i}", f"d{i}") for i in range(1000)]
    rows += [("CC", f"g{i}", "fa", f"e{i}") for i in range(1000)]
    # one person reported twice as "ga fa", of a third nationality
    rows += [("AA", "ga", "fa", "x")] * 2
    # one person reported twice with parts nobody else bears, among 100 of that nationality
    rows += [("AA", "gu", "fu", "y")] * 2
    rows += [("AA", f"u{i}", f"v{i}", f"z{i}") for i in range(100)]
    con.execute("CREATE TABLE link_input (nationality VARCHAR, given_token VARCHAR, "
                "family_token VARCHAR, dob VARCHAR, name_token VARCHAR)")
    con.executemany("INSERT INTO link_input VALUES (?, ?, ?, ?, ? || ' ' || ?)",
                    [(n, g, f, d, g, f) for n, g, f, d in rows])
    out = dict(con.execute(FULL_NAME_TF_SQL.format(column="name_token")).fetchall())
    con.close()
    return out


def test_a_name_of_common_parts_is_as_common_as_its_parts_over_all_reports(tf) -> None:
    n = 2104
    # within its own nationality (104 reports) the parts were 1 in 104 each:
    # (104 / n) * (1 / 104) ** 2 = 4.6e-06; over all reports they are 1,001 in 2,104 each
    assert tf["ga fa"] == pytest.approx((1001 / n) * (1001 / n))


def test_no_name_is_rarer_than_the_floor(tf) -> None:
    n = 2104
    assert tf["gu fu"] == pytest.approx(FULL_NAME_TF_FLOOR / n)  # was (1 / n) ** 2 at most
    assert min(tf.values()) >= FULL_NAME_TF_FLOOR / n - 1e-15
