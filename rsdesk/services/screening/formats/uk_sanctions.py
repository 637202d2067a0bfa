"""The UK consolidated list of financial sanctions targets, CSV.

Two generations of the file are read:

- OFSI's ``ConList.csv``: a first line ``Last Updated,<date>``, then the header ``Name 6, Name 1,
  ..., Name 5, Title, Name Non-Latin Script, ..., Country, Other Information, Group Type,
  Alias Type, ..., Regime, Listed On, ..., Group ID``; one row per name, rows of one target share
  ``Group ID`` and ``Alias Type`` says "Primary name" or "AKA".
- The FCDO UK Sanctions List CSV that replaced it: ``Unique ID``, ``Name 6``, ``Name 1`` ...
  ``Name 5``, ``Name type`` ("Primary Name" / "Alias"), ``Name non-latin script``,
  ``Regime Name``, ``Individual, Entity, Ship``, ...

For people ``Name 1``..``Name 5`` are forenames and ``Name 6`` the surname; for entities the
whole name is in ``Name 6``.
"""

from __future__ import annotations

from typing import Any

from rsdesk.services.screening.formats import ListFormatError, ParsedEntry, ParsedList
from rsdesk.services.screening.formats._text import Row, clean, decode, first_lines, read_csv


def detect(data: bytes) -> bool:
    return any("name 6" in line.lower() for line in first_lines(data, 4))


def _first(row: Row, *columns: str) -> str:
    for column in columns:
        value = row.get(column)
        if value:
            return value
    return ""


def parse(data: bytes, file_name: str) -> ParsedList:
    header, rows = read_csv(
        decode(data, file_name), file_name, required=("Name 6",), header_row_hint="Name 6"
    )
    id_column = next((c for c in ("group id", "unique id", "ofsi group id") if c in header), None)
    if id_column is None:
        raise ListFormatError(f"{file_name}: missing column 'Group ID' (or 'Unique ID')")
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group_id = row.get(id_column)
        if not group_id:
            raise ListFormatError(f"{file_name}: line {row.number}, column {id_column!r}: empty")
        forenames = [row.get(f"name {n}") for n in range(1, 6)]
        name = " ".join(part for part in [*forenames, row.get("name 6")] if part)
        name = " ".join(name.split())
        if not name:
            raise ListFormatError(f"{file_name}: line {row.number}, column 'Name 6': empty")
        group = groups.setdefault(
            group_id,
            {
                "primary": None,
                "names": [],
                "kind": None,
                "regime": None,
                "country": None,
                "identifiers": {},
                "note": None,
            },
        )
        alias_type = _first(row, "alias type", "name type").lower()
        if alias_type.startswith("primary") and group["primary"] is None:
            group["primary"] = name
        if name not in group["names"]:
            group["names"].append(name)
        non_latin = _first(row, "name non-latin script")
        if non_latin and non_latin not in group["names"]:
            group["names"].append(" ".join(non_latin.split()))
        group["kind"] = (
            group["kind"] or _first(row, "group type", "individual, entity, ship").lower()
        )
        group["regime"] = group["regime"] or _first(row, "regime", "regime name")
        group["country"] = group["country"] or _first(row, "country", "address country")
        registration = _first(
            row, "business registration number (s)", "business registration number"
        )
        if registration:
            group["identifiers"].setdefault("registration", registration)
        group["note"] = group["note"] or _first(row, "other information")
    entries = []
    for group_id, group in groups.items():
        primary = group["primary"] or group["names"][0]
        entries.append(
            ParsedEntry(
                primary_name=primary[:500],
                aliases=tuple(n for n in group["names"] if n != primary),
                external_id=clean(group_id, 120),
                kind=clean(group["kind"], 40),
                programme=clean(group["regime"], 300),
                country=clean(group["country"], 120),
                identifiers=group["identifiers"],
                note=clean(group["note"], 4000),
            )
        )
    return ParsedList("uk-sanctions", "uk-sanctions", "UK sanctions list", tuple(entries))
