"""The synthetic Dutch demo world: companies, establishments, people and five years of partner records.

Deterministic for a seed. It carries the mess real data has (name variants, missing and wrong
KvK numbers, partner-made duplicate establishments, KvK numbers that change after a takeover) and
a few planted violator patterns, all of it recorded in a ground truth so that later stages
(resolution, signals) can be measured against it.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import itertools
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plein.core.vocabulary import BatchKind, LegalEntityLinkKind, PersonRole, RunStatus, Severity
from plein.core.vocabulary import Confidentiality as C
from plein.core.vocabulary import InspectionOutcome as O
from plein.demo import catalog
from plein.demo.catalog import OMGEVINGSDIENSTEN, ORGANISATIONS, SECTORS, Sector
from plein.demo.geo import CITIES, City, random_point, random_postcode
from plein.demo.names import NamePools, name_variant, typo, wrong_digits
from plein.errors import ValidationError

WORLD_END = dt.date(2026, 9, 30)
WORLD_START = dt.date(2021, 10, 1)
RECEIVED_AT = "2026-10-01 06:00:00"
CHUNK = 20_000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SizeSpec:
    """How big a demo world is."""

    establishments: int
    records: int


SIZES = {
    "small": SizeSpec(2_000, 10_000),
    "medium": SizeSpec(50_000, 250_000),
    "large": SizeSpec(1_000_000, 5_000_000),
}


def size_spec(size: str) -> SizeSpec:
    """The spec for a size name, or a ValidationError naming the allowed ones."""
    try:
        return SIZES[size]
    except KeyError:
        allowed = ", ".join(SIZES)
        raise ValidationError(f"Onbekende grootte {size!r}: kies uit {allowed}.") from None


def rsin_for(rng: random.Random) -> str:
    """A random 9-digit number that passes the elfproef."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        check = total % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


@dataclass
class Site:
    """What record generation needs to know about one canonical establishment."""

    establishment_id: int
    legal_entity_id: int
    name: str
    kvk: str
    postcode: str
    house_number: int
    city: City
    sector: Sector
    street: str = ""
    successor: tuple[dt.date, int, int, str, str] | None = None  # (date, new est id, new le id, kvk, name)
    duplicates: dict[str, int] = field(default_factory=dict)  # partner org code -> duplicate establishment id


COLUMNS = {
    "organisation": ("id", "code", "name", "kind", "legal_domain", "parent_id", "matrix_party", "created_at"),
    "theme": ("code", "name", "description"),
    "import_batch": (
        "id",
        "organisation_id",
        "source_system",
        "kind",
        "description",
        "started_at",
        "finished_at",
        "status",
        "rows_in",
        "rows_stored",
        "rows_quarantined",
    ),
    "address": (
        "id",
        "street",
        "house_number",
        "house_number_addition",
        "postcode",
        "city",
        "municipality",
        "latitude",
        "longitude",
    ),
    "legal_entity": (
        "id",
        "kvk",
        "rsin",
        "name",
        "legal_form",
        "sbi_codes",
        "registered_on",
        "dissolved_on",
        "source_organisation_id",
        "source_system",
        "import_batch_id",
        "source_key",
        "received_at",
    ),
    "person": (
        "id",
        "given_name",
        "surname_prefix",
        "surname",
        "birth_date",
        "source_organisation_id",
        "source_system",
        "import_batch_id",
        "source_key",
        "received_at",
    ),
    "person_role": (
        "id",
        "person_id",
        "legal_entity_id",
        "role",
        "started_on",
        "ended_on",
        "source_organisation_id",
        "source_system",
        "import_batch_id",
        "source_key",
        "received_at",
    ),
    "legal_entity_link": (
        "id",
        "kind",
        "from_legal_entity_id",
        "to_legal_entity_id",
        "share_percentage",
        "started_on",
        "reason",
        "source_organisation_id",
        "source_system",
        "import_batch_id",
        "source_key",
        "received_at",
    ),
    "establishment": (
        "id",
        "establishment_number",
        "legal_entity_id",
        "name",
        "trade_names",
        "address_id",
        "activities",
        "sbi_codes",
        "is_main",
        "started_on",
        "ended_on",
        "source_organisation_id",
        "source_system",
        "import_batch_id",
        "source_key",
        "received_at",
    ),
    "record": (
        "id",
        "kind",
        "establishment_id",
        "theme_code",
        "confidentiality",
        "occurred_on",
        "reported_name",
        "reported_kvk",
        "reported_postcode",
        "reported_house_number",
        "source_organisation_id",
        "source_system",
        "import_batch_id",
        "source_key",
        "received_at",
    ),
    "inspection": ("id", "findings", "outcome", "severity"),
    "permit": ("id", "reference", "activity", "status", "valid_until"),
    "report": ("id", "channel", "description", "status"),
    "transport": (
        "id",
        "material",
        "material_code",
        "quantity_kg",
        "to_establishment_id",
        "carrier_establishment_id",
    ),
}

FLUSH_GROUPS = (
    ("organisation", "theme", "import_batch"),
    ("address", "legal_entity", "person", "person_role", "legal_entity_link", "establishment"),
    ("record", "inspection", "permit", "report", "transport"),
)

Sink = Callable[[str, tuple[str, ...], list[tuple[Any, ...]]], object]


class WorldBuilder:
    """Generates the demo world into a sink, table by table, in dependency order."""

    def __init__(self, size: str, seed: int, sink: Sink, out_dir: Path, progress: Progress | None = None) -> None:
        self.spec = size_spec(size)
        self.size = size
        self.seed = seed
        self.sink = sink
        self.out_dir = out_dir
        self.progress = progress or (lambda _phase, _done, _total: None)
        self.rng = random.Random(seed)
        self.names = NamePools(self.rng, seed)
        self.ids = {table: itertools.count(1) for table in COLUMNS if table != "theme"}
        self.org_id: dict[str, int] = {}
        self.org_system: dict[str, str] = {}
        self.batch_id: dict[str, int] = {}
        self.sites: list[Site] = []
        self.receivers: dict[str, list[int]] = {"afval": [], "mest": []}
        self._circles: list[tuple[list[int], int]] = []
        self.truth: dict[str, Any] = {
            "size": size,
            "seed": seed,
            "duplicate_establishments": {},
            "name_variants": [],
            "missing_kvk": [],
            "wrong_kvk": [],
            "kvk_successions": [],
            "spread_findings": [],
            "circular_waste_flows": [],
        }
        self.counts: dict[str, int] = {table: 0 for table in COLUMNS}
        self._kvk_numbers = iter(self.rng.sample(range(10_000_000, 100_000_000), self._kvk_budget()))
        self._establishment_numbers = iter(self.rng.sample(range(10**11, 10**12), self.spec.establishments * 2 + 1000))
        self._buffers: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
        self._city_weights = list(itertools.accumulate(city.weight for city in CITIES))
        self._sector_weights = list(itertools.accumulate(sector.weight for sector in SECTORS))
        self._span_days = (WORLD_END - WORLD_START).days

    # -- plumbing -------------------------------------------------------------------------------

    def _kvk_budget(self) -> int:
        return self.spec.establishments + 1000

    def _emit(self, table: str, row: tuple[Any, ...]) -> None:
        buffer = self._buffers[table]
        buffer.append(row)
        if len(buffer) >= CHUNK:
            # Flush the whole group in dependency order, so foreign keys always point at written rows.
            group = next((g for g in FLUSH_GROUPS if table in g), (table,))
            self._flush_all(group)

    def _flush(self, table: str) -> None:
        buffer = self._buffers[table]
        if buffer:
            self.sink(table, COLUMNS[table], buffer)
            self.counts[table] += len(buffer)
            self._buffers[table] = []

    def _flush_all(self, tables: tuple[str, ...]) -> None:
        for table in tables:
            self._flush(table)

    def _next(self, table: str) -> int:
        return next(self.ids[table])

    def _provenance(self, org_code: str, key: str) -> tuple[Any, ...]:
        return (self.org_id[org_code], self.org_system[org_code], self.batch_id[org_code], key, RECEIVED_AT)

    def _date(self, start: dt.date = WORLD_START, end: dt.date = WORLD_END) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def _city(self) -> City:
        return CITIES[bisect.bisect_left(self._city_weights, self.rng.random() * self._city_weights[-1])]

    def _sector(self) -> Sector:
        return SECTORS[bisect.bisect_left(self._sector_weights, self.rng.random() * self._sector_weights[-1])]

    # -- the world ------------------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        """Generate everything; returns the ground truth (also written to ``out_dir``)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._organisations()
        self._subjects()
        self._records()
        self.truth["counts"] = dict(self.counts)
        with (self.out_dir / "ground-truth.json").open("w", encoding="utf-8") as handle:
            json.dump(self.truth, handle, ensure_ascii=False, indent=1)
        return self.truth

    def _organisations(self) -> None:
        for spec in ORGANISATIONS:
            org_id = self._next("organisation")
            self.org_id[spec.code] = org_id
            self.org_system[spec.code] = spec.system or "Registratie"
            parent = self.org_id.get(spec.parent) if spec.parent else None
            self._emit(
                "organisation",
                (org_id, spec.code, spec.name, str(spec.kind), spec.domain, parent, spec.party, RECEIVED_AT),
            )
        for code, name, description in catalog.THEMES:
            self._emit("theme", (code, name, description))
        for spec in ORGANISATIONS:
            batch = self._next("import_batch")
            self.batch_id[spec.code] = batch
            self._emit(
                "import_batch",
                (
                    batch,
                    self.org_id[spec.code],
                    self.org_system[spec.code],
                    BatchKind.DEMO.value,
                    f"Demowereld {self.size}, seed {self.seed}",
                    RECEIVED_AT,
                    RECEIVED_AT,
                    RunStatus.DONE.value,
                    0,
                    0,
                    0,
                ),
            )
        self._flush_all(("organisation", "theme", "import_batch"))

    # -- subjects -------------------------------------------------------------------------------

    def _address(self, city: City, street: str | None = None) -> tuple[int, str, int, str, str]:
        rng = self.rng
        address_id = self._next("address")
        street = street or rng.choice(self.names.streets)
        number = rng.randint(1, 250)
        addition = rng.choice(("", "", "", "", "", "", "a", "b", "-1", "A"))
        postcode = random_postcode(rng, city)
        lat, lon = random_point(rng, city)
        self._emit(
            "address",
            (address_id, street, number, addition, postcode, city.name, city.municipality, lat, lon),
        )
        return address_id, street, number, addition, postcode

    def _legal_form(self, sector: Sector) -> str:
        rng = self.rng
        if sector.key in ("melkveehouder", "varkenshouder", "akkerbouwer"):
            return rng.choice(("eenmanszaak", "maatschap", "maatschap", "vof", "bv"))
        if sector.key == "horeca":
            return rng.choice(("eenmanszaak", "vof", "bv"))
        roll = rng.random()
        if roll < 0.62:
            return "bv"
        if roll < 0.8:
            return "eenmanszaak"
        if roll < 0.9:
            return "vof"
        if roll < 0.93:
            return "nv"
        if roll < 0.96:
            return "cv"
        if roll < 0.98:
            return "stichting"
        return "cooperatie"

    def _person(self, key_prefix: str) -> tuple[int, str]:
        rng = self.rng
        person_id = self._next("person")
        surname_full = rng.choice(self.names.surnames)
        prefix, surname = self.names.split_surname(surname_full)
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 52))
        self._emit(
            "person",
            (
                person_id,
                rng.choice(self.names.given_names),
                prefix,
                surname,
                birth.isoformat(),
                *self._provenance("KVK", f"{key_prefix}-P{person_id}"),
            ),
        )
        return person_id, surname_full

    def _role(self, person_id: int, legal_entity_id: int, role: str, start: dt.date, end: dt.date | None) -> None:
        role_id = self._next("person_role")
        self._emit(
            "person_role",
            (
                role_id,
                person_id,
                legal_entity_id,
                role,
                start.isoformat(),
                end.isoformat() if end else None,
                *self._provenance("KVK", f"ROL-{role_id}"),
            ),
        )

    def _legal_entity(
        self, name: str, form: str, sector: Sector, registered: dt.date, dissolved: dt.date | None = None
    ) -> tuple[int, str]:
        le_id = self._next("legal_entity")
        kvk = str(next(self._kvk_numbers))
        rsin = rsin_for(self.rng) if form not in ("eenmanszaak",) else None
        self._emit(
            "legal_entity",
            (
                le_id,
                kvk,
                rsin,
                name,
                form,
                json.dumps(list(sector.sbi[:2])),
                registered.isoformat(),
                dissolved.isoformat() if dissolved else None,
                *self._provenance("KVK", kvk),
            ),
        )
        return le_id, kvk

    def _establishment(
        self,
        le_id: int | None,
        name: str,
        address_id: int,
        sector: Sector,
        *,
        main: bool,
        start: dt.date,
        end: dt.date | None,
        org: str = "KVK",
        number: str | None = "new",
        key: str | None = None,
    ) -> tuple[int, str | None]:
        est_id = self._next("establishment")
        if number == "new":
            number = str(next(self._establishment_numbers))
        trade = (
            [name] if self.rng.random() < 0.8 else [name, f"{self.rng.choice(catalog.BRAND_WORDS)} {sector.words[0]}"]
        )
        self._emit(
            "establishment",
            (
                est_id,
                number,
                le_id,
                name,
                json.dumps(trade, ensure_ascii=False),
                address_id,
                json.dumps(list(sector.activities), ensure_ascii=False),
                json.dumps(list(sector.sbi[:1])),
                1 if main else 0,
                start.isoformat(),
                end.isoformat() if end else None,
                *self._provenance(org, key or f"VES-{number or est_id}"),
            ),
        )
        return est_id, number

    def _company(
        self,
        sector: Sector,
        city: City,
        persons: list[tuple[int, str]] | None = None,
        form: str | None = None,
    ) -> list[Site]:
        """One legal entity with its people and establishments; returns its sites."""
        rng = self.rng
        form = form or self._legal_form(sector)
        registered = dt.date(1985, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 35))
        registered = min(registered, WORLD_START - dt.timedelta(days=30))
        if persons is None:
            n_people = 1 if form == "eenmanszaak" else rng.choice((1, 1, 2, 2, 3))
            persons = [self._person(f"KVK-{self.counts['legal_entity']}") for _ in range(n_people)]
        name = self.names.company_name(sector, form, persons[0][1], city.name)
        succession = None
        if sector.key != "afvalverwerker" and rng.random() < 0.01:
            succession = self._date(WORLD_START + dt.timedelta(days=300), WORLD_END - dt.timedelta(days=300))
        le_id, kvk = self._legal_entity(name, form, sector, registered, succession)
        for index, (person_id, _surname) in enumerate(persons):
            role = (
                PersonRole.EIGENAAR
                if form == "eenmanszaak"
                else (
                    PersonRole.BESTUURDER
                    if index == 0
                    else rng.choice((PersonRole.BESTUURDER, PersonRole.AANDEELHOUDER))
                )
            )
            self._role(person_id, le_id, role.value, registered, None)
        sites: list[Site] = []
        main_address = 0
        branches = 1 + (1 if rng.random() < 0.15 else 0) + (1 if rng.random() < 0.05 else 0)
        for branch in range(branches):
            site_city = city if branch == 0 else self._city()
            address_id, street, number, _add, postcode = self._address(site_city)
            main_address = main_address or address_id
            est_id, _ = self._establishment(
                le_id,
                name,
                address_id,
                sector,
                main=branch == 0,
                start=registered,
                end=succession if branch == 0 else None,
            )
            site = Site(est_id, le_id, name, kvk, postcode, number, site_city, sector, street)
            sites.append(site)
            if sector.receives and sector.ships:
                self.receivers[sector.ships].append(len(self.sites) + len(sites) - 1)
        if succession is not None:
            self._succeed(sites[0], form, persons, main_address, succession)
        return sites

    def _subjects(self) -> None:
        rng = self.rng
        target = self.spec.establishments
        n_circles = max(2, target // 2000)
        circle_slots = n_circles * 3
        shared_people: list[tuple[int, str]] = []
        while len(self.sites) < target - circle_slots:
            sector = self._sector()
            city = self._city()
            persons = None
            if shared_people and rng.random() < 0.03:
                persons = [rng.choice(shared_people), self._person("KVK-N")]
            new_sites = self._company(sector, city, persons)
            self.sites.extend(new_sites)
            if rng.random() < 0.05:
                shared_people.append(self._person("KVK-S"))
            if len(self.sites) % 5000 < len(new_sites):
                self.progress("Bedrijven en vestigingen", len(self.sites), target)
        self._plant_circles(n_circles)
        self._duplicates()
        self._flush_all(("address", "legal_entity", "person", "person_role", "legal_entity_link", "establishment"))
        self.progress("Bedrijven en vestigingen", target, target)

    def _plant_circles(self, n_circles: int) -> None:
        """Related waste companies (one shared director) that ship the same waste around in a circle."""
        rng = self.rng
        waste_sectors = [s for s in SECTORS if s.key in ("afvalverwerker", "schroothandel")]
        for _ in range(n_circles):
            director = self._person("KVK-C")
            city = rng.choice(
                [c for c in CITIES if c.name in ("Rotterdam", "Moerdijk", "Amsterdam", "Dordrecht", "Tilburg")]
            )
            members = []
            for member in range(3):
                sector = waste_sectors[member % 2]
                sites = self._company(sector, city, [director, self._person("KVK-C")], form="bv")[:1]
                self.sites.extend(sites)
                members.append(len(self.sites) - 1)
            self._circles.append((members, director[0]))

    def _succeed(self, site: Site, form: str, persons: list[tuple[int, str]], address_id: int, date: dt.date) -> None:
        """A KvK number change: same address, same people, a new legal entity and establishment."""
        rng = self.rng
        new_form = "bv" if form != "bv" else rng.choice(("bv", "nv"))
        base = site.name
        for suffix in (" B.V.", " N.V.", " V.O.F.", " C.V."):
            base = base.removesuffix(suffix)
        new_name = f"{base} {'B.V.' if new_form == 'bv' else 'N.V.'}" if rng.random() < 0.6 else f"{base} Holding B.V."
        new_le, new_kvk = self._legal_entity(new_name, new_form, site.sector, date)
        for person_id, _surname in persons:
            self._role(person_id, new_le, PersonRole.BESTUURDER.value, date, None)
        new_est, _ = self._establishment(new_le, new_name, address_id, site.sector, main=True, start=date, end=None)
        link_id = self._next("legal_entity_link")
        reason = "Omzetting rechtsvorm" if form != new_form else "Overname onderneming"
        self._emit(
            "legal_entity_link",
            (
                link_id,
                LegalEntityLinkKind.OPVOLGING.value,
                site.legal_entity_id,
                new_le,
                None,
                date.isoformat(),
                reason,
                *self._provenance("KVK", f"OPV-{link_id}"),
            ),
        )
        site.successor = (date, new_est, new_le, new_kvk, new_name)
        self.truth["kvk_successions"].append(
            {
                "old_kvk": site.kvk,
                "new_kvk": new_kvk,
                "old_legal_entity_id": site.legal_entity_id,
                "new_legal_entity_id": new_le,
                "old_establishment_id": site.establishment_id,
                "new_establishment_id": new_est,
                "address_id": address_id,
                "person_ids": [p for p, _ in persons],
                "date": date.isoformat(),
            }
        )

    def _duplicates(self) -> None:
        """Partners that registered a known establishment again in their own system, with errors."""
        rng = self.rng
        count = max(5, len(self.sites) * 3 // 100)
        for index in rng.sample(range(len(self.sites)), min(count, len(self.sites))):
            site = self.sites[index]
            org = site.city.od_code if rng.random() < 0.75 else rng.choice(("ILT", "NVWA", "NLA"))
            if org in site.duplicates:
                continue
            variant = name_variant(rng, site.name)
            address_id = self._dup_address(site)
            number = None if rng.random() < 0.6 else wrong_digits(rng, str(next(self._establishment_numbers)))
            dup_id, _ = self._establishment(
                None,
                variant,
                address_id,
                site.sector,
                main=True,
                start=WORLD_START,
                end=None,
                org=org,
                number=number,
                key=f"{org}-INR-{site.establishment_id}",
            )
            site.duplicates[org] = dup_id
            self.truth["duplicate_establishments"][str(dup_id)] = site.establishment_id
            self.truth["name_variants"].append({"establishment_id": dup_id, "true_name": site.name, "variant": variant})

    def _dup_address(self, site: Site) -> int:
        """The partner's copy of the address: same postcode and number, written its own way."""
        rng = self.rng
        address_id = self._next("address")
        street = typo(rng, site.street) if rng.random() < 0.3 else site.street
        postcode = site.postcode if rng.random() < 0.85 else site.postcode.replace(" ", "")
        lat, lon = random_point(rng, site.city)
        city = site.city.name.upper() if rng.random() < 0.2 else site.city.name
        addition = rng.choice(("", "", "A", "a"))
        self._emit(
            "address",
            (
                address_id,
                street,
                site.house_number,
                addition,
                postcode,
                city,
                site.city.municipality,
                lat,
                lon,
            ),
        )
        return address_id

    # -- records --------------------------------------------------------------------------------

    def _records(self) -> None:
        rng = self.rng
        truth_path = self.out_dir / "record-truth.csv"
        with truth_path.open("w", encoding="utf-8", newline="") as handle:
            self._truth_writer = csv.writer(handle)
            self._truth_writer.writerow(("record_id", "true_establishment_id"))
            planted = self._plant_spread_findings() + self._plant_circle_transports()
            remaining = max(0, self.spec.records - planted)
            weights = list(
                itertools.accumulate(
                    (3.0 if site.sector.ships else 1.0) * (0.2 + rng.expovariate(1.0)) for site in self.sites
                )
            )
            total = weights[-1]
            for done in range(remaining):
                site = self.sites[bisect.bisect_left(weights, rng.random() * total)]
                self._random_record(site)
                if done % 50_000 == 0:
                    self.progress("Registraties", done, remaining)
            self._flush_all(("record", "inspection", "permit", "report", "transport"))
            self.progress("Registraties", remaining, remaining)

    def _org_for_theme(self, theme: str, site: Site) -> str:
        rng = self.rng
        od = site.city.od_code
        if theme in ("mest", "gewasbescherming"):
            return rng.choice(("NVWA", "NVWA", od))
        if theme == "arbeidsomstandigheden":
            return "NLA"
        if theme == "asbest":
            return rng.choice((od, od, "NLA"))
        if theme in ("f-gassen", "e-steps", "helmen"):
            return rng.choice(("ILT", "ILT", od)) if theme == "f-gassen" else rng.choice(("ILT", "NVWA"))
        if theme == "afval" and rng.random() < 0.25:
            return "ILT"
        return od

    @staticmethod
    def _criminal_unit(org: str) -> str:
        if org in OMGEVINGSDIENSTEN:
            return f"{org}-BOA"
        return {"ILT": "ILT-IOD", "NVWA": "NVWA-IOD", "NLA": "NLA-DO"}.get(org, "POLITIE")

    def _confidentiality(self, org: str, kind: str) -> str:
        rng = self.rng
        if kind == "vergunning":
            return rng.choice((C.OPENBAAR, C.BEPERKT_OPENBAAR, C.INTERN)).value
        if org.endswith("-BOA") or org in ("ILT-IOD", "NVWA-IOD", "NLA-DO", "POLITIE", "OM-FP"):
            return rng.choice((C.VERTROUWELIJK, C.VERTROUWELIJK, C.CONFIDENTIEEL, C.GEHEIM)).value
        roll = rng.random()
        if roll < 0.6:
            return C.INTERN.value
        if roll < 0.95:
            return C.ZAAKVERTROUWELIJK.value
        return C.VERTROUWELIJK.value

    def _subject_at(self, site: Site, date: dt.date, org: str) -> tuple[int, int, str, str]:
        """(establishment as the partner knows it, true establishment, true name, true KvK) at ``date``."""
        if site.successor and date >= site.successor[0]:
            _date, est_id, _le, kvk, name = site.successor
            return est_id, est_id, name, kvk
        known = site.duplicates.get(org, site.establishment_id)
        if known != site.establishment_id and self.rng.random() < 0.2:
            known = site.establishment_id
        return known, site.establishment_id, site.name, site.kvk

    def _base_record(self, kind: str, site: Site, org: str, theme: str, date: dt.date, *, mess: bool = True) -> int:
        """Emit the ``record`` row with what the partner reported; returns the record id."""
        rng = self.rng
        record_id = self._next("record")
        known, true_id, name, kvk = self._subject_at(site, date, org)
        reported_name, reported_kvk = name, kvk
        if mess:
            roll = rng.random()
            if roll < 0.07:
                reported_name = name_variant(rng, name)
                self.truth["name_variants"].append(
                    {"record_id": record_id, "true_name": name, "variant": reported_name}
                )
            roll = rng.random()
            missing_rate = 0.35 if org == "POLITIE" else 0.08
            if roll < missing_rate:
                reported_kvk = ""
                self.truth["missing_kvk"].append(record_id)
            elif roll < missing_rate + 0.02:
                reported_kvk = wrong_digits(rng, kvk)
                self.truth["wrong_kvk"].append({"record_id": record_id, "reported": reported_kvk, "true": kvk})
        year = date.year
        self._emit(
            "record",
            (
                record_id,
                kind,
                known,
                theme,
                self._confidentiality(org, kind),
                date.isoformat(),
                reported_name,
                reported_kvk,
                site.postcode,
                str(site.house_number),
                *self._provenance(org, f"{org}-{year}-{record_id:08d}"),
            ),
        )
        self._truth_writer.writerow((record_id, true_id))
        return record_id

    def _inspection(
        self,
        site: Site,
        org: str,
        theme: str,
        date: dt.date,
        outcome: str,
        severity: str,
        *,
        mess: bool = True,
    ) -> int:
        record_id = self._base_record("inspectie", site, org, theme, date, mess=mess)
        findings = (
            catalog.CLEAN_FINDINGS
            if outcome == O.GEEN_OVERTREDING
            else self.rng.choice(catalog.FINDINGS.get(theme, (catalog.CLEAN_FINDINGS,)))
        )
        self._emit("inspection", (record_id, findings, outcome, severity))
        return record_id

    def _transport(
        self,
        site: Site,
        material: str,
        receiver: Site,
        date: dt.date,
        code: str,
        quantity: float,
        *,
        mess: bool = True,
    ) -> int:
        org = "RWS-LMA" if material == "afval" else "RVO"
        theme = "afval" if material == "afval" else "mest"
        record_id = self._base_record("transport", site, org, theme, date, mess=mess)
        receiver_id = self._subject_at(receiver, date, "KVK")[1]
        carrier = None
        self._emit("transport", (record_id, material, code, round(quantity, 1), receiver_id, carrier))
        return record_id

    def _random_outcome(self, criminal: bool) -> tuple[str, str]:
        roll = self.rng.random()
        if criminal:
            return (
                (O.PROCES_VERBAAL.value, Severity.HOOG.value)
                if roll < 0.6
                else (O.OVERTREDING.value, Severity.MIDDEL.value)
            )
        if roll < 0.6:
            return O.GEEN_OVERTREDING.value, Severity.GEEN.value
        if roll < 0.75:
            return O.WAARSCHUWING.value, Severity.LAAG.value
        if roll < 0.9:
            return O.OVERTREDING.value, self.rng.choice((Severity.LAAG, Severity.MIDDEL)).value
        if roll < 0.96:
            return O.LAST_ONDER_DWANGSOM.value, Severity.HOOG.value
        return O.BESTUURSLIJKE_BOETE.value, self.rng.choice((Severity.HOOG, Severity.ZEER_HOOG)).value

    def _random_record(self, site: Site) -> None:
        rng = self.rng
        date = self._date()
        roll = rng.random()
        sector = site.sector
        if sector.ships and roll < 0.35 and self.receivers[sector.ships]:
            material = sector.ships
            receiver = self.sites[rng.choice(self.receivers[material])]
            codes = catalog.WASTE_CODES if material == "afval" else catalog.MANURE_CODES
            self._transport(site, material, receiver, date, rng.choice(codes)[0], rng.uniform(500, 30_000))
            return
        theme = rng.choice(sector.themes)
        if roll < 0.7:
            org = self._org_for_theme(theme, site)
            criminal = rng.random() < 0.04
            if criminal:
                org = self._criminal_unit(org)
            outcome, severity = self._random_outcome(criminal)
            self._inspection(site, org, theme, date, outcome, severity)
        elif roll < 0.82:
            org = site.city.od_code if sector.key != "chemie" else rng.choice((site.city.od_code, "PROV-ZH", "PROV-NB"))
            record_id = self._base_record("vergunning", site, org, theme, date)
            valid_until = date + dt.timedelta(days=365 * rng.choice((5, 10, 15)))
            self._emit(
                "permit",
                (
                    record_id,
                    f"Z/{date.year}/{record_id:07d}",
                    rng.choice(sector.activities),
                    rng.choice(("verleend", "verleend", "verleend", "ingetrokken", "aangevraagd")),
                    valid_until.isoformat(),
                ),
            )
        else:
            org = site.city.od_code
            record_id = self._base_record("melding", site, org, theme, date)
            self._emit(
                "report",
                (
                    record_id,
                    rng.choice(("telefoon", "webformulier", "e-mail", "balie")),
                    rng.choice(catalog.REPORT_TEXTS),
                    rng.choice(("ontvangen", "in behandeling", "afgehandeld", "afgehandeld")),
                ),
            )

    def _plant_spread_findings(self) -> int:
        """Establishments with findings spread over several partners, each seeing only one or two."""
        rng = self.rng
        count = max(3, len(self.sites) // 1000)
        plain = [i for i, s in enumerate(self.sites) if not s.successor and not s.duplicates and not s.sector.receives]
        written = 0
        for index in rng.sample(plain, min(count, len(plain))):
            site = self.sites[index]
            window_start = self._date(WORLD_START, WORLD_END - dt.timedelta(days=400))
            partners = [
                (site.city.od_code, rng.choice(site.sector.themes)),
                ("ILT", "afval"),
                ("NVWA", rng.choice(("mest", "gewasbescherming"))),
                ("NLA", "arbeidsomstandigheden"),
                (f"{site.city.od_code}-BOA", rng.choice(site.sector.themes)),
            ]
            record_ids = []
            for org, theme in partners:
                date = self._date(window_start, window_start + dt.timedelta(days=365))
                outcome = rng.choice((O.OVERTREDING, O.WAARSCHUWING)).value
                record_ids.append(
                    self._inspection(
                        site,
                        org,
                        theme,
                        date,
                        outcome,
                        rng.choice((Severity.LAAG, Severity.MIDDEL)).value,
                        mess=False,
                    )
                )
            written += len(record_ids)
            self.truth["spread_findings"].append(
                {
                    "establishment_id": site.establishment_id,
                    "organisation_codes": [org for org, _ in partners],
                    "record_ids": record_ids,
                }
            )
        return written

    def _plant_circle_transports(self) -> int:
        """Waste going round in a circle between related companies, in implausible amounts."""
        rng = self.rng
        written = 0
        for members, director in self._circles:
            sites = [self.sites[i] for i in members]
            code = rng.choice(("17 05 04", "19 12 12", "17 09 04"))
            transport_ids = []
            start = self._date(WORLD_START, WORLD_END - dt.timedelta(days=200))
            for leg in range(12):
                date = start + dt.timedelta(days=leg * 14)
                for position, sender in enumerate(sites):
                    receiver = sites[(position + 1) % len(sites)]
                    transport_ids.append(
                        self._transport(sender, "afval", receiver, date, code, rng.uniform(24_000, 26_000), mess=False)
                    )
            written += len(transport_ids)
            self.truth["circular_waste_flows"].append(
                {
                    "legal_entity_ids": [s.legal_entity_id for s in sites],
                    "establishment_ids": [s.establishment_id for s in sites],
                    "transport_ids": transport_ids,
                    "shared_person_ids": [director],
                    "why": f"Dezelfde afvalstof ({code}) gaat in 24 weken rond tussen drie bedrijven met dezelfde "
                    "bestuurder, telkens ongeveer 25 ton: er wordt niets verwerkt.",
                }
            )
        return written


def iter_truth_records(path: Path) -> Iterator[tuple[int, int]]:
    """(record id, true establishment id) pairs from a ``record-truth.csv``."""
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for record_id, establishment_id in reader:
            yield int(record_id), int(establishment_id)
