"""Where in the edited TOML a rules error points: the validators name a rule by its position
("Onboarding rule 3 (interests_declaration): ..."), which in a long file with comments is hard
to find; the editor shows the line of that rule's ``[[check]]`` or ``[[course]]`` header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The message prefix of each validator -> the array of tables its rules are written as.
_NUMBERED_RULE = re.compile(r"^(Onboarding rule|Training course) (\d+)\b")
_TABLE_OF = {"Onboarding rule": "check", "Training course": "course"}
#: tomllib's own position, e.g. "Invalid value (at line 12, column 16)".
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class ErrorLine:
    """The 1-based line an error points at, and which text it is in."""

    #: "rules" (onboarding checks) or "catalogue" (training courses).
    text: str
    line: int


def header_line(text: str, table: str, number: int) -> int | None:
    """The 1-based line of the ``number``-th ``[[table]]`` header in ``text``, if there is one."""
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
    seen = 0
    for line_number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            seen += 1
            if seen == number:
                return line_number
    return None


def error_line(message: str, rules_text: str, catalogue_text: str) -> ErrorLine | None:
    """The line ``message`` (a rules or catalogue ``ValidationError``) is about, when it can be
    found: the rule's header for a numbered rule, tomllib's line for a syntax error."""
    if message.startswith("Onboarding rules") or message.startswith("Training catalogue"):
        which = "rules" if message.startswith("Onboarding rules") else "catalogue"
        position = _TOML_POSITION.search(message)
        return ErrorLine(which, int(position.group(1))) if position else None
    numbered = _NUMBERED_RULE.match(message)
    if numbered is None:
        return None
    prefix, number = numbered.group(1), int(numbered.group(2))
    which = "rules" if prefix == "Onboarding rule" else "catalogue"
    text = rules_text if which == "rules" else catalogue_text
    line = header_line(text, _TABLE_OF[prefix], number)
    return ErrorLine(which, line) if line is not None else None
