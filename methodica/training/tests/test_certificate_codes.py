"""Verification codes: their shape, the check character, and normalising input."""

from __future__ import annotations

import re

import pytest

from methodica.training import certificates
from methodica.training.certificates import ALPHABET, CodeError

pytestmark = pytest.mark.usefixtures("in_english")


def test_code_is_twelve_unambiguous_characters_in_groups_of_four():
    for _i in range(50):
        code = certificates.new_code()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        assert not set(code) & set("01OI")
        assert certificates.normalise(code) == code


def test_every_single_typo_is_caught_by_the_check_character():
    code = certificates.new_code().replace("-", "")
    for position in range(len(code)):
        for char in ALPHABET:
            if char == code[position]:
                continue
            typo = code[:position] + char + code[position + 1 :]
            assert not certificates.is_well_checked(typo)


def test_swapping_two_neighbours_is_caught_except_a_and_nine():
    payload = "BCDEFGHJKLM"
    missed = set()
    for i in range(len(payload) - 1):
        for a in ALPHABET:
            for b in ALPHABET:
                if a == b:
                    continue
                code = payload[:i] + a + b + payload[i + 2 :]
                code += certificates.check_character(code)
                swapped = code[:i] + b + a + code[i + 2 :]
                if certificates.is_well_checked(swapped):
                    missed.add(a + b)
    assert missed == {"A9", "9A"}  # Luhn mod N's one blind spot


def test_case_spaces_and_dashes_are_normalised():
    code = certificates.new_code()
    messy = " " + code.lower().replace("-", " ") + " "
    assert certificates.normalise(messy) == code
    assert certificates.normalise(code.replace("-", "")) == code


def test_wrong_check_character_says_it_is_a_typo():
    code = certificates.new_code()
    last = code[-1]
    wrong = code[:-1] + (ALPHABET[(ALPHABET.index(last) + 1) % len(ALPHABET)])
    with pytest.raises(CodeError, match="check character does not match"):
        certificates.normalise(wrong)


def test_code_of_the_wrong_length_or_with_a_zero_is_refused():
    with pytest.raises(CodeError, match="12 letters and digits"):
        certificates.normalise("ABCD-EFGH")
    with pytest.raises(CodeError, match="12 letters and digits"):
        certificates.normalise("ABCD-EFGH-JK0M")
