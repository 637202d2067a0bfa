"""Research-security responsibilities: the central contact, advisers per department, and who may
sign off an appraisal at each risk level.

Kept as settings data: the defaults ship in ``resources/rules/responsibilities.toml``; the office's
edited copy is one row of the ``setting`` table (key ``rules.responsibilities``), audited like any
other change.

Sign-off authority grows with risk: whoever may sign off a level may also sign off every level below
it. A signer is allowed when their role title (compared without regard to case or surrounding
spaces) or their name is listed for the level or a higher one. A level for which nothing is listed,
at it or above, may be signed off by anybody.

The rule is enforced once the office has saved its own responsibilities (Tools > Responsibilities,
or :func:`save`): the shipped role titles are examples ("Dean" may be "Head of school" here), so
until then they are offered as suggestions in the wizard but not imposed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import Department, Setting
from rsdesk.models.enums import RiskLevel
from rsdesk.services.errors import KnownError, ValidationError

SETTING_KEY = "rules.responsibilities"
LEVELS = tuple(RiskLevel)
LEVEL_LABELS = {
    RiskLevel.LOW: "Low",
    RiskLevel.MEDIUM: "Medium",
    RiskLevel.HIGH: "High",
    RiskLevel.VERY_HIGH: "Very high",
}


@dataclass(frozen=True)
class Contact:
    role: str
    name: str = ""
    email: str = ""
    department: str = ""

    def label(self) -> str:
        who = self.name or "(not named)"
        return f"{who}, {self.role}" if self.role else who


@dataclass(frozen=True)
class SignOffRule:
    level: RiskLevel
    roles: tuple[str, ...]
    people: tuple[str, ...]


@dataclass(frozen=True)
class Responsibilities:
    central_contact: Contact
    advisers: tuple[Contact, ...]
    sign_off: tuple[SignOffRule, ...]
    source: str = "shipped"

    @property
    def enforced(self) -> bool:
        """Sign-off rules bind once the office has saved its own copy (see the module docstring)."""
        return self.source == "edited"

    def rule(self, level: RiskLevel | str) -> SignOffRule:
        level = RiskLevel(level)
        return next(rule for rule in self.sign_off if rule.level == level)

    def allowed_signers(self, level: RiskLevel | str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(roles, people) allowed for ``level``: its own and those of every higher level."""
        index = LEVELS.index(RiskLevel(level))
        roles: list[str] = []
        people: list[str] = []
        for rule in self.sign_off[index:]:
            roles += [r for r in rule.roles if r not in roles]
            people += [p for p in rule.people if p not in people]
        return tuple(roles), tuple(people)

    def to_document(self) -> dict[str, Any]:
        def contact(c: Contact) -> dict[str, str]:
            out = {"role": c.role, "name": c.name, "email": c.email}
            if c.department:
                out["department"] = c.department
            return out

        return {
            "central_contact": contact(self.central_contact),
            "adviser": [contact(a) for a in self.advisers],
            "sign_off": {
                r.level.value: {"roles": list(r.roles), "people": list(r.people)}
                for r in self.sign_off
            },
        }


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _string(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key, "")
    if not isinstance(value, str):
        raise KnownError(f"{where}: '{key}' must be text")
    return value.strip()


def _names(item: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KnownError(f"{where}: '{key}' must be a list of texts")
    cleaned = [" ".join(v.split()) for v in value]
    if any(not v for v in cleaned):
        raise KnownError(f"{where}: '{key}' holds an empty entry")
    if len({_norm(v) for v in cleaned}) != len(cleaned):
        raise KnownError(f"{where}: '{key}' lists the same entry twice")
    return tuple(cleaned)


def parse(document: Mapping[str, Any], source: str = "shipped") -> Responsibilities:
    """Validated responsibilities; KnownError naming the part that is wrong."""
    known = {"central_contact", "adviser", "sign_off", "source_text"}
    extra = sorted(set(document) - known)
    if extra:
        raise KnownError(f"Responsibilities: unknown section {extra[0]!r}")
    central = document.get("central_contact") or {}
    if not isinstance(central, Mapping):
        raise KnownError("Responsibilities: 'central_contact' must be a table")
    contact = Contact(
        role=_string(central, "role", "Central contact"),
        name=_string(central, "name", "Central contact"),
        email=_string(central, "email", "Central contact"),
    )
    if not contact.role and not contact.name:
        raise KnownError("Central contact: give a role or a name")
    advisers = []
    for number, item in enumerate(document.get("adviser") or [], start=1):
        where = f"Adviser {number}"
        department = _string(item, "department", where)
        if not department:
            raise KnownError(f"{where}: name the department")
        adviser = Contact(
            role=_string(item, "role", where) or "Research-security adviser",
            name=_string(item, "name", where),
            email=_string(item, "email", where),
            department=department,
        )
        if not adviser.name:
            raise KnownError(f"{where} ({department}): give the adviser's name")
        advisers.append(adviser)
    table = document.get("sign_off") or {}
    if not isinstance(table, Mapping):
        raise KnownError("Responsibilities: 'sign_off' must be a table of levels")
    unknown = sorted(set(table) - {level.value for level in LEVELS})
    if unknown:
        valid = ", ".join(level.value for level in LEVELS)
        raise KnownError(f"Sign-off: unknown risk level {unknown[0]!r}; use {valid}")
    rules = []
    for level in LEVELS:
        item = table.get(level.value) or {}
        where = f"Sign-off for {LEVEL_LABELS[level]}"
        rules.append(
            SignOffRule(level, _names(item, "roles", where), _names(item, "people", where))
        )
    return Responsibilities(contact, tuple(advisers), tuple(rules), source)


def shipped_text() -> str:
    from rsdesk.resources import resource_path

    return resource_path("rules", "responsibilities.toml").read_text(encoding="utf-8")


def _parse_text(text: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KnownError(f"Responsibilities: not valid TOML ({exc})") from None


def load(session: Session | None = None) -> Responsibilities:
    """The office's edited copy if stored, else the shipped defaults."""
    if session is not None:
        stored = session.scalar(select(Setting.value).where(Setting.key == SETTING_KEY))
        if isinstance(stored, dict):
            return parse(stored, source="edited")
    return parse(_parse_text(shipped_text()))


def save(session: Session, responsibilities: Responsibilities) -> Responsibilities:
    """Store an edited copy (validated again, as the editor may hand in anything)."""
    document = responsibilities.to_document()
    checked = parse(document, source="edited")
    check_departments(session, checked)
    _store(session, document)
    return checked


def save_text(session: Session, text: str) -> Responsibilities:
    """Validate edited TOML text and store it (the text is kept so comments survive)."""
    document = _parse_text(text)
    checked = parse(document, source="edited")
    check_departments(session, checked, text)
    _store(session, {**document, "source_text": text})
    return checked


def check_departments(session: Session, data: Responsibilities, text: str = "") -> None:
    """Every adviser's department must be one of the institution's (current) departments.

    A typo ("Department of Phyiscs") would otherwise name an adviser nobody is sent to and be
    printed in the annual report. The message names the adviser, the line of ``text`` where the
    department is written, and the closest department name when there is a likely one.
    """
    if not data.advisers:
        return
    names = list(
        session.scalars(
            select(Department.name).where(Department.archived.is_(False)).order_by(Department.name)
        )
    )
    known = {_norm(name) for name in names}
    for number, adviser in enumerate(data.advisers, start=1):
        if _norm(adviser.department) in known:
            continue
        line = _department_line(text, number)
        where = f"Adviser {number}" + (f" (line {line})" if line else "")
        message = f"{where}: there is no department {adviser.department!r}"
        closest = _closest(adviser.department, names)
        if closest:
            message += f"; did you mean {closest!r}?"
        elif not names:
            message += "; no departments are recorded yet (they come with the staff list)"
        raise ValidationError(message, field="department")


def _department_line(text: str, number: int) -> int | None:
    """Line (1-based) of the ``number``-th adviser's ``department = ...`` in ``text``."""
    seen = 0
    inside = False
    for index, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            inside = line.replace(" ", "") == "[[adviser]]"
            seen += inside
        elif inside and seen == number and line.split("=", 1)[0].strip() == "department":
            return index
    return None


def _closest(name: str, choices: list[str]) -> str | None:
    if not choices:
        return None
    from rapidfuzz import fuzz, process, utils

    found = process.extractOne(
        name, choices, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=80
    )
    return str(found[0]) if found else None


def edited_text(session: Session) -> str:
    stored = session.scalar(select(Setting.value).where(Setting.key == SETTING_KEY))
    if isinstance(stored, dict) and isinstance(stored.get("source_text"), str):
        return str(stored["source_text"])
    return shipped_text()


def reset(session: Session) -> None:
    """Back to the shipped defaults."""
    _store(session, None)


def _store(session: Session, document: dict[str, Any] | None) -> None:
    from rsdesk.services.onboarding import save_setting_document

    save_setting_document(session, SETTING_KEY, document)


def allowed_signers(
    level: RiskLevel | str, session: Session | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(role titles, named people) who may sign off an appraisal at ``level``."""
    return load(session).allowed_signers(level)


def sign_off_by(session: Session | None, level: RiskLevel | str, model_text: str) -> str:
    """Who signs off at ``level``, as the wizard and the reports say it: the office's own rule
    once it has saved one (the one the sign-off enforces), else the questionnaire's wording."""
    data = load(session)
    roles, people = data.allowed_signers(level) if data.enforced else ((), ())
    return "; ".join([*roles, *people]) or model_text


def sign_off_texts(session: Session | None, model: Any) -> dict[str, str]:
    """:func:`sign_off_by` for each of the model's levels (level id -> text)."""
    return {
        str(getattr(level.id, "value", level.id)): sign_off_by(session, level.id, level.sign_off)
        for level in model.levels
    }


def check_signer(
    session: Session | None, level: RiskLevel | str, signed_by: str, role: str
) -> None:
    """ValidationError (field ``role``) unless the signer's role or name is allowed for the level."""
    data = load(session)
    if not data.enforced:
        return
    roles, people = data.allowed_signers(level)
    if not roles and not people:
        return
    if _norm(role) in {_norm(r) for r in roles} or _norm(signed_by) in {_norm(p) for p in people}:
        return
    allowed = "; ".join([*roles, *people])
    label = LEVEL_LABELS[RiskLevel(level)]
    who = f"the role '{role.strip()}'" if role.strip() else f"{signed_by.strip() or 'nobody'}"
    raise ValidationError(
        f"A {label} appraisal may be signed off only by: {allowed}; {who} is not allowed",
        field="role",
    )


def adviser_for(session: Session | None, department: str | None) -> Contact:
    """The department's adviser, or the central contact where the department has none."""
    data = load(session)
    if department:
        for adviser in data.advisers:
            if _norm(adviser.department) == _norm(department):
                return adviser
    return data.central_contact


__all__ = [
    "Contact",
    "Responsibilities",
    "SignOffRule",
    "adviser_for",
    "allowed_signers",
    "check_signer",
    "edited_text",
    "load",
    "parse",
    "reset",
    "save",
    "save_text",
]
