"""Demo data: deterministic, realistic, consistent with the appraisal engine and the schema.

One demo database of 1,500 collaborations is generated per module and inspected by most tests;
determinism compares two further databases generated from the same seed and anchor.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from rsdesk.db import Database, auditlog, open_database
from rsdesk.db.bulk import bulk_insert
from rsdesk.models import Base, Collaboration
from rsdesk.models.enums import CollaborationKind, CollaborationStatus, RiskLevel
from rsdesk.services import audit, demo
from rsdesk.services.appraisal import load_model, score
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import Cancelled, CancelToken

ANCHOR = dt.date(2026, 6, 15)
SIZE = 1500
#: Tables whose rows are the demo's content (the audit log has random salts and today's time).
AUDIT_TABLES = {"audit_entry", "audit_head"}


def _copy(template: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shutil.copyfile(template, path)
    return path


@pytest.fixture(scope="module")
def demo_path(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = _copy(sqlite_template, tmp_path_factory.mktemp("demo"), "demo.sqlite3")
    database = open_database(path)
    try:
        demo.generate(database, size=SIZE, seed=7, anchor=ANCHOR)
    finally:
        database.dispose()
    return path


@pytest.fixture
def demo_sql(demo_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(demo_path)
    yield connection
    connection.close()


def _contents(path: Path) -> dict[str, list[tuple[object, ...]]]:
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if name not in AUDIT_TABLES
        ]
        return {
            table: connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            for table in tables
        }
    finally:
        connection.close()


def _generate(template: Path, folder: Path, seed: int, size: int = 300) -> Path:
    path = _copy(template, folder, f"seed-{seed}-{random.random()}.sqlite3")
    database = open_database(path)
    try:
        demo.generate(database, size=size, seed=seed, anchor=ANCHOR)
    finally:
        database.dispose()
    return path


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_and_anchor_give_identical_data(sqlite_template: Path, tmp_path: Path) -> None:
    first = _contents(_generate(sqlite_template, tmp_path, seed=11))
    second = _contents(_generate(sqlite_template, tmp_path, seed=11))
    assert first["collaboration"], "the demo wrote no collaborations"
    assert first == second


def test_a_different_seed_gives_different_data(sqlite_template: Path, tmp_path: Path) -> None:
    def titles(path: Path) -> list[str]:
        connection = sqlite3.connect(path)
        try:
            return [t for (t,) in connection.execute("SELECT title FROM collaboration ORDER BY id")]
        finally:
            connection.close()

    first = _generate(sqlite_template, tmp_path, seed=11)
    second = _generate(sqlite_template, tmp_path, seed=12)
    assert _contents(first)["partner"] != _contents(second)["partner"]
    assert titles(first) != titles(second)


# --- the counts and the audit trail ---------------------------------------------------------


def test_counts_match_the_database_and_the_audit_trail_verifies(demo_path: Path) -> None:
    # As generated: a full open would also renew the yearly checks that fell due since ANCHOR.
    database = open_database(demo_path, upgrade=False)
    try:
        with database.read() as session:
            result = audit.verify(session)
    finally:
        database.dispose()
    assert result.ok, result.problem
    connection = sqlite3.connect(demo_path)
    try:
        count = connection.execute("SELECT COUNT(*) FROM collaboration").fetchone()[0]
        entries = connection.execute("SELECT COUNT(*) FROM audit_entry").fetchone()[0]
    finally:
        connection.close()
    assert count == SIZE
    assert result.records_checked == entries  # one insert entry per row, nothing else


def test_sizes_scale_with_the_number_of_collaborations(demo_sql: sqlite3.Connection) -> None:
    def count(table: str) -> int:
        return int(demo_sql.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    assert 12 <= count("department") - 1 <= 20  # plus the research-security office
    assert count("staff_member") == max(40, SIZE // 20)
    assert count("partner") == max(30, SIZE // 5)
    assert count("collaboration_partner") >= SIZE
    assert count("appraisal") > SIZE // 4
    assert count("mitigation_measure") > 0
    assert count("advice_request") == max(20, SIZE // 10)


def test_the_database_accepts_the_data_with_foreign_keys_on(demo_sql: sqlite3.Connection) -> None:
    assert demo_sql.execute("PRAGMA foreign_key_check").fetchall() == []
    assert demo_sql.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- realism --------------------------------------------------------------------------------


def test_every_kind_and_status_appears(demo_sql: sqlite3.Connection) -> None:
    kinds = {k for (k,) in demo_sql.execute("SELECT DISTINCT kind FROM collaboration")}
    statuses = {s for (s,) in demo_sql.execute("SELECT DISTINCT status FROM collaboration")}
    levels = {
        level
        for (level,) in demo_sql.execute(
            "SELECT DISTINCT risk_level FROM collaboration WHERE risk_level IS NOT NULL"
        )
    }
    assert kinds == {kind.value for kind in CollaborationKind}
    assert statuses == {status.value for status in CollaborationStatus}
    assert levels == {level.value for level in RiskLevel}
    measure_statuses = {
        s for (s,) in demo_sql.execute("SELECT DISTINCT status FROM mitigation_measure")
    }
    assert {"planned", "in_progress", "done"} <= measure_statuses
    partner_kinds = {k for (k,) in demo_sql.execute("SELECT DISTINCT kind FROM partner")}
    assert partner_kinds == {
        "university",
        "research_institute",
        "company",
        "government_body",
        "other",
    }


SCRIPTS = {
    "Cyrillic": (0x0400, 0x04FF),
    "Greek": (0x0370, 0x03FF),
    "Han": (0x4E00, 0x9FFF),
    "Hangul": (0xAC00, 0xD7AF),
    "Arabic": (0x0600, 0x06FF),
    "Kana": (0x3040, 0x30FF),
}


def test_partner_names_in_every_script(demo_sql: sqlite3.Connection) -> None:
    names = [
        n
        for (n,) in demo_sql.execute("SELECT name FROM partner UNION SELECT name FROM partner_name")
    ]
    text = "".join(names)
    for script, (low, high) in SCRIPTS.items():
        assert any(low <= ord(ch) <= high for ch in text), f"no partner name in {script}"
    assert any(ch in text for ch in "ąłńśźżčřšžőűğışéèñãçü"), "no Latin name with diacritics"
    japanese = demo_sql.execute(
        "SELECT COUNT(*) FROM partner p JOIN partner_name n ON n.partner_id = p.id "
        "WHERE p.country = 'JP' AND n.kind = 'native_script'"
    ).fetchone()[0]
    primary_native = demo_sql.execute(
        "SELECT COUNT(*) FROM partner WHERE country IN ('CN', 'JP', 'KR') AND name NOT GLOB '*[A-Za-z]*'"
    ).fetchone()[0]
    assert japanese > 0
    assert primary_native > 0  # some partners are registered under their native name
    kinds = {k for (k,) in demo_sql.execute("SELECT DISTINCT kind FROM partner_name")}
    assert {"alias", "native_script", "abbreviation"} <= kinds


def test_collaborations_spread_over_six_years_with_references(demo_sql: sqlite3.Connection) -> None:
    years = {int(ref[2:6]) for (ref,) in demo_sql.execute("SELECT reference FROM collaboration")}
    assert min(years) <= ANCHOR.year - 5
    assert max(years) == ANCHOR.year
    references = [r for (r,) in demo_sql.execute("SELECT reference FROM collaboration")]
    assert all(len(r) == len("C-2023-00042") and r.startswith("C-") for r in references)
    partners_per = [
        n
        for (n,) in demo_sql.execute(
            "SELECT COUNT(*) FROM collaboration_partner GROUP BY collaboration_id"
        )
    ]
    assert set(partners_per) == {1, 2, 3}
    with_areas = demo_sql.execute(
        "SELECT COUNT(DISTINCT collaboration_id) FROM collaboration_technology"
    ).fetchone()[0]
    dual_use = demo_sql.execute(
        "SELECT COUNT(*) FROM collaboration WHERE dual_use_code IS NOT NULL"
    ).fetchone()[0]
    assert 0.1 * SIZE < with_areas < 0.6 * SIZE
    assert 0 < dual_use < 0.1 * SIZE


def test_staff_hold_role_and_sensitivity_but_nothing_about_origin(
    demo_sql: sqlite3.Connection,
) -> None:
    columns = {row[1] for row in demo_sql.execute("PRAGMA table_info(staff_member)")}
    assert not columns & {"nationality", "citizenship", "country", "ethnicity", "religion"}
    roles = {r for (r,) in demo_sql.execute("SELECT DISTINCT role_category FROM staff_member")}
    assert len(roles) >= 8
    sensitive = demo_sql.execute(
        "SELECT COUNT(*), SUM(dual_use_code IS NOT NULL), SUM(sensitive_facility_access), "
        "COUNT(DISTINCT email), COUNT(*) FROM staff_member WHERE technology_area_code IS NOT NULL"
    ).fetchone()
    assert sensitive[0] > 0
    assert sensitive[1] > 0
    assert sensitive[2] > 0
    emails = demo_sql.execute("SELECT COUNT(DISTINCT email), COUNT(*) FROM staff_member").fetchone()
    assert emails[0] == emails[1]


# --- dates in order -------------------------------------------------------------------------


def test_dates_are_in_order(demo_sql: sqlite3.Connection) -> None:
    anchor = ANCHOR.isoformat()
    checks = {
        "collaboration ends before it starts": "SELECT COUNT(*) FROM collaboration "
        "WHERE end_date < start_date",
        "created in the future": f"SELECT COUNT(*) FROM collaboration WHERE date(created_at) > '{anchor}'",
        "signed before it was started": "SELECT COUNT(*) FROM appraisal "
        "WHERE signed_off_at < created_at",
        "signed in the future": f"SELECT COUNT(*) FROM appraisal WHERE date(signed_off_at) > '{anchor}'",
        "appraised before proposed": "SELECT COUNT(*) FROM appraisal a JOIN collaboration c "
        "ON c.id = a.collaboration_id WHERE a.created_at < date(c.created_at)",
        "re-appraisal not after its predecessor": "SELECT COUNT(*) FROM appraisal a "
        "JOIN appraisal p ON p.id = a.previous_appraisal_id WHERE a.signed_off_at <= p.signed_off_at",
        "review not after sign-off": "SELECT COUNT(*) FROM appraisal "
        "WHERE next_review_date <= date(signed_off_at)",
        "measure due before sign-off": "SELECT COUNT(*) FROM mitigation_measure m JOIN appraisal a "
        "ON a.id = m.appraisal_id WHERE m.due_date < date(a.signed_off_at)",
        "measure done before sign-off or in the future": "SELECT COUNT(*) FROM mitigation_measure m "
        "JOIN appraisal a ON a.id = m.appraisal_id WHERE m.completed_on < date(a.signed_off_at) "
        f"OR m.completed_on > '{anchor}'",
        "done without a date": "SELECT COUNT(*) FROM mitigation_measure WHERE "
        "(status = 'done') <> (completed_on IS NOT NULL)",
        "staff leave before they start": "SELECT COUNT(*) FROM staff_member WHERE end_date < start_date",
        "advice closed before asked": "SELECT COUNT(*) FROM advice_request WHERE closed_on < asked_on",
        "advice in the future": f"SELECT COUNT(*) FROM advice_request WHERE asked_on > '{anchor}' "
        f"OR closed_on > '{anchor}'",
        "updated before created": "SELECT COUNT(*) FROM collaboration WHERE updated_at < created_at",
    }
    broken = {name: n for name, sql in checks.items() if (n := demo_sql.execute(sql).fetchone()[0])}
    assert broken == {}


def test_status_follows_the_dates(demo_sql: sqlite3.Connection) -> None:
    anchor = ANCHOR.isoformat()
    wrong = {
        "active": f"status = 'active' AND (start_date > '{anchor}' OR end_date < '{anchor}')",
        "ended": f"status = 'ended' AND end_date >= '{anchor}'",
        "approved": f"status IN ('approved', 'approved_with_conditions') AND start_date <= '{anchor}'",
    }
    for status, where in wrong.items():
        assert (
            demo_sql.execute(f"SELECT COUNT(*) FROM collaboration WHERE {where}").fetchone()[0] == 0
        ), status


def test_some_reviews_overdue_some_due_soon_and_some_measures_overdue(
    demo_sql: sqlite3.Connection,
) -> None:
    anchor = ANCHOR.isoformat()
    soon = (ANCHOR + dt.timedelta(days=90)).isoformat()
    overdue = demo_sql.execute(
        f"SELECT COUNT(*) FROM collaboration WHERE next_review_date < '{anchor}'"
    ).fetchone()[0]
    due_soon = demo_sql.execute(
        f"SELECT COUNT(*) FROM collaboration WHERE next_review_date BETWEEN '{anchor}' AND '{soon}'"
    ).fetchone()[0]
    late_measures = demo_sql.execute(
        f"SELECT COUNT(*) FROM mitigation_measure WHERE due_date < '{anchor}' "
        "AND status IN ('planned', 'in_progress')"
    ).fetchone()[0]
    open_advice = demo_sql.execute(
        "SELECT COUNT(*) FROM advice_request WHERE closed_on IS NULL"
    ).fetchone()[0]
    assert overdue > 0
    assert due_soon > 0
    assert late_measures > 0
    assert open_advice > 0


# --- consistency with the appraisal engine --------------------------------------------------


def test_risk_level_is_the_latest_signed_off_appraisals(demo_sql: sqlite3.Connection) -> None:
    rows = demo_sql.execute(
        "SELECT c.id, c.risk_level, c.status, ("
        "  SELECT a.risk_level FROM appraisal a WHERE a.collaboration_id = c.id "
        "  AND a.status = 'signed_off' ORDER BY a.version DESC LIMIT 1) "
        "FROM collaboration c"
    ).fetchall()
    mismatched = [row for row in rows if row[1] != row[3]]
    assert mismatched == []
    # Rejections and conditions are backed by the decision that caused them.
    for status, decision in (
        ("rejected", "reject"),
        ("approved_with_conditions", "approve_with_conditions"),
    ):
        decisions = {
            d
            for (d,) in demo_sql.execute(
                "SELECT (SELECT a.decision FROM appraisal a WHERE a.collaboration_id = c.id "
                "AND a.status = 'signed_off' ORDER BY a.version DESC LIMIT 1) "
                "FROM collaboration c WHERE c.status = ?",
                (status,),
            )
        }
        assert decisions <= {decision, None}, status


def test_signed_off_appraisals_are_complete_and_versioned(demo_sql: sqlite3.Connection) -> None:
    incomplete = demo_sql.execute(
        "SELECT COUNT(*) FROM appraisal WHERE status = 'signed_off' AND (decision IS NULL OR "
        "signed_off_by IS NULL OR signed_off_at IS NULL OR result IS NULL OR risk_level IS NULL)"
    ).fetchone()[0]
    assert incomplete == 0
    versions = {v for (v,) in demo_sql.execute("SELECT DISTINCT version FROM appraisal")}
    assert {1, 2} <= versions
    chained = demo_sql.execute(
        "SELECT COUNT(*) FROM appraisal a JOIN appraisal p ON p.id = a.previous_appraisal_id "
        "WHERE p.collaboration_id = a.collaboration_id AND p.version = a.version - 1"
    ).fetchone()[0]
    later = demo_sql.execute("SELECT COUNT(*) FROM appraisal WHERE version > 1").fetchone()[0]
    assert chained == later
    drafts = demo_sql.execute("SELECT COUNT(*) FROM appraisal WHERE status = 'draft'").fetchone()[0]
    assert drafts > 0
    conditional = demo_sql.execute(
        "SELECT COUNT(*) FROM appraisal a WHERE a.decision = 'approve_with_conditions' AND NOT "
        "EXISTS (SELECT 1 FROM mitigation_measure m WHERE m.appraisal_id = a.id)"
    ).fetchone()[0]
    assert conditional == 0


def test_stored_results_are_what_the_engine_computes(demo_sql: sqlite3.Connection) -> None:
    model = load_model()
    rows = demo_sql.execute(
        "SELECT answers, justifications, result, risk_level, score, model_id, model_version "
        "FROM appraisal ORDER BY id"
    ).fetchall()
    assert rows
    for answers, justifications, result, level, points, model_id, version in rows[::7]:
        expected = score(model, json.loads(answers), json.loads(justifications))
        stored = json.loads(result)
        assert (level, points) == (expected.level, expected.total)
        assert (model_id, version) == (model.id, model.version)
        assert stored["factors"] == json.loads(json.dumps(expected.to_dict()["factors"]))
        assert stored["level"] == expected.level
        assert stored["justifications_missing"] == [] or level is None
    signed_unknown = demo_sql.execute(
        "SELECT COUNT(*) FROM appraisal WHERE answers LIKE '%\"unknown\"%'"
    ).fetchone()[0]
    assert signed_unknown > 0  # some "don't know" answers, as in real appraisals


# --- behaviour of generate() ----------------------------------------------------------------


def test_refuses_a_database_that_already_holds_data(demo_path: Path) -> None:
    database = open_database(demo_path)
    try:
        with pytest.raises(KnownError, match="already holds"):
            demo.generate(database, size=10, seed=1, anchor=ANCHOR)
    finally:
        database.dispose()


def test_cancel_leaves_the_database_empty(db: Database) -> None:
    token = CancelToken()
    seen: list[str] = []

    def progress(done: int, total: int, message: str = "") -> None:
        seen.append(message)
        if "collaborations" in message:
            token.cancel()

    with db.read() as session:
        before = audit.entry_count(session)  # the catalogue's courses, put in on opening
    with pytest.raises(Cancelled):
        demo.generate(db, size=200, seed=1, anchor=ANCHOR, progress=progress, cancel=token)
    with db.read() as session:
        assert session.scalar(select(Collaboration.id).limit(1)) is None
        assert audit.entry_count(session) == before
    assert any("departments" in message for message in seen)


def test_rejects_an_absurd_size(db: Database) -> None:
    with pytest.raises(KnownError):
        demo.generate(db, size=-1)


def test_small_demo_on_every_engine(any_db: Database) -> None:
    counts = demo.generate(any_db, size=60, seed=3, anchor=ANCHOR)
    assert counts["collaborations"] == 60
    with any_db.read() as session:
        assert audit.verify(session).ok
    # Ids continue after the demo's explicit ids (PostgreSQL sequences were moved on).
    with any_db.unit_of_work() as session:
        from rsdesk.models import Department

        session.add(Department(name="Extra department"))
        session.flush()
    with any_db.read() as session:
        assert audit.verify(session).ok


# --- the fast paths keep the stored data and the hashes exactly --------------------------------


def _random_value(rng: random.Random, depth: int = 0) -> object:
    draw = rng.random()
    if draw < 0.15:
        return None
    if draw < 0.3:
        return rng.randint(-5, 10**12)
    if draw < 0.4:
        return rng.random() * 100
    if draw < 0.5:
        return rng.choice([True, False])
    if draw < 0.7:
        return rng.choice(["a", 'Łódź "q"\n\\', "北京", "عمّان", "\u2028x", "é\x00", "del\x7f"])
    if draw < 0.8 and depth < 3:
        return {rng.choice("kéba"): _random_value(rng, depth + 1) for _ in range(3)}
    if draw < 0.9 and depth < 3:
        return [_random_value(rng, depth + 1) for _ in range(3)]
    return dt.date(2024, 1, 2)


def test_audit_text_cache_hashes_exactly_like_the_reference_functions() -> None:
    rng = random.Random(5)
    texts = auditlog.TextCache()
    for spec in auditlog.audited_specs().values():
        for _ in range(100):
            entry = auditlog.insert_entry(spec, 1, {c: _random_value(rng) for c in spec.columns})
            if rng.random() < 0.4:
                entry.changes = {
                    c: [auditlog.canonical(_random_value(rng)), entry.state[c]]
                    for c in rng.sample(spec.columns, min(3, len(spec.columns)))
                }
            state_hash, body, stored = texts.entry(spec, entry, True)
            assert state_hash == auditlog.state_digest(spec, entry.state, entry.salts)
            assert body == auditlog.dumps(
                auditlog.changes_for_hash(entry.changes, entry.salts, None)
            )
            assert stored == json.dumps(entry.changes)


def test_bulk_insert_stores_what_a_core_insert_stores(
    sqlite_template: Path, tmp_path: Path
) -> None:
    source_path = _generate(sqlite_template, tmp_path, seed=5, size=40)
    core_path = _copy(sqlite_template, tmp_path, "core.sqlite3")
    bulk_path = _copy(sqlite_template, tmp_path, "bulk.sqlite3")
    source = open_database(source_path)
    core, bulk = open_database(core_path), open_database(bulk_path)
    tables = [t for t in Base.metadata.sorted_tables if t.name not in AUDIT_TABLES]
    try:
        with source.engine.connect() as reading, core.engine.begin() as a, bulk.engine.begin() as b:
            for table in reversed(tables):
                a.execute(table.delete())
                b.execute(table.delete())
            for table in tables:
                rows = [dict(row) for row in reading.execute(select(table)).mappings()]
                if rows:
                    a.execute(insert(table), rows)
                    bulk_insert(b, table, rows)
    finally:
        for database in (source, core, bulk):
            database.dispose()

    def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
        connection = sqlite3.connect(path)
        try:
            out = {}
            for table in tables:
                quoted = ", ".join(f'quote("{c.name}")' for c in table.columns)
                out[table.name] = connection.execute(
                    f'SELECT {quoted} FROM "{table.name}" ORDER BY rowid'
                ).fetchall()
            return out
        finally:
            connection.close()

    core_rows, bulk_rows = dump(core_path), dump(bulk_path)
    assert core_rows["appraisal"]
    assert core_rows["staff_member"]
    assert core_rows == bulk_rows
