"""The source registry: which organisation delivers what, from which system, with which mapping."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.core.models import Organisation, utcnow
from plein.errors import ValidationError
from plein.ingest.mapping import Mapping, packaged_mapping_text, parse_mapping
from plein.ingest.models import IngestSource


def register_source(
    session: Session,
    *,
    code: str,
    organisation_code: str,
    source_system: str,
    name: str = "",
    mapping_name: str = "",
    mapping_yaml: str = "",
) -> IngestSource:
    """Create or update a source; the mapping is validated before anything is saved."""
    code = code.strip()
    if not code:
        raise ValidationError("Geef de bron een code.")
    organisation = session.scalars(select(Organisation).where(Organisation.code == organisation_code)).first()
    if organisation is None:
        raise ValidationError(f"Organisatie {organisation_code!r} bestaat niet.")
    if not mapping_yaml:
        if not mapping_name:
            raise ValidationError("Geef een mapping: de naam van een meegeleverde mapping of eigen YAML.")
        mapping_yaml = packaged_mapping_text(mapping_name)
    parse_mapping(mapping_yaml, origin=f"mapping van bron {code}")
    source = session.scalars(select(IngestSource).where(IngestSource.code == code)).first()
    if source is None:
        source = IngestSource(code=code, created_at=utcnow())
        session.add(source)
    source.name = name or code
    source.organisation_id = organisation.id
    source.source_system = source_system
    source.mapping_name = mapping_name
    source.mapping_yaml = mapping_yaml
    source.updated_at = utcnow()
    session.flush()
    return source


def get_source(session: Session, code: str) -> IngestSource:
    """The source with this code; ValidationError listing the known ones otherwise."""
    source = session.scalars(select(IngestSource).where(IngestSource.code == code)).first()
    if source is None:
        known = ", ".join(session.scalars(select(IngestSource.code).order_by(IngestSource.code)))
        raise ValidationError(f"Bron {code!r} bestaat niet; bekend: {known or 'geen'}. Registreer hem eerst.")
    return source


def source_mapping(source: IngestSource) -> Mapping:
    """The parsed mapping of a source."""
    return parse_mapping(source.mapping_yaml, origin=f"mapping van bron {source.code}")


def list_sources(session: Session) -> list[IngestSource]:
    """All sources, by code."""
    return list(session.scalars(select(IngestSource).order_by(IngestSource.code)))
