"""Scrapy settings for a webwatch crawl: identifying User-Agent, robots.txt with Crawl-delay,
AutoThrottle, per-site politeness, retries, timeouts, size caps, and the shared Redis frontier."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from plein import __version__

USER_AGENT = (
    f"plein-webwatch/{__version__} (+https://plein.example/internettoezicht; "
    "internettoezicht door toezichthouders; contact: webwatch@plein.example)"
)


@dataclass
class CrawlConfig:
    """Everything a crawler process needs, passed through Scrapy's settings."""

    crawl_id: str
    organisation_id: int
    themes: list[str]
    database_url: str
    evidence_root: str
    secret_key: str
    start_urls: list[str] = field(default_factory=list)
    redis_url: str = ""
    redis_prefix: str = ""
    delay: float = 1.0
    concurrency_per_site: int = 2
    max_pagination: int = 50
    max_pages_per_site: int = 2000
    max_page_bytes: int = 5_000_000
    timeout: float = 20.0
    idle_seconds: float = 6.0
    log_level: str = "WARNING"

    @classmethod
    def from_settings(cls, settings: Any) -> CrawlConfig:
        return cls(**settings.getdict("PLEIN_CRAWL"))


def scrapy_settings(config: CrawlConfig) -> dict[str, Any]:
    """The Scrapy settings dict for ``config``."""
    settings: dict[str, Any] = {
        "PLEIN_CRAWL": asdict(config),
        "BOT_NAME": "plein-webwatch",
        "USER_AGENT": USER_AGENT,
        "ROBOTSTXT_OBEY": True,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "plein.webwatch.crawl.middlewares.PoliteRobotsMiddleware": 100,
            "plein.webwatch.crawl.middlewares.EvidenceReplayMiddleware": 110,
        },
        "ITEM_PIPELINES": {
            "plein.webwatch.crawl.pipelines.EvidencePipeline": 100,
            "plein.webwatch.crawl.pipelines.ExtractPipeline": 200,
            "plein.webwatch.crawl.pipelines.OfferPipeline": 300,
            "plein.webwatch.crawl.pipelines.StorePipeline": 400,
        },
        "EXTENSIONS": {
            "plein.webwatch.crawl.extensions.SharedFrontierIdle": 500,
            "plein.webwatch.crawl.extensions.RedirectLoopRecorder": 510,
        },
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": config.delay,
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(config.concurrency_per_site),
        "DOWNLOAD_DELAY": config.delay,
        "DOWNLOAD_DELAY_JITTER": 0.0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrency_per_site,
        "DOWNLOAD_TIMEOUT": config.timeout,
        "DOWNLOAD_MAXSIZE": config.max_page_bytes,
        "DOWNLOAD_WARNSIZE": config.max_page_bytes // 2,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "REDIRECT_MAX_TIMES": 5,
        "HTTPERROR_ALLOW_ALL": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": config.log_level,
        "DEPTH_PRIORITY": 0,
        "FEED_EXPORT_ENCODING": "utf-8",
    }
    if config.redis_url:
        prefix = config.redis_prefix or f"plein:webwatch:{config.crawl_id}"
        settings.update(
            {
                "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
                "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
                "SCHEDULER_PERSIST": True,
                "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
                "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
                "REDIS_URL": config.redis_url,
            }
        )
    return settings
