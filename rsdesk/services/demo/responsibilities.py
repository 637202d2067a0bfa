"""Demo section: the office's saved responsibilities (Tools > Responsibilities).

The shipped defaults name nobody, so reports of a demo database read "Central contact: (not
named)". The demo institution has saved its own copy: the office's manager is the central contact,
two officers advise the largest departments, and the sign-off roles are the ones the demo's
appraisals were signed in (so that the rules, now enforced, agree with the register's history).
The copy is validated by the real parser and stored, like the editor stores it, as one setting.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from typing import cast

from sqlalchemy import Table

from rsdesk.models import Setting
from rsdesk.services import responsibilities as rules
from rsdesk.services.demo.context import DemoContext
from rsdesk.services.demo.organisation import go_live

SETTINGS = cast(Table, Setting.__table__)
CENTRAL_ROLE = "Research-security officer"
ADVISER_ROLE = "Research-security adviser"
#: Sign-off roles of the demo institution, lowest level first (see demo/collaborations.py).
SIGN_OFF = {
    "low": [CENTRAL_ROLE, ADVISER_ROLE],
    "medium": [CENTRAL_ROLE],
    "high": ["Head of research security", "Dean", "Director"],
    "very_high": ["Research-security committee", "Executive board"],
}


def responsibilities(ctx: DemoContext) -> dict[str, int]:
    """Stores the demo institution's responsibilities with a named central contact."""
    if not ctx.officers or rules.SETTING_KEY in ctx.existing_setting_keys:
        return {}  # the office's own responsibilities stay as it saved them
    head = ctx.officers[0]
    lines = [
        "# Responsibilities of the demo institution (fictitious people).",
        "",
        "[central_contact]",
        f"role = {_quote(CENTRAL_ROLE)}",
        f"name = {_quote(head.full_name)}",
        f"email = {_quote(head.email)}",
    ]
    busiest = Counter(c.department_id for c in ctx.collaborations).most_common(2)
    names = {d.id: d.name for d in ctx.departments}
    for officer, (department_id, _) in zip(ctx.officers[1:], busiest, strict=False):
        lines += [
            "",
            "[[adviser]]",
            f"department = {_quote(names[department_id])}",
            f"name = {_quote(officer.full_name)}",
            f"email = {_quote(officer.email)}",
        ]
    for level, roles in SIGN_OFF.items():
        listed = ", ".join(_quote(role) for role in roles)
        lines += ["", f"[sign_off.{level}]", f"roles = [{listed}]", "people = []"]
    text = "\n".join(lines) + "\n"
    document = tomllib.loads(text)
    rules.parse(document, source="edited")  # the same check the editor makes
    saved = ctx.moment(go_live(ctx))
    row = {
        "id": ctx.last_setting_id + 1,
        "key": rules.SETTING_KEY,
        "value": {**document, "source_text": text},
        "created_at": saved,
        "updated_at": saved,
    }
    ctx.write(SETTINGS, [row])
    return {}


def _quote(text: str) -> str:
    """A TOML basic string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
