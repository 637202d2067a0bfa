"""Turning what a spreadsheet cell holds into a typed value, or a reason why not.

Every parser returns the value or raises :class:`Invalid` with a short reason that the plan shows
next to the row and column. Dates are European or ISO, never US (``03/04/2025`` is 3 April).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any


class Invalid(ValueError):
    """A cell that cannot become the field's type; the message is the reason."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any, max_length: int | None = None) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.isoformat(sep=" ", timespec="minutes")
    elif isinstance(value, dt.date):
        value = value.isoformat()
    result = without_controls(str(value)).strip()
    if max_length is not None and len(result) > max_length:
        raise Invalid(f"longer than {max_length} characters ({len(result)})")
    return result


def without_controls(value: str) -> str:
    """``value`` without the control characters a workbook cannot hold, which the export drops
    (``safe.ILLEGAL_CHARACTERS``): kept, a value pasted from a terminal or a web page came back
    from every round trip as a change. ``isprintable`` first: it is quick and nearly always true.
    """
    if value.isprintable():
        return value
    from rsdesk.services.reports.xlsx.safe import ILLEGAL_CHARACTERS

    return ILLEGAL_CHARACTERS.sub("", value)


#: Excel serial numbers that are plausible dates (1900-01-01 .. 9999-12-31).
_SERIAL_RANGE = (1, 2_958_465)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Whole numbers read as a year someone typed alone, not as an Excel serial (1902-1908).
_YEARS = (1000, 2999)
#: The earliest date Excel holds, and the earliest an import accepts.
EARLIEST_DATE = dt.date(1900, 1, 1)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_EUROPEAN = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")


def date(value: Any) -> dt.date | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return _from_1900(value.date())
    if isinstance(value, dt.date):
        return _from_1900(value)
    if isinstance(value, bool):
        raise Invalid(f"{value!r} is not a date")
    if isinstance(value, int | float):
        if not float(value).is_integer() or not _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            raise Invalid(f"{value!r} is not a date")
        serial = int(value)
        if _YEARS[0] <= serial <= _YEARS[1]:
            # As a serial this is a day in 1902-1908; far likelier someone typed only the year.
            raise Invalid(f"{serial} looks like a year, not a date (give the full date)")
        # Excel counts the non-existent 1900-02-29 (serial 60).
        return _EXCEL_EPOCH + dt.timedelta(days=serial if serial > 60 else serial + 1)
    raw = str(value).strip()
    parts: tuple[str, str, str] | None = None
    if match := _ISO.match(raw) or _YMD_SLASH.match(raw):
        parts = (match.group(1), match.group(2), match.group(3))
    elif match := _EUROPEAN.match(raw):
        parts = (match.group(3), match.group(2), match.group(1))
    elif raw.isdigit() and len(raw) <= 7:
        return date(int(raw))
    if parts is None:
        raise Invalid(f"{raw!r} is not a date (use YYYY-MM-DD or DD.MM.YYYY)")
    try:
        parsed = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise Invalid(f"{raw!r} is not a valid date") from None
    return _from_1900(parsed)


def _from_1900(value: dt.date) -> dt.date:
    """Refuses dates before 1900: Excel cannot hold them (an export would write a negative
    serial that the next import refuses), and in these registers they are typing errors."""
    if value < EARLIEST_DATE:
        raise Invalid(f"{value.isoformat()} is before {EARLIEST_DATE.isoformat()}; check the year")
    return value


#: Amounts are in euro: the euro sign and its names are dropped, any other currency refused.
_EURO = re.compile(r"(?i)(?<![a-z])(eur|euro|euros)(?![a-z])|€")
_OTHER_CURRENCY = re.compile(
    r"(?i)(?<![a-z])(usd|us\$|gbp|chf|jpy|cny|rmb|cad|aud|nzd|sek|nok|dkk|pln|czk|huf|inr|krw|"
    r"rub|brl|zar|hkd|sgd|try|ils|mxn|dollars?|pounds?|yen|yuan|francs?)(?![a-z])"
)


def number(value: Any) -> Decimal | None:
    """A number written with either decimal mark and optional thousands separators.

    ``1.234,56`` and ``1,234.56`` are both 1234.56; with a single separator followed by exactly
    three digits (``1.234``, ``1,234``) it is read as a thousands separator.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise Invalid(f"{value!r} is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Invalid(f"{value!r} is not a number")
        return Decimal(repr(value))
    if isinstance(value, dt.date):
        raise Invalid(f"{value.isoformat()} is a date, not a number")
    raw = str(value).strip()
    other = _OTHER_CURRENCY.search(raw)
    sign = next((char for char in raw if unicodedata.category(char) == "Sc" and char != "€"), None)
    if other or sign:
        found = other.group(0) if other else sign
        raise Invalid(f"{raw!r} is in another currency ({found}); amounts are in euro")
    cleaned = _EURO.sub("", raw)
    cleaned = re.sub(r"[\s\u00a0\u202f'’_]", "", cleaned)
    negative = cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")"))
    cleaned = cleaned.strip("-+()")
    if not cleaned or not re.fullmatch(r"[0-9.,]+", cleaned) or not cleaned[0].isdigit():
        raise Invalid(f"{raw!r} is not a number")
    dots, commas = cleaned.count("."), cleaned.count(",")
    if dots and commas:
        decimal_mark = "." if cleaned.rfind(".") > cleaned.rfind(",") else ","
    elif dots + commas == 0:
        decimal_mark = None
    else:
        mark = "." if dots else ","
        head, _, tail = cleaned.rpartition(mark)
        decimal_mark = None if (dots + commas > 1 or len(tail) == 3) else mark
    thousands = {".", ","} - ({decimal_mark} if decimal_mark else set())
    if decimal_mark and cleaned.count(decimal_mark) > 1:
        raise Invalid(f"{raw!r} is not a number")
    body = cleaned
    for separator in thousands:
        groups = body.split(separator)
        if len(groups) > 1 and (
            any(len(g.split(decimal_mark or "#")[0]) != 3 for g in groups[1:])
            or not groups[0]
            or len(groups[0]) > 3
        ):
            raise Invalid(f"{raw!r} is not a number (check the thousands separators)")
        body = body.replace(separator, "")
    if decimal_mark:
        body = body.replace(decimal_mark, ".")
    try:
        result = Decimal(body)
    except InvalidOperation:
        raise Invalid(f"{raw!r} is not a number") from None
    return -result if negative else result


def whole_number(value: Any, minimum: int | None = None, maximum: int | None = None) -> int | None:
    result = number(value)
    if result is None:
        return None
    if result != result.to_integral_value():
        raise Invalid(f"{value!r} is not a whole number")
    if minimum is not None and result < minimum:
        raise Invalid(f"{value!r} is below {minimum}")
    if maximum is not None and result > maximum:
        raise Invalid(f"{value!r} is above the largest that can be stored ({maximum:,})")
    if abs(result) > 2**62:
        raise Invalid(f"{value!r} is too large")
    return int(result)


_TRUE = {"yes", "y", "true", "1", "x", "ja", "j", "oui", "si", "sí", "wahr", "vrai", "✓"}
_FALSE = {"no", "n", "false", "0", "nein", "non", "falsch", "faux", "-"}


def boolean(value: Any) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    raw = str(value).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise Invalid(f"{value!r} is not yes or no")


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=65_536)
def normalise(text: str) -> str:
    """The key two spellings of one header, choice or name share: case, spacing, punctuation
    and the accents of Latin letters do not count ("Universität Córdoba" is "universitatcordoba").

    Letters of other scripts stay themselves, case-folded: transliterated, different Chinese or
    Japanese names read alike (北京大学 and 背景大学 both became "beijingdaxue", and an import
    renamed one partner after the other); screening, which wants such near misses, transliterates
    on its own. A name of punctuation only keeps its text, so "???" and "!!!" stay apart.
    Cached: the same department, person and enum label come back on thousands of rows.
    """
    if text.isascii():
        key = _NOT_ALNUM.sub("", text.lower())
    else:
        key = "".join(_folded(char) for char in unicodedata.normalize("NFKC", text).casefold())
    return key or text.strip().casefold()


@functools.lru_cache(maxsize=4096)
def _folded(char: str) -> str:
    """One character of a key: ASCII letters and digits as they are, a Latin letter with its
    accents taken off (ß is ss, ø is o), a letter or digit of another script as itself."""
    if char.isascii():
        return char if char.isalnum() else ""
    if not char.isalnum():
        return ""
    if "LATIN" in unicodedata.name(char, ""):
        from anyascii import anyascii

        return _NOT_ALNUM.sub("", anyascii(char).lower())
    return char


@functools.lru_cache(maxsize=256)
def _choice_index(choices: tuple[str, ...]) -> dict[str, str]:
    return {normalise(option): option for option in choices}


def choice(
    value: Any, choices: Sequence[str], synonyms: dict[str, str] | None = None
) -> str | None:
    """One of ``choices`` (enum values), given as the value or its label in any case."""
    if is_blank(value):
        return None
    key = normalise(str(value))
    found = _choice_index(tuple(choices)).get(key)
    if found is not None:
        return found
    if synonyms and key in synonyms:
        return synonyms[key]
    from rsdesk.services.reports.xlsx.styles import label

    allowed = ", ".join(label(c) for c in choices)
    raise Invalid(f"{str(value).strip()!r} is not one of: {allowed}")
