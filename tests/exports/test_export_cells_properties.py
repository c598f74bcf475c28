"""Property test: the export cells are tied to the figures by relations that hold.

For random victims (sex, age group, nationality group, form of the figures),
the Eurostat cube's own cells, its aliases of figure cells and its relations
(`export_cells`) must agree with the figure cells counted from the same
victims: every relation holds on the true values and every alias counts what
its figure cell counts. A relation that does not hold would make the joint
protection refuse, or worse, let an attacker reason from a false equation.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thbmonitor.disclosure.tables import check_consistent
from thbmonitor.publish.exports.cells import export_cells
from thbmonitor.publish.exports.sources import citizen_code

YEAR = 2024
SEXES = ("female", "male", "other", "unknown")
AGES = ("minor", "adult", "unknown")
GROUPS = ("NL", "EU", "europe_other", "latin_america", "africa", "asia", "other", "unknown")
FORMS = ("sexual", "labour", "criminal", "organ_removal", "other", "multiple", "unknown")
SEX_CODE = {"female": "F", "male": "M"}
AGE_CODE = {"minor": "Y_LT18", "adult": "Y_GE18"}
FORM_CODE = {"sexual": "SEXUAL", "labour": "LABOUR", "unknown": "UNK"}

victim = st.tuples(st.sampled_from(SEXES), st.sampled_from(AGES), st.sampled_from(GROUPS),
                   st.sampled_from(FORMS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(victim, max_size=300))
def test_export_relations_hold_on_the_figures_of_the_same_victims(
        victims: list[tuple[str, str, str, str]]) -> None:
    cube = Counter((SEX_CODE.get(s, "UNK"), AGE_CODE.get(a, "UNK"), citizen_code(g),
                    FORM_CODE.get(f, "OTHER")) for s, a, g, f in victims)
    figures = {f"{YEAR}:victims.total": len(victims)}
    for name, index, keys in (("sex", 0, SEXES), ("age_group", 1, AGES),
                              ("nationality_group", 2, GROUPS), ("exploitation", 3, FORMS)):
        counted = Counter(v[index] for v in victims)
        for key in keys:
            figures[f"{YEAR}:victims.by.{name}.{key}"] = counted[key]
    cells = export_cells(YEAR, dict(cube), {})
    values = {**figures, **cells.values}
    for key, expected in cells.expected.items():
        if key in figures:
            assert figures[key] == expected, key
    usable = [r for r in cells.relations if all(c in values for c in r.cells)]
    assert usable  # the cube is tied to the figures
    assert check_consistent(values, usable) == []
    every = {key for table in cells.cells.values() for key in table.values()}
    assert every <= set(values) | {k for k in cells.expected}
