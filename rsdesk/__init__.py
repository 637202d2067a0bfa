"""rsdesk: the research security desk."""

__version__ = "0.1.0"
