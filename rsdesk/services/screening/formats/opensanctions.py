"""OpenSanctions exports: the simple targets CSV and FollowTheMoney JSON lines.

``targets.simple.csv`` columns (multi-valued cells separated by ``;``)::

    id, schema, name, aliases, birth_date, countries, addresses, identifiers, sanctions,
    phones, emails, program_ids, dataset, first_seen, last_seen, last_change

``entities.ftm.json``: one JSON object per line, ``{"id", "schema", "properties": {"name": [..],
"alias": [..], "country": [..], ...}, "datasets": [..], "target": true, ...}``. Only legal
entities (people, organisations, companies, public bodies) that are targets are kept; the
helper entities of the graph (sanctions, addresses, ownerships) are skipped.
"""

from __future__ import annotations

import json
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

CSV_REQUIRED = ("id", "schema", "name", "aliases")
ENTITY_SCHEMATA = {"Person", "Organization", "Company", "LegalEntity", "PublicBody"}
NAME_PROPERTIES = ("name", "alias", "previousName", "abbreviation")
IDENTIFIER_PROPERTIES = (
    "registrationNumber",
    "taxNumber",
    "innCode",
    "ogrnCode",
    "leiCode",
    "swiftBic",
    "idNumber",
    "imoNumber",
)
COUNTRY_PROPERTIES = ("country", "jurisdiction", "mainCountry", "nationality")
MAX_LINE_CHARS = 10_000_000


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:60] or "default"


def detect_csv(data: bytes) -> bool:
    lines = first_lines(data, 1)
    return bool(lines) and set(CSV_REQUIRED) | {"dataset"} <= set(header_cells(lines[0]))


def detect(data: bytes) -> bool:
    """FollowTheMoney JSON lines: the first line is an object with schema and properties."""
    lines = first_lines(data, 1)
    if not lines or not lines[0].startswith("{"):
        return False
    return '"schema"' in lines[0] and '"properties"' in lines[0]


def parse_csv(data: bytes, file_name: str) -> ParsedList:
    _header, rows = read_csv(decode(data, file_name), file_name, required=CSV_REQUIRED)
    entries = []
    datasets: set[str] = set()
    for row in rows:
        name = clean(row.get("name"), 500)
        if not name:
            raise ListFormatError(f"{file_name}: line {row.number}, column 'name': empty")
        if not row.get("id"):
            raise ListFormatError(f"{file_name}: line {row.number}, column 'id': empty")
        if row.get("dataset"):
            datasets.add(row.get("dataset"))
        identifiers: dict[str, Any] = {}
        ids = split_multi(row.get("identifiers"))
        if ids:
            identifiers["ids"] = list(ids)
        entries.append(
            ParsedEntry(
                primary_name=name,
                aliases=tuple(a for a in split_multi(row.get("aliases")) if a != name),
                external_id=clean(row.get("id"), 120),
                kind=clean(row.get("schema"), 40),
                programme=clean(row.get("program_ids") or row.get("sanctions"), 300),
                country=clean(row.get("countries"), 120),
                identifiers=identifiers,
                note=clean(row.get("sanctions"), 4000),
            )
        )
    dataset = ", ".join(sorted(datasets)) if len(datasets) <= 3 else "several datasets"
    return ParsedList(
        "opensanctions-csv",
        f"opensanctions-{_slug(next(iter(datasets)))}" if len(datasets) == 1 else "opensanctions",
        f"OpenSanctions {dataset or 'targets'}",
        tuple(entries),
    )


def _strings(properties: dict[str, Any], key: str, where: str) -> list[str]:
    values = properties.get(key, [])
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ListFormatError(f"{where}, property {key!r}: not a list of strings")
    return [" ".join(v.split()) for v in values if v.strip()]


def parse(data: bytes, file_name: str) -> ParsedList:
    """FollowTheMoney JSON lines."""
    text = decode(data, file_name)
    entries = []
    datasets: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{file_name}: line {number}"
        if len(line) > MAX_LINE_CHARS:
            raise ListFormatError(f"{where}: the line is too long")
        try:
            entity = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            column = getattr(exc, "colno", 0)
            raise ListFormatError(f"{where}, column {column}: not valid JSON") from exc
        if not isinstance(entity, dict):
            raise ListFormatError(f"{where}: not a JSON object")
        schema = entity.get("schema")
        properties = entity.get("properties")
        if not isinstance(schema, str) or not isinstance(properties, dict):
            raise ListFormatError(f"{where}: missing 'schema' or 'properties'")
        if schema not in ENTITY_SCHEMATA or entity.get("target") is False:
            continue
        entity_id = entity.get("id")
        if not isinstance(entity_id, str) or not entity_id:
            raise ListFormatError(f"{where}, field 'id': missing")
        names: list[str] = []
        for key in NAME_PROPERTIES:
            for value in _strings(properties, key, where):
                if value not in names:
                    names.append(value)
        caption = entity.get("caption")
        if isinstance(caption, str) and caption.strip() and caption.strip() not in names:
            names.insert(0, " ".join(caption.split()))
        if not names:
            raise ListFormatError(f"{where}, property 'name': missing")
        identifiers: dict[str, Any] = {}
        for key in IDENTIFIER_PROPERTIES:
            values = _strings(properties, key, where)
            if values:
                identifiers[key] = values
        countries: list[str] = []
        for key in COUNTRY_PROPERTIES:
            countries.extend(c for c in _strings(properties, key, where) if c not in countries)
        found = entity.get("datasets")
        if isinstance(found, list):
            datasets.update(d for d in found if isinstance(d, str))
        programmes = _strings(properties, "programId", where) + _strings(
            properties, "topics", where
        )
        entries.append(
            ParsedEntry(
                primary_name=names[0][:500],
                aliases=tuple(names[1:]),
                external_id=clean(entity_id, 120),
                kind=clean(schema, 40),
                programme=clean("; ".join(programmes), 300),
                country=clean("; ".join(countries), 120),
                identifiers=identifiers,
                note=clean(" ".join(_strings(properties, "notes", where)), 4000),
            )
        )
    dataset = ", ".join(sorted(datasets)) if 0 < len(datasets) <= 3 else "entities"
    key = f"opensanctions-{_slug(next(iter(datasets)))}" if len(datasets) == 1 else "opensanctions"
    return ParsedList(
        "opensanctions-ftm",
        key,
        f"OpenSanctions {dataset}",
        tuple(entries),
    )
