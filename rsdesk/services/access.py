"""Who may do what: roles on a shared PostgreSQL server, and the checks the services make.

On a laptop (SQLite) the one local user may do everything. On a server every user signs in with
their own database login, and membership of the group roles ``rsdesk_officer``,
``rsdesk_compliance``, ``rsdesk_manager`` and ``rsdesk_admin`` (which ``rsdesk db roles setup``
creates) gives the capabilities below. A superuser, or the login that owns the database, is an
administrator. The database privileges granted by the set-up mirror the same table, so that a
login cannot do with ``psql`` what rsdesk refuses.

The :class:`Access` of a database travels in ``Session.info``: services check it with
:func:`require`, and ``Database.unit_of_work`` refuses to open a writing transaction for a
purpose the role lacks.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rsdesk.services.errors import PermissionDenied

if TYPE_CHECKING:  # the command line imports this module at start-up: keep SQLAlchemy out
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

#: Key of the Access in ``Session.info``.
ACCESS_KEY = "rsdesk_access"


class Role(enum.StrEnum):
    OFFICER = "officer"
    COMPLIANCE = "compliance"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def group(self) -> str:
        """The PostgreSQL group role that gives this role."""
        return f"rsdesk_{self.value}"


class Capability(enum.StrEnum):
    EDIT = "edit"
    EXPORT = "export"
    EXPORT_PERSONAL = "export_personal"
    REPORTS = "reports"
    ADMIN = "admin"


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.OFFICER: frozenset(
        {Capability.EDIT, Capability.EXPORT, Capability.EXPORT_PERSONAL, Capability.REPORTS}
    ),
    Role.COMPLIANCE: frozenset({Capability.EXPORT, Capability.EXPORT_PERSONAL}),
    # Managers read and print reports; a workbook they take away holds no personal data.
    Role.MANAGER: frozenset({Capability.REPORTS, Capability.EXPORT}),
}

#: What each role may do, as the refusal message says it.
ROLE_MAY: dict[Role, str] = {
    Role.ADMIN: "do everything",
    Role.OFFICER: "read, change records, export and print reports",
    Role.COMPLIANCE: "read and export",
    Role.MANAGER: "read and print reports",
}

REFUSED: dict[Capability, str] = {
    Capability.EDIT: "change records",
    Capability.EXPORT: "export workbooks",
    Capability.EXPORT_PERSONAL: "export personal data (a pseudonymised export is allowed)",
    Capability.REPORTS: "print reports",
    Capability.ADMIN: "administer the database",
}

#: Tables a writing unit of work opened for a purpose other than editing may touch: a report
#: is archived, an export may create the database's pseudonym secret (a setting).
PURPOSE_TABLES: dict[Capability, frozenset[str]] = {
    Capability.REPORTS: frozenset({"archived_report"}),
    Capability.EXPORT: frozenset({"setting"}),
    Capability.EXPORT_PERSONAL: frozenset({"setting"}),
}


@dataclass(frozen=True)
class Access:
    """A login's roles and so its capabilities."""

    login: str
    roles: frozenset[Role]

    @property
    def capabilities(self) -> frozenset[Capability]:
        granted: set[Capability] = set()
        for role in self.roles:
            granted |= CAPABILITIES[role]
        return frozenset(granted)

    @property
    def role_name(self) -> str:
        """The role as the status bar and messages show it (``compliance + manager``)."""
        if not self.roles:
            return "none"
        return " + ".join(role.value for role in Role if role in self.roles)

    def allows(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def require(self, capability: Capability) -> None:
        if self.allows(capability):
            return
        raise PermissionDenied(
            f"Your role ({self.role_name}) may {self.what_it_may()} but not {REFUSED[capability]}."
        )

    def what_it_may(self) -> str:
        """``read and export``; for several roles their rights merged (``read, export and ...``)."""
        rights: list[str] = []
        for role in Role:
            if role in self.roles:
                for right in ROLE_MAY[role].replace(" and ", ", ").split(", "):
                    if right not in rights:
                        rights.append(right)
        if not rights:
            return "do nothing"
        return rights[0] if len(rights) == 1 else ", ".join(rights[:-1]) + " and " + rights[-1]

    def writable_tables(self, purpose: Capability) -> frozenset[str] | None:
        """Tables a unit of work for ``purpose`` may write; None means any (editing)."""
        if purpose in (Capability.EDIT, Capability.ADMIN):
            return None
        return PURPOSE_TABLES.get(purpose, frozenset())


def local_access(login: str) -> Access:
    """The single user of a database file: every right."""
    return Access(login, frozenset({Role.ADMIN}))


def server_access(connection: Connection) -> Access:
    """The current login's roles on a PostgreSQL server.

    A superuser or the database's owner is an administrator; otherwise the roles are the rsdesk
    group roles the login is a member of (directly or through another role).
    """
    from sqlalchemy import text

    login, is_admin = connection.execute(
        text(
            "SELECT current_user, "
            "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
            "OR pg_has_role(current_user, d.datdba, 'MEMBER') "
            "FROM pg_database d WHERE d.datname = current_database()"
        )
    ).one()
    groups = {role.group: role for role in Role}
    member_of = connection.execute(
        text(
            "SELECT rolname FROM pg_roles "
            "WHERE rolname = ANY(:groups) AND pg_has_role(current_user, oid, 'MEMBER')"
        ),
        {"groups": list(groups)},
    ).scalars()
    roles = {groups[name] for name in member_of}
    if is_admin:
        roles.add(Role.ADMIN)
    return Access(str(login), frozenset(roles))


def access_of(session: Session) -> Access:
    """The Access of the database a session belongs to (a local user's if none was set)."""
    found = session.info.get(ACCESS_KEY)
    if isinstance(found, Access):
        return found
    return local_access(str(session.info.get("actor") or "local"))


def require(session: Session, capability: Capability) -> None:
    """Raise PermissionDenied (one line) if the session's login lacks ``capability``."""
    access_of(session).require(capability)


def require_export(session: Session, personal: bool) -> None:
    """An export: personal data needs its own right, other workbooks the right to export."""
    require(session, Capability.EXPORT_PERSONAL if personal else Capability.EXPORT)


def check_writes(access: Access, allowed: frozenset[str], objects: Iterable[Any]) -> None:
    """Refuse a flush that would touch a table outside ``allowed`` (the unit's purpose)."""
    for instance in objects:
        table = getattr(instance, "__tablename__", None)
        if table not in allowed:
            access.require(Capability.EDIT)
            return
