"""Server passwords: kept in the system keyring, never in the config file.

The first-run wizard remembers a server database as its URL. A URL typed with a password
(``postgresql://user:password@host/db``) is remembered without it: the password goes to the
system keyring, keyed by the URL without the password, and is put back when the remembered URL
is opened. Without a keyring nothing is stored; libpq then reads ``PGPASSWORD`` or
``~/.pgpass`` by itself, and a refused login says so (:func:`missing_password_hint`).
"""

from __future__ import annotations

import contextlib

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

#: Keyring service of server passwords (the account is the URL without its password).
KEYRING_SERVICE = "rsdesk-server"


def _parse(location: str) -> URL | None:
    if "://" not in location:
        return None
    try:
        return make_url(location.strip())
    except ArgumentError:
        return None


def _strip(url: URL) -> URL:
    """``url`` without its password (``URL.set(password=None)`` leaves the password alone)."""
    return URL.create(
        url.drivername,
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )


def without_password(location: str) -> str:
    """``location`` with any password removed (a file path is returned as it is)."""
    url = _parse(location)
    if url is None or url.password is None:
        return location
    return _strip(url).render_as_string(hide_password=False)


def _account(url: URL) -> str:
    """The keyring account: the URL without password or driver ("postgresql://ann@host/db"),
    so that "postgresql://" and "postgresql+psycopg://" find the same password."""
    plain = _strip(url).set(drivername=url.get_backend_name())
    return plain.render_as_string(hide_password=False)


def _keyring_ready() -> bool:
    from rsdesk.services.encryption import keyring_unavailable_reason

    return keyring_unavailable_reason() is None


def store(location: str) -> bool:
    """Put the password of ``location`` in the system keyring; True when it was stored.

    False when there is no password or no usable keyring (the caller tells the user).
    """
    url = _parse(location)
    if url is None or not url.password or not _keyring_ready():
        return False
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, _account(url), str(url.password))
    except KeyringError:
        return False
    return True


def remembered(url: URL) -> str | None:
    """The password remembered for ``url`` (which has none of its own), if any."""
    if not _keyring_ready():
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, _account(url))
    except KeyringError:
        return None


def forget(location: str) -> None:
    """Remove the password remembered for ``location`` (nothing happens if there is none)."""
    url = _parse(location)
    if url is None or not _keyring_ready():
        return
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError, KeyringError):
        keyring.delete_password(KEYRING_SERVICE, _account(url))


def with_remembered_password(url: URL) -> URL:
    """``url`` with its keyring password added, when it has none and one is remembered."""
    if url.password is not None or url.get_backend_name() == "sqlite":
        return url
    password = remembered(url)
    return url.set(password=password) if password else url


def missing_password_hint(reason: str) -> str | None:
    """A sentence on how to give the password when the server refused a login for want of it."""
    lowered = reason.lower()
    if "password" not in lowered:
        return None
    return (
        "The server wants a password: give it in the address once (it is kept in the system "
        "keyring), or set PGPASSWORD, or add it to ~/.pgpass (pgpass.conf on Windows)."
    )
