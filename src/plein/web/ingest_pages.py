"""Dutch pages for partner data: sources and mappings, imports with progress, data quality,
quarantine, the taxonomy (beheerder), and the review queue of uncertain links (case roles).
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from pathlib import Path as FilePath
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, BackgroundTasks, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine, select

from plein.audit.actions import AuditAction
from plein.core.models import Organisation, Theme
from plein.core.vocabulary import RunStatus
from plein.errors import PleinError, ValidationError
from plein.ingest.authority import authorise_for_source, authorise_source_work, is_own_source, read_quarantine
from plein.ingest.importer import busy_message, file_fingerprint, import_file, open_run, reprocess_quarantined
from plein.ingest.mapping import packaged_mapping_names
from plein.ingest.models import IngestRun, IngestSource, QuarantinedRow, QuarantineStatus, TaxonomyTerm
from plein.ingest.quality import quality_report
from plein.ingest.sources import list_sources, register_source
from plein.ingest.taxonomy import ensure_taxonomy, save_term
from plein.policy.errors import NotVisible
from plein.policy.gate import Gate
from plein.policy.roles import Actor
from plein.resolve.review import decide, queue_size, review_queue
from plein.web.access import AuthDep, CsrfDep
from plein.web.api.ingest import SourceGate
from plein.web.requires import RecordsGate

router = APIRouter(include_in_schema=False)
LOG = logging.getLogger(__name__)
MAX_UPLOAD = 2 * 1024**3
CodePath = Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9._-]+$")]


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


def _source(gate: Gate, code: str) -> IngestSource:
    source = gate.session.scalars(select(IngestSource).where(IngestSource.code == code)).first()
    if source is None:
        raise NotVisible("Bron", code)
    return source


# ---------------------------------------------------------------- sources
def _sources_page(
    request: Request, gate: Gate, auth: AuthDep, *, message: str = "", error: str = "", status: int = 200
) -> Response:
    orgs = gate.session.scalars(select(Organisation).order_by(Organisation.code)).all()
    return _render(
        request,
        "ingest/sources.html",
        status,
        sources=list_sources(gate.session),
        orgs=orgs,
        mappings=packaged_mapping_names(),
        message=message,
        error=error,
        csrf_token=auth.csrf_token,
    )


@router.get("/bronnen", response_class=HTMLResponse)
def sources_page(request: Request, gate: SourceGate, auth: AuthDep) -> Response:
    """Bronnen van partners."""
    gate.audit(AuditAction.SOURCES_VIEW)
    return _sources_page(request, gate, auth)


@router.post("/bronnen", response_class=HTMLResponse)
def add_source(
    request: Request,
    gate: SourceGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    code: Annotated[str, Form(max_length=80)],
    organisatie: Annotated[str, Form(max_length=40)],
    systeem: Annotated[str, Form(max_length=80)],
    naam: Annotated[str, Form(max_length=200)] = "",
    mapping: Annotated[str, Form(max_length=80)] = "",
    mapping_yaml: Annotated[str, Form(max_length=200_000)] = "",
) -> Response:
    """Registreer een bron."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", code.strip()):
        return _sources_page(
            request, gate, auth, error="Code: alleen letters, cijfers, punt, streep en liggend streepje.", status=400
        )
    _authorise_registration(gate, code.strip(), organisatie)
    try:
        register_source(
            gate.session,
            code=code,
            organisation_code=organisatie,
            source_system=systeem,
            name=naam,
            mapping_name=mapping,
            mapping_yaml=mapping_yaml,
        )
    except ValidationError as exc:
        gate.session.rollback()
        return _sources_page(request, gate, auth, error=exc.message, status=400)
    gate.audit(AuditAction.SOURCE_REGISTER, object_type="bron", object_id=code)
    return RedirectResponse(f"/bronnen/{code.strip()}", status_code=303)


def _authorise_registration(gate: Gate, code: str, organisation_code: str) -> None:
    """A beheerder registers sources of its own organisation only, and never takes over another's."""
    existing = gate.session.scalars(select(IngestSource).where(IngestSource.code == code)).first()
    if existing is not None:
        authorise_for_source(gate, existing, AuditAction.SOURCE_REGISTER)
    organisation = gate.session.scalars(select(Organisation).where(Organisation.code == organisation_code)).first()
    if organisation is not None:  # an unknown one is refused by register_source with its own message
        authorise_source_work(
            gate, organisation.id, organisation.code, action=AuditAction.SOURCE_REGISTER, object_id=code
        )


def _source_page(
    request: Request,
    gate: Gate,
    auth: AuthDep,
    source: IngestSource,
    *,
    message: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    runs = gate.session.scalars(
        select(IngestRun).where(IngestRun.source_id == source.id).order_by(IngestRun.id.desc()).limit(25)
    ).all()
    quarantine = read_quarantine(gate, source)
    return _render(
        request,
        "ingest/source.html",
        status,
        source=source,
        runs=runs,
        quarantine=quarantine or [],
        own=is_own_source(gate, source.organisation_id),
        report=quality_report(gate.session, source),
        busy=any(r.display_status == RunStatus.RUNNING for r in runs),
        message=message,
        error=error,
        csrf_token=auth.csrf_token,
    )


@router.get("/bronnen/{code}", response_class=HTMLResponse)
def source_page(request: Request, gate: SourceGate, auth: AuthDep, code: CodePath) -> Response:
    """Eén bron: mapping, imports met voortgang, datakwaliteit en quarantaine."""
    source = _source(gate, code)
    gate.audit(AuditAction.SOURCE_VIEW, object_type="bron", object_id=code)
    return _source_page(request, gate, auth, source)


@router.post("/bronnen/{code}/mapping", response_class=HTMLResponse)
def save_mapping(
    request: Request,
    gate: SourceGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    code: CodePath,
    mapping_yaml: Annotated[str, Form(max_length=200_000)],
) -> Response:
    """Wijzig de mapping van een bron (eerst volledig gevalideerd)."""
    source = _source(gate, code)
    authorise_for_source(gate, source, AuditAction.SOURCE_MAPPING_CHANGE)
    try:
        register_source(
            gate.session,
            code=source.code,
            organisation_code=source.organisation.code,
            source_system=source.source_system,
            name=source.name,
            mapping_name="",
            mapping_yaml=mapping_yaml,
        )
    except ValidationError as exc:
        gate.session.rollback()
        return _source_page(request, gate, auth, _source(gate, code), error=exc.message, status=400)
    gate.audit(AuditAction.SOURCE_MAPPING_CHANGE, object_type="bron", object_id=code)
    return _source_page(request, gate, auth, source, message="Mapping opgeslagen.")


def _run_import(engine: Engine, code: str, path: FilePath, name: str, actor: Actor | None = None) -> None:
    try:
        import_file(engine, code, path, display_name=name, actor=actor)
    except PleinError as exc:  # recorded on the run as 'geweigerd'
        LOG.info("import van %s geweigerd: %s", name, exc.message)
    except Exception:  # pragma: no cover - unexpected; the run stays 'bezig' and can be resumed
        LOG.exception("import van %s afgebroken", name)
    finally:  # the upload's rows are stored or quarantined: the file is not kept (a re-upload resumes)
        path.unlink(missing_ok=True)


def open_upload(folder: FilePath, name: str) -> tuple[FilePath, BinaryIO]:
    """A new upload file readable by plein's user only, in a folder only that user can enter."""
    folder.mkdir(mode=0o700, exist_ok=True)
    folder.chmod(0o700)
    target = folder / f"{uuid.uuid4().hex}-{re.sub(r'[^A-Za-z0-9._-]', '_', name)}"
    return target, os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


@router.post("/bronnen/{code}/imports", response_class=HTMLResponse)
async def upload(
    request: Request,
    background: BackgroundTasks,
    gate: SourceGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    code: CodePath,
    bestand: Annotated[UploadFile, File()],
) -> Response:
    """Upload een exportbestand; de import loopt op de achtergrond, de pagina toont de voortgang."""
    source = _source(gate, code)
    authorise_for_source(gate, source, AuditAction.SOURCE_IMPORT)
    name = FilePath(bestand.filename or "upload").name[:200]
    target, handle = open_upload(request.app.state.settings.ensure_var_dir() / "uploads", name)
    size = 0
    with handle:
        while block := await bestand.read(1 << 20):
            size += len(block)
            if size > MAX_UPLOAD:
                handle.close()
                target.unlink()
                return _source_page(request, gate, auth, source, error="Het bestand is groter dan 2 GB.", status=413)
            handle.write(block)
    running = open_run(gate.session, source, file_fingerprint(target)[0])
    if running is not None and running.is_alive():
        target.unlink()
        return _source_page(request, gate, auth, source, error=busy_message(source, running), status=409)
    gate.audit(AuditAction.SOURCE_IMPORT, object_type="bron", object_id=code, details={"bestand": name, "bytes": size})
    background.add_task(_run_import, request.app.state.engine, source.code, target, name, gate.actor)
    return RedirectResponse(f"/bronnen/{code}", status_code=303)


@router.post("/bronnen/{code}/quarantaine/{quarantine_id}", response_class=HTMLResponse)
async def reprocess(
    request: Request,
    gate: SourceGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    code: CodePath,
    quarantine_id: Annotated[int, Path(ge=1, le=2**62)],
) -> Response:
    """Verwerk een quarantaineregel opnieuw met de gecorrigeerde waarden uit het formulier."""
    source = _source(gate, code)
    authorise_for_source(gate, source, AuditAction.QUARANTINE_REPROCESS)
    entry = gate.session.get(QuarantinedRow, quarantine_id)
    if entry is None or entry.source_id != source.id:
        raise NotVisible("Quarantaineregel", quarantine_id)
    form = await request.form()
    values = {str(k)[4:]: str(v) for k, v in form.items() if str(k).startswith("veld") and len(str(v)) < 10_000}
    gate.session.commit()
    try:
        status = reprocess_quarantined(request.app.state.engine, quarantine_id, values, actor=gate.actor)
    except ValidationError as exc:
        return _source_page(request, gate, auth, source, error=exc.message, status=400)
    gate.audit(AuditAction.QUARANTINE_REPROCESS, object_type="quarantaine", object_id=str(quarantine_id))
    gate.session.expire_all()
    message = (
        "Regel opgeslagen."
        if status == QuarantineStatus.PROCESSED
        else "De regel blijft in quarantaine; zie de nieuwe reden."
    )
    return _source_page(request, gate, auth, _source(gate, code), message=message)


# ---------------------------------------------------------------- taxonomy
def _taxonomy_page(
    request: Request, gate: Gate, auth: AuthDep, *, message: str = "", error: str = "", status: int = 200
) -> Response:
    ensure_taxonomy(gate.session)
    themes = gate.session.scalars(select(Theme).order_by(Theme.code)).all()
    terms = gate.session.scalars(select(TaxonomyTerm).order_by(TaxonomyTerm.kind, TaxonomyTerm.position)).all()
    return _render(
        request,
        "ingest/taxonomy.html",
        status,
        themes=themes,
        terms=terms,
        message=message,
        error=error,
        csrf_token=auth.csrf_token,
    )


@router.get("/taxonomie", response_class=HTMLResponse)
def taxonomy_page(request: Request, gate: SourceGate, auth: AuthDep) -> Response:
    """Thema's, uitkomsten en ernst: de codes waarop partnercodes worden gemapt."""
    gate.audit(AuditAction.TAXONOMY_VIEW)
    return _taxonomy_page(request, gate, auth)


@router.post("/taxonomie", response_class=HTMLResponse)
def save_taxonomy(
    request: Request,
    gate: SourceGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    soort: Annotated[str, Form(max_length=20)],
    code: Annotated[str, Form(max_length=40)],
    omschrijving: Annotated[str, Form(max_length=120)],
) -> Response:
    """Voeg een term toe of hernoem hem."""
    try:
        save_term(gate.session, soort, code, omschrijving)
    except ValidationError as exc:
        return _taxonomy_page(request, gate, auth, error=exc.message, status=400)
    gate.audit(AuditAction.TAXONOMY_CHANGE, object_type=soort, object_id=code)
    gate.session.flush()
    return _taxonomy_page(request, gate, auth, message="Opgeslagen.")


# ---------------------------------------------------------------- review queue
@router.get("/resolutie/wachtrij", response_class=HTMLResponse)
def review_page(
    request: Request,
    gate: RecordsGate,
    auth: AuthDep,
    pagina: int = 1,
    volgorde: Annotated[str, Query(pattern="^(sterkste|zwakste)$")] = "sterkste",
) -> Response:
    """Koppelingen die op een beoordeling wachten (alleen registraties die u mag zien), sterkste of zwakste eerst."""
    pagina = max(1, min(pagina, 10_000))
    clause = gate.record_clause(AuditAction.REVIEW_QUEUE)
    offset = (pagina - 1) * 25
    weakest = volgorde == "zwakste"
    items = review_queue(gate.session, limit=25, offset=offset, visible_records=clause, weakest_first=weakest)
    gate.audit(AuditAction.REVIEW_QUEUE_VIEW, subjects=[("registratie", i.item_id) for i in items])
    return _render(
        request,
        "resolve/queue.html",
        items=items,
        total=queue_size(gate.session, clause),
        page=pagina,
        size=25,
        volgorde=volgorde,
        doel=gate.purpose.describe(),
        csrf_token=auth.csrf_token,
        message=request.query_params.get("melding", "")[:200],
    )


@router.post("/resolutie/koppelingen/{link_id}/beoordeling", response_class=HTMLResponse)
def review_decide(
    gate: RecordsGate,
    auth: AuthDep,
    _csrf: CsrfDep,
    link_id: Annotated[int, Path(ge=1, le=2**62)],
    beslissing: Annotated[str, Form(max_length=5)],
    toelichting: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Ja of nee op een voorgestelde koppeling."""
    clause = gate.record_clause(AuditAction.REVIEW_DECIDE)
    link = decide(
        gate.session, link_id, beslissing, reviewer=auth.user.username, note=toelichting, visible_records=clause
    )
    gate.audit(
        AuditAction.REVIEW_DECIDE,
        object_type="koppeling",
        object_id=str(link.id),
        subjects=[("registratie", link.item_id)],
    )
    return RedirectResponse(f"/resolutie/wachtrij?melding=Koppeling+{link.id}+{link.status}", status_code=303)
