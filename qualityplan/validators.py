"""Keep national identity numbers out of free text.

Free text is read by many people and sent around in reports; a patient or
user is described, never identified. These checks find a Norwegian
fødselsnummer or D-number (11 digits with both mod-11 control digits right)
and a Swedish personnummer or samordningsnummer (10 or 12 digits with the
Luhn check digit right) anywhere in a text. Both also need a date that can
exist, which keeps phone numbers and other digit strings from being refused.
"""

from __future__ import annotations

import re
from calendar import monthrange

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A candidate starts where no digit stands before it and ends where none follows.
# The lookahead lets candidates overlap, so a number right after another is found too.
# Norwegian: DDMMYY (dots allowed, as in a written date), an optional space, hyphen or
# dot, then the five-digit personal number.
_NORWEGIAN = re.compile(r"(?<![0-9])(?=([0-9]{2}\.?[0-9]{2}\.?[0-9]{2}[ .\-]?[0-9]{5})(?![0-9]))")
# Swedish: YYMMDD or YYYYMMDD, an optional '-', '+' or space, then four digits.
_SWEDISH = re.compile(r"(?<![0-9])(?=((?:[0-9]{2})?[0-9]{6}[-+ ]?[0-9]{4})(?![0-9]))")

_NO_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_NO_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

IDENTITY_NUMBER_MESSAGE = _(
    "This looks like a national identity number (fødselsnummer, D-number or personnummer). "
    "Do not write anything here that identifies a person. Describe them by their role "
    "instead, for example “the resident”, “a user of the home care service” or “a next of kin”."
)


def _date_can_exist(day: int, month: int, years: tuple[int, ...]) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    return any(day <= monthrange(year, month)[1] for year in years)


def _mod11_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    rest = 11 - sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    if rest == 11:
        return 0
    return None if rest == 10 else rest


def is_norwegian_identity_number(digits: str) -> bool:
    """A fødselsnummer, D-number (day + 40) or H-number (month + 40), 11 digits."""
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        return False
    numbers = [int(d) for d in digits]
    if _mod11_digit(numbers[:9], _NO_WEIGHTS_1) != numbers[9]:
        return False
    if _mod11_digit(numbers[:10], _NO_WEIGHTS_2) != numbers[10]:
        return False
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    if day > 40:
        day -= 40
    if month > 40:
        month -= 40
    return _date_can_exist(day, month, (1800 + year, 1900 + year, 2000 + year))


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def is_swedish_identity_number(digits: str) -> bool:
    """A personnummer or samordningsnummer (day + 60), 10 digits or 12 with the century."""
    if len(digits) not in (10, 12) or not digits.isascii() or not digits.isdigit():
        return False
    if len(digits) == 12:
        century, digits = int(digits[:2]), digits[2:]
        if century not in (18, 19, 20):
            return False
        years = (century * 100 + int(digits[:2]),)
    else:
        years = tuple(base + int(digits[:2]) for base in (1800, 1900, 2000))
    if not _luhn_valid(digits):
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    if day > 60:
        day -= 60
    return _date_can_exist(day, month, years)


def find_identity_numbers(text: str) -> list[str]:
    """The national identity numbers in `text`, as they were written."""
    if not text:
        return []
    found = []
    for pattern, check in (
        (_NORWEGIAN, is_norwegian_identity_number),
        (_SWEDISH, is_swedish_identity_number),
    ):
        for match in pattern.finditer(text):
            written = match.group(1)
            if check(re.sub(r"[^0-9]", "", written)):
                found.append(written)
    return found


def no_national_identity_number(value: str) -> None:
    """Model and form field validator: refuse text that carries an identity number."""
    if find_identity_numbers(value):
        raise ValidationError(IDENTITY_NUMBER_MESSAGE, code="national_identity_number")
