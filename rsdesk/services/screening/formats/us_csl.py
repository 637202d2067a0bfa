"""The US Consolidated Screening List (trade.gov), CSV download ``consolidated.csv``.

Columns (one row per listed party; multi-valued cells separated by ``;``)::

    _id, source, entity_number, type, programs, name, title, addresses,
    federal_register_notice, start_date, end_date, standard_order, license_requirement,
    license_policy, call_sign, vessel_type, gross_tonnage, gross_registered_tonnage,
    vessel_flag, vessel_owner, remarks, source_list_url, alt_names, citizenships,
    dates_of_birth, nationalities, places_of_birth, source_information_url, ids

``source`` names the list inside the CSL (e.g. "Entity List (EL) - Bureau of Industry and
Security"), kept as the entry's programme together with ``programs``.
"""

from __future__ import annotations

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

REQUIRED = ("source", "name", "alt_names", "type")
SIGNATURE = {"source", "entity_number", "alt_names", "programs"}


def detect(data: bytes) -> bool:
    lines = first_lines(data, 1)
    return bool(lines) and set(header_cells(lines[0])) >= SIGNATURE


def parse(data: bytes, file_name: str) -> ParsedList:
    header, rows = read_csv(decode(data, file_name), file_name, required=REQUIRED)
    id_column = "_id" if "_id" in header else "id" if "id" in header else "entity_number"
    entries = []
    for row in rows:
        name = clean(row.get("name"), 500)
        if not name:
            raise ListFormatError(f"{file_name}: line {row.number}, column 'name': empty")
        source = row.get("source")
        programs = row.get("programs")
        programme = "; ".join(part for part in (source, programs) if part)
        identifiers: dict[str, Any] = {}
        ids = split_multi(row.get("ids"))
        if ids:
            identifiers["ids"] = list(ids)
        if row.get("entity_number"):
            identifiers["entity_number"] = row.get("entity_number")
        country = None
        addresses = split_multi(row.get("addresses"))
        if addresses:
            # "Street, City, Province, CN": the country code is the address's last part.
            countries = {address.rsplit(",", 1)[-1].strip() for address in addresses}
            country = "; ".join(sorted(c for c in countries if c))
        elif row.get("country"):
            country = row.get("country")
        entries.append(
            ParsedEntry(
                primary_name=name,
                aliases=tuple(a for a in split_multi(row.get("alt_names")) if a != name),
                external_id=clean(row.get(id_column), 120),
                kind=clean(row.get("type").lower(), 40),
                programme=clean(programme, 300),
                country=clean(country, 120),
                identifiers=identifiers,
                note=clean(
                    " ".join(p for p in (row.get("license_requirement"), row.get("remarks")) if p),
                    4000,
                ),
            )
        )
    return ParsedList("us-csl", "us-csl", "US Consolidated Screening List", tuple(entries))
