"""What unit spiders yield. The pipeline writes each kind to the store; spiders never write."""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.warc import Exchange


@dataclass
class FetchRecord:
    """One HTTP fetch (list page, endpoint or article) and what came of it."""

    unit: str
    column_id: str
    kind: str  # 'list' | 'endpoint' | 'article'
    page: int
    url: str
    fetched_at: str
    duration_ms: int | None
    status: int | None
    error: str
    bytes: int
    items_found: int
    newest_date: str | None
    outcome: str  # ok | unreachable | blocked | not_found | broken
    detail: str = ""
    rendered: bool = False  # read through Chromium
    raw: Exchange | None = field(default=None, repr=False)  # status, headers, body: for the WARC file, not SQLite
    warc_file: str | None = None  # where the pipeline archived ``raw``: file, record offset, body SHA-256
    warc_offset: int | None = None
    sha256: str | None = None


@dataclass
class SeenItems:
    """The items one list page showed, in page order."""

    unit: str
    column_id: str
    items: list[dict] = field(default_factory=list)  # url, title, published, published_source


@dataclass
class ColumnCheck:
    """The outcome of reading one column in this crawl (all the pages it needed)."""

    unit: str
    column_id: str
    outcome: str
    items_found: int
    newest_date: str | None
    oldest_date: str | None
    pages: int
    detail: str = ""


@dataclass
class ArticleDates:
    """Dates read from an item's own page."""

    unit: str
    column_id: str
    url: str
    published: str | None
    written: str | None
    candidates: list[list[str]]
    conflict: bool
    body_chars: int | None = None  # letters and digits of its body text; None: unknown (monitor.extract.read_body)
    body_sha256: str | None = None  # hash of the normalised body text: the same document under another address
    body_attachments: int | None = None  # attachment links, images and frames: a body of attachments only is not empty


@dataclass
class BrowserLearned:
    """The column's list only appears when rendered in a browser: remember it."""

    unit: str
    column_id: str
    why: str
