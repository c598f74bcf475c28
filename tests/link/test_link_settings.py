"""The linkage defaults are the declared settings, and a stored setting changes the run."""

from thbmonitor.link import DEFAULT_REVIEW_LOW, DEFAULT_SEED, DEFAULT_THRESHOLD
from thbmonitor.store import SETTINGS


def test_declared_settings_match_the_link_defaults():
    assert SETTINGS.get("link.threshold").default == DEFAULT_THRESHOLD
    assert SETTINGS.get("link.review_low").default == DEFAULT_REVIEW_LOW
    assert SETTINGS.get("random.seed").default == DEFAULT_SEED
