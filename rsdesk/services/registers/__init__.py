"""Register descriptions by name. Each register module defines ``SPEC``."""

from __future__ import annotations

from importlib import import_module

from rsdesk.services.registers.base import RegisterQuery, RegisterSpec, count, fetch, iterate

#: name -> module holding its SPEC. Add a register here and in its own module.
REGISTER_MODULES = {
    "collaborations": "rsdesk.services.registers.collaborations",
    "appraisals": "rsdesk.services.registers.appraisals",
    "measures": "rsdesk.services.registers.measures",
    "staff": "rsdesk.services.registers.staff",
    "onboarding": "rsdesk.services.registers.onboarding",
    "training": "rsdesk.services.registers.training",
    "partners": "rsdesk.services.registers.partners",
    "audit_log": "rsdesk.services.registers.audit_log",
    "screening": "rsdesk.services.registers.screening",
    "assets": "rsdesk.services.registers.assets",
    "asset_safeguards": "rsdesk.services.registers.asset_safeguards",
    "asset_access": "rsdesk.services.registers.asset_access",
    "advice": "rsdesk.services.registers.advice",
}


def get(name: str) -> RegisterSpec:
    try:
        module_name = REGISTER_MODULES[name]
    except KeyError:
        known = ", ".join(sorted(REGISTER_MODULES))
        raise KeyError(f"unknown register {name!r}; known: {known}") from None
    spec: RegisterSpec = import_module(module_name).SPEC
    return spec


def names() -> list[str]:
    return list(REGISTER_MODULES)


__all__ = ["RegisterQuery", "RegisterSpec", "count", "fetch", "get", "iterate", "names"]
