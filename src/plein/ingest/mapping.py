"""Declarative source mappings: which column feeds which field, with value maps and date formats.

A mapping is YAML, one per source. It is validated in full before a single row is read, so a typo
in a mapping is one clear message rather than a file full of quarantined rows.
"""

from __future__ import annotations

from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from plein.core.vocabulary import Confidentiality, RecordKind
from plein.errors import ValidationError
from plein.policy.wgs import forbidden_category

COMMON_TARGETS: dict[str, int] = {
    "occurred_on": 0,
    "theme_code": 40,
    "confidentiality": 20,
    "reported_name": 200,
    "reported_kvk": 20,
    "reported_postcode": 10,
    "reported_house_number": 10,
}
KIND_TARGETS: dict[str, dict[str, int]] = {
    RecordKind.INSPECTIE: {"findings": 0, "outcome": 30, "severity": 20},
    RecordKind.VERGUNNING: {"reference": 60, "activity": 200, "status": 30, "valid_until": 0},
    RecordKind.MELDING: {"channel": 30, "description": 0, "status": 30},
    RecordKind.TRANSPORT: {"material": 10, "material_code": 20, "quantity_kg": 0},
}
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    RecordKind.INSPECTIE: ("outcome", "severity"),
    RecordKind.VERGUNNING: ("reference", "activity", "status"),
    RecordKind.MELDING: ("channel", "status"),
    RecordKind.TRANSPORT: ("material", "material_code", "quantity_kg"),
}
DATE_TARGETS = {"occurred_on", "valid_until"}
NUMBER_TARGETS = {"quantity_kg"}


class FieldSpec(BaseModel):
    """How one plein field is filled: from a column (with an optional value map) or a constant."""

    column: str | None = None
    value: str | None = None
    map: dict[str, str] | None = None
    required: bool = False
    type: Literal["text", "date", "kvk", "postcode", "number", "house_number"] = "text"

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        if (self.column is None) == (self.value is None):
            raise ValueError("geef precies één van 'column' of 'value'")
        return self


class CsvOptions(BaseModel):
    """How a CSV file is written."""

    delimiter: str = ","
    encoding: str = "utf-8"
    quotechar: str = '"'


class Mapping(BaseModel):
    """One source's mapping onto plein's taxonomy."""

    name: str
    description: str = ""
    format: Literal["csv", "xlsx", "json"]
    csv: CsvOptions = Field(default_factory=CsvOptions)
    sheet: str | None = None
    record_kind: RecordKind
    key: list[str] = Field(min_length=1)
    key_prefix: str = ""
    date_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d"])
    decimal_comma: bool = False
    fields: dict[str, FieldSpec]

    @model_validator(mode="after")
    def _check_targets(self) -> Mapping:
        allowed = COMMON_TARGETS | KIND_TARGETS[self.record_kind]
        for target, spec in self.fields.items():
            category = forbidden_category(target) or (forbidden_category(spec.column) if spec.column else None)
            if category:
                raise ValueError(f"veld {target!r} valt onder een Wgs-categorie die niet mag ({category})")
            if target not in allowed:
                raise ValueError(
                    f"onbekend doelveld {target!r} voor {self.record_kind.value}; kies uit {', '.join(sorted(allowed))}"
                )
        missing = [t for t in ("occurred_on", *REQUIRED_BY_KIND[self.record_kind]) if t not in self.fields]
        if missing:
            raise ValueError(f"verplichte doelvelden ontbreken: {', '.join(missing)}")
        for column in self.key:
            if forbidden_category(column):
                raise ValueError(f"sleutelkolom {column!r} valt onder een Wgs-categorie")
        conf = self.fields.get("confidentiality")
        if conf is not None and conf.value is not None and conf.value not in set(Confidentiality):
            raise ValueError(f"vertrouwelijkheid {conf.value!r} bestaat niet")
        return self

    def columns(self) -> set[str]:
        """Every source column the mapping reads."""
        used = {spec.column for spec in self.fields.values() if spec.column}
        return used | set(self.key)


def parse_mapping(text: str, *, origin: str = "mapping") -> Mapping:
    """Parse and validate YAML text; one Dutch message naming the problem otherwise."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (regel {mark.line + 1})" if mark is not None else ""
        raise ValidationError(f"{origin} is geen geldige YAML{where}.") from exc
    if not isinstance(data, dict):
        raise ValidationError(f"{origin} moet een YAML-object zijn met name, format, key en fields.")
    try:
        return Mapping.model_validate(data)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "mapping"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ValidationError(f"{origin}: {where}: {message}.") from exc


def packaged_mapping_names() -> list[str]:
    """Names of the mappings shipped inside the package (for the demo partners)."""
    folder = resources.files("plein.ingest") / "mappings"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def packaged_mapping_text(name: str) -> str:
    """The YAML text of a shipped mapping; ValidationError naming the known ones otherwise."""
    folder = resources.files("plein.ingest") / "mappings"
    path = folder / f"{name}.yaml"
    if not path.is_file():
        raise ValidationError(
            f"Mapping {name!r} bestaat niet; beschikbaar: {', '.join(packaged_mapping_names()) or 'geen'}."
        )
    return path.read_text(encoding="utf-8")
