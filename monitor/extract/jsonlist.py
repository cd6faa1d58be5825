"""JSON list endpoints: Guangdong gkmlpt ``/gkmlpt/api/all/{cat}?page=N&sid=...`` and look-alikes.

The first array of objects that carry a title and a URL is the list; the date is the first known date
field (epoch seconds or milliseconds, or a date string), read in China's time. Items keep the answer's
order; ``date_source`` is ``'json'``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .dates import date_from_url, parse_date
from .dom import absolute, good_href, squash
from .models import ListedItem, ListPage

__all__ = ["looks_like_json", "read_json_list"]

TITLE_KEYS = ("title", "doctitle", "docTitle", "DOCTITLE", "name", "subject", "bt")
URL_KEYS = ("url", "post_url", "link", "href", "docpuburl", "DOCPUBURL", "chnldocurl", "docurl", "detailUrl")
DATE_KEYS = (
    "display_publish_time", "publish_time", "publishTime", "first_publish_time", "pubDate", "pubdate",
    "PubDate", "docreltime", "DOCRELTIME", "docpubtime", "publish_date", "publishDate", "releaseTime",
    "release_time", "fbrq", "create_time", "createTime", "created_at", "date", "time",
)
TOTAL_KEYS = ("total", "totalCount", "total_count", "recordCount", "totalRecord", "totalrecord", "count")
PAGES_KEYS = ("totalPage", "total_page", "totalpage", "pageCount", "page_count", "pages", "totalPages")
SIZE_KEYS = ("page_size", "pageSize", "pagesize", "perPage", "per_page", "perpage")


def looks_like_json(text: str) -> bool:
    """The body is a JSON object or array (not an HTML page)."""
    head = text.lstrip("\ufeff \t\r\n")[:1]
    return head in ("{", "[")


def _pick(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for k in keys:
        if obj.get(k) not in (None, ""):
            return obj[k]
    return None


def _find_list(node: Any, depth: int = 0) -> list[dict[str, Any]] | None:
    """The first array of objects with a title and a URL, searched breadth-first to depth 3."""
    if isinstance(node, list):
        objs = [o for o in node if isinstance(o, dict)]
        if objs and any(_pick(o, TITLE_KEYS) and _pick(o, URL_KEYS) for o in objs[:5]):
            return objs
        return None
    if isinstance(node, dict) and depth < 3:
        for value in node.values():
            found = _find_list(value, depth + 1)
            if found is not None:
                return found
    return None


def _find_int(node: Any, keys: tuple[str, ...], depth: int = 0) -> int | None:
    if not isinstance(node, dict) or depth > 2:
        return None
    for k in keys:
        v = node.get(k)
        if isinstance(v, int) and not isinstance(v, bool) or isinstance(v, str) and v.isdigit():
            return int(v)
    for value in node.values():
        found = _find_int(value, keys, depth + 1)
        if found is not None:
            return found
    return None


def _next_page(url: str, n_items: int, total: int | None, pages: int | None, size: int | None = None) -> str | None:
    """The next page's URL (``page=N+1``) while the counts say there is one; a short last page has none."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    page = next((int(v) for k, v in query if k.lower() in ("page", "pageno", "pagenum") and v.isdigit()), None)
    if page is None or n_items == 0:
        return None
    if pages is not None:
        more = page < pages
    elif total is not None:
        more = page * (size or n_items) < total
    else:
        more = False
    if not more:
        return None
    bumped = [(k, str(page + 1) if k.lower() in ("page", "pageno", "pagenum") else v) for k, v in query]
    return urlunsplit(parts._replace(query=urlencode(bumped)))


def read_json_list(text: str, url: str, today: date) -> ListPage:
    """A JSON list answer as a list page (empty, not an error, when it is not JSON)."""
    try:
        data = json.loads(text)
    except ValueError:
        return ListPage((), None, None, False, False)
    rows = _find_list(data) or []
    items = []
    for row in rows:
        title, href = _pick(row, TITLE_KEYS), _pick(row, URL_KEYS)
        if not title or not href or not good_href(str(href)):
            continue
        link = absolute(url, str(href))
        raw = _pick(row, DATE_KEYS)
        published = parse_date(raw, today) if isinstance(raw, (int, float, str)) else None
        source = "json" if published else ""
        if published is None and (published := date_from_url(link)) is not None:
            source = "url"
        items.append(ListedItem(squash(str(title)), link, published, source))
    total = _find_int(data, TOTAL_KEYS)
    pages = _find_int(data, PAGES_KEYS)
    return ListPage(
        items=tuple(items),
        page_count=pages,
        next_url=_next_page(url, len(items), total, pages, _find_int(data, SIZE_KEYS)),
        empty_marker=not items and total == 0,
        soft_404=False,
        record_count=total,
    )

