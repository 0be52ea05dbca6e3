"""Turn one raw partner row into plein's fields, or say precisely why it cannot be stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from plein.core.identifiers import is_valid, validate_kvk, validate_postcode
from plein.core.vocabulary import Confidentiality
from plein.ingest.mapping import (
    COMMON_TARGETS,
    DATE_TARGETS,
    KIND_TARGETS,
    NUMBER_TARGETS,
    FieldSpec,
    Mapping,
)
from plein.ingest.readers import RawRow

DATE_FORMAT_LABELS = {"%d-%m-%Y": "dd-mm-jjjj", "%Y-%m-%d": "jjjj-mm-dd", "%d/%m/%Y": "dd/mm/jjjj"}


class RowProblem(Exception):
    """Why a row goes to quarantine: the message and the field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class MappedRow:
    """A row ready to store: its source key, record kind, base and detail values, and its hash."""

    number: int
    source_key: str
    kind: str
    base: dict[str, Any]
    detail: dict[str, Any]
    row_hash: str


@dataclass(frozen=True)
class AllowedCodes:
    """The codes a stored row may use (themes, outcomes, severities), read from the database."""

    themes: frozenset[str]
    outcomes: frozenset[str]
    severities: frozenset[str]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_date(raw: Any, formats: list[str], column: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _text(raw)
    if "T" in text and len(text) >= 19:  # an ISO timestamp from a spreadsheet cell
        text = text[:10]
    parsed = _parse_date_text(text, tuple(formats))
    if parsed is None:
        expected = " of ".join(DATE_FORMAT_LABELS.get(f, f) for f in formats)
        raise RowProblem(column, f"datum {text!r} in kolom {column!r} past niet op {expected}")
    return parsed


@lru_cache(maxsize=65536)
def _parse_date_text(text: str, formats: tuple[str, ...]) -> dt.date | None:
    """Dates repeat a lot in partner files; strptime is slow, so parse each distinct text once."""
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_number(raw: Any, decimal_comma: bool, column: str) -> float:
    if isinstance(raw, int | float):
        return float(raw)
    text = _text(raw).replace(" ", "")
    if decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(Decimal(text))
    except InvalidOperation as exc:
        raise RowProblem(column, f"{text!r} in kolom {column!r} is geen getal") from exc


KVK_PLAIN = re.compile(r"\d{8}")


def _normalise_kvk(text: str) -> str:
    """A valid KvK number in its 8-digit form; anything else as given (the quality report counts it)."""
    if KVK_PLAIN.fullmatch(text) and text != "00000000":
        return text
    return validate_kvk(text) if is_valid(validate_kvk, text) else text


@lru_cache(maxsize=65536)
def _normalise_postcode(text: str) -> str:
    """A valid postcode as ``1234 AB``; anything else as given (the quality report counts it)."""
    return validate_postcode(text) if is_valid(validate_postcode, text) else text


def _value(target: str, spec: FieldSpec, row: RawRow, mapping: Mapping) -> Any:
    if spec.value is not None:
        raw: Any = spec.value
        column = target
    else:
        assert spec.column is not None
        column = spec.column
        raw = row.values.get(spec.column)
    text = _text(raw)
    if text == "":
        if spec.required:
            raise RowProblem(column, f"kolom {column!r} is leeg maar verplicht")
        return None
    if spec.map is not None:
        if text not in spec.map:
            known = ", ".join(sorted(spec.map)[:10])
            raise RowProblem(column, f"waarde {text!r} in kolom {column!r} staat niet in de codelijst ({known})")
        text = spec.map[text]
        raw = text
    if target in DATE_TARGETS:
        return _parse_date(raw, mapping.date_formats, column)
    if target in NUMBER_TARGETS:
        return _parse_number(raw, mapping.decimal_comma, column)
    if spec.type == "kvk":
        return _normalise_kvk(text)
    if spec.type == "postcode":
        return _normalise_postcode(text)
    return text


def row_hash(values: dict[str, Any]) -> str:
    """A stable fingerprint of the mapped values: equal hash, nothing to update."""
    encoded = "\x1f".join(f"{key}={values[key]!s}" for key in sorted(values))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def map_row(row: RawRow, mapping: Mapping, vocabulary: AllowedCodes) -> MappedRow:
    """Map one raw row; raises RowProblem with a Dutch reason when it cannot be stored."""
    if row.problem:
        raise RowProblem(row.problem_field, row.problem)
    key_parts = [_text(row.values.get(column)) for column in mapping.key]
    if not all(key_parts):
        missing = [c for c, v in zip(mapping.key, key_parts, strict=True) if not v]
        raise RowProblem(missing[0], f"sleutelkolom {missing[0]!r} is leeg; zonder sleutel geen record")
    source_key = mapping.key_prefix + "|".join(key_parts)
    if len(source_key) > 120:
        raise RowProblem(mapping.key[0], f"sleutel {source_key[:30]!r}… is langer dan 120 tekens")
    kind = mapping.record_kind.value
    limits = COMMON_TARGETS | KIND_TARGETS[mapping.record_kind]
    values: dict[str, Any] = {}
    for target, spec in mapping.fields.items():
        value = _value(target, spec, row, mapping)
        limit = limits[target]
        if isinstance(value, str) and limit and len(value) > limit:
            raise RowProblem(
                spec.column or target,
                f"waarde in kolom {spec.column or target!r} is langer dan {limit} tekens",
            )
        values[target] = value
    if values.get("occurred_on") is None:
        raise RowProblem(mapping.fields["occurred_on"].column or "occurred_on", "de datum ontbreekt")
    theme = values.get("theme_code")
    if not theme or theme not in vocabulary.themes:
        raise RowProblem("theme_code", f"thema {theme!r} is onbekend in plein's taxonomie")
    confidentiality = values.get("confidentiality") or Confidentiality.INTERN.value
    if confidentiality not in set(Confidentiality):
        raise RowProblem("confidentiality", f"vertrouwelijkheid {confidentiality!r} bestaat niet")
    values["confidentiality"] = confidentiality
    if kind == "inspectie":
        if values.get("outcome") not in vocabulary.outcomes:
            raise RowProblem("outcome", f"uitkomst {values.get('outcome')!r} is onbekend in plein's taxonomie")
        if values.get("severity") not in vocabulary.severities:
            raise RowProblem("severity", f"ernst {values.get('severity')!r} is onbekend in plein's taxonomie")
    for target in KIND_TARGETS[mapping.record_kind]:
        if values.get(target) is None and target not in ("valid_until",):
            values[target] = "" if target not in NUMBER_TARGETS else None
    if kind == "transport" and values.get("quantity_kg") is None:
        raise RowProblem("quantity_kg", "de hoeveelheid ontbreekt")
    base = {t: values.get(t) for t in COMMON_TARGETS}
    for text_field in ("reported_name", "reported_kvk", "reported_postcode", "reported_house_number"):
        base[text_field] = base[text_field] or ""
    base["theme_code"] = theme
    detail = {t: values.get(t) for t in KIND_TARGETS[mapping.record_kind]}
    return MappedRow(row.number, source_key, kind, base, detail, row_hash({"kind": kind, **base, **detail}))
