"""The base of every domain error: a refusal with a message for the user."""

from __future__ import annotations


class DomainError(Exception):
    """A service refused to act. ``message`` is translated and shown to the user.

    ``field`` optionally names the form field the message belongs to.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
