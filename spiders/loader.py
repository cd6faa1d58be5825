"""Spider loader: one spider class per catalog unit, so ``scrapy list`` and ``scrapy crawl <unit>``
work with no Python file per unit (Scrapy's SPIDER_LOADER_CLASS)."""

from __future__ import annotations

import sys

from scrapy.settings import BaseSettings

from monitor import user_agent
from monitor.config import Catalog, CatalogError, Unit, load_catalog
from spiders.unit import UnitSpider


def spider_settings(catalog: Catalog, unit: Unit) -> dict:
    """Per-unit Scrapy settings from the catalog's [monitor] table."""
    s = catalog.settings
    settings = {
        "DOWNLOAD_TIMEOUT": s.download_timeout,
        "RETRY_TIMES": s.retries,
        "DOWNLOAD_DELAY": s.download_delay,
        "AUTOTHROTTLE_START_DELAY": max(s.download_delay, 0.01),
        "CONCURRENT_REQUESTS_PER_DOMAIN": s.concurrency_per_host,
        "DOWNLOAD_MAXSIZE": int(s.max_page_mb * 1024 * 1024),
        "DOWNLOAD_WARNSIZE": int(min(s.max_page_mb / 4, 4) * 1024 * 1024),
        "HTTPCACHE_ENABLED": s.conditional_requests,  # spiders.cache
    }
    if s.contact:
        settings["USER_AGENT"] = user_agent(s.contact)
    return settings


def make_spider_class(catalog: Catalog, unit: Unit, extra_settings: dict | None = None) -> type[UnitSpider]:
    """A spider class for the unit; `extra_settings` carry a sweep's day and id into its crawler."""
    settings = {**spider_settings(catalog, unit), **(extra_settings or {})}
    return type(f"UnitSpider_{unit.slug}", (UnitSpider,),
                {"name": unit.slug, "unit": unit, "catalog": catalog, "custom_settings": settings})


class CatalogSpiderLoader:
    """Implements scrapy.spiderloader.SpiderLoaderProtocol over the catalog's units."""

    def __init__(self, settings: BaseSettings):
        try:
            self.catalog = load_catalog(settings.get("MONITOR_CONFIG") or None)
        except CatalogError as exc:
            sys.exit(f"error: {exc}")
        self._spiders = {u.slug: make_spider_class(self.catalog, u) for u in self.catalog.units}

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> "CatalogSpiderLoader":
        return cls(settings)

    def load(self, spider_name: str) -> type[UnitSpider]:
        try:
            return self._spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name} (units in {self.catalog.path}: {', '.join(self._spiders)})") from None

    def list(self) -> list[str]:
        return list(self._spiders)

    def find_by_request(self, request) -> list[str]:
        return [name for name, cls in self._spiders.items() if cls.unit.site and request.url.startswith(cls.unit.site)]
