"""``/v1/bronnen``: partner sources, their imports and their data-quality report (beheerder only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from sqlalchemy import select

from plein.audit.actions import AuditAction
from plein.ingest.models import IngestRun, IngestSource
from plein.ingest.quality import quality_report
from plein.ingest.sources import get_source, list_sources
from plein.policy.errors import NotVisible
from plein.policy.gate import Gate
from plein.web.requires import Requires
from plein.web.route_policy import Access

router = APIRouter(tags=["bronnen"])
CodePath = Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9._-]+$", description="Code van de bron.")]


# Sources are configuration: the gate under ``beheer``, beheerders only (403, audited, otherwise).
SourceGate = Annotated[Gate, Requires(Access.ADMIN, action=AuditAction.SOURCES_OPEN, samples={"code": "demo"})]


def source_out(source: IngestSource) -> dict[str, Any]:
    """One source as the API shows it."""
    return {
        "code": source.code,
        "naam": source.name,
        "organisatie": source.organisation.code,
        "bronsysteem": source.source_system,
        "mapping": source.mapping_name or "eigen",
        "_links": {
            "self": {"href": f"/v1/bronnen/{source.code}"},
            "kwaliteit": {"href": f"/v1/bronnen/{source.code}/kwaliteit"},
        },
    }


def run_out(run: IngestRun) -> dict[str, Any]:
    """One import run."""
    return {
        "id": run.id,
        "bestand": run.file_name,
        "status": run.display_status,
        "regelsIn": run.rows_in,
        "nieuw": run.rows_new,
        "bijgewerkt": run.rows_updated,
        "ongewijzigd": run.rows_unchanged,
        "quarantaine": run.rows_quarantined,
        "dubbeleSleutels": run.rows_duplicate,
        "bestandsregels": run.file_lines,
        "bestandsregelsVerwerkt": run.lines_read,
        "bestandsgrootte": run.file_size,
        "gestart": run.started_at.isoformat(),
        "klaar": run.finished_at.isoformat() if run.finished_at else None,
        "meldingen": run.messages,
    }


def _source(gate: Gate, code: str) -> IngestSource:
    source = gate.session.scalars(select(IngestSource).where(IngestSource.code == code)).first()
    if source is None:
        raise NotVisible("Bron", code)
    return source


@router.get("/bronnen", summary="Geregistreerde bronnen van partners")
def list_sources_api(gate: SourceGate) -> dict[str, Any]:
    """Alle bronnen met hun organisatie, systeem en mapping."""
    gate.audit(AuditAction.SOURCES_VIEW)
    sources = list_sources(gate.session)
    return {
        "_links": {"self": {"href": "/v1/bronnen"}},
        "totaal": len(sources),
        "bronnen": [source_out(s) for s in sources],
    }


@router.get("/bronnen/{code}", summary="Eén bron met zijn imports")
def get_source_api(gate: SourceGate, code: CodePath) -> dict[str, Any]:
    """De bron, zijn mapping en zijn imports (nieuwste eerst)."""
    source = _source(gate, code)
    runs = gate.session.scalars(
        select(IngestRun).where(IngestRun.source_id == source.id).order_by(IngestRun.id.desc()).limit(100)
    ).all()
    gate.audit(AuditAction.SOURCE_VIEW, object_type="bron", object_id=source.code)
    return {**source_out(source), "mappingYaml": source.mapping_yaml, "imports": [run_out(r) for r in runs]}


@router.get("/bronnen/{code}/kwaliteit", summary="Datakwaliteitsrapport van een bron")
def quality_api(gate: SourceGate, code: CodePath, importrun: int | None = None) -> dict[str, Any]:
    """Volledigheid en geldigheid per veld, dubbelen, tijdigheid en koppelgraad."""
    source = _source(gate, code)
    gate.audit(AuditAction.SOURCE_QUALITY_VIEW, object_type="bron", object_id=source.code)
    return quality_report(gate.session, get_source(gate.session, source.code), importrun).as_dict()


@router.get("/bronnen/{code}/imports/{run_id}", summary="Eén import met zijn voortgang")
def run_api(gate: SourceGate, code: CodePath, run_id: Annotated[int, Path(ge=1, le=2**62)]) -> dict[str, Any]:
    """Status en tellingen van een import; ``regelsIn = nieuw + bijgewerkt + ongewijzigd + quarantaine``.

    Bij CSV telt ``bestandsregels`` de regels van het bestand zelf (kop en lege regels meegeteld) en
    ``bestandsregelsVerwerkt`` de regels die de lezer daarvan in een rij, de kop of een lege regel plaatste:
    zijn ze ongelijk, dan is de status ``onvolledig``.
    """
    source = _source(gate, code)
    run = gate.session.get(IngestRun, run_id)
    if run is None or run.source_id != source.id:
        raise NotVisible("Import", run_id)
    return run_out(run)
