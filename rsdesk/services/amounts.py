"""Reading an amount of whole euros typed into a form.

Offices write amounts the way their locale does: ``1.234.567``, ``1,234,567``, ``1 234 567``,
``250.000,00``. Each of these is read as written. An amount with a real fractional part
(``250000.50``, ``1,5``) is refused rather than rounded, and so is anything whose separators do not
say one clear thing (``1.234,567``, ``12.34``, ``1,2,3``): a wrong guess would store an amount off
by a factor of a hundred or a thousand without a word.
"""

from __future__ import annotations

import re

from rsdesk.services.errors import ValidationError

#: Spaces a locale or a paste may use between groups of digits.
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_EURO = re.compile(r"^(?:€|eur\b)\s*|\s*(?:€|eur)$", re.IGNORECASE)
#: Digits grouped in threes by one separator, or not grouped at all.
_GROUPED = {
    separator: re.compile(rf"\d{{1,3}}(?:{re.escape(separator)}\d{{3}})+", re.ASCII)
    for separator in (".", ",", " ", "'", "’")
}
#: A decimal part: a mark then one or two digits (cents) at the very end.
_DECIMAL_TAIL = re.compile(r"^(?P<whole>.+?)(?P<mark>[.,])(?P<cents>\d{1,2})$", re.ASCII)


def parse_whole_euros(text: str, field: str, label: str) -> int | None:
    """``text`` as a whole number of euros (None when blank); ValidationError naming ``field``.

    A negative amount is returned as such: whether it is allowed is the record's rule.
    """
    refused = ValidationError(f"{label} must be a whole number of euros.", field)
    cleaned = _SPACES.sub(" ", text).strip()
    cleaned = _EURO.sub("", cleaned).strip()
    if not cleaned:
        return None
    negative = cleaned.startswith("-")
    if negative:
        cleaned = cleaned[1:].strip()
    whole, decimal_mark = cleaned, None
    tail = _DECIMAL_TAIL.match(cleaned)
    if tail is not None:
        if int(tail["cents"]) != 0:
            raise refused
        whole, decimal_mark = tail["whole"], tail["mark"]
    digits = _whole_digits(whole, decimal_mark)
    if digits is None:
        raise refused
    value = int(digits)
    return -value if negative else value


def _whole_digits(whole: str, decimal_mark: str | None) -> str | None:
    """The digits of ``whole`` if it is plain or grouped in threes by one separator only, and that
    separator is not also the decimal mark; None otherwise."""
    if whole.isascii() and whole.isdigit():
        return whole
    for separator, pattern in _GROUPED.items():
        if separator != decimal_mark and pattern.fullmatch(whole):
            return whole.replace(separator, "")
    return None
