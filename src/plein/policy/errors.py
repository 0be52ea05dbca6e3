"""Refusals: which rule said no, in Dutch, without revealing what was refused."""

from __future__ import annotations

from plein.errors import PleinError


class Refused(PleinError):
    """The gate refused an action. ``rule`` names the rule (doelbinding, rol, rechtsgrondslag, …).

    The web layer answers 403 with the message and the rule; the message never contains refused data.
    """

    status = 403

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.audited = False  # set once an entry for this refusal is written or held for writing

    def problem_fields(self) -> dict[str, str]:
        return {"regel": self.rule}


class NotVisible(Refused):
    """A subject or record that does not exist *or* may not be seen: one answer for both (no IDOR leak).

    The web layer answers 404, without the rule (exactly as for a missing id).
    """

    status = 404

    def __init__(self, what: str, ident: object) -> None:
        super().__init__("need-to-know", f"{what} {ident} bestaat niet of is voor u niet toegankelijk.")

    def problem_fields(self) -> dict[str, str]:
        return {}
