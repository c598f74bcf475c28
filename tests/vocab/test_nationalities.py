"""Nationalities as adjectives, in Dutch and English, and suggestions for near misses."""

from __future__ import annotations

import pytest

from thbmonitor.vocab import normalise_country
from thbmonitor.vocab.countries import suggest_country


@pytest.mark.parametrize(("written", "code"), [
    ("Nederlands", "NL"), ("Nederlandse", "NL"), ("Pools", "PL"), ("Poolse", "PL"),
    ("Oekraïens", "UA"), ("Oekraïense", "UA"), ("oekraiens", "UA"), ("Roemeense", "RO"),
    ("Bulgaarse", "BG"), ("Chinees", "CN"), ("Chinese", "CN"), ("Ghanese", "GH"),
    ("Marokkaanse", "MA"), ("Eritrese", "ER"), ("Wit-Russisch", "BY"),
    ("Dutch", "NL"), ("Polish", "PL"), ("Ukrainian", "UA"), ("Sierra Leonean", "SL"),
    # the names and codes keep working
    ("Nederland", "NL"), ("Polen", "PL"), ("UKR", "UA"), ("Oekraïne", "UA"),
])
def test_nationality_adjectives(written, code):
    assert normalise_country(written) == code


def test_suggestions_for_near_misses_only():
    assert suggest_country("Nederlnd") == "NL, Netherlands"
    assert suggest_country("Duitsland.") == "DE, Germany"
    assert suggest_country("Atlantisland") is None
    assert suggest_country("xy") is None, "too short to guess"
