"""Errors that reach a user as one clear line, never as a stack trace."""


class PleinError(Exception):
    """An error with a message meant for the user: what is wrong and how to fix it."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(PleinError):
    """Settings or environment are wrong (database URL, var/ directory)."""


class SchemaError(PleinError):
    """The database schema does not match this version of plein."""


class ValidationError(PleinError):
    """Input that does not satisfy plein's rules (identifiers, postcodes, sizes)."""
