"""Setting up rsdesk's roles on a shared PostgreSQL server, and giving logins a role.

``set_up`` creates the four group roles (``rsdesk_officer``, ``rsdesk_compliance``,
``rsdesk_manager``, ``rsdesk_admin``; cluster-wide, so several rsdesk databases share them) and
grants this database's privileges to match rsdesk/services/access.py, so that a login cannot do
with ``psql`` what rsdesk refuses it:

- compliance and manager read every table; they may add only what their work writes (an
  archived report, the pseudonym secret of exports, and the audit entries recording these);
- an officer reads and writes every table, but cannot delete audit entries;
- an admin has every privilege, and may create tables in the schema.

Tables a later schema upgrade creates (as the database's owner) get the same grants by default;
running it again after an upgrade does no harm.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from rsdesk.services import access
from rsdesk.services.access import Capability, Role
from rsdesk.services.errors import KnownError

#: What roles without the right to edit may add, each with the audit trail that records it.
READER_WRITES: dict[Role, tuple[str, ...]] = {
    Role.COMPLIANCE: ("setting",),
    Role.MANAGER: ("setting", "archived_report"),
}


@dataclass(frozen=True)
class Member:
    login: str
    role: Role


def _require_server(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        raise KnownError(
            "Roles apply to a shared PostgreSQL server; on a database file the one local user "
            "may do everything."
        )


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)


def set_up(session: Session) -> list[str]:
    """Create the group roles and grant this database's privileges; returns the roles' names.

    Also creates the pseudonym secret, so that read-only roles never need to write it.
    """
    access.require(session, Capability.ADMIN)
    connection = session.connection()
    _require_server(connection)
    groups = [role.group for role in Role]
    for group in groups:
        # A DO block, so that two set-ups at once (or a role made by another database) are fine.
        connection.execute(
            text(
                "DO $$ BEGIN "
                f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{group}') THEN "
                f"CREATE ROLE {group} NOLOGIN; END IF; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
        )
    database = connection.execute(text("SELECT current_database()")).scalar_one()
    everyone = ", ".join(groups)
    readers = ", ".join(Role(r).group for r in ("officer", "compliance", "manager"))
    officer, admin = Role.OFFICER.group, Role.ADMIN.group
    statements = [
        f"GRANT CONNECT ON DATABASE {_quote(connection, database)} TO {everyone}",
        f"GRANT USAGE ON SCHEMA public TO {everyone}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {readers}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {readers}",
        f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {officer}",
        f"REVOKE DELETE, TRUNCATE ON audit_entry FROM {officer}",
        f"GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO {admin}",
        f"GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public TO {admin}",
        f"GRANT CREATE ON SCHEMA public TO {admin}",
    ]
    for role, tables in READER_WRITES.items():
        for table in tables:
            statements.append(f"GRANT INSERT ON {table} TO {role.group}")
        statements.append(f"GRANT INSERT ON audit_entry TO {role.group}")
        # The audit head is read FOR UPDATE and moved on by every writer.
        statements.append(f"GRANT UPDATE ON audit_head TO {role.group}")
    # Tables and sequences a later schema upgrade creates (run by the database's owner) get the
    # same grants by default.
    owner = connection.execute(
        text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
    ).scalar_one()
    default = f"ALTER DEFAULT PRIVILEGES FOR ROLE {_quote(connection, owner)} IN SCHEMA public"
    statements += [
        f"{default} GRANT SELECT ON TABLES TO {readers}",
        f"{default} GRANT USAGE, SELECT ON SEQUENCES TO {readers}",
        f"{default} GRANT INSERT, UPDATE, DELETE ON TABLES TO {officer}",
        f"{default} GRANT ALL PRIVILEGES ON TABLES TO {admin}",
        f"{default} GRANT ALL PRIVILEGES ON SEQUENCES TO {admin}",
    ]
    for statement in statements:
        connection.execute(text(statement))
    from rsdesk.services import pseudonyms

    pseudonyms.ensure_secret(session)
    return groups


def _login_exists(connection: Connection, login: str) -> bool:
    found = connection.execute(
        text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :login"), {"login": login}
    ).scalar()
    return bool(found)


def _role(name: str) -> Role:
    try:
        return Role(name.strip().lower())
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise KnownError(f"There is no role {name!r}; the roles are {known}.") from None


def _existing_group(connection: Connection, role: Role) -> None:
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :group"), {"group": role.group}
    ).scalar()
    if not exists:
        raise KnownError("The rsdesk roles are not set up here yet: run 'rsdesk db roles setup'.")


def grant(session: Session, login: str, role_name: str) -> Role:
    """Make ``login`` (an existing database login) a member of ``role_name``'s group role."""
    access.require(session, Capability.ADMIN)
    connection = session.connection()
    _require_server(connection)
    role = _role(role_name)
    _existing_group(connection, role)
    if not _login_exists(connection, login):
        raise KnownError(
            f"There is no login {login!r} on this server; create it first "
            f"(CREATE ROLE {login} LOGIN PASSWORD '...')."
        )
    connection.execute(text(f"GRANT {role.group} TO {_quote(connection, login)}"))
    return role


def revoke(session: Session, login: str, role_name: str) -> Role:
    """Remove ``login`` from ``role_name``'s group role."""
    access.require(session, Capability.ADMIN)
    connection = session.connection()
    _require_server(connection)
    role = _role(role_name)
    _existing_group(connection, role)
    connection.execute(text(f"REVOKE {role.group} FROM {_quote(connection, login)}"))
    return role


def members(session: Session) -> list[Member]:
    """Every login that holds an rsdesk role directly, by role then login."""
    connection = session.connection()
    _require_server(connection)
    groups = {role.group: role for role in Role}
    rows = connection.execute(
        text(
            "SELECT g.rolname, m.rolname FROM pg_auth_members a "
            "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
            "WHERE g.rolname = ANY(:groups) ORDER BY g.rolname, m.rolname"
        ),
        {"groups": list(groups)},
    ).all()
    return [Member(str(login), groups[group]) for group, login in rows]
