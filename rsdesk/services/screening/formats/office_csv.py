"""A list the office keeps itself, as CSV (comma or semicolon separated, UTF-8 or Excel's
Windows-1252).

Columns: ``name`` (required) and optionally ``aliases`` (several separated by ``;`` or ``|``),
``country``, ``identifiers`` (``;``-separated), ``note`` and ``id`` (the office's own reference).
An unknown column is an error, so that a misspelt "alias" column does not silently lose data.
"""

from __future__ import annotations

import re
from typing import Any

from rsdesk.services.screening.formats import ListFormatError, ParsedEntry, ParsedList
from rsdesk.services.screening.formats._text import (
    clean,
    decode,
    first_lines,
    header_cells,
    read_csv,
    split_multi,
)

#: Accepted spellings of each column.
COLUMNS = {
    "name": ("name", "primary name", "organisation", "organization"),
    "aliases": ("aliases", "alias", "other names", "abbreviations"),
    "country": ("country",),
    "identifiers": ("identifiers", "identifier", "ids"),
    "note": ("note", "notes", "remarks", "reason"),
    "id": ("id", "reference", "ref"),
}
KNOWN = {spelling: key for key, spellings in COLUMNS.items() for spelling in spellings}


def detect(data: bytes) -> bool:
    lines = first_lines(data, 1)
    if not lines:
        return False
    cells = header_cells(lines[0])
    return any(KNOWN.get(cell) == "name" for cell in cells)


def parse(data: bytes, file_name: str) -> ParsedList:
    text = decode(data, file_name)
    header, rows = read_csv(text, file_name, required=())
    mapping: dict[str, str] = {}
    for index, cell in enumerate(header, start=1):
        key = KNOWN.get(cell)
        if key is None:
            if not cell:
                raise ListFormatError(f"{file_name}: line 1, column {index}: empty column name")
            raise ListFormatError(
                f"{file_name}: line 1, column {index}: unknown column {cell!r} "
                f"(expected: name, aliases, country, identifiers, note, id)"
            )
        if key in mapping:
            raise ListFormatError(f"{file_name}: line 1, column {index}: {key!r} appears twice")
        mapping[key] = cell
    if "name" not in mapping:
        raise ListFormatError(f"{file_name}: line 1: missing column 'name'")
    entries = []
    for row in rows:

        def value(key: str, row: Any = row) -> str:
            return str(row.get(mapping[key])) if key in mapping else ""

        name = clean(value("name"), 500)
        if not name:
            raise ListFormatError(f"{file_name}: line {row.number}, column 'name': empty")
        identifiers = split_multi(value("identifiers"))
        entries.append(
            ParsedEntry(
                primary_name=name,
                aliases=tuple(a for a in split_multi(value("aliases"), ";|") if a != name),
                external_id=clean(value("id"), 120),
                kind="organisation",
                country=clean(value("country"), 120),
                identifiers={"ids": list(identifiers)} if identifiers else {},
                note=clean(value("note"), 4000),
            )
        )
    stem = list_stem(file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    key = _slug(stem)
    key = key if key.startswith("office") else f"office-{key}"
    # "Office Watchlist" names itself; "partners" needs the kind ("Office list partners").
    name = stem if "list" in stem.lower() else f"Office list {stem}"
    return ParsedList("office-csv", key, name, tuple(entries))


#: Words at the end of a file name that date or number a version of the same list.
_VERSION_WORD = re.compile(
    r"\d+|v\d+|version|ver|rev\d*|q[1-4]|h[12]|final|draft|new|updated|update|latest|copy|"
    r"jan|january|januar|feb|february|februar|mar|march|marz|maerz|apr|april|may|mai|jun|june|"
    r"juni|jul|july|juli|aug|august|sep|sept|september|oct|october|okt|oktober|nov|november|"
    r"dec|december|dez|dezember|spring|summer|autumn|fall|winter",
    re.IGNORECASE,
)
_STEM_WORD = re.compile(r"[^\W_]+")


def list_stem(stem: str) -> str:
    """The file name without its trailing date or version words, which name the list.

    "named-organisations-2026-11", "Watchlist (March)", "watchlist_v2" and "Watchlist Jan 2026
    final" are newer versions of "named-organisations", "Watchlist" and "watchlist", not new
    lists. A name made only of such words is kept as it is.
    """
    words = list(_STEM_WORD.finditer(stem))
    kept = len(words)
    while kept and _VERSION_WORD.fullmatch(words[kept - 1].group().replace("ä", "a")):
        kept -= 1
    if kept == 0 or kept == len(words):
        return stem
    return stem[: words[kept - 1].end()]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:60] or "list"
