"""Shared helpers for text formats: decoding, strict CSV reading, column lookup."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rsdesk.services.screening.formats import ListFormatError, binary_data_message

#: A single field larger than this is not a name list (and would make csv allocate a lot).
MAX_FIELD_CHARS = 1_000_000


def decode(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel writes it; NUL bytes are refused.

    Almost any byte sequence decodes as Windows-1252, so a GBK or KOI8-R file would load as
    mojibake ("Çå»ª´óÑ§"); text that does not read like Latin-script names is refused instead.
    """
    if b"\x00" in data:
        raise ListFormatError(binary_data_message(file_name))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ListFormatError(
            f"{file_name}: byte {exc.start + 1} is neither UTF-8 nor Windows-1252 text"
            f"{_looks_like(data)}; save the list as UTF-8 (Excel: 'CSV UTF-8') and load it again"
        ) from exc
    garbled = _first_garbled_run(text)
    if garbled is not None:
        line = text.count("\n", 0, garbled.start()) + 1
        raise ListFormatError(
            f"{file_name}: line {line} is not UTF-8 and does not read as Windows-1252 text "
            f"('{garbled.group()}'){_looks_like(data)}; save the list as UTF-8 "
            "(Excel: 'CSV UTF-8') and load it again"
        )
    return text


#: Characters Windows-1252 names and notes use outside letters (quotes, dashes, symbols).
_CP1252_PUNCTUATION = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u20ac\u00a0\u00b0\u00ab\u00bb\u00b7\u00a7\u00a9\u00ae\u2122\u00b4\u00e6"
#: Three non-ASCII characters in a row, or a non-ASCII symbol glued to another non-ASCII
#: character: Latin names have isolated accents ("Universität", "Informação" at most two).
_GARBLED = re.compile(r"[^\x00-\x7f]{3,}|[^\x00-\x7f\w][^\x00-\x7f]|[^\x00-\x7f][^\x00-\x7f\w]")


def _first_garbled_run(text: str) -> re.Match[str] | None:
    for match in _GARBLED.finditer(text):
        if not all(char in _CP1252_PUNCTUATION or char.isspace() for char in match.group()):
            return match
    return None


def _looks_like(data: bytes) -> str:
    """Which legacy encoding family the bytes resemble, when strict decoding says so."""
    families = [
        description
        for encodings, description, pattern in _LEGACY_FAMILIES
        if any(_reads_as(data, encoding, pattern) for encoding in encodings)
    ]
    if len(families) > 1 and any(
        _natural_cyrillic(data, encoding) for encoding in _CYRILLIC_ENCODINGS
    ):
        families = [families[-1]]  # "Институт", not "Иnститут": Han can't tell, case can
    if len(families) != 1:
        return ""
    return f" (it looks like {families[0]})"


def _natural_cyrillic(data: bytes, encoding: str) -> bool:
    """Every Cyrillic word is lower case, capitalised or all capitals once decoded."""
    try:
        words = re.findall(r"[\u0400-\u04ff]+", data.decode(encoding))
    except UnicodeDecodeError:
        return False
    return bool(words) and all(
        word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())
        for word in words
    )


def _reads_as(data: bytes, encoding: str, pattern: re.Pattern[str]) -> bool:
    try:
        decoded = data.decode(encoding)
    except UnicodeDecodeError:
        return False
    non_ascii = [char for char in decoded if ord(char) >= 0x80]
    return bool(non_ascii) and all(pattern.match(char) for char in non_ascii)


_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff\u2116\u00a0]")
_CYRILLIC_ENCODINGS = ("koi8_r", "cp1251")
_LEGACY_FAMILIES = (
    (
        ("gb18030", "big5", "shift_jis", "euc_kr"),
        "Chinese, Japanese or Korean text: GBK, Big5, Shift-JIS or EUC-KR",
        _CJK,
    ),
    (_CYRILLIC_ENCODINGS, "Cyrillic text: KOI8-R or Windows-1251", _CYRILLIC),
)


def first_lines(data: bytes, count: int = 6) -> list[str]:
    """The first non-empty lines, decoded leniently (for format detection only)."""
    head = data[:16384].decode("utf-8-sig", errors="replace")
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    return lines[:count]


def header_cells(line: str) -> list[str]:
    delimiter = ";" if line.count(";") > line.count(",") else ","
    try:
        row = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []
    return [cell.strip().lower() for cell in row]


@dataclass(frozen=True)
class Row:
    number: int  # 1-based line number of the row in the file
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()


def read_csv(
    text: str,
    file_name: str,
    *,
    required: Sequence[str],
    header_row_hint: str | None = None,
    delimiter: str | None = None,
) -> tuple[list[str], Iterator[Row]]:
    """Header and rows of a strict CSV.

    Columns are matched case-insensitively (returned lower-case). ``header_row_hint`` lets a
    file have a few preamble lines (the UK list starts with a "Last Updated" line): the header is
    the first of the first ten rows that contains that column. Rows with a different number of
    cells than the header, unterminated quotes and over-long fields are errors naming the line.
    """
    if delimiter is None:
        sample = text[:4096].splitlines()[0] if text.strip() else ""
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    csv.field_size_limit(MAX_FIELD_CHARS)
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=delimiter, strict=True)

    def next_row() -> list[str] | None:
        try:
            return next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise ListFormatError(f"{file_name}: line {reader.line_num}: {exc}") from exc

    header: list[str] | None = None
    for _ in range(10):
        row = next_row()
        if row is None:
            break
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip().lower() for cell in row]
        if header_row_hint is None or header_row_hint.lower() in cells:
            header = cells
            break
    if header is None:
        raise ListFormatError(f"{file_name}: no header row found")
    missing = [name for name in required if name.lower() not in header]
    if missing:
        raise ListFormatError(
            f"{file_name}: line {reader.line_num}: missing column(s) "
            + ", ".join(repr(name) for name in missing)
        )
    header_line = reader.line_num

    def rows() -> Iterator[Row]:
        while True:
            row = next_row()
            if row is None:
                return
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ListFormatError(
                    f"{file_name}: line {reader.line_num}: {len(row)} columns, but the header "
                    f"(line {header_line}) has {len(header)}"
                )
            yield Row(reader.line_num, dict(zip(header, row)))

    return header, rows()


def split_multi(value: str, separators: str = ";") -> tuple[str, ...]:
    """Split a multi-valued cell ("a; b; c"), dropping empties and duplicates, keeping order."""
    parts = [value]
    for separator in separators:
        parts = [piece for part in parts for piece in part.split(separator)]
    seen: dict[str, None] = {}
    for part in parts:
        cleaned = " ".join(part.split())
        if cleaned:
            seen.setdefault(cleaned, None)
    return tuple(seen)


def clean(value: str | None, limit: int = 500) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text[:limit] or None
