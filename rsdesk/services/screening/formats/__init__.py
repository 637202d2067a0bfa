"""List file formats: detection and parsing into plain :class:`ParsedEntry` records.

Every parser takes the file's bytes and either returns a complete :class:`ParsedList` or raises
:class:`ListFormatError` (a KnownError) naming the row or line and the column: nothing is ever
half-parsed, so the loader can write all entries or none.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from rsdesk.services.errors import KnownError

#: Larger files are refused before parsing (the biggest real list, OpenSanctions' default
#: FollowTheMoney export of sanctioned targets only, is well below this).
MAX_FILE_BYTES = 512 * 1024 * 1024


class ListFormatError(KnownError):
    """The file is not a valid list of the expected format; the message names row and column."""


@dataclass(frozen=True)
class ParsedEntry:
    primary_name: str
    aliases: tuple[str, ...] = ()
    external_id: str | None = None
    kind: str | None = None
    programme: str | None = None
    country: str | None = None
    identifiers: dict[str, Any] = field(default_factory=dict)
    note: str | None = None

    def names(self) -> tuple[str, ...]:
        return (self.primary_name, *self.aliases)

    def fingerprint(self) -> str:
        """SHA-256 of the entry's content: equal across list versions while the entry is unchanged."""
        content = {
            "external_id": self.external_id,
            "kind": self.kind,
            "primary_name": self.primary_name,
            "aliases": sorted(set(self.aliases)),
            "programme": self.programme,
            "country": self.country,
            "identifiers": self.identifiers,
            "note": self.note,
        }
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ParsedList:
    format: str
    #: Stable key and display name suggested by the file (the user may override both).
    list_key: str
    name: str
    entries: tuple[ParsedEntry, ...]


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    module: str

    def parser(self) -> Callable[[bytes, str], ParsedList]:
        parse: Callable[[bytes, str], ParsedList] = import_module(self.module).parse
        return parse

    def detector(self) -> Callable[[bytes], bool]:
        detect: Callable[[bytes], bool] = import_module(self.module).detect
        return detect


#: In detection order: the most specific signatures first, the office CSV last.
FORMATS: tuple[Format, ...] = (
    Format(
        "eu-fsf",
        "EU financial sanctions file (FSF XML)",
        "rsdesk.services.screening.formats.eu_fsf",
    ),
    Format(
        "opensanctions-ftm",
        "OpenSanctions FollowTheMoney JSON lines",
        "rsdesk.services.screening.formats.opensanctions",
    ),
    Format(
        "uk-sanctions",
        "UK consolidated sanctions list (CSV)",
        "rsdesk.services.screening.formats.uk_sanctions",
    ),
    Format(
        "us-csl", "US Consolidated Screening List (CSV)", "rsdesk.services.screening.formats.us_csl"
    ),
    Format(
        "opensanctions-csv",
        "OpenSanctions targets (simple CSV)",
        "rsdesk.services.screening.formats.opensanctions",
    ),
    Format(
        "office-csv",
        "Office list (CSV: name, aliases, country, identifiers, note)",
        "rsdesk.services.screening.formats.office_csv",
    ),
)


def format_keys() -> list[str]:
    return [f.key for f in FORMATS]


def get_format(key: str) -> Format:
    for candidate in FORMATS:
        if candidate.key == key:
            return candidate
    raise KnownError(f"Unknown list format {key!r}; known formats: {', '.join(format_keys())}")


#: Byte order marks of the Unicode encodings Excel and Notepad write ("Unicode text" is UTF-16).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def megabytes(size: int) -> str:
    """A size in MB of 1024 x 1024 bytes, the unit the limit (512 MB) and the docs use."""
    return f"{size / (1024 * 1024):.0f} MB"


def binary_data_message(file_name: str) -> str:
    return (
        f"{file_name} is not a text file in a known encoding (it contains binary data); if it "
        "is a list, save it as UTF-8 (Excel: 'CSV UTF-8') and load it again"
    )


def as_utf8(data: bytes, file_name: str) -> bytes:
    """``data`` re-encoded as UTF-8 when it starts with a UTF-16 or UTF-32 byte order mark.

    The parsers read UTF-8 (with or without BOM) or Windows-1252; a UTF-16 file (Excel's
    "Unicode text") would otherwise look like binary data. XML keeps its bytes: its parser reads
    the encoding from the BOM and the declaration.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ListFormatError(
                    f"{file_name}: byte {exc.start + 1} is not valid {encoding.upper()} text; "
                    "save the list as UTF-8 and load it again"
                ) from exc
            if text.lstrip("\ufeff \r\n\t").startswith("<"):
                return data
            return text.lstrip("\ufeff").encode("utf-8")
    return data


def detect(data: bytes, file_name: str) -> Format:
    """The format of ``data``, from its content (never from the file name alone)."""
    if not data.strip():
        raise ListFormatError(f"{file_name} is empty")
    if b"\x00" in data[:65536]:
        raise ListFormatError(binary_data_message(file_name))
    for candidate in FORMATS:
        if candidate.key == "opensanctions-csv":
            from rsdesk.services.screening.formats import opensanctions

            if opensanctions.detect_csv(data):
                return candidate
            continue
        if candidate.detector()(data):
            return candidate
    raise ListFormatError(
        f"Cannot tell which list format {file_name} is in; give the format "
        f"({', '.join(format_keys())})"
    )


def parse(data: bytes, file_name: str, format_key: str | None = None) -> ParsedList:
    """Parse a whole file, detecting its format unless ``format_key`` is given."""
    if len(data) > MAX_FILE_BYTES:
        raise ListFormatError(
            f"{file_name} is {megabytes(len(data))}; lists larger than "
            f"{megabytes(MAX_FILE_BYTES)} are refused"
        )
    if not data.strip():
        raise ListFormatError(f"{file_name} is empty")
    data = as_utf8(data, file_name)
    chosen = get_format(format_key) if format_key else detect(data, file_name)
    if chosen.key == "opensanctions-csv":
        from rsdesk.services.screening.formats import opensanctions

        parsed = opensanctions.parse_csv(data, file_name)
    else:
        parsed = chosen.parser()(data, file_name)
    if not parsed.entries:
        raise ListFormatError(f"{file_name}: no list entries found ({chosen.label})")
    return parsed


__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "Format",
    "ListFormatError",
    "ParsedEntry",
    "ParsedList",
    "detect",
    "format_keys",
    "get_format",
    "parse",
]
