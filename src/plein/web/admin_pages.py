"""``/beheer``: users, organisations, collaborations and the legal-basis matrix (beheerder only).

The beheerder works under the processing activity ``beheer``: configuration, never case content.
Every change is audited through the gate.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from plein.audit.actions import AuditAction
from plein.auth.accounts import (
    AccountAuthority,
    account_authority,
    change_role,
    create_user,
    deactivate,
    reset_password,
)
from plein.auth.models import UserAccount
from plein.core.models import Organisation, Theme
from plein.core.vocabulary import Confidentiality, LegalDomain, OrganisationKind
from plein.errors import NotFound, ValidationError
from plein.policy import admin, validation
from plein.policy.errors import NotVisible, Refused
from plein.policy.gate import Gate
from plein.policy.matrix import matrix_parties
from plein.policy.models import Collaboration, LegalBasis
from plein.policy.participation import Participation, statutory_participant
from plein.policy.roles import Role
from plein.policy.validation import MIN_REFERENCE, garbled_rows
from plein.web.access import AuthDep, CsrfDep
from plein.web.requires import AdminGate

router = APIRouter(include_in_schema=False, prefix="/beheer")
USER_ACTIONS = {
    "activeren": AuditAction.ADMIN_USER_ACTIVATE,
    "deactiveren": AuditAction.ADMIN_USER_DEACTIVATE,
    "deblokkeren": AuditAction.ADMIN_USER_UNBLOCK,
}
COLLABORATION_ACTIONS = {
    "deelnemer": AuditAction.ADMIN_COLLABORATION_PARTICIPANT,
    "lid": AuditAction.ADMIN_COLLABORATION_MEMBER,
    "verlengen": AuditAction.ADMIN_COLLABORATION_EXTEND,
}


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


def _orgs(gate: Gate) -> list[Organisation]:
    return list(gate.session.scalars(select(Organisation).order_by(Organisation.code)))


# ---------------------------------------------------------------- users
def _users_page(
    request: Request, gate: Gate, auth: AuthDep, *, message: str = "", error: str = "", status: int = 200
) -> Response:
    query = select(UserAccount).order_by(UserAccount.username)
    orgs = _orgs(gate)
    if not auth.user.platform_admin:  # a beheerder sees and manages its own organisation's accounts only
        query = query.where(UserAccount.organisation_id == auth.user.organisation_id)
        orgs = [org for org in orgs if org.id == auth.user.organisation_id]
    users = gate.session.scalars(query).all()
    return _render(
        request,
        "admin/users.html",
        status,
        users=users,
        orgs=orgs,
        message=message,
        error=error,
        roles=[r for r in Role if r != Role.SYSTEEM],
        levels=list(Confidentiality),
        csrf_token=auth.csrf_token,
    )


@router.get("", response_class=HTMLResponse)
def users_page(request: Request, gate: AdminGate, auth: AuthDep) -> Response:
    """Gebruikers."""
    gate.audit(AuditAction.ADMIN_USERS_VIEW)
    return _users_page(request, gate, auth)


@router.post("/gebruikers", response_class=HTMLResponse)
def add_user(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    gebruikersnaam: Annotated[str, Form(max_length=200)],
    naam: Annotated[str, Form(max_length=200)],
    organisatie: Annotated[str, Form(max_length=40)],
    rol: Annotated[str, Form(max_length=40)],
    rubricering: Annotated[str, Form(max_length=40)],
    wachtwoord: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Maak een gebruiker."""
    org = gate.session.scalars(select(Organisation).where(Organisation.code == organisatie)).first()
    authority = account_authority(auth.user, org.id if org else -1, rubricering)
    if org is not None and not authority.allowed:
        raise Refused(authority.rule, authority.reason)
    try:
        if org is None:
            raise ValidationError(f"Organisatie {organisatie} bestaat niet.")
        user = create_user(
            gate.session,
            username=gebruikersnaam,
            password=wachtwoord,
            organisation_id=org.id,
            role=rol,
            clearance=rubricering,
            display_name=naam,
        )
    except ValidationError as exc:
        gate.session.rollback()
        return _users_page(request, gate, auth, error=exc.message, status=400)
    gate.audit(
        AuditAction.ADMIN_USER_CREATE,
        object_type="gebruiker",
        object_id=user.username,
        details={
            "rol": user.role,
            "organisatie": organisatie,
            "rubricering": user.clearance,
            **({"platformbeheer": True} if authority.as_platform else {}),
        },
    )
    return _users_page(request, gate, auth, message=f"Gebruiker {user.username} is aangemaakt.")


@router.post("/gebruikers/{user_id}/status", response_class=HTMLResponse)
def user_status(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    user_id: Annotated[int, Path(ge=1, le=2**62)],
    actie: Annotated[str, Form(pattern="^(activeren|deactiveren|deblokkeren)$")],
) -> Response:
    """Activeer, deactiveer of deblokkeer een gebruiker."""
    user, authority = _managed_user(gate, auth, user_id)
    if actie == "deblokkeren":
        user.locked_until, user.failed_logins = None, 0
    elif actie == "deactiveren":
        deactivate(user)  # its sessions end and its tokens are revoked: activating it again revives neither
    else:
        user.active = True
    gate.audit(
        USER_ACTIONS[actie],
        object_type="gebruiker",
        object_id=user.username,
        details={"platformbeheer": True} if authority.as_platform else None,
    )
    return _users_page(request, gate, auth, message=f"Gebruiker {user.username}: {actie} gelukt.")


def _user_page(
    request: Request,
    gate: Gate,
    auth: AuthDep,
    user: UserAccount,
    *,
    message: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return _render(
        request,
        "admin/user.html",
        status,
        user=user,
        message=message,
        errors=errors or {},
        roles=[r for r in Role if r != Role.SYSTEEM],
        levels=list(Confidentiality),
        csrf_token=auth.csrf_token,
    )


def _managed_user(
    gate: Gate, auth: AuthDep, user_id: int, clearance: str | None = None, *, change: bool = True
) -> tuple[UserAccount, AccountAuthority]:
    """The account a beheerder may manage (its own organisation, up to its own clearance, or as platform
    beheerder); ``clearance`` is a new one asked for; ``change=False`` only shows it (own organisation,
    whatever its clearance). Another organisation's account answers as a missing one."""
    user = gate.session.get(UserAccount, user_id)
    authority = account_authority(auth.user, user.organisation_id if user else -1, user.clearance if user else "")
    if user is None or (not authority.allowed and user.organisation_id != auth.user.organisation_id):
        raise NotVisible("Gebruiker", user_id)
    if not change:
        return user, authority
    if authority.allowed and clearance is not None:
        authority = account_authority(auth.user, user.organisation_id, clearance)
    if not authority.allowed:
        raise Refused(authority.rule, authority.reason)
    return user, authority


@router.get("/gebruikers/{user_id}", response_class=HTMLResponse)
def user_page(
    request: Request, gate: AdminGate, auth: AuthDep, user_id: Annotated[int, Path(ge=1, le=2**62)]
) -> Response:
    """Eén gebruiker: rol en rubricering wijzigen, wachtwoord opnieuw instellen, uitschakelen."""
    user, _authority = _managed_user(gate, auth, user_id, change=False)
    gate.audit(AuditAction.ADMIN_USER_VIEW, object_type="gebruiker", object_id=user.username)
    return _user_page(request, gate, auth, user)


@router.post("/gebruikers/{user_id}/rol", response_class=HTMLResponse)
def user_role(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    user_id: Annotated[int, Path(ge=1, le=2**62)],
    rol: Annotated[str, Form(max_length=40)],
    rubricering: Annotated[str, Form(max_length=40)],
) -> Response:
    """Wijzig rol en rubricering; de open sessies van de gebruiker eindigen."""
    user, authority = _managed_user(gate, auth, user_id, rubricering)
    before = {"rol": user.role, "rubricering": user.clearance}
    try:
        changed = change_role(user, rol, rubricering)
    except ValidationError as exc:
        return _user_page(request, gate, auth, user, errors={"rol": exc.message}, status=400)
    if not changed:
        return _user_page(request, gate, auth, user, message="Er is niets gewijzigd.")
    gate.audit(
        AuditAction.ADMIN_USER_ROLE_CHANGE,
        object_type="gebruiker",
        object_id=user.username,
        details={
            "was": before,
            "wordt": {"rol": user.role, "rubricering": user.clearance},
            **({"platformbeheer": True} if authority.as_platform else {}),
        },
    )
    return _user_page(
        request, gate, auth, user, message="Rol en rubricering zijn gewijzigd; de gebruiker logt opnieuw in."
    )


@router.post("/gebruikers/{user_id}/wachtwoord", response_class=HTMLResponse)
def user_password(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    user_id: Annotated[int, Path(ge=1, le=2**62)],
    wachtwoord: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Stel een nieuw wachtwoord in; de sessies en API-tokens van de gebruiker eindigen."""
    user, authority = _managed_user(gate, auth, user_id)
    try:
        reset_password(user, wachtwoord)
    except ValidationError as exc:
        return _user_page(request, gate, auth, user, errors={"wachtwoord": exc.message}, status=400)
    gate.audit(
        AuditAction.ADMIN_USER_PASSWORD_RESET,
        object_type="gebruiker",
        object_id=user.username,
        details={"platformbeheer": True} if authority.as_platform else None,
    )
    return _user_page(request, gate, auth, user, message="Het nieuwe wachtwoord is ingesteld; geef het veilig door.")


# ---------------------------------------------------------------- organisations
@router.get("/organisaties", response_class=HTMLResponse)
def organisations_page(request: Request, gate: AdminGate, auth: AuthDep) -> Response:
    """Organisaties."""
    gate.audit(AuditAction.ADMIN_ORGANISATIONS_VIEW)
    return _render(
        request,
        "admin/organisations.html",
        orgs=_orgs(gate),
        kinds=list(OrganisationKind),
        domains=list(LegalDomain),
        parties=matrix_parties(),
        csrf_token=auth.csrf_token,
    )


@router.post("/organisaties", response_class=HTMLResponse)
def add_organisation(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    code: Annotated[str, Form(max_length=40)],
    naam: Annotated[str, Form(max_length=200)],
    soort: Annotated[str, Form(max_length=40)],
    rechtsdomein: Annotated[str, Form(max_length=20)],
    matrixpartij: Annotated[str, Form(max_length=40)] = "",
    moeder: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Maak een organisatie."""
    try:
        org = admin.create_organisation(
            gate.session,
            code=code,
            name=naam,
            kind=soort,
            legal_domain=rechtsdomein,
            matrix_party=matrixpartij,
            parent_code=moeder,
        )
    except ValidationError as exc:
        gate.session.rollback()
        return _render(
            request,
            "admin/organisations.html",
            400,
            orgs=_orgs(gate),
            kinds=list(OrganisationKind),
            domains=list(LegalDomain),
            parties=matrix_parties(),
            csrf_token=auth.csrf_token,
            error=exc.message,
        )
    gate.audit(AuditAction.ADMIN_ORGANISATION_CREATE, object_type="organisatie", object_id=org.code)
    return RedirectResponse("/beheer/organisaties", status_code=303)


# ---------------------------------------------------------------- legal-basis matrix
def _matrix_page(request: Request, gate: Gate, auth: AuthDep, *, error: str = "", status: int = 200) -> Response:
    bases = gate.session.scalars(select(LegalBasis).order_by(LegalBasis.from_party, LegalBasis.to_party)).all()
    used = {o.matrix_party for o in _orgs(gate) if o.matrix_party}
    parties = list(dict.fromkeys([*matrix_parties(), *sorted(used)]))
    grid = {(b.from_party, b.to_party): b for b in bases if b.active}
    garbled = garbled_rows()
    garbled_pairs = set().union(*(row.pairs() for row in garbled)) if garbled else set()
    return _render(
        request,
        "admin/matrix.html",
        status,
        bases=bases,
        parties=parties,
        grid=grid,
        garbled=garbled,
        garbled_pairs=garbled_pairs,
        min_reference=MIN_REFERENCE,
        error=error,
        csrf_token=auth.csrf_token,
    )


@router.get("/rechtsgrondslagen", response_class=HTMLResponse)
def matrix_page(request: Request, gate: AdminGate, auth: AuthDep) -> Response:
    """De rechtsgrondslagenmatrix."""
    gate.audit(AuditAction.ADMIN_MATRIX_VIEW)
    return _matrix_page(request, gate, auth)


@router.post("/rechtsgrondslagen", response_class=HTMLResponse)
def add_basis(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    verstrekker: Annotated[str, Form(max_length=40)],
    ontvanger: Annotated[str, Form(max_length=40)],
    artikel: Annotated[str, Form(max_length=2000)],
    onderbouwing: Annotated[str, Form(max_length=4000)],
) -> Response:
    """Leg een rechtsgrondslag vast (artikel en onderbouwing verplicht)."""
    try:
        row = admin.record_legal_basis(
            gate.session,
            from_party=verstrekker,
            to_party=ontvanger,
            basis=artikel,
            justification=onderbouwing,
            recorded_by=auth.user.username,
        )
    except ValidationError as exc:
        gate.session.rollback()
        return _matrix_page(request, gate, auth, error=exc.message, status=400)
    gate.audit(
        AuditAction.ADMIN_BASIS_RECORD,
        object_type="grondslag",
        object_id=f"{row.from_party}>{row.to_party}",
        details={"artikel": row.basis[:200]},
    )
    return RedirectResponse("/beheer/rechtsgrondslagen", status_code=303)


@router.post("/rechtsgrondslagen/{basis_id}/intrekken", response_class=HTMLResponse)
def withdraw_basis(
    request: Request, gate: AdminGate, auth: AuthDep, _csrf: CsrfDep, basis_id: Annotated[int, Path(ge=1, le=2**62)]
) -> Response:
    """Trek een rechtsgrondslag in: delen tussen dit paar wordt meteen weer geweigerd."""
    try:
        row = admin.withdraw_legal_basis(gate.session, basis_id)
    except ValidationError as exc:
        return _matrix_page(request, gate, auth, error=exc.message, status=404)
    gate.audit(AuditAction.ADMIN_BASIS_REVOKE, object_type="grondslag", object_id=f"{row.from_party}>{row.to_party}")
    return RedirectResponse("/beheer/rechtsgrondslagen", status_code=303)


@router.post("/rechtsgrondslagen/{basis_id}/valideren", response_class=HTMLResponse)
def validate_basis(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    basis_id: Annotated[int, Path(ge=1, le=2**62)],
    referentie: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Valideer een onzekere cel met een referentie: pas daarna is zij van kracht."""
    try:
        row = validation.validate_basis(gate.session, basis_id, reference=referentie, validated_by=auth.user.username)
    except ValidationError as exc:
        gate.session.rollback()
        return _matrix_page(request, gate, auth, error=exc.message, status=400)
    gate.audit(
        AuditAction.ADMIN_BASIS_VALIDATE,
        object_type="grondslag",
        object_id=f"{row.from_party}>{row.to_party}",
        details={"referentie": row.validation_reference[:200]},
    )
    return RedirectResponse("/beheer/rechtsgrondslagen", status_code=303)


@router.post("/rechtsgrondslagen/lezing", response_class=HTMLResponse)
def validate_reading(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    verstrekker: Annotated[str, Form(max_length=40)] = "",
    lezing: Annotated[str, Form(max_length=40)] = "",
    referentie: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Kies en valideer één lezing van een verminkte rij: haar cellen gaan gelden, de andere niet."""
    try:
        rows = validation.validate_reading(
            gate.session, verstrekker, lezing, reference=referentie, validated_by=auth.user.username
        )
    except ValidationError as exc:
        gate.session.rollback()
        return _matrix_page(request, gate, auth, error=exc.message, status=400)
    gate.audit(
        AuditAction.ADMIN_READING_VALIDATE,
        object_type="grondslag",
        object_id=verstrekker,
        details={
            "lezing": lezing,
            "referentie": referentie.strip()[:200],
            "cellen": [f"{r.from_party}>{r.to_party}" for r in rows],
        },
    )
    return RedirectResponse("/beheer/rechtsgrondslagen", status_code=303)


# ---------------------------------------------------------------- collaborations
def _collabs_page(request: Request, gate: Gate, auth: AuthDep, *, error: str = "", status: int = 200) -> Response:
    collabs = gate.session.scalars(select(Collaboration).order_by(Collaboration.ends_on.desc())).all()
    themes = gate.session.scalars(select(Theme).order_by(Theme.name)).all()
    return _render(
        request,
        "admin/collaborations.html",
        status,
        collabs=collabs,
        themes=themes,
        error=error,
        today=dt.date.today(),
        csrf_token=auth.csrf_token,
    )


@router.get("/samenwerkingen", response_class=HTMLResponse)
def collaborations_page(request: Request, gate: AdminGate, auth: AuthDep) -> Response:
    """Samenwerkingen."""
    gate.audit(AuditAction.ADMIN_COLLABORATIONS_VIEW)
    return _collabs_page(request, gate, auth)


@router.post("/samenwerkingen", response_class=HTMLResponse)
def add_collaboration(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    code: Annotated[str, Form(max_length=40)],
    naam: Annotated[str, Form(max_length=200)],
    soort: Annotated[str, Form(max_length=30)],
    thema: Annotated[str, Form(max_length=40)],
    scope: Annotated[str, Form(max_length=4000)],
    grondslag: Annotated[str, Form(max_length=2000)],
    begindatum: Annotated[dt.date, Form()],
    einddatum: Annotated[dt.date | None, Form()] = None,
) -> Response:
    """Maak een samenwerking (een knelpunt loopt één jaar)."""
    try:
        collab = admin.create_collaboration(
            gate.session,
            code=code,
            name=naam,
            kind=soort,
            theme_code=thema,
            scope=scope,
            legal_basis=grondslag,
            starts_on=begindatum,
            ends_on=einddatum,
        )
    except ValidationError as exc:
        gate.session.rollback()
        return _collabs_page(request, gate, auth, error=exc.message, status=400)
    gate.audit(AuditAction.ADMIN_COLLABORATION_CREATE, object_type="samenwerking", object_id=collab.code)
    return RedirectResponse(f"/beheer/samenwerkingen/{collab.id}", status_code=303)


def _collab(gate: Gate, collab_id: int) -> Collaboration:
    collab = gate.session.get(Collaboration, collab_id)
    if collab is None:
        raise NotFound(f"Samenwerking {collab_id} bestaat niet.")
    return collab


def _collab_page(
    request: Request, gate: Gate, auth: AuthDep, collab: Collaboration, *, error: str = "", status: int = 200
) -> Response:
    participant_ids = {p.organisation_id for p in collab.participants}
    candidates = (
        gate.session.scalars(
            select(UserAccount).where(UserAccount.organisation_id.in_(participant_ids)).order_by(UserAccount.username)
        ).all()
        if participant_ids
        else []
    )
    users = {
        u.id: u
        for u in gate.session.scalars(
            select(UserAccount).where(UserAccount.id.in_([m.user_id for m in collab.members]))
        )
    }
    return _render(
        request,
        "admin/collaboration.html",
        status,
        collab=collab,
        orgs=_orgs(gate),
        participations=list(Participation),
        participation_labels={kind.value: kind.label for kind in Participation},
        statutory={p.organisation_id: statutory_participant(p.organisation) for p in collab.participants},
        candidates=candidates,
        users=users,
        error=error,
        today=dt.date.today(),
        csrf_token=auth.csrf_token,
    )


@router.get("/samenwerkingen/{collab_id}", response_class=HTMLResponse)
def collaboration_page(
    request: Request, gate: AdminGate, auth: AuthDep, collab_id: Annotated[int, Path(ge=1, le=2**62)]
) -> Response:
    """Eén samenwerking: deelnemers en leden (geen casusinhoud)."""
    collab = _collab(gate, collab_id)
    gate.audit(AuditAction.ADMIN_COLLABORATION_VIEW, object_type="samenwerking", object_id=collab.code)
    return _collab_page(request, gate, auth, collab)


@router.post("/samenwerkingen/{collab_id}/wijzigen", response_class=HTMLResponse)
def change_collaboration(
    request: Request,
    gate: AdminGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    collab_id: Annotated[int, Path(ge=1, le=2**62)],
    actie: Annotated[str, Form(pattern="^(deelnemer|lid|verlengen)$")],
    organisatie: Annotated[str, Form(max_length=40)] = "",
    deelname: Annotated[str, Form(max_length=30)] = "",
    gebruiker: Annotated[int | None, Form(ge=1, le=2**62)] = None,
    regisseur: Annotated[bool, Form()] = False,
) -> Response:
    """Voeg een deelnemer of lid toe, of verleng een knelpunt met een jaar."""
    collab = _collab(gate, collab_id)
    try:
        if actie == "deelnemer":
            row = admin.add_participant(gate.session, collab, organisatie, deelname)
            detail = f"{organisatie} ({row.participation})"
        elif actie == "lid":
            if gebruiker is None:
                raise ValidationError("Kies een gebruiker.")
            admin.add_member(gate.session, collab, gebruiker, manager=regisseur)
            detail = str(gebruiker)
        else:
            admin.extend_knelpunt(collab)
            detail = collab.ends_on.isoformat()
    except ValidationError as exc:
        gate.session.rollback()
        return _collab_page(request, gate, auth, _collab(gate, collab_id), error=exc.message, status=400)
    gate.audit(
        COLLABORATION_ACTIONS[actie], object_type="samenwerking", object_id=collab.code, details={"waarde": detail}
    )
    return RedirectResponse(f"/beheer/samenwerkingen/{collab.id}", status_code=303)
