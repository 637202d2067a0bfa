"""The asset safeguards register (defined with the assets register)."""

from rsdesk.services.registers.assets import SAFEGUARDS as SPEC

__all__ = ["SPEC"]
