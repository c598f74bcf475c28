"""The pre-specified key indicators of the annual figures and their direction of interest.

The default of the setting ``findings.key_indicators`` (declared in
``thbmonitor.store.settings``): what the Rapporteur's annual figures lead with
(the 2024 release: victims, minors, the forms of exploitation, minors in
criminal exploitation, Ukrainians, Latin-American victims of sexual and
Eastern-European victims of labour exploitation, police investigations into
sexual exploitation and the prosecution chain). Each is a dotted path of the
figures JSON with its direction of interest: the direction the monitoring
question is about (rising numbers of minors in criminal exploitation, falling
police investigations), tested one-sided as a pre-registered confirmatory
hypothesis; ``both`` tests both directions. A move against the direction of
interest is not a key finding (it is no answer to the question asked); a
publisher who wants both directions sets ``both``.

Kept here, below every package that needs it, so that the store declares it
and the statistics read it without importing each other.
"""

from __future__ import annotations

from typing import Literal

Interest = Literal["up", "down", "both"]

KEY_INDICATORS: dict[str, Interest] = {
    "victims.total": "both",
    "victims.by.age_group.minor": "up",
    "victims.by.exploitation.sexual": "both",
    "victims.by.exploitation.labour": "both",
    "victims.by.exploitation.criminal": "up",
    "victims.cross.exploitation_by_age_group.criminal.minor": "up",
    "victims.by.nationality.UA": "up",
    "victims.cross.exploitation_by_nationality_group.sexual.latin_america": "up",
    "victims.cross.exploitation_by_nationality_group.labour.europe_other": "up",
    "chain.investigations.total": "down",
    "chain.investigations.by_exploitation.sexual": "down",
    "chain.investigations.sexual_by_scope.international": "down",
    "chain.suspects.total": "down",
    "chain.prosecution.registered": "down",
    "chain.prosecution.summons_pct": "both",
}
