"""The pre-specified key indicators of the annual figures and their direction of interest.

The default of the setting ``findings.key_indicators`` (declared in
``thbmonitor.store.settings``): what the Rapporteur's annual figures lead with
(the 2024 release: victims, minors, the forms of exploitation, minors in
criminal exploitation, Ukrainians, Latin-American victims of sexual and
Eastern-European victims of labour exploitation, police investigations into
sexual exploitation and the prosecution chain). Each is a dotted path of the
figures JSON; ``both`` tests both directions, ``up`` or ``down`` makes the
test one-sided. Kept here, below every package that needs it, so that the
store declares it and the statistics read it without importing each other.
"""

from __future__ import annotations

from typing import Literal

Interest = Literal["up", "down", "both"]

KEY_INDICATORS: dict[str, Interest] = {
    "victims.total": "both",
    "victims.by.age_group.minor": "both",
    "victims.by.exploitation.sexual": "both",
    "victims.by.exploitation.labour": "both",
    "victims.by.exploitation.criminal": "both",
    "victims.cross.exploitation_by_age_group.criminal.minor": "both",
    "victims.by.nationality.UA": "both",
    "victims.cross.exploitation_by_nationality_group.sexual.latin_america": "both",
    "victims.cross.exploitation_by_nationality_group.labour.europe_other": "both",
    "chain.investigations.total": "both",
    "chain.investigations.by_exploitation.sexual": "both",
    "chain.investigations.sexual_by_scope.international": "both",
    "chain.suspects.total": "both",
    "chain.prosecution.registered": "both",
    "chain.prosecution.summons_pct": "both",
}
