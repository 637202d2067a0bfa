"""Importing partners: matched on the ID column, else on the normalised name or any other name.

Writes go through rsdesk.services.partners, so that imported partners are validated and screened
exactly like partners added by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import Partner, PartnerName
from rsdesk.models.enums import PartnerKind, PartnerNameKind
from rsdesk.services.errors import ValidationError
from rsdesk.services.importers import plan as p
from rsdesk.services.importers.coerce import normalise
from rsdesk.services.importers.common import CREATE_CHUNK
from rsdesk.services.progress import CancelToken, Progress

FIELDS = (
    p.Field("id", "ID", "id", synonyms=("record id", "rsdesk id")),
    p.Field(
        "name",
        "Name",
        required=True,
        max_length=300,
        synonyms=(
            "partner",
            "partner name",
            "institution",
            "organisation",
            "organization",
            "legal name",
        ),
    ),
    p.Field(
        "kind",
        "Kind",
        "choice",
        choices=tuple(k.value for k in PartnerKind),
        synonyms=("type", "partner type", "category", "sector"),
        choice_synonyms={
            "uni": "university",
            "universitat": "university",
            "institute": "research_institute",
            "researchorganisation": "research_institute",
            "firm": "company",
            "industry": "company",
            "business": "company",
            "government": "government_body",
            "ministry": "government_body",
            "agency": "government_body",
        },
    ),
    p.Field("country", "Country", max_length=2, synonyms=("country code", "iso country")),
    p.Field("city", "City", max_length=120, synonyms=("town", "place")),
    p.Field("website", "Website", max_length=300, synonyms=("web", "url", "homepage")),
    p.Field("notes", "Notes", synonyms=("remarks", "comment", "comments")),
    p.Field(
        "other_names",
        "Other names",
        "list",
        synonyms=("aliases", "alias", "also known as", "aka", "native name", "former names"),
    ),
)
SCALARS = ("name", "kind", "country", "city", "website", "notes")


@dataclass
class Context:
    plan: p.ImportPlan
    by_name: dict[str, int]
    current: dict[int, dict[str, Any]]
    #: Each partner's other names with their kind (abbreviation, native script, ...), kept when
    #: the file lists the same name again: a workbook column has no room for the kind.
    name_kinds: dict[int, dict[str, str]] = field(default_factory=dict)
    seen: dict[Any, int] = field(default_factory=dict)


class PartnersTarget:
    name = "partners"
    title = "Partners"
    fields = FIELDS
    matching = "the ID column, else the name or any of the partner's other names (normalised)"

    def prepare(self, session: Session, plan: p.ImportPlan) -> Context:
        by_name: dict[str, int] = {}
        for id_, name in session.execute(select(PartnerName.partner_id, PartnerName.name)):
            by_name.setdefault(normalise(name), id_)
        others: dict[int, list[str]] = {}
        name_kinds: dict[int, dict[str, str]] = {}
        for id_, name, kind in session.execute(
            select(PartnerName.partner_id, PartnerName.name, PartnerName.kind).order_by(
                PartnerName.id
            )
        ):
            others.setdefault(id_, []).append(name)
            name_kinds.setdefault(id_, {})[name] = getattr(kind, "value", kind)
        current = {}
        for row in session.execute(select(Partner.id, *(getattr(Partner, n) for n in SCALARS))):
            values = dict(zip(SCALARS, row[1:]))
            values["kind"] = getattr(values["kind"], "value", values["kind"])
            values["other_names"] = tuple(others.get(row[0], ()))
            current[row[0]] = values
            by_name[normalise(values["name"])] = row[0]
        return Context(plan, by_name, current, name_kinds)

    def plan_row(self, context: Context, row: p.RowPlan, mapped: set[str]) -> None:
        values = row.values

        def problem(key: str, reason: str) -> None:
            row.problems.append(p.Problem(row.row, p.column_of(context.plan, key), reason))

        country = values.get("country")
        if country is not None:
            if len(country) != 2 or not country.isalpha():
                problem("country", f"{country!r} is not a two-letter ISO code such as DE or JP")
            values["country"] = country.upper()
        website = values.get("website")
        if website and " " in website:
            problem("website", "must be a single address")
        if row.problems:
            return
        record_id = None
        if values.get("id") is not None and values["id"] in context.current:
            record_id = values["id"]
        else:
            record_id = context.by_name.get(normalise(values["name"]))
            current = context.current.get(record_id) if record_id is not None else None
            if current is not None and normalise(current["name"]) != normalise(values["name"]):
                # Found by one of its other names ("BMU"): the same partner only if nothing
                # says otherwise, and an update keeps its name (the row's stays another name).
                clash = [
                    f"{label} {current[key] or 'none'}"
                    for key, label in (("kind", "kind"), ("country", "country"))
                    if key in mapped and values.get(key) and values[key] != current[key]
                ]
                if clash:
                    problem(
                        "name",
                        f"{values['name']!r} is another name of {current['name']!r} "
                        f"({', '.join(clash)}); give its ID to change it, or a name of its own",
                    )
                    return
                values["name"] = current["name"]
        key = record_id or normalise(values["name"])
        if key in context.seen:
            problem("name", f"same partner as row {context.seen[key]}")
            return
        context.seen[key] = row.row
        record = {name: values.get(name) for name in (*SCALARS, "other_names") if name in mapped}
        row.values = record
        if record_id is None:
            record["kind"] = record.get("kind") or PartnerKind.OTHER.value
            if "kind" not in mapped or values.get("kind") is None:
                row.note = "kind set to 'other'"
            row.action, row.key = p.CREATE, str(record["name"])
            return
        current = context.current[record_id]
        row.record_id, row.key = record_id, current["name"]
        changes = {
            name: (current[name], record[name])
            for name in record
            if record[name] != current[name]
            and not (name == "kind" and record[name] is None)
            # The same names in another order (the register lists them sorted) are no change.
            and not (name == "other_names" and set(record[name] or ()) == set(current[name]))
        }
        if not changes:
            row.action = p.UNCHANGED
        elif context.plan.on_duplicate == "skip":
            row.action, row.note = p.SKIP, "already in the register"
        else:
            row.action, row.changes = p.UPDATE, changes

    def write(
        self,
        session: Session,
        context: Context,
        rows: list[p.RowPlan],
        progress: Progress,
        cancel: CancelToken,
    ) -> None:
        """New partners go in chunks through ``partners.create_many`` (one flush and one
        screening pass per chunk: a per-partner flush, screening and reload made an import of
        thousands take minutes); changed ones one by one through ``partners.update``."""
        from rsdesk.services import partners

        pending: list[tuple[p.RowPlan, partners.PartnerInput]] = []

        def create_pending() -> None:
            try:
                partners.create_many(session, [data for _, data in pending])
            except partners.InvalidInput as exc:
                row = pending[exc.position][0]
                raise ValidationError(f"Nothing was imported: row {row.row}: {exc}") from exc
            pending.clear()

        for done, row in enumerate(rows, 1):
            if done % 200 == 0:
                cancel.raise_if_cancelled()
                progress(done, len(rows), "writing partners")
            values = dict(row.values)
            if row.record_id is not None:
                current = context.current[row.record_id]
                values = {
                    **current,
                    **{k: v for k, v in values.items() if v is not None or k != "kind"},
                }
            kinds = context.name_kinds.get(row.record_id or 0, {})
            names = tuple(
                partners.OtherName(name, kinds.get(name, PartnerNameKind.ALIAS.value))
                for name in values.get("other_names") or ()
            )
            data = partners.PartnerInput(
                name=values["name"],
                kind=values["kind"],
                country=values.get("country"),
                city=values.get("city"),
                website=values.get("website"),
                notes=values.get("notes"),
                other_names=names,
            )
            if row.record_id is None:
                pending.append((row, data))
                if len(pending) >= CREATE_CHUNK:
                    create_pending()
                continue
            try:
                existing = partners.load(session, row.record_id)
                if "other_names" not in row.values:
                    data = partners.PartnerInput(
                        data.name,
                        data.kind,
                        data.country,
                        data.city,
                        data.website,
                        data.notes,
                        existing.other_names,
                    )
                partners.update(session, row.record_id, data)
            except ValidationError as exc:
                raise ValidationError(f"Nothing was imported: row {row.row}: {exc}") from exc
        if pending:
            create_pending()


TARGET = PartnersTarget()
