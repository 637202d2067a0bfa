"""Demo section: a small, plainly fictitious screening list, and the partners screened against it.

The list is the office's own kind of list (the plain CSV format of
``services/screening/formats/office_csv.py``): about a hundred invented organisations, plus close
variants of a few demo partners' names (a typo, a different legal form, words dropped) so that
screening finds hits to review. The CSV text is parsed by the real parser and matched by the
real matcher (:class:`MatchIndex`); the list version, its entries and the results are written in
bulk. Older hits carry the officers' verdicts (true match or false positive), recent ones are
pending.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from typing import Any, cast

from sqlalchemy import Table

from rsdesk.models import ScreeningEntry, ScreeningList, ScreeningResult
from rsdesk.models.enums import ScreeningVerdict
from rsdesk.services.demo.context import DemoContext, PartnerRow
from rsdesk.services.screening.formats import office_csv
from rsdesk.services.screening.matching import EntryInfo, MatchIndex

LISTS = cast(Table, ScreeningList.__table__)
ENTRIES = cast(Table, ScreeningEntry.__table__)
RESULTS = cast(Table, ScreeningResult.__table__)

LIST_NAME = "Demo list (fictitious)"
LIST_KEY = "demo-list-fictitious"
FILE_NAME = "demo-list-fictitious.csv"
NOTE = "Fictitious entry of the demo institution; not a real listing"

#: Invented name parts; every combination is fictitious.
FIRST_WORDS = (
    "Azure Meridian", "Boreal Vector", "Crimson Lattice", "Dune Harbor", "Ember Quay",
    "Frostline", "Granite Orchard", "Halcyon Drift", "Iron Pelican", "Jade Cascade",
    "Kestrel Arc", "Lumen Steppe", "Marble Foundry", "Nimbus Ridge", "Obsidian Loom",
    "Pale Comet", "Quartz Meadow", "Rustvale", "Saffron Gate", "Tundra Beacon",
    "Umber Forge", "Violet Reach", "Willow Circuit", "Xenon Plateau", "Yarrow Point",
    "Zephyr Anvil", "Amber Sextant", "Basalt Crown", "Cobalt Fern", "Delta Thistle",
)  # fmt: skip
SECOND_WORDS = (
    "Trading Company", "Precision Instruments Ltd", "Institute of Applied Physics",
    "Advanced Materials Group", "Import and Export Co.", "Research Centre",
    "Aerospace Components", "Microelectronics Works", "Logistics Holding",
    "Dual Technologies Bureau", "Scientific Supplies", "Engineering Academy",
)  # fmt: skip
COUNTRIES = ("Freedonia", "Sylvania", "Ruritania", "Latveria", "Genovia", "Zubrowka")
#: Legal forms a variant may swap in or drop.
LEGAL_FORMS = ("Ltd", "Co., Ltd.", "GmbH", "LLC", "S.A.", "Inc.")
VARIANTS = 8
FALSE_POSITIVE_NOTES = (
    "Different organisation: other country and no shared identifiers",
    "Name similarity only; the partner's registration number differs",
    "Checked with the partner's website and registry entry: not the listed entity",
)
TRUE_MATCH_NOTES = (
    "Same entity (address and registration number agree); escalated to the committee",
    "Confirmed with the export-control officer; collaboration on hold",
)


def screening(ctx: DemoContext) -> dict[str, int]:
    """One version of the demo list, its entries, and the screening results of the partners."""
    rng = ctx.rng
    rows = _list_rows(ctx)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "name", "aliases", "country", "note"])
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    parsed = office_csv.parse(data, FILE_NAME)
    loaded_on = ctx.anchor - dt.timedelta(days=rng.randint(30, 120))
    loaded_at = ctx.moment(loaded_on)
    list_id = ctx.new_id(LISTS)
    ctx.write(
        LISTS,
        [
            {
                "id": list_id, "list_key": LIST_KEY, "name": LIST_NAME,
                "source_format": parsed.format, "file_name": FILE_NAME,
                "sha256": hashlib.sha256(data).hexdigest(), "loaded_at": loaded_at,
                "version_no": 1, "entry_count": len(parsed.entries), "active": True,
                "created_at": loaded_at, "updated_at": loaded_at,
            }
        ],
    )  # fmt: skip
    entry_rows = []
    index_rows: list[tuple[EntryInfo, list[str]]] = []
    for entry in parsed.entries:
        entry_id = ctx.new_id(ENTRIES)
        fingerprint = entry.fingerprint()
        entry_rows.append(
            {
                "id": entry_id, "list_id": list_id, "external_id": entry.external_id,
                "kind": entry.kind, "primary_name": entry.primary_name,
                "aliases": list(entry.aliases), "programme": entry.programme,
                "country": entry.country, "identifiers": entry.identifiers, "note": entry.note,
                "fingerprint": fingerprint,
            }
        )  # fmt: skip
        info = EntryInfo(
            entry_id, list_id, LIST_KEY, LIST_NAME, 1, entry.external_id, entry.primary_name,
            entry.kind, entry.programme, fingerprint,
        )  # fmt: skip
        index_rows.append((info, list(entry.names())))
    ctx.write(ENTRIES, entry_rows)
    index = MatchIndex(index_rows)
    officers = ctx.officers or ctx.staff[:1]
    result_rows: list[dict[str, Any]] = []
    matched: dict[str, list[Any]] = {}
    for partner in ctx.partners:
        matches = matched.get(partner.name)
        if matches is None:
            matches = matched[partner.name] = index.match([partner.name])
        for match in matches:
            screened_at = ctx.moment(loaded_on)
            roll = rng.random()
            verdict = ScreeningVerdict.PENDING
            note = decided_by = decided_at = None
            if roll < 0.45:
                verdict, note = ScreeningVerdict.FALSE_POSITIVE, rng.choice(FALSE_POSITIVE_NOTES)
            elif roll < 0.55:
                verdict, note = ScreeningVerdict.TRUE_MATCH, rng.choice(TRUE_MATCH_NOTES)
            if verdict != ScreeningVerdict.PENDING:
                decided_by = rng.choice(officers).email.split("@")[0]
                decided_at = ctx.moment(
                    min(ctx.anchor, loaded_on + dt.timedelta(days=rng.randint(1, 20)))
                )
            info = match.entry
            result_rows.append(
                {
                    "id": ctx.new_id(RESULTS), "partner_id": partner.id, "list_id": list_id,
                    "entry_id": info.entry_id, "entry_external_id": info.external_id,
                    "entry_fingerprint": info.fingerprint,
                    "entry_name": info.primary_name[:500],
                    "partner_name_matched": match.query_name[:300],
                    "list_name_matched": match.list_name_matched[:500],
                    "score": round(match.score, 4), "screened_at": screened_at,
                    "verdict": verdict.value, "verdict_note": note, "decided_by": decided_by,
                    "decided_at": decided_at, "created_at": screened_at,
                    "updated_at": decided_at or screened_at,
                }
            )  # fmt: skip
    return {
        "screening lists": 1,
        "screening entries": len(entry_rows),
        "screening results": ctx.write(RESULTS, result_rows, "screening results"),
    }


def _list_rows(ctx: DemoContext) -> list[list[str]]:
    """About a hundred invented entries, a few of them close variants of demo partners' names."""
    rng = ctx.rng
    names = [f"{first} {second}" for first in FIRST_WORDS for second in SECOND_WORDS]
    chosen = rng.sample(names, min(len(names), 92))
    rows = [
        [f"DEMO-{number:03d}", name, "", rng.choice(COUNTRIES), NOTE]
        for number, name in enumerate(chosen, start=1)
    ]
    partners = sorted({p.name: p for p in ctx.partners}.values(), key=lambda p: p.id)
    for number, partner in enumerate(
        rng.sample(partners, min(len(partners), VARIANTS)), start=len(rows) + 1
    ):
        rows.append([f"DEMO-{number:03d}", _variant(ctx, partner), partner.name if rng.random()
                     < 0.2 else "", rng.choice(COUNTRIES), NOTE])  # fmt: skip
    return rows


def _variant(ctx: DemoContext, partner: PartnerRow) -> str:
    """A name close to the partner's: a legal form added, a letter changed, or words reordered."""
    rng = ctx.rng
    words = partner.name.split()
    choice = rng.randint(0, 2)
    if choice == 0 or len(words) < 2:
        return f"{partner.name} {rng.choice(LEGAL_FORMS)}"
    if choice == 1:
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        word = words[longest]
        if len(word) > 4:
            at = rng.randint(1, len(word) - 2)
            words[longest] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        return " ".join(words)
    return " ".join(words[1:] + words[:1])
