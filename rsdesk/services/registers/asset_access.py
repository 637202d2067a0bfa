"""The access-to-assets register (defined with the assets register)."""

from rsdesk.services.registers.assets import ACCESS as SPEC

__all__ = ["SPEC"]
