"""National identity numbers in free text: valid ones are refused wherever they stand,
look-alikes (phone numbers, dates, numbers with a wrong check digit) pass."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, example, given
from hypothesis import strategies as st

from qualityplan.validators import (
    find_identity_numbers,
    is_norwegian_identity_number,
    is_swedish_identity_number,
    no_national_identity_number,
)

# --- Building valid numbers, independently of the code under test -------------------

NO_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
NO_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _control(digits: str, weights) -> int | None:
    value = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return {11: 0, 10: None}.get(value, value)


def norwegian(born: date, individual: int, d_number: bool = False) -> str | None:
    """A fødselsnummer (or D-number) for `born`, or None when no control digit exists."""
    day = born.day + (40 if d_number else 0)
    base = f"{day:02d}{born.month:02d}{born.year % 100:02d}{individual:03d}"
    k1 = _control(base, NO_K1)
    if k1 is None:
        return None
    k2 = _control(base + str(k1), NO_K2)
    return None if k2 is None else f"{base}{k1}{k2}"


def luhn_digit(nine: str) -> int:
    total = 0
    for i, char in enumerate(nine):
        product = int(char) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def swedish(born: date, serial: int, coordination: bool = False) -> str:
    """A personnummer (or samordningsnummer) as YYYYMMDDNNNC."""
    day = born.day + (60 if coordination else 0)
    nine = f"{born.year % 100:02d}{born.month:02d}{day:02d}{serial:03d}"
    return f"{born.year // 100}{nine}{luhn_digit(nine)}"


births = st.dates(min_value=date(1900, 1, 1), max_value=date(2039, 12, 31))
# Text around a number: anything but a digit right next to it.
words = st.text(
    alphabet=st.characters(blacklist_characters="0123456789", blacklist_categories=["Cs"]),
    max_size=40,
)


@st.composite
def norwegian_numbers(draw) -> str:
    number = norwegian(draw(births), draw(st.integers(0, 999)), d_number=draw(st.booleans()))
    assume(number is not None)
    return number


@st.composite
def swedish_numbers(draw) -> str:
    return swedish(draw(births), draw(st.integers(0, 999)), coordination=draw(st.booleans()))


@st.composite
def written_norwegian(draw) -> str:
    number = draw(norwegian_numbers())
    separator = draw(st.sampled_from(["", " ", "-"]))
    return f"{number[:6]}{separator}{number[6:]}"


@st.composite
def written_swedish(draw) -> str:
    number = draw(swedish_numbers())
    separator = draw(st.sampled_from(["", "-", "+", " "]))
    short = draw(st.booleans())
    body = number[2:] if short else number
    return f"{body[:-4]}{separator}{body[-4:]}"


# --- Properties ----------------------------------------------------------------------


@given(written_norwegian(), words, words)
def test_valid_norwegian_numbers_are_refused_anywhere_in_text(number, before, after):
    text = f"{before} {number} {after}"
    assert find_identity_numbers(text)
    with pytest.raises(ValidationError) as refused:
        no_national_identity_number(text)
    assert refused.value.code == "national_identity_number"


@given(written_swedish(), words, words)
def test_valid_swedish_numbers_are_refused_anywhere_in_text(number, before, after):
    text = f"{before}{number}{after}"
    assert find_identity_numbers(text), text
    with pytest.raises(ValidationError):
        no_national_identity_number(text)


@given(norwegian_numbers(), st.integers(9, 10), st.integers(1, 9))
def test_norwegian_number_with_a_wrong_control_digit_passes(number, position, change):
    wrong = number[:position] + str((int(number[position]) + change) % 10) + number[position + 1 :]
    assert not is_norwegian_identity_number(wrong)


@given(swedish_numbers(), st.integers(1, 9))
def test_swedish_number_with_a_wrong_check_digit_passes(number, change):
    wrong = number[:-1] + str((int(number[-1]) + change) % 10)
    assert not is_swedish_identity_number(wrong)
    assert not is_swedish_identity_number(wrong[2:])


@given(st.from_regex(r"[0-9]{11}", fullmatch=True))
def test_random_eleven_digits_pass_unless_they_are_a_valid_number(digits):
    born_ok = norwegian_date_is_plausible(digits)
    checks_ok = _control(digits[:9], NO_K1) == int(digits[9]) and _control(
        digits[:10], NO_K2
    ) == int(digits[10])
    assert is_norwegian_identity_number(digits) == (born_ok and checks_ok)


def norwegian_date_is_plausible(digits: str) -> bool:
    day, month = int(digits[:2]), int(digits[2:4])
    day, month = (day - 40 if day > 40 else day), (month - 40 if month > 40 else month)
    for century in (1800, 1900, 2000):
        try:
            date(century + int(digits[4:6]), month, day)
            return True
        except ValueError:
            continue
    return False


@given(st.from_regex(r"9[0-9]{7}|4[0-9]{7}", fullmatch=True), words)
@example("91234567", "")
def test_norwegian_mobile_numbers_pass(number, before):
    for written in (f"+47 {number}", f"+47{number}", f"{number[:3]} {number[3:5]} {number[5:]}"):
        no_national_identity_number(f"{before} ring {written}")


@given(st.from_regex(r"07[02369][0-9]{7}", fullmatch=True))
def test_swedish_mobile_numbers_pass(number):
    for written in (
        f"{number[:4]}-{number[4:7]} {number[7:]}",
        f"{number[:3]}-{number[3:6]} {number[6:8]} {number[8:]}",
        f"+46 {number[1:3]} {number[3:6]} {number[6:8]} {number[8:]}",
    ):
        no_national_identity_number(f"ring {written}")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), words)
def test_dates_and_times_pass(day, before):
    for written in (
        day.strftime("%d.%m.%Y"),
        day.isoformat(),
        day.strftime("%d%m%Y"),
        day.strftime("%d.%m.%Y kl. 14.30"),
        f"{day:%Y-%m-%d} 14:30",
    ):
        no_national_identity_number(f"{before} {written}")


# --- Examples --------------------------------------------------------------------------

VALID_NO = norwegian(date(1990, 1, 1), 100)  # 01019010046
VALID_SE = "8112289874"


@pytest.mark.parametrize(
    "text",
    [
        f"Pasient med fnr {VALID_NO} falt",
        f"fnr. {VALID_NO[:6]} {VALID_NO[6:]}.",
        f"({VALID_NO[:2]}.{VALID_NO[2:4]}.{VALID_NO[4:6]} {VALID_NO[6:]})",
        f"D-nummer {norwegian(date(1985, 5, 17), 234, d_number=True)}",
        f"personnummer {VALID_SE[:6]}-{VALID_SE[6:]}",
        f"pnr 19{VALID_SE}",
        f"19{VALID_SE[:6]}-{VALID_SE[6:]} ringde",
        f"samordningsnummer {swedish(date(1970, 3, 4), 123, coordination=True)}",
        f"tlf 22 33 44 55, fnr {VALID_NO}",
        f"ABC{VALID_NO}XYZ",
    ],
)
def test_identity_numbers_in_text_are_found(text):
    assert find_identity_numbers(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Ring 915 55 555 eller +47 22 33 44 55",
        "Hendelsen skjedde 01.01.2026 kl. 14.30",
        "Saksnummer 2026/01234",
        "Kontonummer 1234.56.78903",
        f"{VALID_NO[:-1]}{(int(VALID_NO[-1]) + 1) % 10}",
        f"{VALID_SE[:-1]}{(int(VALID_SE[-1]) + 1) % 10}",
        "0701-234 567",
        "12345678901234567890",
        "Dosering 10 mg x 2, 500 mg paracetamol",
        "",
    ],
)
def test_look_alikes_pass(text):
    assert find_identity_numbers(text) == []
    no_national_identity_number(text)


def test_message_explains_how_to_describe_the_person():
    with pytest.raises(ValidationError) as refused:
        no_national_identity_number(VALID_NO)
    message = refused.value.messages[0]
    assert "identity number" in message
    assert "the resident" in message


def test_a_d_number_for_a_date_that_cannot_exist_passes():
    # 31 February with 40 added to the day: the control digits alone would let it through.
    base = "710290"
    for individual in range(1000):
        candidate = f"{base}{individual:03d}"
        k1 = _control(candidate, NO_K1)
        k2 = _control(candidate + str(k1), NO_K2) if k1 is not None else None
        if k1 is not None and k2 is not None:
            assert not is_norwegian_identity_number(f"{candidate}{k1}{k2}")
            return
    pytest.fail("no number with control digits found")


def test_the_youngest_and_oldest_plausible_years_are_caught():
    recent = norwegian(date.today() - timedelta(days=30), 512)
    if recent:
        assert is_norwegian_identity_number(recent)
    assert is_swedish_identity_number(swedish(date(1905, 6, 30), 42))
