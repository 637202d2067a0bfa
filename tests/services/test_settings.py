"""Institution settings: defaults, validation, storage in the audited setting table, the logo."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from rsdesk.models import AuditEntry, Setting
from rsdesk.services import privacy, settings
from rsdesk.services.errors import KnownError, ValidationError


def image_bytes(kind: str, size: tuple[int, int] = (120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(buffer, format=kind)
    return buffer.getvalue()


def test_a_new_database_has_the_defaults(any_db):
    with any_db.read() as session:
        current = settings.load(session)
    assert current == settings.InstitutionSettings()
    assert current.leaver_retention_months == privacy.DEFAULT_RETENTION_MONTHS
    assert current.logo is None
    assert {spec.field for spec in settings.SPECS} == set(settings.FIELDS)


def test_saved_values_come_back_and_are_audited(any_db):
    with any_db.unit_of_work() as session:
        saved = settings.save(
            session,
            institution_name="  University   of Example ",
            leaver_retention_months=36,
            import_max_mb="80",
            review_reminder_days=45,
        )
    assert saved.institution_name == "University of Example"
    with any_db.read() as session:
        current = settings.load(session)
        # The retention period is the very value the privacy service applies.
        assert privacy.retention_months(session) == 36
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "setting")
        ).all()
    assert current == saved
    assert current.import_max_bytes == 80 * 1024 * 1024
    assert len(audited) == 4


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("leaver_retention_months", 0, "between 1 and 600 months"),
        ("leaver_retention_months", 601, "between 1 and 600"),
        ("import_max_mb", "lots", "whole number"),
        ("review_reminder_days", True, "whole number"),
        ("institution_name", "x" * 201, "too long"),
        ("institution_name", 12, "must be text"),
    ],
)
def test_bad_values_are_refused_naming_the_field(any_db, field, value, message):
    with any_db.unit_of_work() as session:
        settings.save(session, institution_name="Kept")
    with any_db.unit_of_work() as session, pytest.raises(ValidationError, match=message) as info:
        settings.save(session, **{"institution_name": "Not kept", field: value})
    assert info.value.field == field
    with any_db.read() as session:
        assert settings.load(session).institution_name == "Kept"


def test_reset_returns_to_the_default(db):
    with db.unit_of_work() as session:
        settings.save(session, review_reminder_days=90)
    with db.unit_of_work() as session:
        assert settings.reset(session, "review_reminder_days").review_reminder_days == 30
    with db.read() as session:
        assert settings.load(session).review_reminder_days == 30


def test_an_unusable_stored_value_falls_back_to_the_default(db):
    with db.unit_of_work() as session:
        session.add(Setting(key="reminders.horizon_days", value={"not": "a number"}))
    with db.read() as session:
        assert settings.load(session).review_reminder_days == 30


@pytest.mark.parametrize(("kind", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_png_and_jpeg_logos_are_kept_with_their_size(any_db, kind, media_type):
    data = image_bytes(kind, (321, 87))
    with any_db.unit_of_work() as session:
        logo = settings.set_logo(session, data)
    assert (logo.media_type, logo.width, logo.height) == (media_type, 321, 87)
    with any_db.read() as session:
        stored = settings.load(session).logo
    assert stored is not None
    assert stored.data == data
    assert stored.sha256 == logo.sha256
    with any_db.unit_of_work() as session:
        settings.remove_logo(session)
    with any_db.read() as session:
        assert settings.load(session).logo is None


def test_other_images_and_damaged_files_are_refused(db, tmp_path):
    gif = image_bytes("GIF")
    with db.unit_of_work() as session, pytest.raises(ValidationError, match="PNG or JPEG"):
        settings.set_logo(session, gif)
    with db.unit_of_work() as session, pytest.raises(ValidationError, match="damaged PNG"):
        settings.set_logo(session, settings.PNG_SIGNATURE + b"junk")
    with db.unit_of_work() as session, pytest.raises(ValidationError, match="damaged JPEG"):
        settings.set_logo(session, b"\xff\xd8\xff\xe0" + b"\x00" * 20)


def test_too_large_logos_are_refused(db, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(settings.PNG_SIGNATURE + b"\x00" * (settings.LOGO_MAX_BYTES + 1))
    with db.unit_of_work() as session, pytest.raises(ValidationError, match="at most 512 KB"):
        settings.set_logo_file(session, big)
    huge = image_bytes("PNG", (settings.LOGO_MAX_SIDE + 1, 2))
    with db.unit_of_work() as session, pytest.raises(ValidationError, match="pixels"):
        settings.set_logo(session, huge)
    with db.unit_of_work() as session, pytest.raises(KnownError, match="Cannot read"):
        settings.set_logo_file(session, tmp_path / "absent.png")
    with db.read() as session:
        assert settings.load(session).logo is None
