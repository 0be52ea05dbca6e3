"""Retention rules and DPIA states as data: the kinds, their defaults, and a beheerder's changes.

The audit log is not a kind here on purpose: it is kept whole (a shortened log cannot be verified),
under the retention of the Logboek Dataverwerkingen, not by this job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.errors import ValidationError
from plein.policy.models import Collaboration, ProcessingActivity
from plein.retention.models import Dpia, RetentionRule


class RetentionKind(StrEnum):
    """Kinds of data with a retention rule."""

    REGISTRATIES = "registraties"
    WEBAANBOD = "webaanbod"
    BEWIJS = "bewijs"
    QUARANTAINE = "quarantaine"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


class RetentionAction(StrEnum):
    """What happens to an expired row."""

    VERWIJDEREN = "verwijderen"
    PSEUDONIMISEREN = "pseudonimiseren"


class DpiaStatus(StrEnum):
    """Where the DPIA of a processing activity or collaboration stands."""

    NIET_GESTART = "niet_gestart"
    IN_UITVOERING = "in_uitvoering"
    AFGEROND = "afgerond"

    @property
    def label(self) -> str:
        return DPIA_LABELS[self]


KIND_LABELS = {
    RetentionKind.REGISTRATIES: "Registraties (naar datum van de registratie)",
    RetentionKind.WEBAANBOD: "Webaanbod (naar laatst gezien)",
    RetentionKind.BEWIJS: "Bewijs: opgehaalde pagina's in WARC (naar datum van ophalen)",
    RetentionKind.QUARANTAINE: "Rijen in quarantaine (naar datum van aanlevering)",
}
DPIA_LABELS = {
    DpiaStatus.NIET_GESTART: "niet gestart",
    DpiaStatus.IN_UITVOERING: "in uitvoering",
    DpiaStatus.AFGEROND: "afgerond",
}
# Which actions each kind allows: evidence files and raw quarantined rows can only go.
ACTIONS = {
    RetentionKind.REGISTRATIES: (RetentionAction.PSEUDONIMISEREN, RetentionAction.VERWIJDEREN),
    RetentionKind.WEBAANBOD: (RetentionAction.VERWIJDEREN, RetentionAction.PSEUDONIMISEREN),
    RetentionKind.BEWIJS: (RetentionAction.VERWIJDEREN,),
    RetentionKind.QUARANTAINE: (RetentionAction.VERWIJDEREN,),
}
DEFAULTS = {
    RetentionKind.REGISTRATIES: (2557, RetentionAction.PSEUDONIMISEREN),  # seven years
    RetentionKind.WEBAANBOD: (730, RetentionAction.VERWIJDEREN),
    RetentionKind.BEWIJS: (730, RetentionAction.VERWIJDEREN),
    RetentionKind.QUARANTAINE: (90, RetentionAction.VERWIJDEREN),
}
MAX_DAYS = 36_500


@dataclass(frozen=True, slots=True)
class RuleInForce:
    """A retention rule as the job applies it."""

    kind: RetentionKind
    days: int
    action: RetentionAction

    def cutoff(self, today: dt.date) -> dt.date:
        """Rows dated before this day are expired."""
        return today - dt.timedelta(days=self.days)


def current_rules(session: Session) -> dict[RetentionKind, RuleInForce]:
    """Every kind's rule: the stored one, or the default when none is stored."""
    stored = {row.kind: row for row in session.scalars(select(RetentionRule))}
    rules = {}
    for kind, (days, action) in DEFAULTS.items():
        row = stored.get(kind.value)
        rules[kind] = (
            RuleInForce(kind, row.days, RetentionAction(row.action)) if row else RuleInForce(kind, days, action)
        )
    return rules


def set_rule(session: Session, *, kind: str, days: int, action: str, updated_by: str) -> RetentionRule:
    """Change how long a kind of data is kept; validated with a Dutch message."""
    try:
        retention_kind = RetentionKind(kind)
    except ValueError as exc:
        raise ValidationError(f"Soort gegevens: kies een van {', '.join(k.value for k in RetentionKind)}.") from exc
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"Bewaartermijn: een aantal dagen van 1 tot {MAX_DAYS}.")
    allowed = ACTIONS[retention_kind]
    if action not in {a.value for a in allowed}:
        raise ValidationError(f"Handeling voor {retention_kind.value}: kies {' of '.join(a.value for a in allowed)}.")
    row = session.get(RetentionRule, retention_kind.value) or RetentionRule(kind=retention_kind.value)
    row.days, row.action, row.updated_by = days, action, updated_by
    row.updated_at = dt.datetime.now(dt.UTC)
    session.add(row)
    session.flush()
    return row


def set_dpia(
    session: Session,
    *,
    subject: str,
    status: str,
    reference: str,
    decided_on: dt.date | None,
    updated_by: str,
) -> Dpia:
    """Record the DPIA of ``verwerking:<code>`` or ``samenwerking:<id>``; a finished one needs date and reference."""
    try:
        dpia_status = DpiaStatus(status)
    except ValueError as exc:
        raise ValidationError(f"DPIA-status: kies een van {', '.join(s.value for s in DpiaStatus)}.") from exc
    reference = reference.strip()
    if len(reference) > 1000:
        raise ValidationError("DPIA-referentie mag hoogstens 1000 tekens lang zijn.")
    if dpia_status is DpiaStatus.AFGEROND and (not reference or decided_on is None):
        raise ValidationError("Een afgeronde DPIA vraagt een referentie en een datum.")
    kind, _, ident = subject.partition(":")
    if kind == "verwerking" and session.get(ProcessingActivity, ident) is not None:
        row = session.scalars(select(Dpia).where(Dpia.activity_code == ident)).first() or Dpia(activity_code=ident)
    elif kind == "samenwerking" and ident.isdigit() and session.get(Collaboration, int(ident)) is not None:
        row = session.scalars(select(Dpia).where(Dpia.collaboration_id == int(ident))).first() or Dpia(
            collaboration_id=int(ident)
        )
    else:
        raise ValidationError(f"Onderwerp van de DPIA: {subject} is geen bekende verwerking of samenwerking.")
    row.status, row.reference, row.decided_on, row.updated_by = dpia_status.value, reference, decided_on, updated_by
    row.updated_at = dt.datetime.now(dt.UTC)
    session.add(row)
    session.flush()
    return row


def dpia_overview(
    session: Session,
) -> tuple[list[tuple[ProcessingActivity, Dpia | None]], list[tuple[Collaboration, Dpia | None]]]:
    """Every processing activity and every collaboration with its DPIA (None: none recorded)."""
    by_activity = {d.activity_code: d for d in session.scalars(select(Dpia).where(Dpia.activity_code.is_not(None)))}
    by_collab = {d.collaboration_id: d for d in session.scalars(select(Dpia).where(Dpia.collaboration_id.is_not(None)))}
    activities = session.scalars(select(ProcessingActivity).order_by(ProcessingActivity.code)).all()
    collabs = session.scalars(select(Collaboration).order_by(Collaboration.code)).all()
    return (
        [(a, by_activity.get(a.code)) for a in activities],
        [(c, by_collab.get(c.id)) for c in collabs],
    )
