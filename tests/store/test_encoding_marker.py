"""A store made before the salted name encodings (issue 11 item 3) opens, and says so.

Its reports keep their unsalted Bloom encodings (there is no clear name to re-encode them
from): they are open to the known-plaintext attack and compare by Dice with no report
imported since. The store still opens and migrates; every write-mode open warns and names
the remedy (re-import into a new store). A store without reports is simply marked.
"""

from __future__ import annotations

import logging
from pathlib import Path

from thbmonitor.ingest import import_file
from thbmonitor.store import Database
from thbmonitor.store.database import ENCODING_META, SALTED_V1

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
NAME, VALUE = ENCODING_META


def _marker(path: Path) -> str | None:
    with Database(path, read_only=True) as db:
        return db.get_meta(NAME)


def test_a_new_store_is_marked_and_opens_without_a_warning(db_path, key, caplog):
    with Database(db_path) as db:
        assert import_file(db, "reports", FIXTURES / "reports-valid.csv", key=key).stored > 0
    assert _marker(db_path) == VALUE
    with caplog.at_level(logging.WARNING), Database(db_path):
        pass
    assert "salted" not in caplog.text


def test_a_store_with_reports_from_before_the_salt_warns_at_every_write_open(
        db_path, key, caplog):
    with Database(db_path) as db:
        import_file(db, "reports", FIXTURES / "reports-valid.csv", key=key)
        db.execute("DELETE FROM meta WHERE key = ?", [NAME])  # as a store of before
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.WARNING), Database(db_path) as db:
            assert db.scalar("SELECT count(*) FROM reports") > 0  # it opens, data intact
        assert "made before they were salted" in caplog.text
        assert "importing every delivered file into a new one" in caplog.text
    assert _marker(db_path) is None


def test_an_old_store_without_reports_is_marked_silently(db_path, caplog):
    with Database(db_path) as db:
        db.execute("DELETE FROM meta WHERE key = ?", [NAME])
    with caplog.at_level(logging.WARNING), Database(db_path):
        pass
    assert "salted" not in caplog.text
    assert _marker(db_path) == VALUE


def test_a_salted_store_from_before_transliteration_warns_and_names_what_differs(
        db_path, key, caplog):
    """Issue 16 folds other scripts to Latin before encoding: a store marked v1 (salted,
    not transliterated) keeps other tokens for names in Cyrillic or Greek, says so and
    names the remedy, without the warning of an unsalted store."""
    with Database(db_path) as db:
        import_file(db, "reports", FIXTURES / "reports-valid.csv", key=key)
        db.set_meta(NAME, SALTED_V1)
    caplog.clear()
    with caplog.at_level(logging.WARNING), Database(db_path):
        pass
    assert "before names in other scripts were transliterated" in caplog.text
    assert "import every delivered file into a new store" in caplog.text
    assert "made before they were salted" not in caplog.text
    assert _marker(db_path) == SALTED_V1
