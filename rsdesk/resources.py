"""One resolver for data files, wherever rsdesk runs from.

Order: a PyInstaller bundle (``sys._MEIPASS/resources``), an installed wheel
(``rsdesk/_resources``, copied there by setup.py), then the source checkout (``resources/``).
"""

from __future__ import annotations

import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import Any


@cache
def resources_root() -> Path:
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources")
    package_dir = Path(__file__).resolve().parent
    candidates.append(package_dir / "_resources")
    candidates.append(package_dir.parent / "resources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "rsdesk resources not found; looked in " + ", ".join(map(str, candidates))
    )


def resource_path(*parts: str) -> Path:
    """Path of a shipped data file, e.g. ``resource_path("reference", "technology_areas.toml")``."""
    return resources_root().joinpath(*parts)


def load_toml(*parts: str) -> dict[str, Any]:
    with resource_path(*parts).open("rb") as handle:
        return tomllib.load(handle)
