"""Partner write services and the picker search, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from rsdesk.db import Database
from rsdesk.services import audit
from rsdesk.services import partners as service
from rsdesk.services.errors import ValidationError
from rsdesk.services.partners import OtherName, PartnerInput


def test_create_with_other_names_and_search_by_alias(any_db: Database) -> None:
    with any_db.unit_of_work() as session:
        created = service.create(
            session,
            PartnerInput(
                "  Tokyo   Institute of Science ",
                "university",
                "jp",
                other_names=(
                    OtherName("東京科学大学", "native_script"),
                    OtherName("TIS", "abbreviation"),
                ),
            ),
        )
        service.create(session, PartnerInput("Institute of Tokyo Studies", "research_institute"))
        service.create(session, PartnerInput("Berlin Data GmbH", "company", "DE"))
    assert created.name == "Tokyo Institute of Science"
    assert created.country == "JP"
    assert [n.name for n in created.other_names] == ["東京科学大学", "TIS"]
    with any_db.read() as session:
        by_alias = service.search(session, "東京")
        by_words = service.search(session, "tokyo inst")
        everything = service.search(session, "")
    assert [(c.name, c.matched_name) for c in by_alias] == [
        ("Tokyo Institute of Science", "東京科学大学")
    ]
    # A name starting with the first word comes before one that merely contains it.
    assert [c.name for c in by_words] == [
        "Tokyo Institute of Science",
        "Institute of Tokyo Studies",
    ]
    assert len(everything) == 3


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (PartnerInput("", "university"), "name"),
        (PartnerInput("X", ""), "kind"),
        (PartnerInput("X", "club"), "kind"),
        (PartnerInput("X", "company", "Germany"), "country"),
    ],
)
def test_validation(any_db: Database, data: PartnerInput, field: str) -> None:
    with pytest.raises(ValidationError) as caught, any_db.unit_of_work() as session:
        service.create(session, data)
    assert caught.value.field == field


def test_update_other_names_and_archive_are_audited(any_db: Database) -> None:
    with any_db.unit_of_work() as session:
        created = service.create(
            session, PartnerInput("Alpha Lab", "company", other_names=(OtherName("A-Lab"),))
        )
    with any_db.unit_of_work() as session:
        changed = service.update(
            session,
            created.id,
            PartnerInput(
                "Alpha Laboratories", "company", other_names=(OtherName("Alpha Lab", "former"),)
            ),
        )
        service.archive(session, created.id)
    assert [(n.name, n.kind) for n in changed.other_names] == [("Alpha Lab", "former")]
    with any_db.read() as session:
        assert service.load(session, created.id).archived is True
        assert service.search(session, "alpha") == []
        actions = [i.action for i in audit.history(session, "partner", created.id)]
    assert actions == ["insert", "update", "update"]


def test_new_partner_is_screened_when_screening_exists(any_db: Database) -> None:
    assert service.screening_available()
    from rsdesk.services.screening import workflow

    with any_db.unit_of_work() as session:
        created = service.create(session, PartnerInput("Plain Partner", "company"))
        # No list is loaded: screening ran and found nothing, without failing the create.
        assert workflow.results_for_partner(session, created.id) == []
