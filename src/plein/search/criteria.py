"""Search input, validated: every bad value becomes a ValidationError naming the field and the value.

Kept apart from the queries so that the API, the pages and the CLI parse the same way and give the
same Dutch messages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from plein.core.identifiers import validate_establishment_number, validate_kvk, validate_postcode
from plein.core.vocabulary import InspectionOutcome, RecordKind
from plein.errors import ValidationError

MAX_KVK_LIST = 10_000
MAX_KVK_FILE_BYTES = 2_000_000
MIN_RADIUS_M = 1.0
MAX_RADIUS_M = 25_000.0
MAX_POLYGON_POINTS = 200
# The Netherlands with a margin: a point outside is a mistake (swapped lat/lon, RD coordinates).
NL_LAT = (50.5, 53.8)
NL_LON = (3.0, 7.5)
RADIUS_CHOICES = (50, 250, 500, 1000)
_POSTCODE_DIGITS = re.compile(r"^\s*([1-9]\d{3})\s*$")


@dataclass(frozen=True)
class PostcodeRange:
    """An inclusive range of postcodes, both ends as ``1234 AB``."""

    start: str
    end: str


def parse_postcode_range(start: str, end: str) -> PostcodeRange:
    """``1000AA``–``1099ZZ``, or four digits for a whole area (``1000``–``1099``)."""
    low = _range_end(start, "postcodeVan", "AA")
    high = _range_end(end or start, "postcodeTot", "ZZ")
    if low > high:
        raise ValidationError(f"postcodeVan {low} ligt na postcodeTot {high}; draai ze om.")
    return PostcodeRange(low, high)


def _range_end(value: str, name: str, letters: str) -> str:
    match = _POSTCODE_DIGITS.match(value or "")
    if match:
        return f"{match.group(1)} {letters}"
    try:
        return validate_postcode(value)
    except ValidationError as exc:
        raise ValidationError(f"{name}: {exc.message} (of alleen de vier cijfers, bv. 1000).") from None


def parse_kvk_list(text: str) -> list[str]:
    """KvK numbers separated by newlines, commas, semicolons or spaces; each line checked, duplicates dropped."""
    if "\x00" in text:
        raise ValidationError("kvkNummers: de invoer is geen tekst (binaire inhoud).")
    items = [item for item in re.split(r"[\s,;]+", text) if item]
    if not items:
        raise ValidationError("kvkNummers: geef minstens één KvK-nummer.")
    if len(items) > MAX_KVK_LIST:
        raise ValidationError(
            f"kvkNummers: {len(items)} nummers is te veel; zoek in delen van hoogstens {MAX_KVK_LIST} nummers."
        )
    numbers: dict[str, None] = {}
    for position, item in enumerate(items, start=1):
        try:
            numbers.setdefault(validate_kvk(item), None)
        except ValidationError as exc:
            raise ValidationError(f"kvkNummers, nummer {position}: {exc.message}") from None
    return list(numbers)


def read_kvk_file(data: bytes, filename: str = "bestand") -> list[str]:
    """A pasted or uploaded list of KvK numbers (plain text or CSV, UTF-8); refuses binary files."""
    if len(data) > MAX_KVK_FILE_BYTES:
        raise ValidationError(
            f"{filename}: het bestand is groter dan {MAX_KVK_FILE_BYTES // 1_000_000} MB; "
            f"een lijst van {MAX_KVK_LIST} KvK-nummers past ruim in 200 kB."
        )
    if b"\x00" in data[:8192]:
        raise ValidationError(f"{filename}: dit is geen tekstbestand; lever een lijst KvK-nummers als tekst of CSV.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            f"{filename}: het bestand is geen UTF-8-tekst; sla het op als tekst of CSV (UTF-8)."
        ) from None
    lines = [line.split(",")[0].split(";")[0].strip().strip('"') for line in text.splitlines()]
    if lines and lines[0] and not any(ch.isdigit() for ch in lines[0]):
        lines = lines[1:]  # a header such as "kvk" or "KvK-nummer"
    return parse_kvk_list("\n".join(line for line in lines if line))


@dataclass(frozen=True)
class Circle:
    """A point and a radius in metres."""

    latitude: float
    longitude: float
    radius_m: float


def check_point(latitude: float, longitude: float, name: str = "punt") -> tuple[float, float]:
    """A WGS84 point inside the Netherlands."""
    if not (NL_LAT[0] <= latitude <= NL_LAT[1] and NL_LON[0] <= longitude <= NL_LON[1]):
        raise ValidationError(
            f"{name} ({latitude}, {longitude}) ligt niet in Nederland; geef breedte- en lengtegraad in WGS84 "
            "(bv. 52.37, 4.90)."
        )
    return latitude, longitude


def parse_circle(latitude: float, longitude: float, radius_m: float) -> Circle:
    """A search circle; the radius between 1 m and 25 km."""
    if radius_m != radius_m or not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:  # NaN fails too
        raise ValidationError(
            f"straal: {radius_m:g} m kan niet; kies tussen {MIN_RADIUS_M:g} en {MAX_RADIUS_M:g} m "
            f"(gebruikelijk: {', '.join(map(str, RADIUS_CHOICES))})."
        )
    check_point(latitude, longitude)
    return Circle(latitude, longitude, radius_m)


def parse_polygon(text: str) -> list[tuple[float, float]]:
    """``lat,lon;lat,lon;…`` (at least three points) → a closed ring of WGS84 points."""
    parts = [p for p in re.split(r"[;\s]+", text.strip()) if p]
    if len(parts) < 3:
        raise ValidationError("gebied: een gebied heeft minstens drie punten (lat,lon;lat,lon;lat,lon).")
    if len(parts) > MAX_POLYGON_POINTS:
        raise ValidationError(f"gebied: hoogstens {MAX_POLYGON_POINTS} punten.")
    ring = []
    for position, part in enumerate(parts, start=1):
        try:
            lat_text, lon_text = part.split(",")
            point = (float(lat_text), float(lon_text))
        except ValueError:
            raise ValidationError(f"gebied, punt {position}: {part!r} is geen 'breedte,lengte'.") from None
        ring.append(check_point(*point, name=f"gebied, punt {position}"))
    return ring


@dataclass(frozen=True)
class RecordFilters:
    """Filters on records: theme, organisation, period, record type, outcome."""

    themes: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    kinds: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()

    def describe(self) -> dict[str, object]:
        """For the audit log and the result page: only the filters that are set."""
        out: dict[str, object] = {}
        for key, value in (
            ("thema", self.themes),
            ("organisatie", self.organisations),
            ("soort", self.kinds),
            ("uitkomst", self.outcomes),
        ):
            if value:
                out[key] = list(value)
        if self.start:
            out["van"] = self.start.isoformat()
        if self.end:
            out["tot"] = self.end.isoformat()
        return out


def parse_filters(
    themes: list[str] | None = None,
    organisations: list[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    kinds: list[str] | None = None,
    outcomes: list[str] | None = None,
) -> RecordFilters:
    """Check filter values; unknown kinds and outcomes are named with the allowed ones."""
    kind_values = {k.value for k in RecordKind}
    outcome_values = {o.value for o in InspectionOutcome}
    for kind in kinds or ():
        if kind not in kind_values:
            raise ValidationError(f"soort {kind!r} bestaat niet; kies uit {', '.join(sorted(kind_values))}.")
    for outcome in outcomes or ():
        if outcome not in outcome_values:
            raise ValidationError(f"uitkomst {outcome!r} bestaat niet; kies uit {', '.join(sorted(outcome_values))}.")
    for code in [*(themes or ()), *(organisations or ())]:
        if not re.fullmatch(r"[A-Za-z0-9-]{1,40}", code):
            raise ValidationError(f"code {code!r} heeft niet de vorm van een thema- of organisatiecode.")
    if start and end and start > end:
        raise ValidationError(f"periode: van {start.isoformat()} ligt na tot {end.isoformat()}.")
    return RecordFilters(
        tuple(themes or ()),
        tuple(o.upper() for o in organisations or ()),
        start,
        end,
        tuple(kinds or ()),
        tuple(outcomes or ()),
    )


@dataclass(frozen=True)
class SubjectQuery:
    """What a subject search asks: free text and/or explicit fields (combined with AND)."""

    name: str = ""
    kvk: str = ""
    establishment_number: str = ""
    postcode: str = ""
    house_number: int | None = None
    street: str = ""
    city: str = ""
    typing: bool = False  # the last word may be incomplete (results as you type)
    extra: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not any((self.name, self.kvk, self.establishment_number, self.postcode, self.street, self.city))

    def describe(self) -> dict[str, object]:
        """For the audit log: the fields that are set."""
        pairs = (
            ("naam", self.name),
            ("kvk", self.kvk),
            ("vestigingsnummer", self.establishment_number),
            ("postcode", self.postcode),
            ("huisnummer", self.house_number),
            ("straat", self.street),
            ("plaats", self.city),
        )
        return {key: value for key, value in pairs if value}


_STREET_NUMBER = re.compile(r"^(?P<street>[^\d]+?)\s+(?P<number>\d{1,5})\s*(?P<addition>[a-zA-Z]{0,4})$")
_POSTCODE_NUMBER = re.compile(r"^(?P<pc>[1-9]\d{3}\s?[a-zA-Z]{2})(?:\s+(?P<number>\d{1,5})\s*[a-zA-Z]{0,4})?$")


def parse_free_text(text: str, *, typing: bool = False) -> SubjectQuery:
    """Recognise what one search box holds: a KvK number, a vestigingsnummer, a postcode (+ number),
    a street + house number, or else a name."""
    text = " ".join(text.split())
    if len(text) > 200:
        raise ValidationError("zoekterm: hoogstens 200 tekens.")
    digits = re.sub(r"[\s.]", "", text)
    if digits.isdigit() and len(digits) == 8:
        return SubjectQuery(kvk=validate_kvk(digits))
    if digits.isdigit() and len(digits) == 12:
        return SubjectQuery(establishment_number=validate_establishment_number(digits))
    if digits.isdigit() and len(digits) in (5, 6, 7, 9, 10, 11):
        raise ValidationError(
            f"zoekterm {text!r}: een KvK-nummer heeft 8 cijfers, een vestigingsnummer 12 en een postcode "
            "4 cijfers en 2 letters."
        )
    match = _POSTCODE_NUMBER.match(text)
    if match:
        number = match.group("number")
        return SubjectQuery(postcode=validate_postcode(match.group("pc")), house_number=int(number) if number else None)
    match = _STREET_NUMBER.match(text)
    if match and len(match.group("street").split()) <= 4 and _looks_like_street(match.group("street")):
        return SubjectQuery(street=match.group("street").strip(), house_number=int(match.group("number")))
    return SubjectQuery(name=text, typing=typing)


STREET_ENDINGS = (
    "straat",
    "weg",
    "laan",
    "plein",
    "kade",
    "gracht",
    "singel",
    "dijk",
    "pad",
    "steeg",
    "hof",
    "markt",
    "dreef",
    "plantsoen",
    "park",
    "baan",
    "ring",
    "wal",
    "haven",
    "erf",
    "veld",
    "burg",
)


def _looks_like_street(text: str) -> bool:
    last = text.strip().split()[-1].lower()
    return last.endswith(STREET_ENDINGS)


def theme_choices(session: Session) -> list[tuple[str, str]]:
    """Every theme as (code, name), by name: what a theme filter offers."""
    from plein.core.models import Theme

    return [(code, name) for code, name in session.execute(select(Theme.code, Theme.name).order_by(Theme.name))]


def resolve_theme(session: Session, text: str) -> str:
    """A theme as a person types it, its code or its name ("Afval", "afval", "F-gassen"), as its code.

    Refused with the themes to choose from when it is neither."""
    wanted = text.strip().casefold()
    choices = theme_choices(session)
    for code, name in choices:
        if wanted in (code.casefold(), name.casefold()):
            return code
    names = ", ".join(name for _code, name in choices[:12])
    raise ValidationError(f"thema {text.strip()!r} bestaat niet; kies bijvoorbeeld uit: {names}.")
