"""The EU financial sanctions file (FSF), XML export version 1.1.

Structure (namespace ``http://eu.europa.ec/fpi/fsd/export``)::

    <export generationDate="...">
      <sanctionEntity logicalId="13" euReferenceNumber="EU.27.28" unitedNationId="...">
        <remark>...</remark>
        <regulation programme="IRQ" .../>
        <subjectType code="enterprise" classificationCode="E"/>
        <nameAlias wholeName="..." nameLanguage="EN" strong="true" logicalId="..."/>
        <identification identificationTypeCode="regnumber" number="..." .../>
        <address countryDescription="..." .../>
        <citizenship countryDescription="..." .../>
      </sanctionEntity>
    </export>

Parsed with defusedxml: no DTDs, no entity declarations, no external references.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from rsdesk.services.screening.formats import ListFormatError, ParsedEntry, ParsedList
from rsdesk.services.screening.formats._text import clean

KIND = {"person": "person", "enterprise": "organisation"}


def detect(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and (
        b"<export" in data[:4096] or b"sanctionEntity" in data[:65536]
    )


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse(data: bytes, file_name: str) -> ParsedList:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ListFormatError(
            f"{file_name}: refused: the XML declares a DTD, entities or external references "
            f"({type(exc).__name__})"
        ) from exc
    except LookupError as exc:  # the XML declaration names an encoding Python does not know
        raise ListFormatError(
            f"{file_name}: the XML declares an unknown encoding ({exc}); save it as UTF-8"
        ) from None
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise ListFormatError(
            f"{file_name}: line {line}, column {column + 1}: not well-formed XML "
            f"({str(exc).split(':')[0]})"
        ) from exc
    if _local(root.tag) != "export":
        raise ListFormatError(
            f"{file_name}: the root element is <{_local(root.tag)}>, not the FSF <export>"
        )
    entries = []
    for number, element in enumerate(root, start=1):
        if _local(element.tag) != "sanctionEntity":
            continue
        entries.append(_entity(element, number, file_name))
    generated = root.get("generationDate", "")
    name = "EU financial sanctions (FSF)"
    if generated:
        name += f" {generated[:10]}"
    return ParsedList("eu-fsf", "eu-fsf", name, tuple(entries))


def _entity(element: Any, number: int, file_name: str) -> ParsedEntry:
    names: list[str] = []
    kind = None
    programmes: list[str] = []
    identifiers: dict[str, Any] = {}
    countries: list[str] = []
    remarks: list[str] = []
    for child in element:
        tag = _local(child.tag)
        if tag == "nameAlias":
            whole = " ".join((child.get("wholeName") or "").split())
            if not whole:
                whole = " ".join(
                    part
                    for part in (
                        child.get("firstName"),
                        child.get("middleName"),
                        child.get("lastName"),
                    )
                    if part
                )
            if whole and whole not in names:
                names.append(whole)
        elif tag == "subjectType":
            kind = KIND.get((child.get("code") or "").lower(), child.get("code"))
        elif tag == "regulation":
            programme = child.get("programme")
            if programme and programme not in programmes:
                programmes.append(programme)
        elif tag == "identification":
            number_text = child.get("number")
            if number_text:
                key = child.get("identificationTypeCode") or "id"
                identifiers.setdefault(key, []).append(number_text)
        elif tag in ("address", "citizenship"):
            country = child.get("countryDescription")
            if country and country != "UNKNOWN" and country not in countries:
                countries.append(country)
        elif tag == "remark" and child.text:
            remarks.append(child.text.strip())
    logical_id = element.get("logicalId")
    if not names:
        raise ListFormatError(
            f"{file_name}: sanctionEntity {number} (logicalId {logical_id}) has no nameAlias"
        )
    reference = element.get("euReferenceNumber")
    if reference:
        identifiers["eu_reference"] = reference
    if element.get("unitedNationId"):
        identifiers["un_reference"] = element.get("unitedNationId")
    return ParsedEntry(
        primary_name=names[0][:500],
        aliases=tuple(names[1:]),
        external_id=clean(logical_id or reference, 120),
        kind=kind,
        programme=clean(", ".join(programmes), 300),
        country=clean("; ".join(countries), 120),
        identifiers=identifiers,
        note=clean(" ".join(remarks), 4000),
    )
