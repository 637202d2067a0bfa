# ruff: noqa: PT017  (a property test: whether the input is refused is up to the input)
"""Hostile input everywhere: whatever arrives, the answer is a result or a KnownError, and a
rejected input writes nothing (row counts and the audit trail unchanged).

Random bytes and random CSV text over the importers and list parsers are covered next to them
(tests/importers/test_fuzz.py, tests/services/screening/test_formats.py); here the inputs are
*damaged real files* (bytes flipped, cut or inserted in a valid workbook or list), which get much
further into the parsers than noise does, plus the answers file of ``appraisal score`` and the
settings service.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from rsdesk.db import Database
from rsdesk.models import AuditEntry, Collaboration, ScreeningEntry, ScreeningList, Setting
from rsdesk.services import audit, importers
from rsdesk.services import settings as settings_service
from rsdesk.services.errors import KnownError

ROOT = Path(__file__).resolve().parents[2]
SCREENING = ROOT / "tests" / "fixtures" / "screening"

HOSTILE = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def one_line(exc: BaseException) -> bool:
    """What the CLI prints and the GUI shows: one non-empty line."""
    text = str(exc).strip()
    return bool(text) and "\n" not in text


def count(db: Database, model: Any) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with a few bytes flipped, a slice cut out, bytes inserted, or cut short."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        how = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        at = draw(st.integers(0, len(data) - 1))
        if how == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif how == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        else:
            del data[at:]
    return bytes(data)


# --- importers: damaged workbooks and CSV files ------------------------------------------------


@functools.cache
def _workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Title", "Kind", "Status", "Start", "End", "Funding (EUR)"])
    for number in range(12):
        sheet.append(
            [f"Workbook row {number}", "joint_research", "active", "2024-01-01", "2026-12-31", 1000]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv() -> bytes:
    lines = ["Title;Kind;Status;Start;End"]
    lines += [f"CSV row {n};Exchange;active;01.02.2024;31.12.2026" for n in range(12)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _import_all_or_nothing(db: Database, path: Path, format: str) -> None:
    before = (count(db, Collaboration), count(db, AuditEntry))
    try:
        with db.unit_of_work() as session:
            _plan, result = importers.run_import(session, path, format, "collaborations")
    except KnownError as exc:
        assert one_line(exc)
        assert (count(db, Collaboration), count(db, AuditEntry)) == before, "a refusal wrote"
    else:
        assert result is not None
        assert count(db, Collaboration) == before[0] + result.created
    with db.read() as session:
        assert audit.verify(session).ok


def test_the_undamaged_files_import(db: Database, tmp_path: Path) -> None:
    """The originals the damage starts from are good: 12 rows each."""
    (tmp_path / "good.xlsx").write_bytes(_workbook())
    (tmp_path / "good.csv").write_bytes(_csv())
    for name, format in (("good.xlsx", "xlsx"), ("good.csv", "csv")):
        with db.unit_of_work() as session:
            _plan, result = importers.run_import(session, tmp_path / name, format, "collaborations")
        assert result is not None
        assert result.created == 12
    assert count(db, Collaboration) == 24


@HOSTILE
@given(data=st.data())
def test_a_damaged_workbook_imports_whole_or_is_refused_whole(
    db: Database, tmp_path: Path, data: st.DataObject
) -> None:
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(data.draw(damaged(_workbook())))
    _import_all_or_nothing(db, path, "xlsx")


@HOSTILE
@given(data=st.data())
def test_a_damaged_csv_imports_whole_or_is_refused_whole(
    db: Database, tmp_path: Path, data: st.DataObject
) -> None:
    path = tmp_path / "damaged.csv"
    path.write_bytes(data.draw(damaged(_csv())))
    _import_all_or_nothing(db, path, "csv")


# --- screening list parsers: damaged real lists --------------------------------------------------

LISTS = sorted(p.name for p in SCREENING.iterdir() if p.is_file())


@HOSTILE
@given(data=st.data(), name=st.sampled_from(LISTS))
def test_a_damaged_sanctions_list_loads_whole_or_is_refused_whole(
    db: Database, data: st.DataObject, name: str
) -> None:
    from rsdesk.services.screening import lists

    damaged_bytes = data.draw(damaged((SCREENING / name).read_bytes()))
    before = (count(db, ScreeningList), count(db, ScreeningEntry), count(db, AuditEntry))
    try:
        with db.unit_of_work() as session:
            outcome = lists.load_bytes(session, damaged_bytes, name)
    except KnownError as exc:
        assert one_line(exc)
        after = (count(db, ScreeningList), count(db, ScreeningEntry), count(db, AuditEntry))
        assert after == before, "a refused list wrote something"
    else:
        if not outcome.already_loaded:
            with db.read() as session:
                loaded = session.scalar(
                    select(func.count())
                    .select_from(ScreeningEntry)
                    .where(ScreeningEntry.list_id == outcome.list_id)
                )
            assert loaded == outcome.entry_count


# --- the answers file of `rsdesk appraisal score` ----------------------------------------------


def _question_ids() -> tuple[list[str], list[str]]:
    from rsdesk.services.appraisal import load_model

    public = load_model().to_public_json()
    questions = [q for section in _walk(public) for q in [section]]
    ids = [q["id"] for q in questions if isinstance(q, dict) and "options" in q and "id" in q]
    options = [
        o["id"]
        for q in questions
        if isinstance(q, dict) and isinstance(q.get("options"), list)
        for o in q["options"]
        if isinstance(o, dict) and "id" in o
    ]
    return ids, options


def _walk(value: Any) -> list[Any]:
    found = [value]
    if isinstance(value, dict):
        for item in value.values():
            found += _walk(item)
    elif isinstance(value, list):
        for item in value:
            found += _walk(item)
    return found


QUESTION_IDS, OPTION_IDS = _question_ids()

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(OPTION_IDS or ["x"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
answer_maps = st.dictionaries(
    st.one_of(st.sampled_from(QUESTION_IDS or ["q"]), st.text(max_size=10)),
    st.one_of(st.sampled_from(OPTION_IDS or ["x"]), json_values),
    max_size=8,
)
answers_documents = st.one_of(
    answer_maps,
    st.fixed_dictionaries({"answers": answer_maps}),
    st.fixed_dictionaries(
        {"answers": answer_maps},
        optional={"justifications": json_values, "extra": json_values},
    ),
    json_values,
)


def test_the_bank_has_questions_to_fuzz_with() -> None:
    assert len(QUESTION_IDS) >= 5
    assert len(OPTION_IDS) >= 10


def _score_file(path: Path) -> int:
    from rsdesk.commands.appraisal import _score

    return _score(argparse.Namespace(answers=str(path), model=None, db=None))


@HOSTILE
@given(document=answers_documents)
def test_any_answers_document_scores_or_is_refused_in_one_line(
    tmp_path: Path, document: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        assert _score_file(path) == 0
    except KnownError as exc:
        assert one_line(exc)
    else:
        result = json.loads(capsys.readouterr().out)
        assert isinstance(result, dict)


@HOSTILE
@given(raw=st.binary(max_size=300))
def test_any_bytes_as_answers_file_score_or_are_refused(
    tmp_path: Path, raw: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "answers.json"
    path.write_bytes(raw)
    try:
        _score_file(path)
    except KnownError as exc:
        assert one_line(exc)
    capsys.readouterr()


# --- settings --------------------------------------------------------------------------------

setting_values = st.one_of(json_scalars, st.integers(-5, 3000).map(str), json_values)


def _stored(db: Database) -> list[tuple[str, Any]]:
    with db.read() as session:
        rows = session.execute(select(Setting.key, Setting.value)).all()
        return sorted((key, value) for key, value in rows)


@HOSTILE
@given(
    changes=st.dictionaries(
        st.sampled_from([s.field for s in settings_service.SPECS]), setting_values, max_size=4
    )
)
def test_settings_save_all_or_nothing(db: Database, changes: dict[str, Any]) -> None:
    before = _stored(db)
    try:
        with db.unit_of_work() as session:
            saved = settings_service.save(session, **changes)
    except KnownError as exc:
        assert one_line(exc)
        assert _stored(db) == before, "a refused change stored something"
    else:
        with db.read() as session:
            assert settings_service.load(session) == saved


@HOSTILE
@given(value=st.one_of(setting_values, json_values), field=st.sampled_from(settings_service.SPECS))
def test_a_hand_edited_setting_row_never_breaks_loading(
    db: Database, value: Any, field: settings_service.SettingSpec
) -> None:
    with db.unit_of_work() as session:
        row = session.scalar(select(Setting).where(Setting.key == field.key))
        if row is None:
            session.add(Setting(key=field.key, value=value))
        else:
            row.value = value
    with db.read() as session:
        loaded = settings_service.load(session)
    current = getattr(loaded, field.field)
    assert isinstance(current, type(field.default))


@HOSTILE
@given(data=st.data())
def test_a_damaged_logo_is_stored_whole_or_refused(db: Database, data: st.DataObject) -> None:
    import base64

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
    )
    blob = data.draw(st.one_of(damaged(png), st.binary(max_size=64)))
    before = _stored(db)
    try:
        with db.unit_of_work() as session:
            settings_service.set_logo(session, blob)
    except KnownError as exc:
        assert one_line(exc)
        assert _stored(db) == before
    else:
        with db.read() as session:
            logo = settings_service.load(session).logo
        assert logo is not None
        assert logo.data == blob
