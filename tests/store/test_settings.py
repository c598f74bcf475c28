"""Settings declared once with type and range (store/settings.py), checked on every change,
audited with the old and new value, and read once per run.

Reproduced defects (issue #10): `publication.threshold 0` (disclosure control off), `-5`,
`findings.alpha 7` and `link.threshold 1.5` were accepted; changes were not audited; the
pattern settings were declared apart from the others.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thbmonitor.errors import UsageError
from thbmonitor.store import SETTINGS, Database, open_store

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("setting", list(SETTINGS), ids=lambda s: s.name)
def test_every_default_is_allowed_and_documented_with_what_is_allowed(setting):
    assert setting.check(setting.default) == setting.default
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    row = f"| `{setting.name}` | `{json.dumps(setting.default)}` | {setting.allowed()} |"
    assert row in text, row


def test_pattern_settings_are_declared_in_the_store():
    import thbmonitor.patterns.settings as patterns

    assert SETTINGS.names("patterns.") == patterns.PATTERN_SETTINGS
    assert len(patterns.PATTERN_SETTINGS) == 20
    assert not hasattr(patterns, "_DECLARED")


@pytest.mark.parametrize(("name", "value"), [
    ("publication.threshold", 0), ("publication.threshold", 1), ("publication.threshold", -5),
    ("findings.alpha", 7), ("findings.alpha", 0), ("link.threshold", 1.5),
    ("link.review_low", -0.1), ("random.seed", -1), ("publication.threshold", True),
    ("patterns.carousel.min_short_stay_share", 1.2), ("patterns.networks.edge_kinds", ["car"]),
    ("patterns.networks.intake_source_types", ["church"]), ("patterns.home_country", "nl"),
    ("patterns.networks.deny_list", ["phone"]), ("publication.priorities", [3]),
])
def test_values_outside_the_declaration_are_refused(name, value):
    with Database(":memory:") as db, pytest.raises(UsageError) as refused:
        db.set_setting(name, value)
    message = str(refused.value)
    assert SETTINGS.get(name).allowed() in message and "default" in message
    with Database(":memory:") as db:
        assert db.scalar("SELECT count(*) FROM audit_log") == 0


def test_review_low_may_not_exceed_the_link_threshold():
    with Database(":memory:") as db:
        with pytest.raises(UsageError, match="lower link.review_low first"):
            db.set_setting("link.review_low", 0.6)  # above the default threshold, 0.5
        assert db.setting("link.review_low") == 0.3
        db.set_setting("link.threshold", 0.8)
        db.set_setting("link.review_low", 0.6)
        with pytest.raises(UsageError, match="link.review_low"):
            db.set_setting("link.threshold", 0.55)
        assert db.setting("link.threshold") == 0.8


def test_a_change_is_audited_with_old_and_new_value_and_actor():
    with Database(":memory:") as db:
        db.set_setting("findings.alpha", 0.01, actor="publisher-1")
        row = db.rows("SELECT actor, action, resource, detail FROM audit_log")
    assert [(a, act, r, json.loads(d)) for a, act, r, d in row] == [
        ("publisher-1", "settings.change", "findings.alpha", {"old": 0.05, "new": 0.01})]


def test_a_run_reads_the_settings_once(tmp_path):
    path = tmp_path / "s.duckdb"
    with open_store(path, "create") as store:
        store.db.set_setting("publication.threshold", 11)
    with open_store(path, "write") as run:
        # what another process's change looks like to this run: the table changes under it
        run.db.execute("UPDATE settings SET value = '20' WHERE name = 'publication.threshold'")
        assert run.db.setting("publication.threshold") == 11
        assert run.db.settings()["publication.threshold"] == 11
    with open_store(path, "read") as later:
        assert later.db.setting("publication.threshold") == 20
