"""The webwatch services the web and command-line shells call, gathered in one place.

Each purpose has its own module: ``writes`` (the crawler storing pages and offers as a system
actor), ``lifecycle`` (starting and finishing crawls), ``reads`` (gated, audited reads for people
under their stated purpose) and ``training`` (labels and the themes' text models).
"""

from __future__ import annotations

from plein.webwatch.evidence import default_evidence_root
from plein.webwatch.lifecycle import DEFAULT_ORGANISATION, crawl_organisation, ensure_themes, finish_crawl, start_crawl
from plein.webwatch.reads import (
    MIN_EVIDENCE_REASON,
    EvidenceView,
    crawl_pages,
    evidence_view,
    get_offer,
    list_crawls,
    list_offers,
    market_view,
    offer_evidence,
    read_evidence,
)
from plein.webwatch.training import add_training_labels, label_offer, load_models, model_path, retrain
from plein.webwatch.writes import SOURCE_SYSTEM, CrawlStore, PageResult, url_hash

__all__ = [
    "DEFAULT_ORGANISATION",
    "MIN_EVIDENCE_REASON",
    "SOURCE_SYSTEM",
    "CrawlStore",
    "EvidenceView",
    "PageResult",
    "add_training_labels",
    "crawl_organisation",
    "crawl_pages",
    "default_evidence_root",
    "ensure_themes",
    "evidence_view",
    "finish_crawl",
    "get_offer",
    "label_offer",
    "list_crawls",
    "list_offers",
    "load_models",
    "market_view",
    "model_path",
    "offer_evidence",
    "read_evidence",
    "retrain",
    "start_crawl",
    "url_hash",
]
