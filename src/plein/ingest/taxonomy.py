"""plein's taxonomy of themes, outcomes and severities: shipped defaults a beheerder can extend."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.core.models import Theme
from plein.errors import ValidationError
from plein.ingest.models import TaxonomyTerm
from plein.ingest.transform import AllowedCodes

TERM_KINDS = {"uitkomst": "outcomes", "ernst": "severities"}


def default_taxonomy() -> dict[str, Any]:
    """The shipped taxonomy.yaml."""
    text = (resources.files("plein.ingest") / "taxonomy.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def ensure_taxonomy(session: Session) -> None:
    """Insert the shipped themes and terms that are missing; never overwrite a beheerder's edits."""
    data = default_taxonomy()
    themes = set(session.scalars(select(Theme.code)))
    for code, theme in data["themes"].items():
        if code not in themes:
            session.add(Theme(code=code, name=theme["name"], description=theme.get("description", "")))
    existing = {(t.kind, t.code) for t in session.scalars(select(TaxonomyTerm))}
    for kind, key in TERM_KINDS.items():
        for position, (code, label) in enumerate(data[key].items()):
            if (kind, code) not in existing:
                session.add(TaxonomyTerm(kind=kind, code=code, label=label, position=position))
    session.flush()


def vocabulary(session: Session) -> AllowedCodes:
    """The codes stored rows may use right now."""
    terms = session.execute(select(TaxonomyTerm.kind, TaxonomyTerm.code)).all()
    return AllowedCodes(
        themes=frozenset(session.scalars(select(Theme.code))),
        outcomes=frozenset(code for kind, code in terms if kind == "uitkomst"),
        severities=frozenset(code for kind, code in terms if kind == "ernst"),
    )


def save_term(session: Session, kind: str, code: str, label: str) -> None:
    """Add a term or rename it (codes are permanent: records refer to them)."""
    code = code.strip().lower().replace(" ", "_")
    if not code or not label.strip():
        raise ValidationError("Code en omschrijving zijn allebei verplicht.")
    if kind == "thema":
        theme = session.get(Theme, code)
        if theme is None:
            session.add(Theme(code=code, name=label.strip(), description=""))
        else:
            theme.name = label.strip()
        return
    if kind not in TERM_KINDS:
        raise ValidationError(f"Onbekende soort {kind!r}; kies thema, uitkomst of ernst.")
    term = session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.kind == kind, TaxonomyTerm.code == code)).first()
    if term is None:
        count = len(session.scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.kind == kind)).all())
        session.add(TaxonomyTerm(kind=kind, code=code, label=label.strip(), position=count))
    else:
        term.label = label.strip()
