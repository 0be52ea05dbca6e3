"""The only module that reads or writes the webwatch tables, always through the policy gate.

Writes come from the crawler as a system actor of the crawling organisation under the processing
activity ``gegevensaanlevering``; reads (worklist, market view, evidence, exports, label
corrections) come from people under their stated purpose. Offers belong to the organisation that
crawled them, like records: the gate decides who sees them, and every read is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plein.core.models import ImportBatch, LegalEntity, Organisation, Theme, utcnow
from plein.errors import ValidationError
from plein.policy.gate import Gate
from plein.policy.register import AANLEVERING
from plein.policy.roles import Actor, Purpose, Role
from plein.settings import Settings, get_settings
from plein.store.engine import session_factory
from plein.webwatch.classify import OfferText, TextModel, classify
from plein.webwatch.evidence import EvidencePage, StoredPage, read_page
from plein.webwatch.models import WebCrawl, WebLabel, WebObservation, WebOffer, WebPage
from plein.webwatch.process import ProcessedOffer
from plein.webwatch.themes import Theme as WebTheme
from plein.webwatch.themes import load_themes
from plein.webwatch.visibility import visible_offers

SOURCE_SYSTEM = "webwatch"
DEFAULT_ORGANISATION = ("ILT", "Inspectie Leefomgeving en Transport")
LABELLERS = frozenset({Role.ANALIST, Role.INSPECTEUR})


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def default_evidence_root(settings: Settings | None = None) -> Path:
    """Where WARC files live; access goes through ``read_evidence`` only."""
    return (settings or get_settings()).var_dir / "webwatch" / "evidence"


def model_path(theme_code: str, settings: Settings | None = None) -> Path:
    return (settings or get_settings()).var_dir / "webwatch" / "models" / f"{theme_code}.pickle"


def load_models(theme_codes: list[str], settings: Settings | None = None) -> dict[str, TextModel]:
    return {code: TextModel.load(model_path(code, settings)) for code in theme_codes}


# ------------------------------------------------------------------------------------------- writes


@dataclass
class PageResult:
    """What the crawler hands over for one page."""

    url: str
    status: int
    content_type: str
    stored: StoredPage | None
    problem: str
    offers: list[ProcessedOffer]
    fetched_at: dt.datetime


class CrawlStore:
    """Write side for one crawl, used inside the crawler process."""

    def __init__(self, engine: Engine, crawl_id: str, organisation_id: int, evidence_root: Path | None = None) -> None:
        self.evidence_root = evidence_root or default_evidence_root()
        self.sessions = session_factory(engine)
        self.crawl_id = crawl_id
        self.organisation_id = organisation_id
        self.actor = Actor.system("webwatch", organisation_id=organisation_id)

    def _gate(self, session: Session) -> Gate:
        return Gate(session, self.actor, Purpose.for_activity(AANLEVERING))

    def fetched(self, url: str) -> WebPage | None:
        """The page of this crawl at ``url`` when it was already fetched successfully (for resuming)."""
        with self.sessions() as session:
            return session.scalars(
                select(WebPage).where(
                    WebPage.crawl_id == self.crawl_id, WebPage.url_hash == url_hash(url), WebPage.warc_offset >= 0
                )
            ).first()

    def record_page(self, result: PageResult) -> int:
        """Store the page and its offers in one transaction; retried once on a concurrent insert."""
        for attempt in range(3):
            try:
                return self._record_page(result)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _record_page(self, result: PageResult) -> int:
        with self.sessions() as session:
            gate = self._gate(session)
            page = session.scalars(
                select(WebPage).where(WebPage.crawl_id == self.crawl_id, WebPage.url_hash == url_hash(result.url))
            ).first()
            if page is None:
                page = WebPage(crawl_id=self.crawl_id, url=result.url, url_hash=url_hash(result.url))
                session.add(page)
            page.fetched_at = result.fetched_at
            page.status_code = result.status
            page.content_type = result.content_type[:200]
            page.problem = result.problem
            page.offers_found = len(result.offers)
            if result.stored is not None:
                page.content_hash = result.stored.content_hash
                page.size = result.stored.size
                page.warc_file = result.stored.warc_file
                page.warc_offset = result.stored.offset
            session.flush()
            if result.offers:
                gate.authorise_record_write(
                    self.organisation_id,
                    action="webwatch.aanbod.vastleggen",
                    object_id=result.url[:200],
                    subjects=[("kvk", o.offer.seller_kvk) for o in result.offers if o.offer.seller_kvk],
                )
            for processed in result.offers:
                self._upsert_offer(session, processed, page, result)
            session.commit()
            return page.id

    def _upsert_offer(self, session: Session, processed: ProcessedOffer, page: WebPage, result: PageResult) -> None:
        offer = session.scalars(
            select(WebOffer).where(
                WebOffer.theme_code == processed.theme_code, WebOffer.fingerprint == processed.fingerprint
            )
        ).first()
        data = processed.offer
        content = hashlib.sha256(f"{data.title}|{data.description}|{data.price}".encode()).hexdigest()
        now = result.fetched_at
        if offer is None:
            offer = WebOffer(
                theme_code=processed.theme_code,
                fingerprint=processed.fingerprint,
                source_system=SOURCE_SYSTEM,
                source_organisation_id=self.organisation_id,
                source_key=processed.fingerprint[:120],
                crawl_id=self.crawl_id,
                first_seen=now,
                status="nieuw",
                urls=[],
                platforms=[],
                import_batch_id=session.scalar(select(WebCrawl.import_batch_id).where(WebCrawl.id == self.crawl_id)),
            )
            session.add(offer)
        elif offer.last_crawl_id != self.crawl_id:
            if offer.status == "verdwenen":
                offer.status = "terug"
                offer.reappeared += 1
            elif offer.content_hash != content:
                offer.status = "gewijzigd"
            else:
                offer.status = "actief"
        offer.url = data.url
        offer.urls = list(dict.fromkeys([*(offer.urls or []), data.url]))[-50:]
        offer.platform = data.platform
        offer.platforms = list(dict.fromkeys([*(offer.platforms or []), data.platform]))
        for name in ("title", "description", "currency", "sku", "mpn", "brand", "model", "availability", "category"):
            setattr(offer, name, (getattr(data, name) or "")[: _limit(name)])
        offer.price = data.price
        offer.gtin = data.gtin[:14]
        offer.image_urls = data.image_urls[:10]
        offer.seller_name = processed.seller_name[:200]
        offer.seller_type = data.seller_type
        offer.seller_pseudonym = processed.seller_pseudonym
        offer.seller_kvk = data.seller_kvk[:8]
        offer.seller_vat = data.seller_vat[:14]
        if data.seller_kvk:
            offer.legal_entity_id = session.scalar(
                select(LegalEntity.id).where(LegalEntity.kvk == data.seller_kvk).order_by(LegalEntity.id).limit(1)
            )
        offer.personal_data_removed = processed.personal_data_removed
        offer.last_seen = now
        offer.last_crawl_id = self.crawl_id
        offer.last_page_id = page.id
        offer.content_hash = content
        verdict = processed.verdict
        offer.score, offer.rule_score, offer.model_score = verdict.score, verdict.rule_score, verdict.model_score
        offer.likely_violation = verdict.likely_violation if offer.label is None else bool(offer.label)
        offer.reasons = verdict.reasons
        offer.rules_hit = verdict.rules_hit
        session.flush()
        exists = session.scalar(
            select(func.count())
            .select_from(WebObservation)
            .where(
                WebObservation.offer_id == offer.id,
                WebObservation.crawl_id == self.crawl_id,
                WebObservation.page_id == page.id,
            )
        )
        if not exists:
            session.add(
                WebObservation(
                    offer_id=offer.id,
                    crawl_id=self.crawl_id,
                    page_id=page.id,
                    seen_at=now,
                    price=data.price,
                    content_hash=content,
                )
            )


def _limit(name: str) -> int:
    return {"currency": 3, "sku": 120, "mpn": 120, "brand": 200, "model": 200, "availability": 60}.get(name, 100_000)


def crawl_organisation(session: Session, code: str) -> Organisation:
    """The organisation on whose behalf a crawl runs; ILT is created when the database has none yet."""
    organisation = session.scalars(select(Organisation).where(Organisation.code == code)).first()
    if organisation is None:
        if code != DEFAULT_ORGANISATION[0]:
            raise ValidationError(f"Organisatie {code!r} bestaat niet; kies een bestaande organisatiecode.")
        organisation = Organisation(
            code=code, name=DEFAULT_ORGANISATION[1], kind="rijksinspectie", legal_domain="bestuursrecht"
        )
        session.add(organisation)
        session.flush()
    return organisation


def ensure_themes(session: Session, themes: list[WebTheme]) -> None:
    """Theme rows for the webwatch themes, so offers can point at them like records do."""
    for theme in themes:
        if session.get(Theme, theme.code) is None:
            session.add(Theme(code=theme.code, name=theme.name, description=theme.description))
    session.flush()


def start_crawl(
    engine: Engine,
    themes: list[WebTheme],
    start_urls: list[str],
    *,
    crawl_id: str | None = None,
    mode: str = "lokaal",
    organisation_code: str = "ILT",
) -> tuple[str, int]:
    """Create a crawl (or pick up an existing one to resume or share it); returns (crawl id, organisation id).

    Several processes of one shared crawl may start at once: whoever loses the race to insert the
    organisation, a theme or the crawl itself simply tries again and joins.
    """
    for _attempt in range(4):
        try:
            return _start_crawl(engine, themes, start_urls, crawl_id, mode, organisation_code)
        except IntegrityError:
            continue
    return _start_crawl(engine, themes, start_urls, crawl_id, mode, organisation_code)


def _start_crawl(
    engine: Engine,
    themes: list[WebTheme],
    start_urls: list[str],
    crawl_id: str | None,
    mode: str,
    organisation_code: str,
) -> tuple[str, int]:
    with session_factory(engine)() as session:
        organisation = crawl_organisation(session, organisation_code)
        ensure_themes(session, themes)
        crawl = session.get(WebCrawl, crawl_id) if crawl_id else None
        if crawl is None:
            batch = ImportBatch(
                organisation_id=organisation.id,
                source_system=SOURCE_SYSTEM,
                kind="crawl",
                description=f"Crawl {', '.join(t.code for t in themes)}",
            )
            session.add(batch)
            session.flush()
            crawl = WebCrawl(
                id=crawl_id or f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}",
                themes=[t.code for t in themes],
                start_urls=start_urls,
                mode=mode,
                organisation_id=organisation.id,
                import_batch_id=batch.id,
            )
            session.add(crawl)
        else:
            crawl.status = "bezig"
        session.commit()
        return crawl.id, organisation.id


def finish_crawl(engine: Engine, crawl_id: str, status: str, stats: dict[str, Any]) -> dict[str, int]:
    """Close the crawl: offers of its themes not seen in it are marked 'verdwenen'; returns counts."""
    with session_factory(engine)() as session:
        crawl = session.get(WebCrawl, crawl_id)
        if crawl is None:
            raise ValidationError(f"Crawl {crawl_id} bestaat niet.")
        crawl.status = status
        crawl.finished_at = utcnow()
        crawl.stats = {**(crawl.stats or {}), **stats}
        if status == "klaar":
            session.execute(
                update(WebOffer)
                .where(
                    WebOffer.theme_code.in_(crawl.themes),
                    WebOffer.last_crawl_id != crawl_id,
                    WebOffer.status != "verdwenen",
                    WebOffer.source_organisation_id == crawl.organisation_id,
                )
                .values(status="verdwenen")
            )
        pages = session.scalar(select(func.count()).select_from(WebPage).where(WebPage.crawl_id == crawl_id)) or 0
        offers = (
            session.scalar(
                select(func.count(func.distinct(WebObservation.offer_id))).where(WebObservation.crawl_id == crawl_id)
            )
            or 0
        )
        problems = (
            session.scalar(
                select(func.count()).select_from(WebPage).where(WebPage.crawl_id == crawl_id, WebPage.problem != "")
            )
            or 0
        )
        crawl.stats = {**crawl.stats, "pagina's": pages, "aanbiedingen": offers, "problemen": problems}
        batch = session.get(ImportBatch, crawl.import_batch_id) if crawl.import_batch_id else None
        if batch is not None:
            batch.finished_at = crawl.finished_at
            batch.status = "finished" if status == "klaar" else status
            batch.rows_in = pages
            batch.rows_stored = offers
        session.commit()
        return {"pagina's": pages, "aanbiedingen": offers, "problemen": problems}


# -------------------------------------------------------------------------------------------- reads


def list_offers(
    gate: Gate,
    theme: str | None = None,
    *,
    only_violations: bool = False,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
    order: str = "score",
) -> tuple[int, list[WebOffer]]:
    """Offers visible to the actor, highest score first (``order``: ``score``, ``nieuwste`` last seen
    first, ``prijs`` lowest price first): the inspector's worklist when ``only_violations``. Audited
    with the number of offers read."""
    query = select(WebOffer).where(visible_offers(gate, "webwatch.aanbod.lezen"))
    if theme:
        query = query.where(WebOffer.theme_code == theme)
    if only_violations:
        query = query.where(WebOffer.likely_violation.is_(True), WebOffer.status != "verdwenen")
    if status:
        query = query.where(WebOffer.status == status)
    total = gate.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    orders: dict[str, tuple[Any, ...]] = {
        "score": (WebOffer.score.desc(), WebOffer.id),
        "nieuwste": (WebOffer.last_seen.desc(), WebOffer.id),
        "prijs": (WebOffer.price.is_(None), WebOffer.price.asc(), WebOffer.id),
    }
    rows = list(gate.session.scalars(query.order_by(*orders.get(order, orders["score"])).offset(offset).limit(limit)))
    gate.audit(
        "webwatch.aanbod.lezen",
        object_type="webaanbod",
        details={"thema": theme or "", "aantal": len(rows)},
        subjects=[("kvk", o.seller_kvk) for o in rows if o.seller_kvk],
    )
    return total, rows


def get_offer(gate: Gate, offer_id: int) -> WebOffer:
    """One offer, or NotVisible (404) when absent or not allowed: one answer for both."""
    from plein.policy.errors import NotVisible

    offer = gate.session.scalars(
        select(WebOffer).where(WebOffer.id == offer_id, visible_offers(gate, "webwatch.aanbod.lezen"))
    ).first()
    if offer is None:
        gate.audit(
            "webwatch.aanbod.lezen",
            status="geweigerd",
            rule="need-to-know",
            object_type="webaanbod",
            object_id=str(offer_id),
            durable=True,
        )
        raise NotVisible("Aanbod", offer_id)
    gate.audit(
        "webwatch.aanbod.lezen",
        object_type="webaanbod",
        object_id=str(offer_id),
        subjects=[("kvk", offer.seller_kvk)] if offer.seller_kvk else [],
    )
    return offer


def offer_evidence(gate: Gate, offer_id: int) -> list[tuple[WebObservation, WebPage]]:
    """Every observation of an offer with its page (date, URL, content hash): the evidence list."""
    offer = get_offer(gate, offer_id)
    rows = gate.session.execute(
        select(WebObservation, WebPage)
        .join(WebPage, WebPage.id == WebObservation.page_id)
        .where(WebObservation.offer_id == offer.id)
        .order_by(WebObservation.seen_at.desc())
    ).all()
    return [(observation, page) for observation, page in rows]


def read_evidence(gate: Gate, offer_id: int, page_id: int, settings: Settings | None = None) -> EvidencePage:
    """The raw page as fetched (access-restricted: only via a visible offer), audited."""
    from plein.policy.errors import NotVisible

    offer = get_offer(gate, offer_id)
    page = gate.session.scalars(
        select(WebPage)
        .join(WebObservation, WebObservation.page_id == WebPage.id)
        .where(WebObservation.offer_id == offer.id, WebPage.id == page_id)
    ).first()
    if page is None or page.warc_offset < 0:
        raise NotVisible("Bewijspagina", page_id)
    gate.audit(
        "webwatch.bewijs.lezen", object_type="webpagina", object_id=str(page_id), details={"hash": page.content_hash}
    )
    return read_page(default_evidence_root(settings), page.warc_file, page.warc_offset)


def market_view(gate: Gate, theme: str) -> dict[str, Any]:
    """Offers, sellers and platforms per crawl over time, plus the changes since the last crawl."""
    visible = visible_offers(gate, "webwatch.marktbeeld.lezen")
    session = gate.session
    per_crawl = session.execute(
        select(
            WebCrawl.id,
            WebCrawl.started_at,
            func.count(func.distinct(WebObservation.offer_id)),
            func.count(func.distinct(WebOffer.seller_name)),
            func.count(func.distinct(WebOffer.platform)),
        )
        .join(WebObservation, WebObservation.crawl_id == WebCrawl.id)
        .join(WebOffer, WebOffer.id == WebObservation.offer_id)
        .where(WebOffer.theme_code == theme, visible)
        .group_by(WebCrawl.id, WebCrawl.started_at)
        .order_by(WebCrawl.started_at)
    ).all()
    offers = list(session.scalars(select(WebOffer).where(WebOffer.theme_code == theme, visible)))
    platforms: dict[str, Counter[str]] = defaultdict(Counter)
    for offer in offers:
        platforms[offer.platform]["aanbiedingen"] += offer.status != "verdwenen"
        platforms[offer.platform]["overtredingen"] += offer.likely_violation and offer.status != "verdwenen"
    sellers = Counter(o.seller_name for o in offers if o.status != "verdwenen")
    gate.audit("webwatch.marktbeeld.lezen", object_type="thema", object_id=theme)
    return {
        "thema": theme,
        "crawls": [
            {"crawl": c, "datum": d, "aanbiedingen": n, "verkopers": s, "platforms": p} for c, d, n, s, p in per_crawl
        ],
        "status": dict(Counter(o.status for o in offers)),
        "platforms": {k: dict(v) for k, v in sorted(platforms.items())},
        "verkopers": sellers.most_common(20),
        "waarschijnlijke_overtredingen": sum(o.likely_violation and o.status != "verdwenen" for o in offers),
        "gekoppeld_aan_kvk": sum(1 for o in offers if o.legal_entity_id is not None),
    }


def list_crawls(gate: Gate, limit: int = 20) -> list[WebCrawl]:
    """Recent crawls of the actor's organisation (progress and counts)."""
    gate.record_clause("webwatch.crawls.lezen")
    query = select(WebCrawl).order_by(WebCrawl.started_at.desc()).limit(limit)
    if gate.scope().kind != "alle":
        query = query.where(WebCrawl.organisation_id == gate.actor.organisation_id)
    return list(gate.session.scalars(query))


def crawl_pages(gate: Gate, crawl_id: str, problems_only: bool = False) -> list[WebPage]:
    """Pages of one crawl of the actor's organisation, with their status and problem."""
    crawls = {c.id for c in list_crawls(gate, limit=10_000)}
    if crawl_id not in crawls:
        from plein.policy.errors import NotVisible

        raise NotVisible("Crawl", crawl_id)
    query = select(WebPage).where(WebPage.crawl_id == crawl_id).order_by(WebPage.id)
    if problems_only:
        query = query.where(WebPage.problem != "")
    return list(gate.session.scalars(query))


# ------------------------------------------------------------------------------ labels and training


def label_offer(gate: Gate, offer_id: int, label: bool, note: str = "") -> WebOffer:
    """An analyst's correction: kept as a WebLabel (with the scrubbed text) and applied to the offer."""
    from plein.policy.errors import Refused

    offer = get_offer(gate, offer_id)
    if gate.actor.role not in LABELLERS:
        gate.audit("webwatch.label.corrigeren", status="geweigerd", rule="rol", durable=True)
        raise Refused("rol", "Alleen analisten en inspecteurs mogen een beoordeling corrigeren.")
    gate.session.add(
        WebLabel(
            offer_id=offer.id,
            theme_code=offer.theme_code,
            label=label,
            text=f"{offer.title}\n{offer.category}\n{offer.description}",
            analyst=gate.actor.username,
            note=note[:2000],
        )
    )
    offer.label = label
    offer.likely_violation = label
    gate.audit("webwatch.label.corrigeren", object_type="webaanbod", object_id=str(offer.id), details={"label": label})
    return offer


def add_training_labels(engine: Engine, theme_code: str, labelled: list[tuple[str, bool]], source: str) -> int:
    """Labelled texts from outside (e.g. the demo ground truth) as training data for ``theme_code``."""
    with session_factory(engine)() as session:
        for text, label in labelled:
            session.add(WebLabel(offer_id=None, theme_code=theme_code, label=label, text=text, analyst=source))
        session.commit()
    return len(labelled)


def retrain(engine: Engine, theme_code: str, settings: Settings | None = None) -> TextModel:
    """Train the theme's text model on all labels (the newest label per offer wins) and re-score
    the theme's offers with it; the model is saved under var/webwatch/models."""
    themes = load_themes()
    if theme_code not in themes:
        raise ValidationError(f"Onbekend thema {theme_code!r}.")
    theme = themes[theme_code]
    with session_factory(engine)() as session:
        labels = list(
            session.scalars(
                select(WebLabel).where(WebLabel.theme_code == theme_code).order_by(WebLabel.created_at, WebLabel.id)
            )
        )
        newest: dict[object, WebLabel] = {}
        for row in labels:
            newest[row.offer_id if row.offer_id is not None else f"tekst:{row.id}"] = row
        model = TextModel.train([r.text for r in newest.values()], [r.label for r in newest.values()])
        model.save(model_path(theme_code, settings))
        for offer in session.scalars(select(WebOffer).where(WebOffer.theme_code == theme_code)):
            verdict = classify(
                theme, OfferText(offer.title, offer.description, offer.price, offer.seller_type, offer.category), model
            )
            offer.score, offer.rule_score, offer.model_score = verdict.score, verdict.rule_score, verdict.model_score
            offer.reasons, offer.rules_hit = verdict.reasons, verdict.rules_hit
            offer.likely_violation = verdict.likely_violation if offer.label is None else bool(offer.label)
        session.commit()
    return model
