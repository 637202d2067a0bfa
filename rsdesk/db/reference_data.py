"""Keeps the reference tables equal to the shipped reference files (added or renamed, never deleted)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rsdesk.models import DualUseCategory, TechnologyArea
from rsdesk.resources import load_toml


def _wanted() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    areas = [
        {
            "code": item["code"],
            "name": item["name"],
            "most_sensitive": bool(item.get("most_sensitive", False)),
            "sort_order": order,
        }
        for order, item in enumerate(load_toml("reference", "technology_areas.toml")["area"])
    ]
    categories = [
        {"code": item["code"], "name": item["name"]}
        for item in load_toml("reference", "dual_use_categories.toml")["category"]
    ]
    return areas, categories


def is_current(session: Session) -> bool:
    """True when the tables already hold the shipped data (then opening writes nothing)."""
    areas, categories = _wanted()
    have_areas = {
        a.code: {
            "code": a.code,
            "name": a.name,
            "most_sensitive": a.most_sensitive,
            "sort_order": a.sort_order,
        }
        for a in session.query(TechnologyArea)
    }
    have_categories = {
        c.code: {"code": c.code, "name": c.name} for c in session.query(DualUseCategory)
    }
    return all(have_areas.get(a["code"]) == a for a in areas) and all(
        have_categories.get(c["code"]) == c for c in categories
    )


def synchronise(session: Session) -> None:
    areas, categories = _wanted()
    existing_areas = {area.code: area for area in session.query(TechnologyArea)}
    for item in areas:
        area = existing_areas.get(item["code"]) or TechnologyArea(code=item["code"])
        for key, value in item.items():
            setattr(area, key, value)
        session.add(area)
    existing_categories = {cat.code: cat for cat in session.query(DualUseCategory)}
    for item in categories:
        category = existing_categories.get(item["code"]) or DualUseCategory(code=item["code"])
        category.name = item["name"]
        session.add(category)
