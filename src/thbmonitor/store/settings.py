"""Settings, declared once: name, default, help, type and the values allowed.

The declarations drive validation (`Database.set_setting` refuses a value of
the wrong type or outside its range, naming what is allowed), the docs
(docs/settings.md is tested against them) and the provenance record of every
published result. Secrets are never settings: the pseudonymisation key lives
outside the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from thbmonitor.errors import UsageError
from thbmonitor.vocab.indicators import KEY_INDICATORS

__all__ = ["SETTINGS", "Setting", "SettingsRegistry", "check_consistent", "declared_seed"]

_KIND_NAMES = {int: "an integer", float: "a number", str: "a text", list: "a list",
               dict: "a mapping"}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class _Refused(Exception):
    pass


@dataclass(frozen=True)
class Setting:
    """One declared setting. For a list, `choices` and `pattern` apply to each item."""

    name: str
    default: Any
    help: str
    kind: type
    minimum: float | None = None
    maximum: float | None = None
    above_minimum: bool = False  # the minimum itself is not allowed (alpha > 0)
    choices: tuple[str, ...] | Callable[[], Iterable[str]] | None = None
    pattern: str | None = None
    pattern_help: str | None = None  # the pattern in words, for messages and docs

    def allowed_values(self) -> tuple[str, ...] | None:
        if self.choices is None:
            return None
        return tuple(self.choices) if isinstance(self.choices, tuple) else tuple(self.choices())

    def allowed(self) -> str:
        """What a value must be, in words (messages and docs/settings.md)."""
        what = _KIND_NAMES.get(self.kind, self.kind.__name__)
        if self.kind is list:
            what = "a list of texts"
        if self.kind is dict:
            keys = self.pattern_help or "texts"
            values = self.allowed_values()
            return f"a mapping ({keys}) to " + (
                "one of: " + ", ".join(values) if values else "texts")
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            word = "above" if self.above_minimum else "from"
            what += f" {word} {_number(low)} {'up to' if self.above_minimum else 'to'} " \
                    f"{_number(high)}"
        elif low is not None:
            what += f" {'above' if self.above_minimum else 'of at least'} {_number(low)}"
        elif high is not None:
            what += f" of at most {_number(high)}"
        values = self.allowed_values()
        if values is not None:
            what += (", each one of: " if self.kind is list else ", one of: ") + ", ".join(values)
        elif self.pattern is not None:
            joint = ", " if self.kind is list and self.pattern_help else " "
            what += joint + (self.pattern_help or f"matching {self.pattern}")
        return what

    def check(self, value: Any) -> Any:
        """The value as stored; a UsageError naming what is allowed when it is not."""
        try:
            return self._checked(value)
        except _Refused:
            raise self._refuse(value) from None

    def _checked(self, value: Any) -> Any:
        value = self._typed(value)
        if self.kind in (int, float):
            if self.minimum is not None and (
                    value < self.minimum or (self.above_minimum and value == self.minimum)):
                raise _Refused
            if self.maximum is not None and value > self.maximum:
                raise _Refused
        if self.kind is dict:
            values = self.allowed_values()
            for key, item in value.items():
                if self.pattern is not None and not re.fullmatch(self.pattern, str(key)):
                    raise _Refused
                if values is not None and item not in values:
                    raise _Refused
            return value
        items: list[Any] = value if self.kind is list else [value] if self.kind is str else []
        if self.kind is list and not all(isinstance(item, str) for item in items):
            raise _Refused
        values = self.allowed_values()
        for item in items:
            if values is not None and item not in values:
                raise _Refused
            if self.pattern is not None and not re.fullmatch(self.pattern, item):
                raise _Refused
        return value

    def _typed(self, value: Any) -> Any:
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.kind) or isinstance(value, bool):
            raise _Refused
        return value

    def _refuse(self, value: Any) -> UsageError:
        import json

        shown = json.dumps(value, ensure_ascii=False)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return UsageError(f"setting {self.name} takes {self.allowed()}; {shown} is not allowed "
                          f"(default: {json.dumps(self.default)})")


class SettingsRegistry:
    def __init__(self) -> None:
        self._settings: dict[str, Setting] = {}

    def declare(self, name: str, default: Any, help: str, *, minimum: float | None = None,
                maximum: float | None = None, above_minimum: bool = False,
                choices: tuple[str, ...] | Callable[[], Iterable[str]] | None = None,
                pattern: str | None = None, pattern_help: str | None = None) -> Setting:
        if name in self._settings:
            raise ValueError(f"setting {name} is declared twice")
        setting = Setting(name, default, help, type(default), minimum, maximum, above_minimum,
                          choices, pattern, pattern_help)
        self._settings[name] = setting
        return setting

    def get(self, name: str) -> Setting:
        try:
            return self._settings[name]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(name, self._settings, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            known = ", ".join(sorted(self._settings))
            raise UsageError(f"unknown setting {name!r}; {hint}known settings: {known}"
                             ) from None

    def names(self, prefix: str = "") -> tuple[str, ...]:
        return tuple(s.name for s in self if s.name.startswith(prefix))

    def __iter__(self) -> Iterator[Setting]:
        return iter(sorted(self._settings.values(), key=lambda s: s.name))


SETTINGS = SettingsRegistry()


def _source_types() -> tuple[str, ...]:
    from thbmonitor.vocab import SOURCE_TYPES

    return SOURCE_TYPES


#: The smallest publication.threshold without a recorded reason (publication.threshold_reason).
THRESHOLD_FLOOR = 10


def check_consistent(values: dict[str, Any]) -> None:
    """Rules between settings, checked on every change (the values after the change)."""
    low, high = values.get("link.review_low"), values.get("link.threshold")
    if low is not None and high is not None and low > high:
        raise UsageError(f"link.review_low ({low:g}) must not be above link.threshold "
                         f"({high:g}); lower link.review_low first")
    threshold = values.get("publication.threshold")
    if threshold is not None and threshold < THRESHOLD_FLOOR and not str(
            values.get("publication.threshold_reason") or "").strip():
        raise UsageError(
            f"publication.threshold {threshold} is below {THRESHOLD_FLOOR}: record why first "
            "with `thb settings publication.threshold_reason \"...\"` (kept in the audit log)")


def declared_seed() -> int:
    """The declared default of `random.seed`: the one seed literal of the code outside synth."""
    seed: int = SETTINGS.get("random.seed").default
    return seed


# -- publication, findings, randomness, linkage, intake --------------------------

SETTINGS.declare(
    "publication.threshold", 10,
    "Smallest count published: cells from 1 to threshold-1 are suppressed (zeros stay).",
    # 1 (and 0) would publish every count: disclosure control switched off.
    minimum=2, maximum=100,
)
SETTINGS.declare(
    "publication.priorities", [],
    "Dotted figure paths the publisher most wants published (e.g. "
    "victims.cross.exploitation_by_age_group.criminal.minor); secondary suppression hides "
    "other cells first when that protects as well.",
    pattern=r"[a-z0-9_]+(\.[A-Za-z0-9_]+)+", pattern_help="each a dotted path of the figures",
)
SETTINGS.declare(
    "findings.alpha", 0.05,
    "False discovery rate for findings: Benjamini-Hochberg within the key indicators, and "
    "within each other table (docs/report.md).",
    minimum=0, maximum=0.5, above_minimum=True,
)
SETTINGS.declare(
    "random.seed", 20241016,
    "Seed of every random step (bootstrap intervals, model training): same data, settings "
    "and seed give the same numbers.",
    minimum=0, maximum=2**32 - 1,  # what NumPy's generators accept
)
SETTINGS.declare(
    "link.threshold", 0.5,
    "Match probability from which two reports are linked into one person (docs/linkage.md).",
    minimum=0.5, maximum=1,  # below 0.5 a pair is more likely two persons than one
)
SETTINGS.declare(
    "link.review_low", 0.3,
    "Pairs from this match probability up to link.threshold go to the review queue.",
    minimum=0, maximum=1,
)
SETTINGS.declare(
    "link.register_threshold", 0.1,
    "Match probability from which two reports of two registers (organisations that list "
    "each person once, read from the data) are linked (docs/linkage.md).",
    minimum=0.01, maximum=1,
)
SETTINGS.declare(
    "ingest.max_age_years", 100,
    "Dates of birth more than this many years before the report date are rejected.",
    minimum=50, maximum=150,
)
SETTINGS.declare(
    "findings.window", 5,
    "Years over which a figure's trend is tested (quasi-Poisson regression on the year), "
    "this year included.",
    minimum=3, maximum=20,
)
SETTINGS.declare(
    "findings.key_indicators", dict(KEY_INDICATORS),
    "The pre-specified key indicators (dotted figure paths) with their direction of interest "
    "(up, down or both; one direction makes the test one-sided). They form one family for the "
    "Benjamini-Hochberg correction: the headline findings. Every other table is exploratory.",
    choices=("up", "down", "both"), pattern=r"(victims|reports|chain)(\.[A-Za-z0-9_]+)+",
    pattern_help="each key a dotted path of the figures (victims..., reports..., chain...)",
)

# -- the pattern rules (docs/patterns.md); thbmonitor.patterns records them with each run --

SETTINGS.declare(
    "patterns.carousel.min_distinct_places", 4,
    "Mobility: at least this many distinct places (municipality and country) in the window.",
    minimum=2, maximum=100)
SETTINGS.declare(
    "patterns.carousel.min_moves_per_30d", 1.5,
    "Mobility: at least this many changes of place per 30 days of the stays' span.",
    minimum=0, maximum=30, above_minimum=True)
SETTINGS.declare(
    "patterns.carousel.short_stay_days", 14,
    "A stay of at most this many days (end minus start) is short.",
    minimum=1, maximum=365)
SETTINGS.declare(
    "patterns.carousel.min_short_stay_share", 0.5,
    "Mobility: at least this share of the stays with a known end is short.", minimum=0, maximum=1)
SETTINGS.declare(
    "patterns.carousel.min_temporary_lodging_share", 0.5,
    "Supporting: share of stays in hotels, holiday parks or short-stay rentals.",
    minimum=0, maximum=1)
SETTINGS.declare(
    "patterns.carousel.min_platform_share", 0.5,
    "Supporting (never enough alone): share of stays booked via platforms or holiday parks.",
    minimum=0, maximum=1)
SETTINGS.declare(
    "patterns.carousel.min_countries", 2,
    "Supporting: stays in at least this many countries.",
    minimum=2, maximum=50)
SETTINGS.declare(
    "patterns.carousel.min_co_moving_persons", 1,
    "Organisation: other reported persons who stayed with this person at two or more "
    "addresses in overlapping dates.",
    minimum=1, maximum=1000)
SETTINGS.declare(
    "patterns.carousel.co_movement_min_addresses", 2,
    "Shared addresses (in overlapping dates) that make two persons co-moving.",
    minimum=1, maximum=100)
SETTINGS.declare(
    "patterns.carousel.min_shared_identifier_persons", 2,
    "Organisation: other reported persons sharing a phone or booking account "
    "(hubs and intake lines removed). Two, because one is often the same person "
    "split by linkage.",
    minimum=1, maximum=1000)
SETTINGS.declare(
    "patterns.carousel.min_linked_suspects", 1,
    "Organisation: suspects linked to this person and to another reported person "
    "(reports within the investigation window).",
    minimum=1, maximum=1000)
SETTINGS.declare(
    "patterns.carousel.window_days", 90,
    "Length of the rolling window (`--window 90d`): the densest window of the year is used.",
    minimum=7, maximum=366)
SETTINGS.declare(
    "patterns.networks.hub_limit", 20,
    "Identifiers shared by more than this many persons (all years) are hubs and removed.",
    minimum=2, maximum=100_000)
SETTINGS.declare(
    "patterns.networks.deny_list", [],
    "Deny-listed institutional identifiers, each `kind:token` (kind phone, booking or "
    "address; token as stored), removed before any rule; see docs/patterns.md.",
    pattern=r"(phone|booking|address):\S+",
    pattern_help="each `kind:token`, kind one of phone, booking, address")
SETTINGS.declare(
    "patterns.networks.intake_source_types", ["ngo", "reception_centre", "shelter"],
    "Source types whose own intake line may be written on their reports.",
    choices=_source_types)
SETTINGS.declare(
    "patterns.networks.intake_min_persons", 6,
    "A phone only ever recorded by one organisation of an intake source type and shared by "
    "at least this many persons is treated as that organisation's intake line and removed.",
    minimum=2, maximum=100_000)
SETTINGS.declare(
    "patterns.networks.edge_kinds", ["address", "booking", "investigation", "phone", "suspect"],
    "Kinds of shared identifier that link two persons.",
    choices=("address", "booking", "investigation", "phone", "suspect"))
SETTINGS.declare(
    "patterns.networks.investigation_window_days", 30,
    "An investigation or suspect links two persons when reports linked to it are dated "
    "at most this many days apart.",
    minimum=0, maximum=3660)
SETTINGS.declare(
    "patterns.home_country", "NL",
    "The monitoring country: stays or exploitation elsewhere are 'abroad'.",
    pattern=r"[A-Z]{2}", pattern_help="of two capital letters (ISO 3166-1 alpha-2)")
SETTINGS.declare(
    "patterns.fairness.min_cell", 10,
    "Fairness report: groups with fewer persons than this are suppressed.",
    minimum=2, maximum=1000)
SETTINGS.declare(
    "publication.publisher", "THB Monitor",
    "Publisher named on the report's cover and colophon and in the citation.",
)
SETTINGS.declare(
    "publication.contact", "",
    "Contact for questions about the report (an address or e-mail), printed in the colophon.",
)
SETTINGS.declare(
    "publication.date", "",
    "Publication date on the cover (YYYY-MM-DD); empty: the date the report is generated.",
    pattern=r"(\d{4}-\d{2}-\d{2})?", pattern_help="a date YYYY-MM-DD, or empty")

SETTINGS.declare(
    "estimate.window_years", 6,
    "Years pooled for the dark-figure estimate of a year (that year and the ones before), "
    "with the year as a covariate, as in the published Dutch estimates (docs/mse.md).",
    minimum=2, maximum=15,
)
SETTINGS.declare(
    "estimate.bootstrap_replicates", 1000,
    "Bootstrap replicates of the dark-figure interval (each repeats the model search); more "
    "replicates give steadier interval limits and take proportionally longer (docs/mse.md).",
    minimum=100, maximum=100000,
)

# -- intake limits and unknown columns (docs/data-formats.md) --

SETTINGS.declare(
    "ingest.extra_columns", [],
    "Columns outside a kind's specification that may be stored (in `extra`, as written): "
    "only columns an administrator has checked to hold nothing personal. Every other unknown "
    "column is dropped and named in the import report; a name that suggests personal data "
    "(name, phone, address, birth, ...) is dropped even when listed.",
    pattern=r"[^\s].{0,99}", pattern_help="each a column name as in the header (lower case)")
SETTINGS.declare(
    "ingest.max_file_mb", 1024,
    "Largest file an import reads, in MB; a larger file is refused (file-too-large) before "
    "it is read.",
    minimum=1, maximum=16384)
SETTINGS.declare(
    "ingest.max_xlsx_mb", 512,
    "Largest decompressed size of an XLSX workbook, in MB, read from the zip directory before "
    "anything is decompressed (a zip bomb is refused as file-too-large).",
    minimum=1, maximum=16384)
SETTINGS.declare(
    "ingest.max_rows", 2_000_000,
    "Most data rows in one file (too-many-rows).",
    minimum=1, maximum=100_000_000)
SETTINGS.declare(
    "ingest.max_columns", 500,
    "Most columns in one file's header (too-many-columns).",
    minimum=5, maximum=100_000)
SETTINGS.declare(
    "ingest.max_field_chars", 10_000,
    "Longest cell, in characters (field-too-long).",
    minimum=100, maximum=10_000_000)
SETTINGS.declare(
    "ingest.max_errors", 1000,
    "Errors listed in an import report: the first this many (by row), with the total count.",
    minimum=10, maximum=1_000_000)

SETTINGS.declare(
    "publication.threshold_reason", "",
    "Why publication.threshold is below 10: required before a threshold under 10 is accepted; "
    "the change is kept in the audit log.",
)

# -- releases and revisions (docs/releases.md) -------------------------------------------
SETTINGS.declare(
    "release.provisional_years", 1,
    "How long a year's figures stay provisional (flag p): in a report of year Y, the years "
    "after Y minus this number (0: no year is provisional).",
    minimum=0, maximum=10,
)
SETTINGS.declare(
    "release.series_breaks", {},
    "Declared breaks in the series (flag b): year to what changed, e.g. "
    "{\"2020\": \"consent rule of 2018 in force\"}; shown in the report's tables and charts.",
    pattern=r"\d{4}", pattern_help="each key a year YYYY",
)
