"""Two kinds of failure: known ones (a clear one-line message for the user) and bugs."""

from __future__ import annotations


class KnownError(Exception):
    """A failure the user can understand and act on: bad file, wrong passphrase, locked database.

    The message is one readable line; the command line prints it without a traceback and exits 1,
    the GUI shows it in a message box.
    """


class ValidationError(KnownError):
    """Input that breaks a business rule; ``field`` names the offending field for the form."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(KnownError):
    pass


class PermissionDenied(KnownError):
    pass


class ReadOnlyError(KnownError):
    """Raised when writing to a record that is frozen (a signed-off appraisal) or a read-only database."""
