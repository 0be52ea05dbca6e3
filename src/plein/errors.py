"""Errors that reach a user as one clear line, never as a stack trace.

Each kind carries the HTTP status the web answers it with (``status``); ``web.problems`` maps every
``PleinError`` in one handler, as problem+json on the API and as a Dutch page elsewhere.
"""

from __future__ import annotations


class PleinError(Exception):
    """An error with a message meant for the user: what is wrong and how to fix it."""

    exit_code = 2
    status = 500  # a fault on plein's side unless a kind says otherwise

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def problem_fields(self) -> dict[str, str]:
        """Extra members of the problem+json answer (e.g. the rule of a refusal)."""
        return {}


class ConfigurationError(PleinError):
    """Settings or environment are wrong (database URL, var/ directory)."""


class SchemaError(PleinError):
    """The database schema does not match this version of plein."""


class ValidationError(PleinError):
    """Input that does not satisfy plein's rules (identifiers, postcodes, sizes)."""

    status = 400


class NotAuthenticated(PleinError):
    """Who is asking could not be established (e.g. single sign-on failed)."""

    status = 401


class NotFound(PleinError):
    """Something that does not exist (and whose existence is no secret, such as an organisation)."""

    status = 404


class Conflict(PleinError):
    """The request clashes with the current state (e.g. the same file is being imported already)."""

    status = 409
