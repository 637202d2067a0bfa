"""User text is always text: nothing typed by a user may become a formula in an exported workbook.

openpyxl decides a cell's type from its value (``Cell._bind_value``): a ``str`` that starts with
``=`` becomes a formula (``data_type = "f"``). Excel itself evaluates nothing stored as a string,
but a string beginning with ``=``, ``+``, ``-`` or ``@`` turns into a formula the moment somebody
edits the cell and presses Enter, and a CSV copy of the sheet would evaluate it outright (CSV/DDE
injection). So every text value is written with ``data_type = "s"`` set explicitly, and the risky
ones additionally carry the ``quotePrefix`` style flag, the xlsx form of the leading apostrophe:
Excel shows and keeps the value as literal text even after editing.

Real numbers, booleans and dates are passed through unchanged: they stay numbers and dates.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: First characters that make spreadsheet programs treat text as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Characters XML 1.0 cannot carry (openpyxl raises IllegalCharacterError on them).
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Excel's limit for the text of one cell.
MAX_CELL_TEXT = 32_767


def clean_text(value: Any) -> str:
    """``value`` as text that fits in a cell: illegal characters removed, cut to Excel's limit."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, dict | list):
        # A JSON document (an audit entry's changes) as JSON, not as Python's repr of it.
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    if ILLEGAL_CHARACTERS.search(text):
        text = ILLEGAL_CHARACTERS.sub("", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "\u2026"
    return text


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet program could take ``text`` for a formula."""
    return text.startswith(FORMULA_PREFIXES)


def text_cell(worksheet: Any, value: Any, style: Any = None) -> Any:
    """A write-only cell holding ``value`` as literal text, whatever it starts with.

    ``style`` is an optional openpyxl ``NamedStyle`` name or None.
    """
    from openpyxl.cell import WriteOnlyCell

    text = clean_text(value)
    cell = WriteOnlyCell(worksheet)
    # Assign through _value and set the type ourselves: assigning .value would make a text
    # starting with "=" a formula.
    cell._value = text
    cell.data_type = "s"
    if style is not None:
        cell.style = style
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def set_text(cell: Any, value: Any) -> None:
    """Put ``value`` as literal text into an ordinary (not write-only) openpyxl cell."""
    text = clean_text(value)
    cell._value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
