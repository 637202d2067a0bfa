"""Importing the status of onboarding checks, for an office that kept them in a spreadsheet.

The checks themselves already exist: the staff import (or the editor) created each person's
checklist from the rules. A row names the person (staff number, e-mail or name), the check (its
code or title), its status and the day it was done or waived, so that people who did their checks
years ago do not show them all as overdue. Each changed check goes through
``rsdesk.services.onboarding`` (complete, waive, mark_not_applicable, reopen), as when an officer
clicks it, so it is checked and audited the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import OnboardingCheck, StaffMember
from rsdesk.models.enums import CheckStatus
from rsdesk.services.importers import plan as p
from rsdesk.services.importers.coerce import normalise
from rsdesk.services.importers.common import PERSON_FIELDS, PERSON_KEYS, Staff
from rsdesk.services.onboarding import OnboardingRules
from rsdesk.services.progress import CancelToken, Progress

#: Statuses that close a check; each needs the date it was closed on.
CLOSED = (CheckStatus.DONE, CheckStatus.WAIVED, CheckStatus.NOT_APPLICABLE)

FIELDS = (
    *PERSON_FIELDS,
    p.Field(
        "check",
        "Check",
        required=True,
        synonyms=(
            "code",
            "check code",
            "check title",
            "onboarding check",
            "onboarding step",
            "step",
            "title",
        ),
    ),
    p.Field(
        "status",
        "Status",
        "choice",
        required=True,
        choices=tuple(status.value for status in CheckStatus),
        synonyms=("state", "check status", "result"),
        choice_synonyms={
            "completed": CheckStatus.DONE,
            "complete": CheckStatus.DONE,
            "finished": CheckStatus.DONE,
            "na": CheckStatus.NOT_APPLICABLE,
            "notrelevant": CheckStatus.NOT_APPLICABLE,
            "waiver": CheckStatus.WAIVED,
            "todo": CheckStatus.OPEN,
            "pending": CheckStatus.OPEN,
            "outstanding": CheckStatus.OPEN,
        },
    ),
    p.Field(
        "completed_on",
        "Date",
        "date",
        synonyms=(
            "on",
            "completed on",
            "completion date",
            "date completed",
            "done on",
            "waived on",
            "closed on",
        ),
    ),
    p.Field(
        "completed_by",
        "By",
        max_length=200,
        synonyms=("by whom", "completed by", "done by", "checked by", "officer", "signed by"),
    ),
    p.Field(
        "evidence_note",
        "Note",
        synonyms=("evidence", "evidence note", "notes", "comment", "remarks"),
    ),
    p.Field("waiver_reason", "Waiver reason", synonyms=("reason", "reason for waiver")),
)


@dataclass(frozen=True)
class ExistingCheck:
    id: int
    title: str
    status: CheckStatus
    completed_on: dt.date | None
    completed_by: str | None
    evidence_note: str | None
    waiver_reason: str | None


@dataclass
class Context:
    plan: p.ImportPlan
    session: Session
    staff: Staff
    anonymised: set[int]
    #: Normalised code or title -> check code (rules first, then codes found on checklists).
    codes: dict[str, str]
    titles: dict[str, str]
    checks: dict[tuple[int, str], ExistingCheck]
    #: Who a check closed without a By column is recorded as (the officer importing).
    actor: str
    rules: OnboardingRules
    #: People whose checks still matter (current staff): only their checks are renewed.
    current_staff: set[int]
    today: dt.date
    seen: dict[int, int] = field(default_factory=dict)
    suggestions: dict[str, str | None] = field(default_factory=dict)

    def unknown_check(self, text: str) -> str:
        """The problem for a check no rule or checklist has, with "did you mean ...?"."""
        if text not in self.suggestions:
            from rsdesk.services.importers.lookalikes import suggest

            self.suggestions[text] = suggest(text, sorted(set(self.titles.values())))
        meant = self.suggestions[text]
        reason = f"no onboarding check {text!r}"
        return reason + (f"; did you mean {meant!r}?" if meant else "")

    def renewal_due_since(self, code: str, staff_id: int, completed_on: dt.date) -> dt.date | None:
        """The renewal date of a completion that is due again already (the check renews and the
        date has passed), as the renewal on opening the database decides it; else None."""
        from rsdesk.services import onboarding

        rule = self.rules.by_code().get(code)
        if rule is None or rule.renew_months is None or staff_id not in self.current_staff:
            return None
        renewal = onboarding.renewal_date(completed_on, rule.renew_months)
        return renewal if renewal <= self.today else None

    def missing_check(self, staff_id: int, code: str) -> str:
        """Why a person has no such check: the rules do not give it to their role and research,
        or (after a rules change) it was never added to their checklist."""
        from rsdesk.services import onboarding
        from rsdesk.services.registers.labels import enum_label

        person = self.session.get(StaffMember, staff_id)
        assert person is not None
        title = self.titles.get(code, code)
        rule = self.rules.by_code().get(code)
        if rule is not None and rule.applies.matches(
            onboarding.staff_profile(self.session, person)
        ):
            return (
                f"{person.full_name} has no check {title!r} on their checklist (it applies, but "
                "was not added); open the person in rsdesk to add it"
            )
        return (
            f"{person.full_name} has no check {title!r}: it does not apply to their role "
            f"({enum_label(person.role_category)}) and research"
        )


class OnboardingTarget:
    name = "onboarding"
    title = "Onboarding checks"
    fields = FIELDS
    matching = "the person and the check (each person has each check once)"

    def prepare(self, session: Session, plan: p.ImportPlan) -> Context:
        from rsdesk.services import onboarding

        codes: dict[str, str] = {}
        titles: dict[str, str] = {}
        rules = onboarding.load_rules(session)
        for rule in rules.checks:
            codes.setdefault(normalise(rule.code), rule.code)
            codes.setdefault(normalise(rule.title), rule.code)
            titles[rule.code] = rule.title
        checks: dict[tuple[int, str], ExistingCheck] = {}
        for row in session.execute(
            select(
                OnboardingCheck.id,
                OnboardingCheck.staff_id,
                OnboardingCheck.check_code,
                OnboardingCheck.title,
                OnboardingCheck.status,
                OnboardingCheck.completed_on,
                OnboardingCheck.completed_by,
                OnboardingCheck.evidence_note,
                OnboardingCheck.waiver_reason,
            )
        ):
            id_, staff_id, code, title, status, on, by, evidence, reason = row
            checks[(staff_id, code)] = ExistingCheck(
                id_, title, CheckStatus(status), on, by, evidence, reason
            )
            # Checks of rules since removed are still on people's checklists.
            codes.setdefault(normalise(code), code)
            codes.setdefault(normalise(title), code)
            titles.setdefault(code, title)
        anonymised = set(
            session.scalars(select(StaffMember.id).where(StaffMember.anonymised_at.is_not(None)))
        )
        actor = str(session.info.get("actor") or "unknown")
        today = dt.date.today()
        current_staff = set(
            session.scalars(select(StaffMember.id).where(onboarding.checks_still_matter(today)))
        )
        return Context(
            plan,
            session,
            Staff(session),
            anonymised,
            codes,
            titles,
            checks,
            actor,
            rules,
            current_staff,
            today,
        )

    def _person(
        self, context: Context, values: dict[str, Any], problem: Any
    ) -> tuple[int | None, str]:
        """The staff id the row names and the text that named them (``Staff.identify``: staff
        number, e-mail or name, the same as the training import)."""
        named = [(key, values[key]) for key in PERSON_KEYS if values.get(key)]
        if not named:
            problem("check", "no staff number, e-mail or name")
            return None, ""
        staff_id, column, reason = context.staff.identify(named)
        who = named[0][1]
        if staff_id is None:
            problem(column, reason)
        elif staff_id in context.anonymised:
            problem(column, "an anonymised former staff member")
            return None, who
        return staff_id, who

    def plan_row(self, context: Context, row: p.RowPlan, mapped: set[str]) -> None:
        values = row.values

        def problem(key: str, reason: str) -> None:
            row.problems.append(p.Problem(row.row, p.column_of(context.plan, key), reason))

        if not mapped & set(PERSON_KEYS):
            problem("check", "the file has no column for the staff number, e-mail or name")
            return
        staff_id, who = self._person(context, values, problem)
        check_text = values.get("check")
        code = context.codes.get(normalise(check_text)) if check_text else None
        if check_text and code is None:
            problem("check", context.unknown_check(check_text))
        existing = None
        if staff_id is not None and code is not None:
            existing = context.checks.get((staff_id, code))
            if existing is None:
                problem("check", context.missing_check(staff_id, code))
        status = CheckStatus(values["status"]) if values.get("status") else None
        on = values.get("completed_on")
        date_column = p.column_of(context.plan, "completed_on")
        date_failed = date_column is not None and any(
            found.column == date_column for found in row.problems
        )
        if status in CLOSED and on is None and not date_failed:
            problem(
                "completed_on" if "completed_on" in mapped else "status",
                f"a check marked {_label(status)} needs the date it was closed on",
            )
        if on is not None and on > dt.date.today():
            problem("completed_on", "the date is in the future")
        evidence, reason = values.get("evidence_note"), values.get("waiver_reason")
        if status == CheckStatus.WAIVED and not (reason or evidence):
            problem(
                "waiver_reason" if "waiver_reason" in mapped else "evidence_note",
                "a waived check needs a reason (in the note)",
            )
        if existing is not None:
            if existing.id in context.seen:
                problem("check", f"same person and check as row {context.seen[existing.id]}")
            else:
                context.seen[existing.id] = row.row
        if row.problems or existing is None or status is None or staff_id is None:
            return
        if status == CheckStatus.WAIVED and not reason:
            reason, evidence = evidence, None  # the note is the waiver's reason
        renewal_due = (
            context.renewal_due_since(code, staff_id, on)
            if status == CheckStatus.DONE and on is not None and code is not None
            else None
        )
        if renewal_due is not None and on is not None:
            # Recorded late: the completion is past its renewal already, so the check stays open
            # for the renewal, as the next open of the database would leave it.
            row.note = (
                f"completed {on.isoformat()}; renewal due since {renewal_due.isoformat()}, "
                "left open"
            )
            renewing = _renewed_completion(existing)
            if renewing is not None and renewing >= on:
                row.action, row.record_id = p.UNCHANGED, existing.id
                row.key = f"{who} / {existing.title}"
                if renewing > on:
                    row.note = (
                        f"completed {on.isoformat()}; rsdesk holds a later completion "
                        f"({renewing.isoformat()}), open for its renewal"
                    )
                return
        by = values.get("completed_by")
        record = {
            "check_id": existing.id,
            "status": status,
            "completed_on": on if status in CLOSED else None,
            "completed_by": by,
            "evidence_note": evidence,
            "waiver_reason": reason if status == CheckStatus.WAIVED else None,
            "renew": renewal_due is not None,
        }
        row.values = record
        row.record_id = existing.id
        row.key = f"{who} / {existing.title}"
        if status == CheckStatus.OPEN:
            if existing.status == CheckStatus.OPEN:
                row.action = p.UNCHANGED
                return
            changes: dict[str, tuple[Any, Any]] = {
                "status": (_label(existing.status), _label(status))
            }
        else:
            if existing.status == status and existing.completed_on == on:
                row.action, row.note = p.UNCHANGED, ""  # a renewal due: the next open reopens it
                return
            new = {
                "status": _label(status),
                "completed_on": on,
                "completed_by": by or context.actor,
                "evidence_note": evidence,
                "waiver_reason": record["waiver_reason"],
            }
            old = {
                "status": _label(existing.status),
                "completed_on": existing.completed_on,
                "completed_by": existing.completed_by,
                "evidence_note": existing.evidence_note,
                "waiver_reason": existing.waiver_reason,
            }
            changes = {key: (old[key], new[key]) for key in new if old[key] != new[key]}
            if renewal_due is not None:
                changes["status"] = (old["status"], "Done, then open for renewal")
        if existing.status != CheckStatus.OPEN and context.plan.on_duplicate == "skip":
            # Closed in rsdesk already: the file does not overrule that unless asked to.
            row.action = p.SKIP
            row.note = (
                f"already {_label(existing.status).lower()}"
                + (f" on {existing.completed_on.isoformat()}" if existing.completed_on else "")
                + "; choose to update it from the file to replace that"
            )
            return
        row.action, row.changes = p.UPDATE, changes

    def write(
        self,
        session: Session,
        context: Context,
        rows: list[p.RowPlan],
        progress: Progress,
        cancel: CancelToken,
    ) -> None:
        from rsdesk.services import onboarding

        for done, row in enumerate(rows, 1):
            v = row.values
            status, check_id = v["status"], v["check_id"]
            if status == CheckStatus.DONE:
                onboarding.complete(
                    session,
                    check_id,
                    by=v["completed_by"],
                    on=v["completed_on"],
                    evidence=v["evidence_note"],
                )
            elif status == CheckStatus.WAIVED:
                onboarding.waive(
                    session,
                    check_id,
                    v["waiver_reason"],
                    by=v["completed_by"],
                    on=v["completed_on"],
                    evidence=v["evidence_note"],
                )
            elif status == CheckStatus.NOT_APPLICABLE:
                onboarding.mark_not_applicable(
                    session,
                    check_id,
                    by=v["completed_by"],
                    on=v["completed_on"],
                    note=v["evidence_note"],
                )
            else:
                onboarding.reopen(session, check_id)
            if done % 200 == 0:
                cancel.raise_if_cancelled()
                progress(done, len(rows), "updating checks")
        late = [row.values["check_id"] for row in rows if row.values.get("renew")]
        if late:
            # In the same transaction: the completion is in the audit trail, and the check is
            # open for its renewal, as the renewal on opening the database would leave it.
            session.flush()
            actor = session.info.get("actor")
            session.info["actor"] = f"{onboarding.RENEWAL_ACTOR} (imported by {actor})"[:200]
            try:
                onboarding.renew_due_checks(session, context.today, only=late)
            finally:
                session.info["actor"] = actor
        progress(len(rows), len(rows), "checks updated")


def _renewed_completion(existing: ExistingCheck | None) -> dt.date | None:
    """The completion date an open check is waiting to renew (its note is the renewal's
    ``Renewal of DATE``), else None."""
    from rsdesk.services import onboarding

    if existing is None or existing.status != CheckStatus.OPEN or not existing.evidence_note:
        return None
    try:
        completed = dt.date.fromisoformat(existing.evidence_note.rsplit(" ", 1)[-1])
    except ValueError:
        return None
    return completed if onboarding.renewal_note(completed) == existing.evidence_note else None


def _label(status: CheckStatus | None) -> str:
    from rsdesk.services.registers.labels import enum_label

    return enum_label(str(status)) if status is not None else ""


TARGET = OnboardingTarget()
