"""Institution settings: typed, validated, with their defaults in one place (the ``setting`` table).

Each setting is one row (key -> JSON value), audited like any other change. A missing row means
"the default", so a new database needs no seeding and an upgrade can add settings freely.
The leaver retention period belongs to :mod:`rsdesk.services.privacy` (which applies it); this
module reads and writes it through that module so there is one key and one rule.

The logo is stored as base64 text with its media type and SHA-256, checked to be a PNG or JPEG
(by its signature and, for PNG, its header) no larger than :data:`LOGO_MAX_BYTES`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import struct
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import Setting
from rsdesk.services import privacy
from rsdesk.services.errors import KnownError, ValidationError

LOGO_KEY = "institution.logo"
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 4000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class SettingSpec:
    """One scalar setting: storage key, default, bounds and the label forms show."""

    field: str
    key: str
    label: str
    default: Any
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    unit: str = ""


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("institution_name", "institution.name", "Institution name", "", max_length=200),
    SettingSpec(
        "leaver_retention_months",
        privacy.RETENTION_SETTING,
        "Retention period for leavers",
        privacy.DEFAULT_RETENTION_MONTHS,
        1,
        600,
        unit="months",
    ),
    SettingSpec(
        "import_max_mb", "imports.max_mb", "Largest file to import", 50, 1, 2000, unit="MB"
    ),
    SettingSpec(
        "review_reminder_days",
        "reminders.horizon_days",
        "Reminder horizon (due-soon list)",
        30,
        1,
        366,
        unit="days",
    ),
)
_BY_FIELD = {spec.field: spec for spec in SPECS}


@dataclass(frozen=True)
class Logo:
    media_type: str
    data: bytes
    sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class InstitutionSettings:
    institution_name: str = _BY_FIELD["institution_name"].default
    leaver_retention_months: int = _BY_FIELD["leaver_retention_months"].default
    import_max_mb: int = _BY_FIELD["import_max_mb"].default
    review_reminder_days: int = _BY_FIELD["review_reminder_days"].default
    logo: Logo | None = None

    @property
    def import_max_bytes(self) -> int:
        return self.import_max_mb * 1024 * 1024


def spec(field: str) -> SettingSpec:
    return _BY_FIELD[field]


# --- reading ---------------------------------------------------------------------------------


def is_set_up(session: Session) -> bool:
    """Whether the office has started using this database: an institution name or any record.

    A database with neither gets the first-run set-up instead of an empty window.
    """
    from rsdesk.models import Collaboration, Partner, StaffMember

    if load(session).institution_name:
        return True
    return any(
        session.scalar(select(model.id).limit(1)) is not None
        for model in (Collaboration, Partner, StaffMember)
    )


def load(session: Session) -> InstitutionSettings:
    """All settings, defaults where nothing (or something unusable) is stored."""
    keys = [s.key for s in SPECS] + [LOGO_KEY]
    rows = session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys)))
    stored = {key: value for key, value in rows}
    values: dict[str, Any] = {}
    for item in SPECS:
        if item.key in stored:
            # A hand-edited or older value that no longer validates falls back to the default.
            with contextlib.suppress(ValidationError):
                values[item.field] = _check(item, stored[item.key])
    return InstitutionSettings(**values, logo=_logo_from(stored.get(LOGO_KEY)))


def _logo_from(value: Any) -> Logo | None:
    if not isinstance(value, dict) or not isinstance(value.get("data"), str):
        return None
    try:
        data = base64.b64decode(value["data"], validate=True)
        media_type, width, height = image_info(data)
    except (ValueError, KnownError):
        return None
    return Logo(media_type, data, hashlib.sha256(data).hexdigest(), width, height)


# --- validation ------------------------------------------------------------------------------


def _check(item: SettingSpec, value: Any) -> Any:
    if isinstance(item.default, str):
        if not isinstance(value, str):
            raise ValidationError(f"{item.label} must be text", field=item.field)
        value = " ".join(value.split())
        if item.max_length is not None and len(value) > item.max_length:
            raise ValidationError(
                f"{item.label} is too long ({len(value)} characters; at most {item.max_length})",
                field=item.field,
            )
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        else:
            raise ValidationError(f"{item.label} must be a whole number", field=item.field)
    low, high = item.minimum, item.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValidationError(
            f"{item.label} must be between {low} and {high} {item.unit}".rstrip(),
            field=item.field,
        )
    return value


def image_info(data: bytes) -> tuple[str, int, int]:
    """(media type, width, height) of a PNG or JPEG; KnownError for anything else."""
    if data.startswith(PNG_SIGNATURE):
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise ValidationError("The logo is a damaged PNG file", field="logo")
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data.startswith(b"\xff\xd8\xff"):
        return ("image/jpeg", *_jpeg_size(data))
    raise ValidationError("The logo must be a PNG or JPEG image", field="logo")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from the first start-of-frame marker."""
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            break
        marker = data[index + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            index += 2
            continue
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    raise ValidationError("The logo is a damaged JPEG file", field="logo")


def validate_logo(data: bytes) -> Logo:
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            f"The logo is {len(data) / 1024:,.0f} KB; at most {LOGO_MAX_BYTES // 1024} KB",
            field="logo",
        )
    media_type, width, height = image_info(data)
    if not (0 < width <= LOGO_MAX_SIDE and 0 < height <= LOGO_MAX_SIDE):
        raise ValidationError(
            f"The logo is {width}×{height} pixels; each side must be 1 to {LOGO_MAX_SIDE}",
            field="logo",
        )
    return Logo(media_type, data, hashlib.sha256(data).hexdigest(), width, height)


# --- writing ---------------------------------------------------------------------------------


def _store(session: Session, key: str, value: Any) -> None:
    setting = session.scalar(select(Setting).where(Setting.key == key))
    if setting is None:
        session.add(Setting(key=key, value=value))
    elif setting.value != value:
        setting.value = value


def save(session: Session, **changes: Any) -> InstitutionSettings:
    """Validate and store the given fields (all or nothing); returns the settings now in force.

    Unknown names are a bug (TypeError); bad values raise ValidationError naming the field.
    """
    current = load(session)
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in _BY_FIELD:
            raise TypeError(f"unknown setting {name!r}")
        checked[name] = _check(_BY_FIELD[name], value)
    for name, value in checked.items():
        if value == getattr(current, name):
            continue
        if name == "leaver_retention_months":
            privacy.set_retention_months(session, value)
        else:
            _store(session, _BY_FIELD[name].key, value)
    session.flush()
    return replace(current, **checked)


def set_logo(session: Session, data: bytes) -> Logo:
    logo = validate_logo(data)
    _store(
        session,
        LOGO_KEY,
        {
            "media_type": logo.media_type,
            "sha256": logo.sha256,
            "data": base64.b64encode(data).decode("ascii"),
        },
    )
    session.flush()
    return logo


def set_logo_file(session: Session, path: str | Path) -> Logo:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > LOGO_MAX_BYTES:
            raise ValidationError(
                f"{path.name} is {size / 1024:,.0f} KB; the logo may be at most "
                f"{LOGO_MAX_BYTES // 1024} KB",
                field="logo",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise KnownError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    return set_logo(session, data)


def remove_logo(session: Session) -> None:
    setting = session.scalar(select(Setting).where(Setting.key == LOGO_KEY))
    if setting is not None:
        session.delete(setting)
        session.flush()


def reset(session: Session, field: str) -> InstitutionSettings:
    """Back to the default for one field."""
    return save(session, **{field: _BY_FIELD[field].default})


FIELDS = tuple(f.name for f in fields(InstitutionSettings) if f.name != "logo")

__all__ = [
    "FIELDS",
    "LOGO_MAX_BYTES",
    "SPECS",
    "InstitutionSettings",
    "Logo",
    "SettingSpec",
    "image_info",
    "load",
    "remove_logo",
    "reset",
    "save",
    "set_logo",
    "set_logo_file",
    "validate_logo",
]
