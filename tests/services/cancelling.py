"""A cancel token that turns cancelled part-way, for work that must stop cleanly."""

from __future__ import annotations

from rsdesk.services.progress import Cancelled, CancelToken


class CancelledAfter(CancelToken):
    """A token that turns cancelled after ``looks`` looks at it, as when rsdesk closes while
    the copy or the check is under way."""

    def __init__(self, looks: int) -> None:
        super().__init__()
        self.looks = looks

    @property
    def cancelled(self) -> bool:
        self.looks -= 1
        if self.looks < 0:
            self.cancel()
        return super().cancelled

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled("closing")
