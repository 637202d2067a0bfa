"""Stable pseudonyms for workbooks that leave the office.

A pseudonym is a keyed hash (HMAC-SHA256) of the normalised value under a secret kept in the
database's ``setting`` table: the same person gets the same pseudonym in every export from this
database, so that rows can still be counted and compared, while nobody without the database can
reverse or recompute it (a plain hash of a name could be guessed from a staff list).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import Setting

SECRET_KEY = "export.pseudonym_secret"

#: Register column keys that hold staff identities even when a spec forgot ``personal=True``.
PERSONAL_KEYS = frozenset(
    {
        "full_name",
        "staff_name",
        "staff_number",
        "email",
        "lead",
        "staff",
        "person",
        "owner",
        "requested_by",
        "completed_by",
        "signed_off_by",
        "actor",
    }
)


def load_secret(session: Session) -> bytes | None:
    value = session.scalar(select(Setting.value).where(Setting.key == SECRET_KEY))
    return bytes.fromhex(value) if isinstance(value, str) else None


def ensure_secret(session: Session) -> bytes:
    """The database's pseudonym secret, created (and audited) on first use. Needs a write session."""
    secret = load_secret(session)
    if secret is None:
        secret = secrets.token_bytes(32)
        session.add(Setting(key=SECRET_KEY, value=secret.hex()))
        session.flush()
    return secret


def kind_of(column_key: str) -> str:
    if "email" in column_key:
        return "email"
    if "number" in column_key:
        return "number"
    return "person"


class Pseudonymiser:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._cache: dict[tuple[str, str], str] = {}

    def __call__(self, value: Any, kind: str = "person") -> Any:
        if value is None or value == "":
            return value
        text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
        key = (kind, text)
        found = self._cache.get(key)
        if found is None:
            digest = hmac.new(self._secret, f"{kind}\0{text}".encode(), hashlib.sha256)
            code = digest.hexdigest()[:10].upper()
            if kind == "email":
                found = f"{code.lower()}@pseudonym.invalid"
            elif kind == "number":
                found = f"S-{code}"
            else:
                found = f"Person {code}"
            self._cache[key] = found
        return found
