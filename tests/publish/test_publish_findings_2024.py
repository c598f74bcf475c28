"""The claims of the real 2024 release, planted at their real size, are found.

DOMAIN.md, "The 2024 release": minors 52 -> 79; minors in criminal exploitation
13 -> 42; Ukrainians 7 -> 51; Latin-American victims of sexual exploitation
26 -> 68; police investigations into sexual exploitation falling three years
(105 -> 92 -> 76). They are planted together in one release, as the Rapporteur
saw them together, on steady figures for everything else.
"""

from __future__ import annotations

from typing import Any

from publish_builder import cross_with, release_figures, steady, year_figures

from thbmonitor.publish.findings import find_changes

MINORS = "victims.by.age_group.minor"
CRIMINAL_MINORS = "victims.cross.exploitation_by_age_group.criminal.minor"
UKRAINIANS = "victims.by.nationality.UA"
LATIN_SEXUAL = "victims.cross.exploitation_by_nationality_group.sexual.latin_america"
SEXUAL_INVESTIGATIONS = "chain.investigations.by_exploitation.sexual"


def put(figures: dict[str, Any], path: str, value: int) -> None:
    node = figures
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def release_2024() -> dict[str, Any]:
    years = steady()
    sexual = dict(zip(range(2019, 2025), (118, 115, 110, 105, 92, 76), strict=True))
    for year in range(2019, 2025):
        cross = cross_with(sexual__minor=25) if year < 2024 else cross_with(
            sexual__minor=23, criminal__minor=42)
        years[year] = year_figures(year, cross, chain={"investigations": 48 + sexual[year]})
        put(years[year], SEXUAL_INVESTIGATIONS, sexual[year])
        put(years[year], UKRAINIANS, 7 if year < 2024 else 51)
        put(years[year], LATIN_SEXUAL, 26 if year < 2024 else 68)
    return release_figures(years)


def mentioned() -> dict[str, dict[str, Any]]:
    """Each metric a finding names (merged ones too), with the finding that names it."""
    out: dict[str, dict[str, Any]] = {}
    for finding in find_changes(release_2024()):
        for metric in (finding.metric, *finding.related):
            out[metric] = finding.to_dict()
    return out


def test_the_planted_sizes_are_the_real_ones() -> None:
    figures = release_2024()
    assert (figures["victims"]["previous_by"]["age_group"]["minor"],
            figures["victims"]["by"]["age_group"]["minor"]) == (52, 79)
    assert figures["chain"]["investigations"]["by_exploitation"]["sexual"] == 76
    assert [e["chain"]["investigations"]["by_exploitation"]["sexual"]
            for e in figures["series"][-3:]] == [105, 92, 76]


def test_every_claim_of_the_2024_release_is_found() -> None:
    found = mentioned()
    for metric in (MINORS, CRIMINAL_MINORS, UKRAINIANS, LATIN_SEXUAL, SEXUAL_INVESTIGATIONS):
        assert metric in found, metric
    assert found[MINORS]["direction"] == "up"
    assert found[SEXUAL_INVESTIGATIONS]["direction"] == "down"
    assert found[SEXUAL_INVESTIGATIONS]["family"] == "key"


def test_minors_and_minors_in_criminal_exploitation_are_one_phenomenon() -> None:
    found = mentioned()
    assert found[MINORS] == found[CRIMINAL_MINORS]
    assert set(found[MINORS]["related"]) | {found[MINORS]["metric"]} >= {MINORS, CRIMINAL_MINORS}


def test_the_fall_of_sexual_investigations_rests_on_its_trend() -> None:
    finding = mentioned()[SEXUAL_INVESTIGATIONS]
    assert finding["basis"] in ("trend", "change-and-trend")
    assert finding["trend"]["first_year"] == 2020
