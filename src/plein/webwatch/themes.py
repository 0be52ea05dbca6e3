"""Themes as data: search terms, sources and the transparent rules of what is a likely violation.

The shipped themes are YAML files in this package; an analyst edits a theme by saving a changed copy
in ``<var>/webwatch/themes/<code>.yaml`` (``plein webwatch themes --export``), which then takes
precedence. Every theme is validated when loaded so a typo gives one clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from plein.errors import ValidationError
from plein.settings import get_settings

PACKAGE_THEMES = Path(__file__).parent / "themes"
RULE_KINDS = ("pattern", "absent", "seller_type", "price_below", "number_above", "all")


@dataclass(frozen=True)
class Rule:
    """One check of a theme; ``weight`` is how strongly a hit points to a violation (0–1)."""

    code: str
    description: str
    kind: str
    weight: float
    patterns: tuple[re.Pattern[str], ...] = ()
    values: tuple[str, ...] = ()
    amount: float = 0.0
    limit: float = 0.0
    parts: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class WebTheme:
    """A theme as internettoezicht uses it (search terms, relevance, weighted rules); not the `theme` table."""

    code: str
    name: str
    description: str
    search_terms: tuple[str, ...]
    relevance: tuple[re.Pattern[str], ...]
    rules: tuple[Rule, ...]
    threshold: float = 0.5
    sources: tuple[dict[str, str], ...] = field(default_factory=tuple)
    path: str = ""

    def is_relevant(self, text: str) -> bool:
        """True when the offer's text is about this theme's products."""
        return any(p.search(text) for p in self.relevance)


def _compile(patterns: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not patterns:
        raise ValidationError(f"{where}: 'patterns' moet een niet-lege lijst van reguliere expressies zijn.")
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(str(pattern), re.IGNORECASE))
        except re.error as exc:
            raise ValidationError(f"{where}: ongeldige expressie {pattern!r}: {exc}.") from exc
    return tuple(compiled)


def _rule(data: Any, where: str) -> Rule:
    if not isinstance(data, dict):
        raise ValidationError(f"{where}: een regel moet een mapping zijn.")
    kind = str(data.get("kind", "pattern"))
    if kind not in RULE_KINDS:
        raise ValidationError(f"{where}: onbekende soort regel {kind!r}; kies uit {', '.join(RULE_KINDS)}.")
    code = str(data.get("code", kind))
    try:
        weight = float(data.get("weight", 0.5))
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{where}: 'weight' moet een getal zijn.") from exc
    if not 0 <= weight <= 1:
        raise ValidationError(f"{where}: 'weight' moet tussen 0 en 1 liggen.")
    rule = Rule(code=code, description=str(data.get("description", code)), kind=kind, weight=weight)
    where = f"{where} regel {code}"
    if kind in ("pattern", "absent"):
        return Rule(**{**rule.__dict__, "patterns": _compile(data.get("patterns"), where)})
    if kind == "seller_type":
        return Rule(**{**rule.__dict__, "values": tuple(str(v) for v in data.get("values") or ["particulier"])})
    if kind == "price_below":
        return Rule(**{**rule.__dict__, "amount": float(data.get("amount", 0))})
    if kind == "number_above":
        return Rule(
            **{**rule.__dict__, "patterns": _compile(data.get("pattern"), where), "limit": float(data.get("limit", 0))}
        )
    parts = data.get("all")
    if not isinstance(parts, list) or not parts:
        raise ValidationError(f"{where}: 'all' moet een lijst van deelregels zijn.")
    return Rule(**{**rule.__dict__, "parts": tuple(_rule({**p, "code": code}, where) for p in parts)})


def parse_theme(data: Any, where: str) -> WebTheme:
    """A WebTheme from parsed YAML, or ValidationError naming the file and the field."""
    if not isinstance(data, dict):
        raise ValidationError(f"{where}: een thema moet een mapping zijn.")
    for key in ("code", "name", "rules", "relevance"):
        if not data.get(key):
            raise ValidationError(f"{where}: het veld {key!r} ontbreekt.")
    code = str(data["code"])
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,39}", code):
        raise ValidationError(f"{where}: themacode {code!r} mag alleen kleine letters, cijfers en '-' bevatten.")
    return WebTheme(
        code=code,
        name=str(data["name"]),
        description=str(data.get("description", "")).strip(),
        search_terms=tuple(str(t) for t in data.get("search_terms") or []),
        relevance=_compile(data["relevance"], f"{where} relevance"),
        rules=tuple(_rule(r, where) for r in data["rules"]),
        threshold=float(data.get("threshold", 0.5)),
        sources=tuple(dict(s) for s in data.get("sources") or []),
        path=where,
    )


def load_theme_file(path: Path) -> WebTheme:
    """One theme from a YAML file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationError(f"Thema {path} is niet te lezen: {exc}.") from exc
    return parse_theme(data, str(path))


def override_dir() -> Path:
    """Where an analyst's edited themes live."""
    return get_settings().var_dir / "webwatch" / "themes"


def load_themes() -> dict[str, WebTheme]:
    """All themes by code: the shipped ones, replaced or extended by the analyst's own."""
    themes = {t.code: t for t in (load_theme_file(p) for p in sorted(PACKAGE_THEMES.glob("*.yaml")))}
    local = override_dir()
    if local.is_dir():
        for path in sorted(local.glob("*.yaml")):
            theme = load_theme_file(path)
            themes[theme.code] = theme
    return themes


def get_theme(code: str) -> WebTheme:
    """One theme, or a message listing the known ones."""
    themes = load_themes()
    if code not in themes:
        raise ValidationError(f"Onbekend thema {code!r}; bekend zijn: {', '.join(sorted(themes))}.")
    return themes[code]


def export_theme(code: str) -> Path:
    """Copy a theme's YAML to the analyst's directory so it can be edited; returns the new path."""
    theme = get_theme(code)
    target = override_dir() / f"{theme.code}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_text(Path(theme.path).read_text(encoding="utf-8"), encoding="utf-8")
    return target
