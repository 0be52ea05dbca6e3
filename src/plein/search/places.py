"""Place names as users type them (``den haag``, ``s-Hertogenbosch``, ``Amsterdm``) → stored values.

Resolving against the few hundred distinct cities first keeps the database query an exact match on
an indexed column, whatever the user's spelling.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.core.models import Address
from plein.core.names import fold
from plein.errors import ValidationError
from plein.search.vocab import index_version

_cache: dict[tuple[str, str, int], dict[str, list[str]]] = {}
ALIASES = {"den haag": "s-gravenhage", "den bosch": "s-hertogenbosch"}


def _key(text: str) -> str:
    return " ".join(fold(text).replace("-", " ").split())


def _places(session: Session, column: str) -> dict[str, list[str]]:
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    key = (url, column, index_version(session))
    if key not in _cache:
        attribute = Address.city if column == "city" else Address.municipality
        table: dict[str, list[str]] = {}
        for (value,) in session.execute(select(attribute).distinct()):
            table.setdefault(_key(value), []).append(value)
        _cache[key] = table
    return _cache[key]


def resolve_place(session: Session, text: str, *, municipality: bool = False) -> list[str]:
    """The stored spellings that ``text`` means; a ValidationError with suggestions when none is near."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    label = "gemeente" if municipality else "plaats"
    wanted = _key(text)
    if not wanted or len(text) > 80:
        raise ValidationError(f"{label}: geef een naam van 1 tot 80 tekens.")
    table = _places(session, "municipality" if municipality else "city")
    alias = ALIASES.get(wanted)
    for candidate in (wanted, _key(alias) if alias else None):
        if candidate and candidate in table:
            return table[candidate]
    if len(wanted) >= 5:
        match = process.extractOne(wanted, list(table), scorer=OSA.distance, score_cutoff=1)
        if match:
            return table[match[0]]
    suggestions = [table[m][0] for m, _, _ in process.extract(wanted, list(table), limit=3)]
    hint = f" Bedoelde u: {', '.join(suggestions)}?" if suggestions else ""
    raise ValidationError(f"{label} {text!r} komt in de gegevens niet voor.{hint}")
