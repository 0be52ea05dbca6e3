"""From extracted offers to what may be stored for inspectors: theme, scrubbed text, pseudonymised
private seller, fingerprint and verdict. Pure functions; the crawl pipelines and tests call them."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from plein.webwatch.classify import OfferText, TextModel, Verdict, classify
from plein.webwatch.extract import ExtractedOffer
from plein.webwatch.scrub import Scrubber, pseudonym
from plein.webwatch.themes import WebTheme

COMPANY_FORM = re.compile(
    r"\b(B\.?V\.?|N\.?V\.?|V\.?O\.?F\.?|C\.?V\.?|Holding|GmbH|Ltd|Inc|S\.?A\.?R\.?L\.?)\b|&|"
    r"\b(shop|store|winkel|handel|techniek|service|nederland|online)\b",
    re.IGNORECASE,
)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?:\+31|0031|0)[\s-]?(?:\(0\)[\s-]?)?[1-9](?:[\s-]?\d){8}")


@dataclass
class ProcessedOffer:
    """An offer ready to store: only scrubbed text, and a verdict for its theme."""

    theme_code: str
    fingerprint: str
    offer: ExtractedOffer
    seller_name: str
    seller_pseudonym: str
    verdict: Verdict
    personal_data_removed: dict[str, int] = field(default_factory=dict)


def _norm_title(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    return " ".join(sorted(set(words)))


def fingerprint(offer: ExtractedOffer, seller_key: str) -> str:
    """Same seller + same product (GTIN, else the title's words) is the same offer, on any site or URL."""
    product = f"gtin:{offer.gtin}" if offer.gtin else f"titel:{_norm_title(offer.title)}"
    return hashlib.sha256(f"{seller_key}|{product}".encode()).hexdigest()


def is_private(offer: ExtractedOffer, scrubber: Scrubber) -> bool:
    """A seller is treated as a private person unless it is clearly a business (KvK, VAT, legal form)."""
    if offer.seller_type == "bedrijf" or offer.seller_kvk or offer.seller_vat:
        return False
    if offer.seller_type == "particulier":
        return True
    if not offer.seller:
        return False
    if COMPANY_FORM.search(offer.seller):
        return False
    return any(f.entity_type == "PERSON" for f in scrubber.analyze(offer.seller))


def process_offer(
    offer: ExtractedOffer,
    themes: list[WebTheme],
    scrubber: Scrubber,
    secret: str,
    models: dict[str, TextModel] | None = None,
) -> list[ProcessedOffer]:
    """One ProcessedOffer per requested theme the offer is about; none when it is about no theme."""
    topic = f"{offer.title}\n{offer.category}\n{offer.description}"
    relevant = [t for t in themes if t.is_relevant(topic)]
    if not relevant:
        return []
    private = is_private(offer, scrubber)
    raw_contact = f"{offer.description} {offer.seller_text}"
    removed: Counter[str] = Counter()
    scrubbed = ExtractedOffer(**{**offer.__dict__})
    for name in ("title", "description", "category", "seller_text", "model"):
        result = scrubber.scrub(getattr(offer, name))
        setattr(scrubbed, name, result.text)
        removed.update(f.entity_type for f in result.findings)
    seller_pseudonym = ""
    if private:
        contact = EMAIL_RE.search(raw_contact) or PHONE_RE.search(raw_contact)
        if contact:
            kind = "email" if "@" in contact.group(0) else "telefoon"
            value = contact.group(0) if kind == "email" else re.sub(r"\D", "", contact.group(0))[-9:]
            seller_pseudonym = pseudonym(secret, kind, value)
        else:
            seller_pseudonym = pseudonym(secret, "account", f"{offer.platform}:{offer.seller}")
        seller_name = f"Particulier {seller_pseudonym}"
        scrubbed.seller = seller_name
        scrubbed.seller_type = "particulier"
        if offer.seller:
            removed["PERSON"] += 1
        seller_key = seller_pseudonym
    else:
        seller_name = offer.seller
        seller_key = offer.seller_kvk or offer.seller_vat or f"{offer.platform}:{offer.seller.lower()}"
    scrubbed.seller_url = "" if private else offer.seller_url
    text = OfferText(scrubbed.title, scrubbed.description, offer.price, scrubbed.seller_type, scrubbed.category)
    key = fingerprint(offer, seller_key)
    return [
        ProcessedOffer(
            theme.code,
            key,
            scrubbed,
            seller_name,
            seller_pseudonym,
            classify(theme, text, (models or {}).get(theme.code)),
            dict(removed),
        )
        for theme in relevant
    ]
