"""Scrapy settings of the monitor. Catalog values ([monitor] in the catalog) override the
politeness figures per unit spider; see spiders.loader.

Monitor-specific settings (also readable from the environment):
- MONITOR_CONFIG: catalog path; MONITOR_DB: database path (both also from the environment);
- MONITOR_AS_OF, MONITOR_SWEEP_ID: set by ``monitor sweep`` for its crawlers (never from the environment:
  a leftover variable must not make later ad hoc crawls judge an old day); ``scrapy crawl`` takes
  ``-a as_of=YYYY-MM-DD``;
- MONITOR_PRINT_VERDICTS: print the unit's verdicts when its crawl ends (ad hoc checks).
"""

import os

from monitor import user_agent

BOT_NAME = "disclosure-monitor"
SPIDER_LOADER_CLASS = "spiders.loader.CatalogSpiderLoader"
SPIDER_MODULES: list[str] = []

MONITOR_CONFIG = os.environ.get("MONITOR_CONFIG", "")
MONITOR_DB = os.environ.get("MONITOR_DB", "")
MONITOR_AS_OF = ""
MONITOR_SWEEP_ID = 0
MONITOR_PRINT_VERDICTS = True
MONITOR_MAX_PAGES = 10  # list pages followed per column at most
MONITOR_MAX_ARTICLES = 20  # article pages read per column per crawl at most

# Identify the monitor honestly; the contact comes from the catalog's [monitor] contact.
USER_AGENT = user_agent()
ROBOTSTXT_OBEY = False  # the office is mandated to check these public pages; politeness is kept below

# Politeness: per-host concurrency and delay, AutoThrottle, retries for transient errors only.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 %
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 15
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # the catalog's max_page_mb; also caps a decompressed body (a compression bomb)
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# A certificate that does not verify (expired, self-signed, wrong name) fails the fetch: what was read over it
# could be anyone's, and a verdict that may name a unit rests on what the unit itself served.
DOWNLOAD_VERIFY_CERTIFICATES = True
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
# Scrapy checks each generator callback for a `return value` by parsing its source; its cache is keyed by
# bound method, and a sweep makes a spider per unit, so the check ran on every response (10 ms each).
# The callbacks are ours and return nothing: the check is off.
WARN_ON_GENERATOR_RETURN_VALUE = False

ITEM_PIPELINES = {"spiders.pipelines.StorePipeline": 300}
DOWNLOADER_MIDDLEWARES = {
    "spiders.middlewares.HostGuard": 50,  # first in line; redirects pass through it again
    "spiders.middlewares.RedirectGuard": 610,  # sees a 3xx before RedirectMiddleware (600) follows it
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
    "spiders.cache.RevalidatingCache": 900,  # Scrapy's place for its cache: nearest the network
}

# Conditional requests (spiders.cache): list pages are always asked for again, with the stored copy's
# ETag / Last-Modified; a 304 reads the stored copy. Never served without asking the server.
# The catalog's [monitor] conditional_requests = false turns it off (spiders.loader).
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "spiders.cache.AlwaysRevalidate"
HTTPCACHE_STORAGE = "spiders.cache.SqliteCacheStorage"
HTTPCACHE_DIR = ""  # empty: <db>.httpcache.db beside the database; an absolute path: that file
HTTPCACHE_GZIP = True
HTTPCACHE_EXPIRATION_SECS = 40 * 86400  # entries unused this long are dropped (a miss: fetched without validators)
HTTPCACHE_IGNORE_RESPONSE_CACHE_CONTROLS = ["no-store"]  # stored anyway, only ever used after a 304: spiders.cache
EXTENSIONS = {"spiders.extensions.SweepBookkeeping": 500}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Browser: Debian's Chromium through scrapy-playwright, started only when a request needs it
# (columns with extract.browser = true, columns learned to need it, firewall challenges).
DOWNLOAD_HANDLERS = {"http": "spiders.browser.LazyPlaywrightHandler", "https": "spiders.browser.LazyPlaywrightHandler"}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium"),
    "headless": True,
    "args": [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ],
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 15_000
PLAYWRIGHT_ABORT_REQUEST = "spiders.browser.outside_catalog"

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
