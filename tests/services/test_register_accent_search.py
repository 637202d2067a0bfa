"""The partners quick filter ignores accents and case, on SQLite and PostgreSQL alike: a tester
typed "universidad cordoba" and found nothing while "Córdoba" found the partner."""

from __future__ import annotations

import pytest

from rsdesk.db.text_folding import FOLD_FROM, FOLD_TO, fold_accents
from rsdesk.services import partners as partner_service
from rsdesk.services import registers
from rsdesk.services.partners import OtherName, PartnerInput
from rsdesk.services.registers.base import RegisterQuery

PARTNERS = (
    PartnerInput("Universidad de Córdoba", "university", "ES"),
    PartnerInput("Université Côte d'Azur", "university", "FR", other_names=(OtherName("UCA"),)),
    PartnerInput("Łódź University of Technology", "university", "PL"),
    PartnerInput("Đại học Bách khoa Hà Nội", "university", "VN"),
    PartnerInput(
        "Institut for Fysik", "research_institute", "DK", other_names=(OtherName("Ørsted Lab"),)
    ),
    PartnerInput("Cordoba Plain Trading", "company", "AR"),
    PartnerInput("Universität Wien", "university", "AT"),
)


def _found(db, text: str) -> list[str]:
    spec = registers.get("partners")
    with db.read() as session:
        rows = registers.fetch(session, spec, RegisterQuery(text=text), keys=["name"])
    return sorted(row[1] for row in rows)


@pytest.fixture
def named_partners(any_db):
    with any_db.unit_of_work() as session:
        for data in PARTNERS:
            partner_service.create(session, data)
    return any_db


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("universidad cordoba", ["Universidad de Córdoba"]),
        ("CÓRDOBA", ["Cordoba Plain Trading", "Universidad de Córdoba"]),
        ("córdoba", ["Cordoba Plain Trading", "Universidad de Córdoba"]),
        ("universite cote", ["Université Côte d'Azur"]),
        ("lodz", ["Łódź University of Technology"]),
        ("dai hoc ha noi", ["Đại học Bách khoa Hà Nội"]),
        ("orsted", ["Institut for Fysik"]),  # an other name, with a letter of its own (Ø)
        ("uca", ["Université Côte d'Azur"]),
        ("universitat", ["Universität Wien"]),
        ("cordoba wien", []),
    ],
)
def test_partners_quick_filter_ignores_accents_and_case(named_partners, typed, expected) -> None:
    assert _found(named_partners, typed) == expected


def test_like_wildcards_typed_are_still_plain_characters(named_partners) -> None:
    assert _found(named_partners, "c%rdoba") == []
    assert _found(named_partners, "d_azur") == []


def test_the_two_engines_use_one_table_of_letters() -> None:
    """PostgreSQL's translate() maps FOLD_FROM to FOLD_TO one to one (extra marks dropped);
    Python's fold must agree letter by letter, or the engines would find different rows."""
    assert len(FOLD_FROM) > len(FOLD_TO)
    for letter, plain in zip(FOLD_FROM, FOLD_TO, strict=False):
        assert fold_accents(letter) == plain, letter
    assert fold_accents("Co\u0301rdoba") == "cordoba"  # stored decomposed
    assert fold_accents("Σοφία") == "σοφία"  # other scripts: lower case only
    assert fold_accents(None) is None


@pytest.fixture
def led_collaborations(any_db):
    """Two collaborations led by people whose names carry accents, one without a lead."""
    from rsdesk.services import collaborations, staff

    with any_db.unit_of_work() as session:
        leads = {
            name: staff.create(session, staff.StaffInput(number, name, "researcher")).staff.id
            for number, name in (("S-1", "Łukasz Żółć"), ("S-2", "Zoë Ångström"))
        }
        for title, lead in (
            ("Quantum sensing network", "Łukasz Żółć"),
            ("Marine robotics exchange", "Zoë Ångström"),
            ("Zolc river survey", None),
        ):
            collaborations.create(
                session,
                collaborations.CollaborationInput(
                    title, "joint_research", lead_staff_id=leads.get(lead)
                ),
            )
    return any_db


@pytest.mark.parametrize(
    ("register", "typed", "expected"),
    [
        # The lead's name counts, accents ignored; a title still counts on its own.
        ("collaborations", "lukasz zolc", ["Quantum sensing network"]),
        ("collaborations", "zolc", ["Quantum sensing network", "Zolc river survey"]),
        ("collaborations", "ANGSTROM marine", ["Marine robotics exchange"]),
        ("collaborations", "angstrom quantum", []),
        ("staff", "zoe angstrom", ["Zoë Ångström"]),
        ("staff", "ŻÓŁĆ", ["Łukasz Żółć"]),
    ],
)
def test_names_of_people_are_found_without_their_accents(
    led_collaborations, register, typed, expected
) -> None:
    spec = registers.get(register)
    key = "title" if register == "collaborations" else "full_name"
    with led_collaborations.read() as session:
        rows = registers.fetch(session, spec, RegisterQuery(text=typed), keys=[key])
    assert sorted(row[1] for row in rows) == expected
