"""Cell values to typed values: the European and ISO date forms, Excel serials, both decimal marks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rsdesk.services.importers import coerce


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-12-31", dt.date(2024, 12, 31)),
        ("2024-12-31T10:30", dt.date(2024, 12, 31)),
        ("31.12.2024", dt.date(2024, 12, 31)),
        ("31/12/2024", dt.date(2024, 12, 31)),
        ("3/4/2025", dt.date(2025, 4, 3)),
        ("1-2-2024", dt.date(2024, 2, 1)),
        ("2024/02/01", dt.date(2024, 2, 1)),
        (45657, dt.date(2024, 12, 31)),
        (45657.0, dt.date(2024, 12, 31)),
        ("45657", dt.date(2024, 12, 31)),
        (61, dt.date(1900, 3, 1)),
        (dt.datetime(2024, 5, 6, 7, 8), dt.date(2024, 5, 6)),
        ("", None),
        (None, None),
    ],
)
def test_dates(raw: object, expected: dt.date | None) -> None:
    assert coerce.date(raw) == expected


@pytest.mark.parametrize(
    "raw", ["31.02.2024", "12/25/2024", "next week", "2024-13-01", -5, 1.5, True]
)
def test_bad_dates_give_a_reason(raw: object) -> None:
    with pytest.raises(coerce.Invalid, match="date"):
        coerce.date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("1 234 567", Decimal("1234567")),
        ("1.234.567", Decimal("1234567")),
        ("1'234'567.5", Decimal("1234567.5")),
        ("€ 1.000", Decimal("1000")),
        ("1000 EUR", Decimal("1000")),
        ("12,5", Decimal("12.5")),
        ("0.25", Decimal("0.25")),
        ("-3", Decimal("-3")),
        ("(3)", Decimal("-3")),
        (2500.0, Decimal("2500.0")),
        (7, Decimal(7)),
    ],
)
def test_numbers_with_either_decimal_mark(raw: object, expected: Decimal) -> None:
    assert coerce.number(raw) == expected


@pytest.mark.parametrize("raw", ["1,2,3.4.5", "12a", "1.23.4", "abc", "1,23,456", "..", "€"])
def test_bad_numbers_give_a_reason(raw: str) -> None:
    with pytest.raises(coerce.Invalid, match="number"):
        coerce.number(raw)


def test_whole_numbers_refuse_fractions_and_negatives() -> None:
    assert coerce.whole_number("250.000", minimum=0) == 250_000
    with pytest.raises(coerce.Invalid, match="whole"):
        coerce.whole_number("12,5", minimum=0)
    with pytest.raises(coerce.Invalid, match="below 0"):
        coerce.whole_number("-1", minimum=0)


def test_choices_accept_values_labels_and_synonyms() -> None:
    choices = ("approved_with_conditions", "active")
    assert coerce.choice("Approved with conditions", choices) == "approved_with_conditions"
    assert coerce.choice("APPROVED-WITH-CONDITIONS", choices) == "approved_with_conditions"
    assert coerce.choice("running", choices, {"running": "active"}) == "active"
    with pytest.raises(coerce.Invalid, match="Approved with conditions, Active"):
        coerce.choice("maybe", choices)


def test_booleans() -> None:
    assert coerce.boolean("Ja") is True
    assert coerce.boolean("no") is False
    assert coerce.boolean(1.0) is True
    with pytest.raises(coerce.Invalid):
        coerce.boolean("perhaps")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Universität Córdoba", "universitat  cordoba"),
        ("Straße", "STRASSE"),
        ("Tromsø", "Tromso"),
        ("Đà Nẵng", "da nang"),
        ("Новосибирск", "НОВОСИБИРСК"),
        ("ＡＢＣ Labs", "abc-labs"),
    ],
)
def test_spellings_of_one_name_share_a_key(one: str, other: str) -> None:
    assert coerce.normalise(one) == coerce.normalise(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("北京大学", "背景大学"),  # read alike (beijing daxue), different names
        ("神戸北製薬株式会社", "申戸北製薬株式会社"),
        ("???", "!!!"),
    ],
)
def test_different_names_keep_different_keys(one: str, other: str) -> None:
    assert coerce.normalise(one) != coerce.normalise(other)


def test_control_characters_the_export_drops_are_dropped_on_import_too() -> None:
    assert coerce.text("Quantum\x07 sensing\x1b") == "Quantum sensing"
    assert coerce.text("two\nlines\tand a tab") == "two\nlines\tand a tab"
