"""Counts in words: "1 question", "16 questions" rather than "16 question(s)", in messages the
user reads (the interface is English; a translation would bring Qt's plural forms)."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` with ``noun`` in the singular or plural ("1 safeguard", "3 safeguards")."""
    word = noun if number == 1 else plural or noun + "s"
    return f"{number:,} {word}"
