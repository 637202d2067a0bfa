"""Two kinds of failure: known ones (a clear one-line message for the user) and bugs."""

from __future__ import annotations


class KnownError(Exception):
    """A failure the user can understand and act on: bad file, wrong passphrase, locked database.

    The message is one readable line; the command line prints it without a traceback and exits 1,
    the GUI shows it in a message box.
    """


class ValidationError(KnownError):
    """Input that breaks a business rule; ``field`` names the offending field for the form.

    ``more`` carries the other problems found in the same input, so that a form can mark every
    field at once instead of revealing them one save at a time; the message is the first's.
    """

    def __init__(
        self, message: str, field: str | None = None, *, more: tuple[ValidationError, ...] = ()
    ) -> None:
        super().__init__(message)
        self.field = field
        self.more = more

    @property
    def problems(self) -> tuple[ValidationError, ...]:
        """This problem and the others found with it."""
        return (self, *self.more)

    @classmethod
    def raise_any(cls, problems: list[ValidationError]) -> None:
        """Raises the first of ``problems`` carrying the rest; nothing if there are none."""
        if problems:
            first = problems[0]
            raise cls(str(first), first.field, more=tuple(problems[1:]))


class NotFoundError(KnownError):
    pass


class PermissionDenied(KnownError):
    pass


class ReadOnlyError(KnownError):
    """Raised when writing to a record that is frozen (a signed-off appraisal) or a read-only database."""
