"""Counts read as English: "1 question", "16 questions", never "16 question(s)"."""

from __future__ import annotations

import pytest

from rsdesk.services.wording import counted


@pytest.mark.parametrize(
    ("number", "noun", "plural", "expected"),
    [
        (1, "question", None, "1 question"),
        (0, "question", None, "0 questions"),
        (16, "question", None, "16 questions"),
        (2, "person", "people", "2 people"),
        (1, "person", "people", "1 person"),
        (12345, "safeguard", None, "12,345 safeguards"),
    ],
)
def test_counted(number, noun, plural, expected) -> None:
    assert counted(number, noun, plural) == expected
