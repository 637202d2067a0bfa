"""Factories for the people tests: departments and staff through the real services."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from rsdesk.models import Department
from rsdesk.services import staff as staff_service
from rsdesk.services.staff import StaffInput

_numbers = itertools.count(1)


def department(session: Session, name: str = "Physics") -> int:
    dept = Department(name=name)
    session.add(dept)
    session.flush()
    return dept.id


def person(session: Session, **values: object) -> int:
    number = next(_numbers)
    data: dict[str, object] = {
        "staff_number": f"S{number:05d}",
        "full_name": f"Person {number}",
        "role_category": "researcher",
        "start_date": dt.date(2025, 1, 6),
    }
    data.update(values)
    return staff_service.create(session, StaffInput(**data)).staff.id  # type: ignore[arg-type]
