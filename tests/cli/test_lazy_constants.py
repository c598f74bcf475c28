"""The CLI repeats two constants to avoid importing the pipeline at start-up; keep them equal."""

from thbmonitor.cli import report as report_cli
from thbmonitor.demo import DEFAULT_SEED
from thbmonitor.publish import LANGUAGES


def test_cli_constants_match_the_library():
    assert tuple(LANGUAGES) == report_cli.LANGUAGES
    assert DEFAULT_SEED == report_cli.DEFAULT_SEED
