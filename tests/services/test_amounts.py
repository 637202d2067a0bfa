"""Whole-euro amounts as people type them, and the largest funding a record can hold."""

from __future__ import annotations

import dataclasses

import pytest

from rsdesk.db import Database
from rsdesk.services import collaborations
from rsdesk.services.amounts import parse_whole_euros
from rsdesk.services.collaborations import MAX_FUNDING_EUR, CollaborationInput
from rsdesk.services.errors import ValidationError


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1.234.567", 1_234_567),
        ("1,234,567", 1_234_567),
        ("1 234 567", 1_234_567),
        ("1\u202f234\u00a0567", 1_234_567),
        ("1'234'567", 1_234_567),
        ("250000", 250_000),
        ("250.000", 250_000),
        ("250.000,00", 250_000),
        ("250,000.00", 250_000),
        ("€ 250.000", 250_000),
        ("250000 EUR", 250_000),
        ("-5", -5),
        ("  ", None),
    ],
)
def test_amounts_are_read_as_written(typed: str, value: int | None) -> None:
    assert parse_whole_euros(typed, "funding_amount_eur", "Funding amount") == value


@pytest.mark.parametrize(
    "typed",
    [
        "250000.50",  # cents
        "1,5",
        "1.234,567",  # two kinds of separator, neither a decimal part
        "1,234.567",
        "12.34",
        "1.234.00",  # the decimal mark is also the thousands separator
        "1,2,3",  # not groups of three
        "12 34",
        "$ 5000",
        "5000 USD",
        "²",
        "1e6",
    ],
)
def test_fractions_and_unclear_amounts_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_whole_euros(typed, "funding_amount_eur", "Funding amount")
    assert refused.value.field == "funding_amount_eur"
    assert str(refused.value) == "Funding amount must be a whole number of euros."


def test_funding_beyond_the_column_is_refused_not_crashed(any_db: Database) -> None:
    data = CollaborationInput(title="Large", kind="joint_research")
    with any_db.unit_of_work() as session:
        largest = collaborations.create(
            session, dataclasses.replace(data, funding_amount_eur=MAX_FUNDING_EUR)
        )
    assert largest.funding_amount_eur == MAX_FUNDING_EUR
    with pytest.raises(ValidationError) as refused, any_db.unit_of_work() as session:
        collaborations.create(
            session, dataclasses.replace(data, funding_amount_eur=MAX_FUNDING_EUR + 1)
        )
    assert refused.value.field == "funding_amount_eur"
