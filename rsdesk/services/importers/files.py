"""Reading an import file into a plain table, refusing bad files with one clear sentence.

The file's *content* decides what it is, not its name: a PDF renamed to ``.xlsx``, a workbook
renamed to ``.csv``, a password-protected workbook (an encrypted OLE container, not a zip) and an
old ``.xls`` are each recognised and refused with a message saying what to do.

Workbooks are read with python-calamine (fast, values only: formulas give their saved results and
macros are never run). Macro-enabled workbooks (.xlsm) are accepted for their cell values only:
the macros are ignored, never executed, and the plan says so. Merged cells are refused, because a
merged block leaves all but one of its rows without the value the user sees.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rsdesk.services.errors import KnownError

#: Default size limit, in MB (setting ``import.max_file_mb`` overrides it).
DEFAULT_MAX_MB = 50
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
#: Sheets of our own exports that hold no records.
SKIPPED_SHEETS = frozenset({"cover", "lists"})
#: Sheets larger than this when unpacked are refused (a "zip bomb" would exhaust memory).
MAX_UNPACKED_BYTES = 2_000_000_000


@dataclass
class SourceTable:
    """A header row and data rows, with the spreadsheet row number of each data row."""

    path: Path
    format: str
    sheet: str | None
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    notes: list[str] = field(default_factory=list)

    def column_letter(self, index: int) -> str:
        """The column as a spreadsheet program shows it (also for CSV, which users open there)."""
        return column_letter(index)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (without importing openpyxl)."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _what_is(head: bytes) -> str | None:
    """A human name for well-known non-spreadsheet content."""
    signatures = {
        b"%PDF": "a PDF document",
        b"\x89PNG": "a PNG image",
        b"\xff\xd8\xff": "a JPEG image",
        b"GIF8": "a GIF image",
        b"SQLite format 3": "an SQLite database",
        b"\x1f\x8b": "a gzip archive",
        b"Rar!": "a RAR archive",
        b"7z\xbc\xaf": "a 7-Zip archive",
        b"{\\rtf": "an RTF document",
    }
    for magic, name in signatures.items():
        if head.startswith(magic):
            return name
    return None


def check_size(path: Path, max_mb: float) -> int:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise KnownError(f"{path}: no such file") from None
    except OSError as exc:
        raise KnownError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if path.is_dir():
        raise KnownError(f"{path} is a folder, not a file")
    if size == 0:
        raise KnownError(f"{path.name} is empty (0 bytes)")
    if size > max_mb * 1024 * 1024:
        raise KnownError(
            f"{path.name} is {size / 1024 / 1024:.1f} MB, more than the import limit of "
            f"{max_mb:g} MB (setting import.max_file_mb); split the file or raise the limit"
        )
    return size


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(4096)


def _ole_message(path: Path) -> str:
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptionInfo" in data:
        return (
            f"{path.name} is password-protected; remove the password in Excel "
            "(File > Info > Protect Workbook > Encrypt with Password) and import again"
        )
    return (
        f"{path.name} is an old Excel 97-2003 workbook (.xls); open it in Excel and save it as "
        ".xlsx, or as CSV"
    )


def read(
    path: Path,
    format: str | None = None,
    sheet: str | None = None,
    *,
    max_mb: float = DEFAULT_MAX_MB,
    prefer_sheets: tuple[str, ...] = (),
) -> SourceTable:
    """Reads ``path`` as ``format`` ("xlsx" or "csv"; None: decided by the content).

    ``prefer_sheets``: sheet names (lower case) to pick when ``sheet`` is not given, e.g. the
    register's title in an audit workbook.
    """
    path = Path(path)
    check_size(path, max_mb)
    head = _head(path)
    is_zip = head.startswith(ZIP_MAGIC)
    is_ole = head.startswith(OLE_MAGIC)
    if format is None:
        format = "xlsx" if is_zip or is_ole else "csv"
    if format == "csv":
        if is_zip or is_ole:
            if is_ole and "password" in _ole_message(path):
                raise KnownError(_ole_message(path))
            raise KnownError(
                f"{path.name} is an Excel workbook, not CSV text (renamed?); import it as xlsx"
            )
        other = _what_is(head)
        if other:
            raise KnownError(f"{path.name} is {other}, not a CSV file")
        return read_csv(path)
    if format != "xlsx":
        raise KnownError(f"Unknown import format {format!r}; use xlsx or csv")
    if is_ole:
        raise KnownError(_ole_message(path))
    if not is_zip:
        other = _what_is(head)
        if other:
            raise KnownError(f"{path.name} is {other}, not an Excel workbook (renamed?)")
        if b"\0" not in head:
            raise KnownError(
                f"{path.name} is a text file, not an Excel workbook (renamed?); import it as csv"
            )
        raise KnownError(f"{path.name} is not an Excel workbook")
    return read_xlsx(path, sheet, prefer_sheets)


PSEUDONYMISED = (
    "this workbook was exported pseudonymised; its names are not real and cannot be imported"
)
#: What ``rsdesk.services.pseudonyms`` writes for a person and an e-mail address.
_PSEUDONYM = re.compile(r"Person [0-9A-F]{10}|[0-9a-f]{10}@pseudonym\.invalid")


def _refuse_pseudonyms(table: SourceTable) -> None:
    """Refuses a table holding the pseudonyms of a ``--pseudonymise`` export: imported with
    "update" they overwrote real people with "Person …" and "…@pseudonym.invalid". One
    substring search over all the text first (0.15 s for 100,000 rows x 20 columns); the cells
    are looked at one by one only when it finds something. A workbook whose XML cannot hold a
    pseudonym (``XmlChecks.may_hold_pseudonyms``) skips even that."""
    texts = "\x1f".join([v for _, row in table.rows for v in row if v.__class__ is str])
    if "Person " not in texts and "@pseudonym.invalid" not in texts:
        return
    for number, row in table.rows:
        for index, value in enumerate(row):
            if (
                isinstance(value, str)
                and (value.startswith("Person ") or value.endswith(".invalid"))
                and _PSEUDONYM.fullmatch(value)
            ):
                raise KnownError(
                    f"{table.path.name}: {PSEUDONYMISED} (cell {column_letter(index)}{number} "
                    f"holds the pseudonym {value!r})"
                )


def _cover_says_pseudonymised(path: Path, workbook: Any, sheets: list[str]) -> bool:
    """The audit workbook's cover sheet states "Personal data: pseudonymised"."""
    for name in sheets:
        if name.lower() != "cover":
            continue
        _dimension_check(path, name)
        for row in workbook.get_sheet_by_name(name).to_python()[:40]:
            cells = [str(value).strip().lower() for value in row[:2]]
            if cells[:1] == ["personal data"] and cells[1:2] == ["pseudonymised"]:
                return True
    return False


# --- xlsx -----------------------------------------------------------------------------------


def _zip_check(path: Path) -> tuple[list[str], dict[str, int]]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise KnownError(f"{path.name} is damaged (not a readable zip container)") from None
    names = [info.filename for info in infos]
    sizes = {info.filename: info.file_size for info in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        if "word/document.xml" in names:
            raise KnownError(f"{path.name} is a Word document, not an Excel workbook")
        if any(name.startswith("ppt/") for name in names):
            raise KnownError(f"{path.name} is a PowerPoint presentation, not an Excel workbook")
        if "content.xml" in names:
            raise KnownError(
                f"{path.name} is an OpenDocument file; save it as .xlsx or CSV and import again"
            )
        raise KnownError(f"{path.name} is a zip archive, not an Excel workbook")
    if "xl/workbook.bin" in names:
        raise KnownError(f"{path.name} is a binary workbook (.xlsb); save it as .xlsx and retry")
    return names, sizes


def _sheet_part(path: Path, sheet_name: str) -> str | None:
    """The zip member holding ``sheet_name``'s cells."""
    return _parts(path, sheet_name)[0]


def _parts(path: Path, sheet_name: str) -> tuple[str | None, str | None]:
    """The zip members holding ``sheet_name``'s cells and the shared strings (None if none)."""
    from defusedxml import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    rel_id = None
    for element in workbook.iter(f"{main}sheet"):
        if element.get("name") == sheet_name:
            rel_id = element.get(f"{rel}id")
    sheet = strings = None
    for element in rels:
        target = element.get("Target", "")
        member = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if element.get("Id") == rel_id:
            sheet = member
        elif element.get("Type", "").endswith("/sharedStrings"):
            strings = member
    return sheet, strings


_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?(?:/>|>.*?</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>")


_ERROR_CELL = re.compile(
    rb"""<(?:\w+:)?c\b[^>]*?\bt=["']e["'][^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)""", re.S
)
_ERROR_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _error_check(path: Path, data: bytes) -> None:
    """Refuses a cell holding an Excel error (``t="e"``: #N/A, #REF!, ...): calamine reads it as
    empty, which would erase the field on an update. A plain bytes search first, so a sheet
    without error cells costs one pass of ``bytes.find``."""
    if b't="e"' not in data and b"t='e'" not in data:
        return
    match = _ERROR_CELL.search(data)
    if match is None:
        return
    ref = _REF.search(match.group(0))
    where = ref.group(1).decode() if ref else "?"
    value = _ERROR_VALUE.search(match.group(1) or b"")
    error = value.group(1).decode(errors="replace").strip() if value else ""
    raise KnownError(
        f"{path.name}: cell {where} holds the Excel error {error or '(unknown)'}; correct it, "
        "save, and import again"
    )


#: Cells a sheet may span (rows x columns of its ``<dimension>``) before it is refused:
#: calamine allocates the whole rectangle (about 32 bytes a cell), so one stray value at
#: XFD1048576 asks for 549 GB and aborts the process.
MAX_SHEET_CELLS = 20_000_000
_DIMENSION = re.compile(
    rb"""<(?:\w+:)?dimension\s+ref=["']\$?([A-Z]+)\$?([0-9]+)(?::\$?([A-Z]+)\$?([0-9]+))?["']"""
)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _dimension_check(path: Path, sheet: str) -> None:
    """Refuses a sheet whose ``<dimension>`` spans more than :data:`MAX_SHEET_CELLS`, reading only
    the first 16 KB of the sheet's XML (the element comes near the start). A sheet without the
    element (it is optional) is not caught here."""
    part = _sheet_part(path, sheet)
    if not part:
        return
    with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
        head = stream.read(16_384)
    match = _DIMENSION.search(head)
    if match is None or match.group(3) is None:
        return
    first_col, first_row = _column_number(match.group(1).decode()), int(match.group(2))
    last_col, last_row = _column_number(match.group(3).decode()), int(match.group(4))
    cells = (abs(last_row - first_row) + 1) * (abs(last_col - first_col) + 1)
    if cells > MAX_SHEET_CELLS:
        corner = f"{match.group(3).decode()}{last_row}"
        raise KnownError(
            f"{path.name}: sheet {sheet!r} reaches cell {corner}, far beyond its table; delete "
            "the stray cells after the table (select the empty rows and columns, Delete) and save"
        )


def _may_hold_pseudonyms(xml: bytes) -> bool:
    """Whether text in this XML may be a pseudonym of ``rsdesk.services.pseudonyms``: it holds
    "Person " or "@pseudonym.invalid", or text that a byte search cannot see whole (rich-text
    runs split a cell's text into pieces; character references spell characters out)."""
    return (
        b"Person " in xml
        or b"@pseudonym.invalid" in xml
        or b"<r>" in xml
        or b":r>" in xml
        or b"&#" in xml
    )


def _formula_check(path: Path, part: str, sizes: dict[str, int]) -> tuple[int, bytes]:
    """Counts formula cells; refuses one whose saved result is missing (calamine would read it
    as empty) and any Excel error cell. Returns the count and the sheet's XML."""
    if sizes.get(part, 0) > MAX_UNPACKED_BYTES:
        raise KnownError(f"{path.name}: the sheet is too large to import ({part})")
    with zipfile.ZipFile(path) as archive:
        data = archive.read(part)
    _error_check(path, data)
    if not _FORMULA.search(data):
        return 0, data
    count = 0
    for match in _CELL.finditer(data):
        cell = match.group(0)
        if not _FORMULA.search(cell):
            continue
        count += 1
        if not _VALUE.search(cell):
            ref = _REF.search(cell)
            where = ref.group(1).decode() if ref else "?"
            raise KnownError(
                f"{path.name}: cell {where} holds a formula without a saved result; open the "
                "file in Excel, save it, and import again"
            )
    return count, data


@dataclass(frozen=True)
class XmlChecks:
    formulas: int
    #: False when the sheet's XML and the shared strings cannot hold a pseudonym (see
    #: :func:`_may_hold_pseudonyms`): the cell by cell search is then left out.
    may_hold_pseudonyms: bool


def _checked_xml(path: Path, sheet: str, sizes: dict[str, int]) -> XmlChecks:
    """:func:`_formula_check` of the named sheet and the search for pseudonyms in its XML,
    a damaged container refused whole. Runs beside calamine's parse (which releases the GIL):
    the pseudonym search on the values afterwards took 0.17 s of a 100,000-row import."""
    try:
        part, strings = _parts(path, sheet)
        if not part or part not in sizes:
            return XmlChecks(0, True)
        formulas, data = _formula_check(path, part, sizes)
        if _may_hold_pseudonyms(data):
            return XmlChecks(formulas, True)
        if strings is None or strings not in sizes:
            return XmlChecks(formulas, False)
        if sizes[strings] > MAX_UNPACKED_BYTES:
            return XmlChecks(formulas, True)  # calamine refuses it, or the values are searched
        with zipfile.ZipFile(path) as archive:
            return XmlChecks(formulas, _may_hold_pseudonyms(archive.read(strings)))
    except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, ValueError, SyntaxError) as exc:
        # A damaged container calamine got past (member names, CRCs, XML): refuse it whole.
        detail = " ".join(str(exc).split())
        raise KnownError(f"{path.name} is damaged ({type(exc).__name__}: {detail})") from None


def read_xlsx(path: Path, sheet: str | None = None, prefer: tuple[str, ...] = ()) -> SourceTable:
    import python_calamine

    names, sizes = _zip_check(path)
    notes = []
    if "xl/vbaProject.bin" in names:
        notes.append("the workbook contains macros: they were ignored (never run); values only")
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise KnownError(f"{path.name} is password-protected; remove the password") from None
    except Exception as exc:  # calamine raises several types for broken files
        raise KnownError(f"{path.name} cannot be read as a workbook: {exc}") from exc
    try:
        visible = [
            m.name
            for m in workbook.sheets_metadata
            if str(m.visible).endswith("Visible") and str(m.typ).endswith("WorkSheet")
        ]
        if sheet is not None:
            if sheet not in workbook.sheet_names:
                raise KnownError(
                    f"{path.name} has no sheet {sheet!r}; its sheets: {', '.join(visible)}"
                )
            chosen = sheet
        else:
            candidates = [n for n in visible if n.lower() not in SKIPPED_SHEETS] or visible
            if not candidates:
                raise KnownError(f"{path.name} has no visible sheet")
            preferred = [n for n in candidates if n.lower() in prefer]
            chosen = preferred[0] if preferred else candidates[0]
        try:
            _dimension_check(path, chosen)
            pseudonymised = _cover_says_pseudonymised(path, workbook, workbook.sheet_names)
        except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, ValueError, SyntaxError) as exc:
            detail = " ".join(str(exc).split())
            raise KnownError(f"{path.name} is damaged ({type(exc).__name__}: {detail})") from None
        if pseudonymised:
            raise KnownError(f"{path.name}: {PSEUDONYMISED}")
        # The formula check unpacks and scans the sheet's XML while calamine parses and reads
        # it: calamine releases the GIL, so on a large sheet the check costs no time (1.9 s
        # instead of 3.6 s for 96,899 rows; started before the parse, not after it, another
        # 0.7 s less). Its refusal still comes first, as when it ran before the read; a sheet
        # calamine cannot open, or with merged cells, is refused as before (the check's result
        # is not asked for).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="formula-check") as pool:
            checked = pool.submit(_checked_xml, path, chosen, sizes)
            worksheet = workbook.get_sheet_by_name(chosen)
            merged = worksheet.merged_cell_ranges
            if merged:
                (r1, c1), (r2, c2) = merged[0]
                area = f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"
                raise KnownError(
                    f"{path.name}: sheet {chosen!r} has merged cells ({area}"
                    f"{f' and {len(merged) - 1} more' if len(merged) > 1 else ''}); unmerge them "
                    "so that every value sits in its own cell, and import again"
                )
            read_error: Exception | None = None
            try:
                values = worksheet.to_python(skip_empty_area=False)
            except Exception as exc:
                read_error = exc
            scan = checked.result()
        if read_error is not None:
            raise KnownError(
                f"{path.name}: sheet {chosen!r} cannot be read: {read_error}"
            ) from read_error
        if scan.formulas:
            notes.append(f"{scan.formulas} formula cells: their saved results were imported")
    except python_calamine.CalamineError as exc:
        # Damage calamine only meets when it opens a sheet (zip headers, XML).
        detail = " ".join(str(exc).split())
        raise KnownError(f"{path.name} is damaged ({detail})") from None
    finally:
        workbook.close()
    table = _table(path, "xlsx", chosen, values, first_row=1)
    table.notes.extend(notes)
    if scan.may_hold_pseudonyms:
        _refuse_pseudonyms(table)
    return table


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.date):
        value = value.isoformat()
    return str(value).strip() if value is not None else ""


def _table(
    path: Path, format: str, sheet: str | None, values: list[list[Any]], first_row: int
) -> SourceTable:
    where = f"sheet {sheet!r} of {path.name}" if sheet else path.name
    numbered = [
        (first_row + index, row) for index, row in enumerate(values) if not all(map(_blank, row))
    ]
    if not numbered:
        raise KnownError(f"{where} is empty")
    title_note = []
    if len(numbered) >= 2 and _filled(numbered[0][1]) == 1 and _filled(numbered[1][1]) >= 2:
        # A title above the table ("Collaborations 2025"): the header is the next row.
        title_row, title = numbered.pop(0)
        text = next(str(v).strip() for v in title if not _blank(v))
        title_note.append(f"row {title_row} ({text[:60]!r}) taken for a title above the table")
    header_row, header = numbered[0]
    headers = [_header_text(value) for value in header]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise KnownError(f"{where} has no header row")
    data = numbered[1:]
    if not data:
        raise KnownError(f"{where} has a header row but no data rows")
    width = len(headers)
    for number, row in data:
        extra = [v for v in row[width:] if not _blank(v)]
        if extra:
            raise KnownError(
                f"{where}, row {number}: a value stands in a column without a header; "
                "add a header or remove the value"
            )
    # The rows are this reader's own lists: one of the header's width is kept, not copied.
    rows = [
        (number, row if len(row) == width else row[:width] + [None] * (width - len(row)))
        for number, row in data
    ]
    notes = [] if header_row == first_row else [f"header found on row {header_row}"]
    return SourceTable(path, format, sheet, headers, rows, title_note + notes)


def _filled(row: list[Any]) -> int:
    return sum(1 for value in row if not _blank(value))


# --- csv ------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "UTF-8 (BOM)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_csv(path: Path) -> SourceTable:
    data = path.read_bytes()
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as exc:
        raise KnownError(f"{path.name} is not readable text ({exc.reason})") from None
    if "\0" in text:
        raise KnownError(f"{path.name} is not a text file (it holds binary data)")
    first_row = 1
    hint = _SEPARATOR_HINT.match(text)
    if hint:
        # Excel's "sep=;" first line names the separator and is no part of the table.
        delimiter, text, first_row = hint.group(1), text[hint.end() :], 2
    else:
        delimiter = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise KnownError(f"{path.name} is not valid CSV: {exc}") from None
    table = _table(path, "csv", None, [list(row) for row in rows], first_row=first_row)
    _refuse_pseudonyms(table)
    name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(delimiter, delimiter)
    given = " (as its 'sep=' line says)" if hint else ""
    table.notes.insert(0, f"CSV read as {encoding}, separated by {name}{given}")
    return table


_SEPARATOR_HINT = re.compile(r"sep=([,;\t|])[ \t]*\r?\n", re.IGNORECASE)
