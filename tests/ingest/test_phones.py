"""The fast E.164 path agrees with a full `phonenumbers` parse."""

from __future__ import annotations

import numpy as np
import phonenumbers
import pytest

from thbmonitor.ingest.pseudonymise import _fast_e164, normalise_phone


def _full(value: str) -> str | None:
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


REGIONS = ["NL", "BE", "DE", "FR", "GB", "UA", "RO", "BG", "PL", "CO", "BR", "NG", "US", "IT",
           "RU", "CN", "VN", "MA", "TR", "ES"]


def _samples(seed: int = 3) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for region in REGIONS:
        code = phonenumbers.country_code_for_region(region)
        for _ in range(150):
            length = int(rng.integers(5, 13))
            first = str(int(rng.integers(0, 10)))
            rest = "".join(str(d) for d in rng.integers(0, 10, length - 1))
            national = first + rest
            out += [f"+{code}{national}", f"+{code} {national[:3]} {national[3:]}",
                    f"0{national}", f"({national[:3]}) {national[3:]}"]
        example = phonenumbers.example_number(region)
        if example is not None:
            out.append(phonenumbers.format_number(
                example, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
            out.append(phonenumbers.format_number(
                example, phonenumbers.PhoneNumberFormat.NATIONAL))
    return out


def test_fast_path_agrees_with_full_parse():
    samples = _samples()
    fast_hits = 0
    for value in samples:
        fast = _fast_e164(value)
        if fast is not None:
            fast_hits += 1
            assert fast == _full(value), value
        assert normalise_phone(value) == _full(value), value
    assert fast_hits > len(samples) // 4, "the fast path must actually be used"


@pytest.mark.parametrize(("raw", "e164"), [
    ("06 1234 5678", "+31612345678"), ("06-12345678", "+31612345678"),
    ("+31 6 12345678", "+31612345678"), ("0031 6 12345678", "+31612345678"),
    ("+32 470 12 34 56", "+32470123456"), ("+31 (0)6 12345678", "+31612345678"),
    ("call-me-maybe", None), ("12", None),
])
def test_known_formats(raw, e164):
    assert normalise_phone(raw) == e164
