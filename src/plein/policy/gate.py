"""The policy gate: every read and write of subjects and records passes here, deny by default.

One ``Gate`` per request (or per pipeline run) binds a session, an actor and a stated purpose::

    gate = Gate(session, actor, Purpose.for_collaboration(12))
    rows = gate.read_records(select(Record).where(Record.theme_code == "afval"))   # filtered + audited
    query = gate.records(select(Record))          # filtered in the database, for counts/exports/joins
    record = gate.read_record(41)                 # NotVisible (404) if absent *or* not allowed
    gate.authorise_record_write(org_id)           # before an insert/update of a record
    gate.audit("export.csv", subjects=[("kvk", "12345678")])   # any other action
    session.commit()                              # the buffered audit entry is appended here

Successful actions of one gate are folded into one audit entry per request (its steps listed in the
entry), so create one gate per request or job. Call the gate *before* writing: a refusal is logged
in its own transaction, which must not wait on the caller's own write lock.

Decisions use the actor's role and organisation, the purpose (a processing activity or a
collaboration: membership, participants and period), the legal-basis matrix between matrix parties,
confidentiality against clearance, the Wgs forbidden categories, and aggregates-only for
beleidsmedewerkers. Refusals are audited at once (they survive a rollback) and raise ``Refused``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from plein.audit import log as audit_log
from plein.audit.actions import AuditAction
from plein.audit.chain import ActorInfo, NewEntry
from plein.audit.events import merge_into, record_event
from plein.audit.keys import AuditKeys, audit_keys
from plein.audit.trace import TraceContext
from plein.core.models import (
    Establishment,
    LegalEntity,
    Organisation,
    Person,
    PersonRoleLink,
    Record,
    utcnow,
)
from plein.core.vocabulary import OrganisationKind
from plein.policy.activities import ActivityRule, activity_rule
from plein.policy.cache import PolicyCache
from plein.policy.errors import NotVisible, Refused
from plein.policy.membership import CollaborationRule, collaboration_if_member
from plein.policy.models import (
    Collaboration,
    CollaborationParticipant,
    LegalBasis,
    SharedRecord,
)
from plein.policy.participation import Participation
from plein.policy.register import DEFAULT_PURPOSE, OPERATIONS, Operation, may
from plein.policy.roles import Actor, Purpose, Role
from plein.policy.scopes import ScopeKind
from plein.policy.wgs import is_forbidden_field

DEFAULT_MIN_CELL = 10
Subject = tuple[str, object]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Scope:
    """What the stated purpose reaches, after the gate checked it fits the actor."""

    kind: ScopeKind
    activity_code: str
    legal_basis: str
    collaboration: CollaborationRule | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """One aggregate cell: its group key and count, None when suppressed (fewer than the threshold)."""

    key: tuple[Any, ...]
    count: int | None


def record_subjects(records: Iterable[Record]) -> list[Subject]:
    """The data subjects of records, for the audit log: reported KvK numbers and establishments."""
    subjects: list[Subject] = []
    for record in records:
        if record.reported_kvk:
            subjects.append(("kvk", record.reported_kvk))
        if record.establishment_id is not None:
            subjects.append(("vestiging", record.establishment_id))
    return subjects


# The building blocks of record clauses, made once per distinct value: SQL expressions are immutable,
# and building the IN lists and the shared-records subquery cost more per request than running them.
@lru_cache(maxsize=64)
def _readable(levels: tuple[str, ...]) -> ColumnElement[bool]:
    return Record.confidentiality.in_(levels)


@lru_cache(maxsize=256)
def _from_organisation(organisation_id: int | None) -> ColumnElement[bool]:
    return Record.source_organisation_id == organisation_id


@lru_cache(maxsize=256)
def _shared_into(collaboration_id: int, sources: tuple[int, ...]) -> ColumnElement[bool]:
    """Records shared into the collaboration by one of ``sources``."""
    shared = select(SharedRecord.record_id).where(SharedRecord.collaboration_id == collaboration_id)
    return and_(Record.id.in_(shared), Record.source_organisation_id.in_(sources))


# Source organisations whose records an organisation may receive inside a collaboration.
_partner_sources: PolicyCache[list[int]] = PolicyCache(
    LegalBasis, CollaborationParticipant, Organisation, Collaboration
)


class Gate:
    """The gate for one actor and one purpose within one session. Cheap to create; create per request."""

    def __init__(
        self,
        session: Session,
        actor: Actor,
        purpose: Purpose,
        *,
        trace: TraceContext | None = None,
        keys: AuditKeys | None = None,
        today: dt.date | None = None,
        min_cell: int = DEFAULT_MIN_CELL,
    ) -> None:
        self.session = session
        self.actor = actor
        self.purpose = purpose
        self.trace = trace or TraceContext.new()
        self.keys = keys or audit_keys()
        self.today = today or dt.date.today()
        self.min_cell = min_cell
        self._scope: Scope | None = None
        self._entry: NewEntry | None = None
        self._sources: list[int] | None = None
        self._clause: tuple[Scope, ColumnElement[bool]] | None = None
        self._actor_cache: ActorInfo | None = None

    # ------------------------------------------------------------------ purpose
    def scope(self) -> Scope:
        """Check the purpose against the actor (once per gate); raise Refused (audited) if it does not fit."""
        if self._scope is None:
            self._scope = self._resolve_scope()
        return self._scope

    def _activity(self, code: str) -> ActivityRule:
        activity = activity_rule(self.session, code)
        if activity is None or not activity.active:
            self._refuse(
                "doelbinding", "Het opgegeven doel staat niet in het verwerkingsregister.", AuditAction.PURPOSE_CHECK
            )
        assert activity is not None
        if self.actor.role.value not in activity.roles:
            self._refuse(
                "doelbinding",
                f"Met de rol {self.actor.role.label} mag u niet werken onder het doel '{activity.name}'.",
                AuditAction.PURPOSE_CHECK,
            )
        return activity

    def _resolve_scope(self) -> Scope:
        if self.purpose.activity_code is not None:
            activity = self._activity(self.purpose.activity_code)
            if activity.scope == ScopeKind.COLLABORATION:
                self._refuse(
                    "doelbinding",
                    "Dit doel geldt alleen binnen een samenwerking; kies de samenwerking.",
                    AuditAction.PURPOSE_CHECK,
                )
            if activity.scope == ScopeKind.OWN_ORGANISATION and self.actor.organisation_id is None:
                self._refuse("rol", "Deze verwerking vraagt een organisatie.", AuditAction.PURPOSE_CHECK)
            return Scope(activity.scope, activity.code, activity.legal_basis)
        collaboration = self._collaboration_if_member(self.purpose.collaboration_id)
        if collaboration is None:
            self._refuse(
                "need-to-know",
                "U bent geen lid van deze samenwerking (of zij bestaat niet).",
                AuditAction.PURPOSE_CHECK,
            )
        assert collaboration is not None
        activity = self._activity(collaboration.processing_activity_code)
        if not collaboration.is_active_on(self.today):
            self._refuse(
                "periode",
                "Deze samenwerking loopt niet (meer): buiten de looptijd worden geen gegevens getoond.",
                AuditAction.PURPOSE_CHECK,
            )
        return Scope(
            ScopeKind.COLLABORATION, activity.code, collaboration.legal_basis or activity.legal_basis, collaboration
        )

    def _collaboration_if_member(self, collaboration_id: int | None) -> CollaborationRule | None:
        """The collaboration, if the actor is a member for their current organisation."""
        if collaboration_id is None or self.actor.user_id is None or self.actor.organisation_id is None:
            return None
        return collaboration_if_member(self.session, collaboration_id, self.actor.user_id, self.actor.organisation_id)

    def require(self, scope_kind: ScopeKind, action: AuditAction) -> Scope:
        """Demand that the purpose reaches ``scope_kind`` (e.g. ``audit``, ``configuratie``); audited if not."""
        scope = self.scope()
        if scope.kind != scope_kind:
            self._refuse("rol", "Uw rol of gekozen doel geeft geen toegang tot deze functie.", action)
        return scope

    def _case_scope(self, action: AuditAction) -> Scope:
        scope = self.scope()
        if scope.kind == ScopeKind.AGGREGATE:
            self._refuse(
                "alleen-aggregaten",
                "Onder dit doel zijn alleen geaggregeerde gegevens beschikbaar, geen registraties of subjecten.",
                action,
            )
        if scope.kind not in (ScopeKind.OWN_ORGANISATION, ScopeKind.COLLABORATION, ScopeKind.ALL):
            self._refuse("rol", OPERATIONS[Operation.CASE_CONTENT].refusal, action)
        self.permit(Operation.CASE_CONTENT, action)
        return scope

    def permits(self, operation: Operation) -> bool:
        """Whether the register lets the actor's role perform ``operation`` (not audited: for showing a button)."""
        return may(self.actor.role, operation)

    def permit(self, operation: Operation, action: AuditAction) -> None:
        """Demand that the register lets the actor's role perform ``operation``; refused (rule ``rol``, audited)."""
        if not may(self.actor.role, operation):
            self._refuse("rol", OPERATIONS[operation].refusal, action)

    # ------------------------------------------------------------------ filters
    def _levels(self) -> ColumnElement[bool]:
        return _readable(tuple(self.actor.readable_levels()))

    def _partner_sources(self, collaboration: CollaborationRule) -> tuple[int, ...]:
        """Which source organisations' records the actor may receive inside ``collaboration``.

        Worked out in two small queries (exchanging participants with a basis in force towards the
        actor's matrix party, or all exchanging participants under the Wgs; nothing when the actor's
        own organisation only takes part), kept briefly (``policy.cache``), so the record queries get a
        plain id list.
        """
        if self._sources is None:
            key = (collaboration.id, collaboration.kind, self.actor.organisation_id)
            self._sources = _partner_sources.get(self.session, key, lambda: self._load_partner_sources(collaboration))
        return tuple(self._sources)

    def _load_partner_sources(self, collaboration: CollaborationRule) -> list[int]:
        # Only exchanging participants receive or contribute shared records (``policy.participation``):
        # under the Wgs the statutory participants, elsewhere those the matrix gives a basis.
        exchanging = select(CollaborationParticipant.organisation_id).where(
            CollaborationParticipant.collaboration_id == collaboration.id,
            CollaborationParticipant.participation == Participation.UITWISSELING.value,
        )
        own = self.actor.organisation_id
        if own is None or own not in set(self.session.scalars(exchanging)):
            return []
        if collaboration.is_wgs:
            # Inside a designated knelpunt the Wgs is the basis among exchanging participants.
            query = exchanging
        else:
            own_party = select(Organisation.matrix_party).where(Organisation.id == self.actor.organisation_id)
            senders = select(LegalBasis.from_party).where(LegalBasis.in_force(), LegalBasis.to_party.in_(own_party))
            query = select(Organisation.id).where(
                Organisation.matrix_party.in_(senders), Organisation.id.in_(exchanging)
            )
        found = {int(org_id) for org_id in self.session.scalars(query)}
        found.add(own)
        return sorted(found)

    def _record_clause(self, scope: Scope) -> ColumnElement[bool]:
        # Built once per gate: SQL expressions are immutable, and building them costs more than a query.
        if self._clause is None or self._clause[0] is not scope:
            self._clause = (scope, self._build_record_clause(scope))
        return self._clause[1]

    def _build_record_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.kind == ScopeKind.ALL:
            return self._levels()
        if scope.kind in (ScopeKind.OWN_ORGANISATION, ScopeKind.AGGREGATE):
            return and_(_from_organisation(self.actor.organisation_id), self._levels())
        if scope.kind == ScopeKind.COLLABORATION and scope.collaboration is not None:
            return and_(
                _shared_into(scope.collaboration.id, self._partner_sources(scope.collaboration)), self._levels()
            )
        return false()

    def record_clause(self, action: AuditAction = AuditAction.RECORDS_FILTER) -> ColumnElement[bool]:
        """The WHERE clause of the records this actor may see under this purpose (for composing queries)."""
        return self._record_clause(self._case_scope(action))

    def records(self, query: Select[Any] | None = None) -> Select[Any]:
        """``query`` (default ``select(Record)``) restricted in the database to visible records.

        Not audited by itself: execute through ``read_records``/``count_records``, or call ``audit``.
        """
        return (query if query is not None else select(Record)).where(self.record_clause())

    def _basisregistratie(self) -> Select[Any]:
        return select(Organisation.id).where(Organisation.kind == OrganisationKind.BASISREGISTRATIE.value)

    def establishment_clause(
        self,
        action: AuditAction = AuditAction.SUBJECTS_FILTER,
        *,
        establishment_id: Any = None,
        source_organisation_id: Any = None,
    ) -> ColumnElement[bool]:
        """Visible establishments: linked to a visible record; under the own task also own and KvK ones.

        By default on ``Establishment`` itself; a table that carries an establishment's id and its
        source organisation (the search index) passes those two columns, so that the same rule is
        applied there without reading the establishment rows.
        """
        scope = self._case_scope(action)
        if scope.kind == ScopeKind.ALL:
            return true()
        est_id = Establishment.id if establishment_id is None else establishment_id
        source = Establishment.source_organisation_id if source_organisation_id is None else source_organisation_id
        # Correlated EXISTS: the database checks each candidate establishment instead of first
        # building the set of every visible record's establishment (hundreds of thousands at scale).
        via_records = exists().where(Record.establishment_id == est_id, self._record_clause(scope))
        if scope.kind == ScopeKind.OWN_ORGANISATION:
            return or_(
                source == self.actor.organisation_id,
                source.in_(self._basisregistratie()),
                via_records,
            )
        return via_records

    def establishments(self, query: Select[Any] | None = None) -> Select[Any]:
        """``query`` (default ``select(Establishment)``) restricted to visible establishments."""
        return (query if query is not None else select(Establishment)).where(self.establishment_clause())

    def legal_entity_clause(self, action: AuditAction = AuditAction.SUBJECTS_FILTER) -> ColumnElement[bool]:
        """Visible legal entities: those of visible establishments; under the own task also own and KvK ones."""
        scope = self._case_scope(action)
        if scope.kind == ScopeKind.ALL:
            return true()
        via = LegalEntity.id.in_(
            select(Establishment.legal_entity_id).where(
                Establishment.legal_entity_id.is_not(None), self.establishment_clause(action)
            )
        )
        if scope.kind == ScopeKind.OWN_ORGANISATION:
            return or_(
                LegalEntity.source_organisation_id == self.actor.organisation_id,
                LegalEntity.source_organisation_id.in_(self._basisregistratie()),
                via,
            )
        return via

    def legal_entities(self, query: Select[Any] | None = None) -> Select[Any]:
        """``query`` (default ``select(LegalEntity)``) restricted to visible legal entities."""
        return (query if query is not None else select(LegalEntity)).where(self.legal_entity_clause())

    def person_clause(self, action: AuditAction = AuditAction.SUBJECTS_FILTER) -> ColumnElement[bool]:
        """Visible persons: own organisation's, and those holding a role at a visible legal entity."""
        scope = self._case_scope(action)
        if scope.kind == ScopeKind.ALL:
            return true()
        via = Person.id.in_(
            select(PersonRoleLink.person_id).where(
                PersonRoleLink.legal_entity_id.in_(select(LegalEntity.id).where(self.legal_entity_clause(action)))
            )
        )
        if scope.kind == ScopeKind.OWN_ORGANISATION:
            return or_(Person.source_organisation_id == self.actor.organisation_id, via)
        return via

    def persons(self, query: Select[Any] | None = None) -> Select[Any]:
        """``query`` (default ``select(Person)``) restricted to visible persons."""
        return (query if query is not None else select(Person)).where(self.person_clause())

    # ------------------------------------------------------------------ audited reads
    def read_records(
        self, query: Select[Any] | None = None, *, action: AuditAction = AuditAction.RECORDS_READ
    ) -> list[Any]:
        """Execute a record query restricted to what is visible, and audit it with its data subjects."""
        started = utcnow()
        rows = list(self.session.scalars(self.records(query)).all())
        self.audit(
            action,
            started_at=started,
            object_type="registratie",
            subjects=record_subjects(rows),
            details={"aantal": len(rows), "ids": [r.id for r in rows[:200]]},
        )
        return rows

    def read_record(
        self,
        record_id: int,
        *,
        action: AuditAction = AuditAction.RECORD_READ,
        model: type[T] = Record,  # type: ignore[assignment]
    ) -> T:
        """One visible record by id; ``NotVisible`` for absent and refused alike (audited)."""
        started = utcnow()
        clause = self.record_clause(action)
        found = self.session.scalars(select(model).where(Record.id == record_id, clause)).first()
        if found is None:
            self._refuse_not_visible("Registratie", record_id, action, "registratie")
        assert isinstance(found, Record)
        self.audit(
            action,
            started_at=started,
            object_type="registratie",
            object_id=str(record_id),
            subjects=record_subjects([found]),
        )
        return found

    def count_records(
        self, query: Select[Any] | None = None, *, action: AuditAction = AuditAction.RECORDS_COUNT
    ) -> int:
        """Count visible records (in the database) and audit the count."""
        started = utcnow()
        filtered = self.records(query)
        total = int(self.session.scalar(select(func.count()).select_from(filtered.subquery())) or 0)
        self.audit(action, started_at=started, object_type="registratie", details={"aantal": total})
        return total

    def read_subject(self, model: type[T], subject_id: int, *, action: AuditAction = AuditAction.SUBJECT_READ) -> T:
        """One visible establishment, legal entity or person by id; ``NotVisible`` otherwise (audited)."""
        started = utcnow()
        clauses: Mapping[type[Any], tuple[str, str, Any]] = {
            Establishment: ("Vestiging", "vestiging", self.establishment_clause),
            LegalEntity: ("Rechtspersoon", "rechtspersoon", self.legal_entity_clause),
            Person: ("Persoon", "persoon", self.person_clause),
        }
        if model not in clauses:
            raise TypeError(f"{model!r} is not a subject model")
        label, kind, clause = clauses[model]
        found = self.session.scalars(select(model).where(model.id == subject_id, clause(action))).first()  # type: ignore[attr-defined]
        if found is None:
            self._refuse_not_visible(label, subject_id, action, kind)
        subjects: list[Subject] = [("persoon" if model is Person else "vestiging", subject_id)]
        if isinstance(found, LegalEntity):
            subjects = [("kvk", found.kvk)] if found.kvk else [("rechtspersoon", subject_id)]
        self.audit(action, started_at=started, object_type=kind, object_id=str(subject_id), subjects=subjects)
        return found  # type: ignore[return-value]

    # ------------------------------------------------------------------ aggregates
    def aggregate(
        self,
        group_by: Sequence[Any],
        *,
        where: Sequence[ColumnElement[bool]] = (),
        action: AuditAction = AuditAction.AGGREGATE_READ,
    ) -> list[Cell]:
        """Counts of visible records per group, computed in the database.

        Under an aggregate-only purpose (beleidsmedewerker) every count below ``min_cell`` is
        suppressed (None), so small groups cannot single out a company or a person.
        """
        started = utcnow()
        scope = self.scope()
        if scope.kind not in (ScopeKind.AGGREGATE, ScopeKind.OWN_ORGANISATION, ScopeKind.COLLABORATION, ScopeKind.ALL):
            self._refuse("rol", "Uw rol geeft geen toegang tot registratiegegevens, ook niet geaggregeerd.", action)
        query = (
            select(*group_by, func.count(Record.id))
            .select_from(Record)
            .where(self._record_clause(scope), *where)
            .group_by(*group_by)
            .order_by(*group_by)
        )
        suppress = scope.kind == ScopeKind.AGGREGATE
        cells = []
        for row in self.session.execute(query):
            *key, count = row
            cells.append(Cell(tuple(key), None if suppress and count < self.min_cell else int(count)))
        self.audit(action, started_at=started, object_type="aggregaat", details={"cellen": len(cells)})
        return cells

    # ------------------------------------------------------------------ writes
    def authorise_record_write(
        self,
        organisation_id: int,
        *,
        action: AuditAction = AuditAction.RECORD_WRITE,
        subjects: Sequence[Subject] = (),
        object_id: str = "",
    ) -> None:
        """Allow creating or changing a record of ``organisation_id``; audited with the write's commit."""
        scope = self._case_scope(action)
        self.permit(Operation.RECORD_WRITE, action)
        if scope.kind != ScopeKind.OWN_ORGANISATION or organisation_id != self.actor.organisation_id:
            self._refuse("need-to-know", "U mag alleen registraties van uw eigen organisatie vastleggen.", action)
        self.audit(action, object_type="registratie", object_id=object_id, subjects=subjects)

    def check_fields(self, field_names: Iterable[str], *, action: AuditAction = AuditAction.DATA_DELIVER) -> None:
        """Refuse data containing a Wgs-forbidden category (e.g. nationality), at ingest or anywhere."""
        bad = sorted({name for name in field_names if is_forbidden_field(name)})
        if bad:
            self._refuse(
                "wgs",
                f"Deze gegevens bevatten een categorie die nooit gedeeld mag worden (Wgs): {', '.join(bad)}.",
                action,
            )

    @staticmethod
    def scrub(data: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``data`` without Wgs-forbidden categories, recursively: what may leave the gate."""
        clean: dict[str, Any] = {}
        for key, value in data.items():
            if is_forbidden_field(str(key)):
                continue
            if isinstance(value, Mapping):
                value = Gate.scrub(value)
            elif isinstance(value, list):
                value = [Gate.scrub(item) if isinstance(item, Mapping) else item for item in value]
            clean[key] = value
        return clean

    def share_record(self, record_id: int, *, action: AuditAction = AuditAction.RECORD_SHARE) -> SharedRecord:
        """Share an own-organisation record into the purpose's collaboration (within scope and period)."""
        scope = self._case_scope(action)
        if scope.collaboration is None:
            self._refuse("doelbinding", "Delen kan alleen met een samenwerking als doel.", action)
        assert scope.collaboration is not None
        self.permit(Operation.SHARE, action)
        if not self._partner_sources(scope.collaboration):
            self._refuse(
                "deelname",
                "Uw organisatie neemt deel zonder uitwisseling van gegevens en deelt hier geen registraties.",
                action,
            )
        record = self.session.get(Record, record_id)
        if record is None or record.source_organisation_id != self.actor.organisation_id:
            self._refuse_not_visible("Registratie", record_id, action, "registratie")
        assert record is not None
        theme = scope.collaboration.theme_code
        if theme and record.theme_code != theme:
            self._refuse("scope", "Deze registratie valt buiten het thema van de samenwerking.", action)
        existing = self.session.scalars(
            select(SharedRecord).where(
                SharedRecord.collaboration_id == scope.collaboration.id, SharedRecord.record_id == record_id
            )
        ).first()
        shared = existing or SharedRecord(
            collaboration_id=scope.collaboration.id, record_id=record_id, shared_by=self.actor.username
        )
        self.session.add(shared)
        self.audit(action, object_type="registratie", object_id=str(record_id), subjects=record_subjects([record]))
        return shared

    # ------------------------------------------------------------------ audit
    def audit(
        self,
        name: AuditAction,
        *,
        status: str = "ok",
        rule: str = "",
        object_type: str = "",
        object_id: str = "",
        subjects: Iterable[Subject] = (),
        details: Mapping[str, Any] | None = None,
        started_at: dt.datetime | None = None,
        durable: bool = False,
    ) -> None:
        """Record one action in the audit log (buffered until commit; ``durable`` writes it at once).

        Successful actions of one gate (one request) are folded into a single entry while it is still
        pending: a list page that counts, reads and facets is one processing action in the log,
        listing its steps under ``details.handelingen``, with the union of their data subjects.
        """
        pending = self._entry
        if status == "ok" and not durable and pending is not None and audit_log.is_pending(self.session, pending):
            merge_into(
                pending,
                self.keys,
                name=name,
                object_type=object_type,
                object_id=object_id,
                subjects=subjects,
                details=details,
            )
            return
        scope = self._scope
        entry = record_event(
            self.session,
            self.keys,
            actor=self._actor_info(),
            name=name,
            processing_activity=scope.activity_code if scope else self.purpose.describe(),
            trace=self.trace,
            status=status,
            rule=rule,
            collaboration_id=self.purpose.collaboration_id,
            legal_basis=scope.legal_basis if scope else "",
            object_type=object_type,
            object_id=object_id,
            subjects=subjects,
            details=details,
            started_at=started_at,
            durable=durable,
        )
        if status == "ok" and not durable:
            self._entry = entry

    def _actor_info(self) -> ActorInfo:
        if self._actor_cache is None:
            code = self.actor.organisation_code
            if not code and self.actor.organisation_id is not None:
                org = self.session.get(Organisation, self.actor.organisation_id)
                code = org.code if org else str(self.actor.organisation_id)
            self._actor_cache = ActorInfo(self.actor.user_id, self.actor.username, code, self.actor.role.value)
        return self._actor_cache

    def _refuse(self, rule: str, message: str, action: AuditAction) -> None:
        self.audit(action, status="geweigerd", rule=rule, details={"melding": message}, durable=True)
        refusal = Refused(rule, message)
        refusal.audited = True
        raise refusal

    def _refuse_not_visible(self, what: str, ident: object, action: AuditAction, object_type: str) -> None:
        self.audit(
            action,
            status="geweigerd",
            rule="need-to-know",
            object_type=object_type,
            object_id=str(ident),
            durable=True,
        )
        refusal = NotVisible(what, ident)
        refusal.audited = True
        raise refusal


def default_purpose(role: Role) -> Purpose:
    """The purpose a role works under when a request states none."""
    return Purpose.for_activity(DEFAULT_PURPOSE[role])


def system_gate(
    session: Session,
    name: str,
    activity: str,
    *,
    organisation_id: int | None = None,
    trace: TraceContext | None = None,
    keys: AuditKeys | None = None,
) -> Gate:
    """The gate for a pipeline (import, resolution, crawl, demo seed): a system actor under ``activity``."""
    return Gate(
        session,
        Actor.system(name, organisation_id=organisation_id),
        Purpose.for_activity(activity),
        trace=trace,
        keys=keys,
    )


def acting_gate(session: Session, actor: Actor, activity: str) -> Gate:
    """The gate for a person's work that a service carries on outside a request (an upload's import,
    a re-processed quarantine row): that person under ``activity``."""
    return Gate(session, actor, Purpose.for_activity(activity))
