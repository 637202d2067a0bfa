"""Keeps the reference tables equal to the shipped reference files (added or renamed, never deleted)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rsdesk.models import DualUseCategory, TechnologyArea
from rsdesk.resources import load_toml


def synchronise(session: Session) -> None:
    areas = load_toml("reference", "technology_areas.toml")["area"]
    existing_areas = {area.code: area for area in session.query(TechnologyArea)}
    for order, item in enumerate(areas):
        area = existing_areas.get(item["code"]) or TechnologyArea(code=item["code"])
        area.name = item["name"]
        area.most_sensitive = bool(item.get("most_sensitive", False))
        area.sort_order = order
        session.add(area)
    categories = load_toml("reference", "dual_use_categories.toml")["category"]
    existing_categories = {cat.code: cat for cat in session.query(DualUseCategory)}
    for item in categories:
        category = existing_categories.get(item["code"]) or DualUseCategory(code=item["code"])
        category.name = item["name"]
        session.add(category)
