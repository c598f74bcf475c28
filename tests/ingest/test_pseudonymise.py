"""The Bloom-filter encoding of a name is exactly its definition (docs/privacy.md).

Every stored encoding, and so every linked person, depends on these bits: a
faster implementation must give the same ones. The definition, written out
plainly here: for each bigram of " name ", the keyed HMAC-SHA512 of
"bloom", the salt and the bigram; its first BLOOM_HASHES 16-bit big-endian
words modulo BLOOM_BITS are the positions set; position p is bit p of the
number the BITSTRING spells (counted from the right).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import string

import pytest

from thbmonitor.ingest.pseudonymise import (
    BLOOM_BITS,
    BLOOM_HASHES,
    NO_BIRTH_SALT,
    Pseudonymiser,
    birth_salt,
)

KEY = bytes(range(32))


def _by_definition(name: str, salt: str) -> str:
    salted = salt or f"{NO_BIRTH_SALT}\x1f{name}"
    padded = f" {name} "
    number = 0
    for i in range(len(padded) - 1):
        digest = hmac.new(KEY, b"bloom\x1f" + salted.encode() + b"\x1f"
                          + padded[i:i + 2].encode(), hashlib.sha512).digest()
        for k in range(BLOOM_HASHES):
            number |= 1 << (int.from_bytes(digest[2 * k:2 * k + 2], "big") % BLOOM_BITS)
    return format(number, f"0{BLOOM_BITS}b")


@pytest.mark.parametrize("salt", ["", birth_salt(1990), birth_salt(1990, 2)])
def test_the_encoding_is_its_definition(salt: str) -> None:
    rng = random.Random(7)
    pseudo = Pseudonymiser(KEY)
    names = ["a", "ab", "maria", "de vries", "nguyen thi", "ğüşiöç"]
    names += ["".join(rng.choice(string.ascii_lowercase + " ") for _ in range(rng.randint(1, 30)))
              .strip() or "x" for _ in range(300)]
    for name in names:
        bits = pseudo.bloom(name, salt)
        assert len(bits) == BLOOM_BITS and set(bits) <= {"0", "1"}
        assert bits == _by_definition(name, salt), name


def test_the_salt_and_the_key_change_every_encoding() -> None:
    pseudo = Pseudonymiser(KEY)
    assert pseudo.bloom("maria", "1990-02") != pseudo.bloom("maria", "1990-03")
    assert Pseudonymiser(bytes(32)).bloom("maria", "1990-02") != pseudo.bloom("maria", "1990-02")
    # the same name and salt twice: the same bits (the bigram cache changes nothing)
    assert pseudo.bloom("maria", "1990-02") == pseudo.bloom("maria", "1990-02")
