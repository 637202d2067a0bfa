"""What an exported audit trail may show: never the pseudonym secret, and in a pseudonymised export
no person's name, e-mail or staff number, not even inside a JSON settings value.

The audit log keeps every change in full (its hash chain depends on it), so the export cleans each
entry's ``changes`` as it writes them. The secret is redacted in every export, since its one purpose
is to keep pseudonyms irreversible; personal values become the same pseudonyms the register sheets
show, so that a person can still be followed from a register row to its audit entries.

Logins count as people: a value under a key that names who did something (``author``, ``actor``,
``login``, any ``..._by``) becomes the pseudonym the entry's Who column shows for that login, in a
column or anywhere inside a JSON document (a report's stamp names its author). So does the user
folder in a file path (``/home/jdoe/...``, ``C:\\Users\\jdoe\\...``) and the user in a
database URL (``postgresql://jdoe@server/...``), which are usually the login too: otherwise one
value would tie the pseudonym to the login and undo it for every other entry.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.db import auditlog
from rsdesk.models import AuditEntry, Setting
from rsdesk.services.pseudonyms import PERSONAL_KEYS, SECRET_KEY, Pseudonymiser, kind_of

REDACTED = "[redacted]"
WITHHELD = "withheld (pseudonymised export)"
WITHHELD_SEARCH = f"search text {WITHHELD}"
#: Audited columns naming a person or an rsdesk login (pseudonymised like the entry's actor),
#: besides the models' ``__personal_fields__``.
AUDIT_PERSONAL_COLUMNS = PERSONAL_KEYS | {
    "requester_name",
    "answered_by",
    "decided_by",
    "created_by",
}
#: Keys that name an rsdesk or operating-system login (in columns and JSON documents alike);
#: any key ending in ``_by`` counts too.
LOGIN_KEYS = frozenset({"author", "actor", "login", "user", "username", "user_name"})
#: Keys of JSON documents (settings) that hold lists of people's names.
PEOPLE_LIST_KEYS = frozenset({"people"})
#: The user folder in a path: /home/NAME, /var/home/NAME, /Users/NAME, C:\Users\NAME. A name
#: with spaces (Windows) runs to the next separator; one without a separator after it ends at
#: the first space.
_HOME_FOLDER = re.compile(
    r"(?P<head>(?:/var)?/home/|(?:\b[A-Za-z]:)?[\\/]Users[\\/]+)"
    r"(?P<name>[^/\\\n\"']+?(?=[/\\])|[^/\\\s\"']+)",
    re.IGNORECASE,
)
#: The superuser's home folder, named after its login.
_ROOT_HOME = re.compile(r"(?<![\w.~-])/root(?=[/\\]|$)")
#: The user in a URL (``scheme://user[:password]@host``).
_URL_USER = re.compile(r"(?<=://)[^/@:\s\"']+(?=(?::[^/@\s\"']*)?@)")


@functools.cache
def is_person_key(key: str) -> bool:
    """Whether a column or JSON key holds a person's name or a login."""
    return key in AUDIT_PERSONAL_COLUMNS or key in LOGIN_KEYS or key.endswith("_by")


def _may_hold_login(text: str) -> bool:
    """Whether a text can hold a path or a URL (a cheap test before the patterns)."""
    return "/" in text or "\\" in text


def hide_logins_in_text(text: str, pseudonymiser: Pseudonymiser) -> str:
    """``text`` with user folders of paths and users of URLs replaced by their pseudonyms."""
    if not _may_hold_login(text):
        return text
    text = _HOME_FOLDER.sub(lambda m: m.group("head") + pseudonymiser(m.group("name")), text)
    text = _ROOT_HOME.sub(lambda _m: "/" + pseudonymiser("root"), text)
    return _URL_USER.sub(lambda m: pseudonymiser(m.group(0)), text)


def database_name_only(database: str) -> str:
    """A database path's file name, or a URL's database name: any folder above it (a temporary
    or shared one as much as a home folder) may be named after a login."""
    if "://" in database:
        database = database.split("?", 1)[0]
    return re.split(r"[/\\]", database.rstrip("/\\"))[-1]


def secret_setting_ids(session: Session) -> frozenset[int]:
    """Ids of the setting rows that hold (or held) the pseudonym secret.

    Later updates of a setting name only the changed ``value``, so the rows are found from the
    inserts that named the key, and from the live table.
    """
    ids = set(session.scalars(select(Setting.id).where(Setting.key == SECRET_KEY)))
    inserts = select(AuditEntry.record_id, AuditEntry.changes).where(
        AuditEntry.table_name == Setting.__tablename__, AuditEntry.action == "insert"
    )
    for record_id, changes in session.execute(inserts):
        key = changes.get("key") if isinstance(changes, Mapping) else None
        if isinstance(key, list) and SECRET_KEY in key:
            ids.add(record_id)
    return frozenset(ids)


def _is_contact(document: Mapping[str, Any]) -> bool:
    """A JSON object describing a person (``name`` beside an ``email`` or a ``role``)."""
    return "email" in document or "role" in document


def _personal_kind(key: str, document: Mapping[str, Any]) -> str | None:
    if "email" in key:
        return "email"
    if is_person_key(key):
        return kind_of(key)
    if key == "name" and _is_contact(document):
        return "person"
    return None


def _needs_cleaning(value: Any) -> bool:
    """Whether a JSON value has a key that can hold a person, or a text that can hold a path or
    URL (a scan that copies nothing)."""
    if type(value) is str:
        return _may_hold_login(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in PEOPLE_LIST_KEYS or _personal_kind(str(key), value) is not None:
                return True
            if type(item) is str:
                if _may_hold_login(item):
                    return True
            elif isinstance(item, Mapping | list) and _needs_cleaning(item):
                return True
        return False
    if isinstance(value, list):
        return any(
            isinstance(item, str | Mapping | list) and _needs_cleaning(item) for item in value
        )
    return False


def _pseudonymise_tree(value: Any, pseudonymiser: Pseudonymiser, found: dict[str, str]) -> Any:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            kind = _personal_kind(str(key), value)
            if kind is not None and isinstance(item, str) and item.strip():
                out[key] = found[item] = pseudonymiser(item, kind)
            elif key in PEOPLE_LIST_KEYS and isinstance(item, list):
                out[key] = [
                    _pseudonymise_tree(name, pseudonymiser, found)
                    if not isinstance(name, str) or not name.strip()
                    else found.setdefault(name, pseudonymiser(name, "person"))
                    for name in item
                ]
            else:
                out[key] = _pseudonymise_tree(item, pseudonymiser, found)
        return out
    if isinstance(value, list):
        return [_pseudonymise_tree(item, pseudonymiser, found) for item in value]
    if type(value) is str:
        return hide_logins_in_text(value, pseudonymiser)
    return value


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _replace_in_texts(value: Any, pattern: re.Pattern[str], pseudonyms: dict[str, str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda match: pseudonyms[_normalised(match.group(0))], value)
    if isinstance(value, Mapping):
        return {key: _replace_in_texts(item, pattern, pseudonyms) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_in_texts(item, pattern, pseudonyms) for item in value]
    return value


def pseudonymise_document(value: Any, pseudonymiser: Pseudonymiser) -> Any:
    """A JSON value (e.g. a setting) with its people's names, e-mails and logins pseudonymised.

    Names found in the structure are also replaced wherever else they occur in the document's
    texts, e.g. in the TOML source the office typed the responsibilities in; so are the user
    folders of paths and the users of URLs (:func:`hide_logins_in_text`).
    """
    if not _needs_cleaning(value):
        return value
    found: dict[str, str] = {}
    cleaned = _pseudonymise_tree(value, pseudonymiser, found)
    if not found:
        return cleaned
    pseudonyms = {_normalised(real): fake for real, fake in found.items()}
    # Longest first, so that an e-mail is replaced before a name it might contain; a value too
    # short to be a name (an initial) would replace letters inside words.
    names = [real.split() for real in found if len(real.strip()) >= 3]
    if not names:
        return cleaned
    words = sorted(names, key=lambda w: -len(" ".join(w)))
    pattern = re.compile(
        "|".join(r"\s+".join(re.escape(word) for word in name) for name in words), re.IGNORECASE
    )
    return _replace_in_texts(cleaned, pattern, pseudonyms)


class AuditChangesCleaner:
    """Cleans one audit entry's ``changes`` for a workbook (see the module docstring)."""

    def __init__(self, session: Session, pseudonymiser: Pseudonymiser | None = None) -> None:
        self._secret_ids = secret_setting_ids(session)
        self._pseudonymiser = pseudonymiser
        self._specs = auditlog.audited_specs()

    def __call__(self, table: str, record_id: int, changes: Any) -> Any:
        if not isinstance(changes, Mapping) or not changes:
            return changes
        secret = table == Setting.__tablename__ and record_id in self._secret_ids
        pseudonymiser = self._pseudonymiser
        if pseudonymiser is None and not secret:
            return changes
        out = dict(changes)
        if secret and "value" in out:
            out["value"] = [None if value is None else REDACTED for value in out["value"]]
        if pseudonymiser is None:
            return out
        spec = self._specs.get(table)
        personal = AUDIT_PERSONAL_COLUMNS | (spec.personal if spec is not None else frozenset())
        for name, pair in out.items():
            if not isinstance(pair, list):
                continue
            if name in personal or is_person_key(name):
                out[name] = [pseudonymiser(value, kind_of(name)) for value in pair]
                continue
            # Most values are plain numbers and words: one look at their types and texts.
            for value in pair:
                cls = type(value)
                if cls is dict or cls is list or (cls is str and _may_hold_login(value)):
                    out[name] = [pseudonymise_document(item, pseudonymiser) for item in pair]
                    break
        return out
