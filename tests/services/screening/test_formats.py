"""Each list format loads; hostile and malformed files are refused whole, naming where."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from rsdesk.db import Database
from rsdesk.models import ScreeningEntry
from rsdesk.services.errors import KnownError
from rsdesk.services.screening import formats, lists
from tests.services.screening.conftest import FIXTURES, row_counts

EXPECTED = {
    # file: (format, entries, a primary name, one of its aliases)
    "eu_fsf.xml": ("eu-fsf", 3, "Joint Stock Company Rosoboronexport", "AO Rosoboroneksport"),
    "us_csl.csv": ("us-csl", 4, "Harbin Institute of Technology", "哈尔滨工业大学"),
    "uk_conlist.csv": ("uk-sanctions", 2, "CENTRAL AEROHYDRODYNAMIC INSTITUTE", "TSAGI"),
    "uk_sanctions_list.csv": ("uk-sanctions", 2, "CENTRAL AEROHYDRODYNAMIC INSTITUTE", "TSAGI"),
    "opensanctions_targets.simple.csv": (
        "opensanctions-csv",
        3,
        "Beijing University of Aeronautics and Astronautics",
        "Beihang University",
    ),
    "opensanctions_entities.ftm.json": (
        "opensanctions-ftm",
        2,
        "Kalashnikov Concern",
        "Концерн Калашников",
    ),
    "office_list.csv": ("office-csv", 4, "Technical University of Moscow", None),
}


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_each_format_is_detected_and_loads(db: Database, file_name: str) -> None:
    expected_format, count, primary, alias = EXPECTED[file_name]
    path = FIXTURES / file_name
    assert formats.detect(path.read_bytes(), file_name).key == expected_format
    with db.unit_of_work() as session:
        outcome = lists.load_file(session, path)
    assert (outcome.format, outcome.entry_count, outcome.version_no) == (expected_format, count, 1)
    with db.read() as session:
        from sqlalchemy import select

        from rsdesk.models import ScreeningEntry, ScreeningList

        version = session.get(ScreeningList, outcome.list_id)
        assert version is not None
        assert version.active
        assert version.file_name == file_name
        assert version.entry_count == count
        assert len(version.sha256) == 64
        entries = session.scalars(
            select(ScreeningEntry).where(ScreeningEntry.list_id == version.id)
        ).all()
    assert len(entries) == count
    by_name = {entry.primary_name: entry for entry in entries}
    assert primary in by_name
    if alias:
        assert alias in by_name[primary].aliases
    assert all(len(entry.fingerprint) == 64 for entry in entries)


def test_ftm_skips_helper_and_non_target_entities() -> None:
    parsed = formats.parse((FIXTURES / "opensanctions_entities.ftm.json").read_bytes(), "x.json")
    names = {entry.primary_name for entry in parsed.entries}
    assert names == {"Kalashnikov Concern", "Moscow Institute of Thermal Technology"}


def test_uk_rows_of_one_target_become_one_entry_with_aliases() -> None:
    parsed = formats.parse((FIXTURES / "uk_conlist.csv").read_bytes(), "ConList.csv")
    tsagi = next(e for e in parsed.entries if e.external_id == "14998")
    assert tsagi.aliases == (
        "Центральный аэрогидродинамический институт",
        "TSAGI",
        "N.E. ZHUKOVSKY CENTRAL AEROHYDRODYNAMIC INSTITUTE",
    )
    person = next(e for e in parsed.entries if e.external_id == "15220")
    assert person.primary_name == "Alexei Sergeyevich PETROV"
    assert person.kind == "individual"


def test_loading_a_newer_file_replaces_the_active_version(db: Database, tmp_path: Path) -> None:
    first = tmp_path / "named-organisations-2026-10.csv"
    first.write_text("name,aliases\nOrion Photonics,OP\n", encoding="utf-8")
    second = tmp_path / "named-organisations-2026-11.csv"
    second.write_text("name,aliases\nOrion Photonics,OP\nVega Optics,\n", encoding="utf-8")
    with db.unit_of_work() as session:
        one = lists.load_file(session, first)
    with db.unit_of_work() as session:
        two = lists.load_file(session, second)
    assert one.list_key == two.list_key == "office-named-organisations"
    assert (two.version_no, two.replaced_version_no, two.entry_count) == (2, 1, 2)
    with db.read() as session:
        versions = lists.versions(session)
        active = lists.versions(session, active_only=True)
    assert [(v.version_no, v.active) for v in versions] == [(2, True), (1, False)]
    assert [v.id for v in active] == [two.list_id]


def test_identical_file_is_detected_and_nothing_written(db: Database) -> None:
    path = FIXTURES / "us_csl.csv"
    with db.unit_of_work() as session:
        first = lists.load_file(session, path)
    before = row_counts(db)
    with db.unit_of_work() as session:
        again = lists.load_file(session, path)
    assert again.already_loaded
    assert again.version_no == first.version_no
    assert "already loaded as version 1" in again.describe()
    assert row_counts(db) == before


def test_name_decides_which_list_a_file_belongs_to(db: Database) -> None:
    with db.unit_of_work() as session:
        outcome = lists.load_file(
            session, FIXTURES / "office_list.csv", name="National list of named organisations"
        )
    assert outcome.list_key == "national-list-of-named-organisations"
    assert outcome.name == "National list of named organisations"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<export xmlns="http://eu.europa.ec/fpi/fsd/export"><sanctionEntity logicalId="1">
<nameAlias wholeName="&lol4;"/></sanctionEntity></export>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE export [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<export xmlns="http://eu.europa.ec/fpi/fsd/export"><sanctionEntity logicalId="1">
<nameAlias wholeName="&xxe;"/></sanctionEntity></export>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE export SYSTEM "http://example.org/evil.dtd">
<export xmlns="http://eu.europa.ec/fpi/fsd/export"/>
"""

HOSTILE = {
    "billion-laughs.xml": (BILLION_LAUGHS, None, "DTD"),
    "external-entity.xml": (EXTERNAL_ENTITY, None, "DTD"),
    "external-dtd.xml": (EXTERNAL_DTD, None, "DTD"),
    "truncated.xml": ((FIXTURES / "eu_fsf.xml").read_bytes()[:1500], None, "line "),
    "wrong-root.xml": (
        b"<?xml version='1.0'?><export2><sanctionEntity/></export2>",
        "eu-fsf",
        "root",
    ),
    "no-name.xml": (
        b"<export><sanctionEntity logicalId='9'><subjectType code='person'/></sanctionEntity></export>",
        None,
        "logicalId 9",
    ),
    "csl-missing-column.csv": (
        b"_id,source,entity_number,type,programs,name\n1,EL,,Entity,,Acme\n",
        "us-csl",
        "'alt_names'",
    ),
    "csl-extra-cells.csv": (
        (FIXTURES / "us_csl.csv").read_bytes()
        + b"x,y,z,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29\n",
        None,
        "line 6: 32 columns",
    ),
    "office-unknown-column.csv": (
        b"name,alias,countyr\nAcme,,\n",
        "office-csv",
        "column 3: unknown column 'countyr'",
    ),
    "office-empty-name.csv": (b"name,aliases\nAcme,\n,Foo\n", None, "line 3, column 'name'"),
    "office-bad-quote.csv": (b'name,aliases\n"Acme,\n', None, "line"),
    "empty.csv": (b"", None, "empty"),
    "blank.csv": (b"  \n\n ", None, "empty"),
    "junk.bin": (bytes(range(256)) * 8, None, "binary"),
    "header-only.csv": (b"name,aliases,country\n", None, "no list entries"),
    "ftm-bad-json.json": (
        b'{"id": "a", "schema": "Company", "properties": {"name": ["A"]}}\n{"id": "b", "schema": \n',
        None,
        "line 2",
    ),
    "ftm-bad-property.json": (
        b'{"id": "a", "schema": "Company", "properties": {"name": "A", "alias": [1, 2]}}\n',
        None,
        "property 'alias'",
    ),
    "unknown.txt": (b"hello world\nthis is not a list\n", None, "Cannot tell"),
    "uk-no-id.csv": (b"Name 6,Name 1\nACME,\n", "uk-sanctions", "Group ID"),
}


@pytest.mark.parametrize("file_name", sorted(HOSTILE))
def test_hostile_and_malformed_files_are_refused_whole(
    db: Database, tmp_path: Path, file_name: str
) -> None:
    data, format_key, fragment = HOSTILE[file_name]
    path = tmp_path / file_name
    path.write_bytes(data)
    with db.unit_of_work() as session:  # a valid list is there before
        lists.load_file(session, FIXTURES / "office_list.csv")
    before = row_counts(db)
    with pytest.raises(KnownError) as caught, db.unit_of_work() as session:
        lists.load_file(session, path, format_key=format_key)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message
    assert row_counts(db) == before


def test_oversized_files_are_refused_before_reading(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.csv"
    path.write_bytes(b"name\n" + b"Acme Corporation\n" * 20)
    before = row_counts(db)
    with pytest.raises(KnownError, match="larger than"), db.unit_of_work() as session:
        lists.load_file(session, path)
    assert row_counts(db) == before


def test_excel_semicolon_csv_in_windows_1252_loads() -> None:
    data = "name;aliases;country\nUniversité de Lyon;UdL;FR\n".encode("cp1252")
    parsed = formats.parse(data, "liste.csv")
    assert parsed.entries[0].primary_name == "Université de Lyon"
    assert parsed.entries[0].aliases == ("UdL",)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_unicode_text_with_a_byte_order_mark_loads(encoding: str) -> None:
    """Excel's "Unicode text" is UTF-16 with a BOM; it used to be refused as binary data."""
    text = "name;aliases;country\nTechnische Universität Stuttgart;TU Stuttgart;DE\n"
    data = text.encode(encoding)
    if encoding in ("utf-16-be",):
        data = "\ufeff".encode(encoding) + data  # the BOM the plain codec leaves out
    parsed = formats.parse(data, "Unicode text.csv")
    assert parsed.entries[0].primary_name == "Technische Universität Stuttgart"
    assert parsed.entries[0].aliases == ("TU Stuttgart",)


def test_utf16_without_a_byte_order_mark_asks_for_utf8() -> None:
    data = "name,aliases\nOrion Photonics,OP\n".encode("utf-16-le")
    with pytest.raises(KnownError, match="save it as UTF-8"):
        formats.parse(data, "list.csv")


def test_an_undecodable_file_asks_for_utf8() -> None:
    data = b"name,aliases\nOrion Photonics,OP\n" + b"\x81\x8d\n"
    with pytest.raises(KnownError, match="save the list as UTF-8"):
        formats.parse(data, "list.csv", "office-csv")


def _parse_or_known_error(data: bytes, format_key: str | None) -> None:
    try:
        parsed = formats.parse(data, "fuzz", format_key)
    except KnownError as exc:
        message = str(exc)
    else:
        assert parsed.entries
        assert all(entry.primary_name for entry in parsed.entries)
        return
    assert message
    assert "\n" not in message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), format_key=st.sampled_from([None, *formats.format_keys()]))
def test_arbitrary_bytes_never_crash_the_parsers(data: bytes, format_key: str | None) -> None:
    _parse_or_known_error(data, format_key)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=600), format_key=st.sampled_from([None, *formats.format_keys()]))
def test_arbitrary_text_never_crashes_the_parsers(text: str, format_key: str | None) -> None:
    _parse_or_known_error(text.encode("utf-8", errors="surrogatepass"), format_key)


HEADERS = {
    "us-csl": (FIXTURES / "us_csl.csv").read_text(encoding="utf-8").splitlines()[0],
    "opensanctions-csv": "id,schema,name,aliases,birth_date,countries,addresses,identifiers,"
    "sanctions,phones,emails,program_ids,dataset,first_seen,last_seen,last_change",
    "office-csv": "name,aliases,country,identifiers,note,id",
    "uk-sanctions": (FIXTURES / "uk_conlist.csv").read_text(encoding="utf-8").splitlines()[1],
}


@settings(max_examples=100, deadline=None)
@given(
    format_key=st.sampled_from(sorted(HEADERS)),
    body=st.lists(st.lists(st.text(max_size=12), max_size=40), max_size=5),
)
def test_arbitrary_rows_under_a_real_header_never_crash(
    format_key: str, body: list[list[str]]
) -> None:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    for row in body:
        writer.writerow(row)
    data = (HEADERS[format_key] + "\n" + out.getvalue()).encode("utf-8", errors="surrogatepass")
    _parse_or_known_error(data, format_key)


LEGACY_ENCODED = {
    "gbk.csv": ("清华大学", "gbk", "Chinese, Japanese or Korean"),
    "koi8.csv": ("Институт", "koi8_r", "Cyrillic"),
    "shift-jis.csv": ("東京大学", "shift_jis", "Chinese, Japanese or Korean"),
}


@pytest.mark.parametrize("file_name", sorted(LEGACY_ENCODED))
def test_a_list_in_a_legacy_asian_or_cyrillic_encoding_is_refused_not_stored_as_mojibake(
    db: Database, tmp_path: Path, file_name: str
) -> None:
    """Windows-1252 decodes nearly any bytes; 清华大学 in GBK used to load as 'Çå»ª´óÑ§'."""
    name, encoding, family = LEGACY_ENCODED[file_name]
    path = tmp_path / file_name
    path.write_bytes(f"name,aliases,country\n{name},,XX\n".encode(encoding))
    before = row_counts(db)
    with pytest.raises(KnownError) as caught, db.unit_of_work() as session:
        lists.load_file(session, path)
    message = str(caught.value)
    assert "line 2" in message
    assert f"looks like {family}" in message
    assert "save the list as UTF-8" in message
    assert row_counts(db) == before


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Universidad de Córdoba;UCO;ES", "cp1252"),
        ("Technische Universität München;TUM;DE", "cp1252"),
        ("Instituto de Informação São Paulo;“IISP”;BR", "cp1252"),
        ("Coöperatie Ærø Øresund;€ fund – DK;DK", "cp1252"),
        ("Politechnika Łódzka;Łódź;PL", "utf-8"),
        ("Politechnika Łódzka;Łódź;PL", "utf-8-sig"),
        ("Politechnika Łódzka;Łódź;PL", "utf-16"),
    ],
)
def test_latin_lists_in_windows_1252_and_unicode_still_load(
    db: Database, tmp_path: Path, text: str, encoding: str
) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(f"name;aliases;country\n{text}\n".encode(encoding))
    with db.unit_of_work() as session:
        outcome = lists.load_file(session, path)
    assert outcome.describe() == "list: loaded version 1 with 1 entry"
    with db.read() as session:
        entry = session.scalars(select(ScreeningEntry)).one()
        assert entry.primary_name == text.split(";")[0]


def test_size_limit_is_stated_in_the_same_mb_as_the_docs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"name\n")
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 0)
    with pytest.raises(KnownError, match=r"big.csv is 0 MB; lists larger than 0 MB"):
        lists.read_file(path)
    assert formats.megabytes(512 * 1024 * 1024) == "512 MB"
    assert formats.megabytes(556 * 1024 * 1024) == "556 MB"


@pytest.mark.parametrize(
    ("file_name", "list_name"),
    [
        ("Office Watchlist (January).csv", "Office Watchlist"),
        ("partners.csv", "Office list partners"),
    ],
)
def test_an_office_list_is_named_once(file_name: str, list_name: str) -> None:
    """It read "Office list Office Watchlist": the kind glued to a name that already says it."""
    parsed = formats.parse(b"name\nAcme Corporation\n", file_name, "office-csv")
    assert parsed.name == list_name
