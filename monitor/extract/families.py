"""CMS families whose paging and data can be read exactly: TRS WCM and Hanweb (大汉).

TRS static lists: page 1 is ``index.html`` (or the column folder), page k+1 is ``index_k.html``; the page
count sits in a script call ``createPageHTML(N, current, "index", "html")`` or ``var countPage = N``.

Hanweb: ``/col/colNNN/index.html`` carries its first records inline as ``<datastore><recordset><record>
<![CDATA[<li>...</li>]]></record>...``; the rest come from ``/module/web/jpage/dataproxy.jsp`` in the same
XML with ``<totalrecord>`` and ``<totalpage>``.
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .dom import absolute, parse_fragment
from .items import build_item
from .models import ListedItem, ListPage

__all__ = [
    "trs_page_count", "trs_page_url", "trs_next_url", "trs_page_index",
    "hanweb_records", "hanweb_items", "hanweb_next_url", "read_hanweb_xml", "looks_like_hanweb_xml", "hanweb_counts",
]

_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
_ARG = re.compile(r"""\s*(?:'([^']*)'|"([^"]*)"|(-?\d+)|[^,]*)\s*(?:,|$)""")
_TRS_INDEX = re.compile(r"^(?P<stem>.*?)(?:_(?P<k>\d+))?\.(?P<ext>s?html?|jsp|php|aspx?)$", re.I)

_RECORD = re.compile(r"<record[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_TOTALRECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|\btotalRecord['\"]?\s*[:=]\s*['\"]?(\d+)", re.I)
_TOTALPAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>|\btotalPage['\"]?\s*[:=]\s*['\"]?(\d+)", re.I)
_PERPAGE = re.compile(r"\bperPage['\"]?\s*[:=]\s*['\"]?(\d+)", re.I)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)


def _create_page_calls(text: str) -> list[tuple[list[int], list[str]]]:
    """The integer and string arguments of every ``createPageHTML(...)`` call (definitions skipped)."""
    calls = []
    for m in _CREATE_PAGE.finditer(text):
        ints: list[int] = []
        strs: list[str] = []
        for a in _ARG.finditer(m[1]):
            if a[3] is not None:
                ints.append(int(a[3]))
            elif a[1] is not None or a[2] is not None:
                strs.append(a[1] if a[1] is not None else a[2])
        if ints:
            calls.append((ints, strs))
    return calls


def trs_page_count(html: str) -> int | None:
    """The page count a TRS list declares: ``createPageHTML(N, ...)`` or ``countPage = N``."""
    calls = _create_page_calls(html)
    if calls:
        return calls[0][0][0]
    m = _COUNT_PAGE.search(html)
    return int(m[1]) if m else None


def _trs_ext(html: str) -> str | None:
    for _, strs in _create_page_calls(html):
        if len(strs) >= 2 and re.fullmatch(r"s?html?", strs[-1], re.I):
            return strs[-1]
    return None


def trs_page_index(url: str) -> int:
    """0 for ``.../`` or ``index.html``, k for ``index_k.html``."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    m = _TRS_INDEX.match(name)
    return int(m["k"]) if m and m["k"] else 0


def trs_page_url(first_url: str, k: int, ext: str | None = None) -> str:
    """Page ``k`` (0-based) of a TRS list whose first page is ``first_url``.

    Page 0 is the URL itself; a URL ending in ``/`` stands for ``index.html``, so page 2 of
    ``.../gzdt/`` is ``.../gzdt/index_1.html``; ``index.shtml`` gives ``index_k.shtml``. ``ext`` sets the
    extension when a folder URL cannot tell it (the ``createPageHTML`` call can).
    """
    parts = urlsplit(first_url)
    path = parts.path or "/"
    folder, _, name = path.rpartition("/")
    m = _TRS_INDEX.match(name) if name else None
    if m is None:
        if k == 0:
            return first_url
        if name:  # ".../gzdt" without the slash is still the folder
            folder = path
        stem, ext = "index", ext or "html"
    else:
        stem, ext = m["stem"], ext or m["ext"]
        if k == 0 and not m["k"]:
            return first_url
    page = f"{folder}/{stem}.{ext}" if k == 0 else f"{folder}/{stem}_{k}.{ext}"
    return urlunsplit((parts.scheme, parts.netloc, page, "", ""))


def trs_next_url(html: str, url: str, page_count: int | None) -> str | None:
    """The next TRS page when the page count says there is one."""
    if page_count is None or not (_CREATE_PAGE.search(html) or _COUNT_PAGE.search(html)):
        return None
    k = trs_page_index(url)
    if k + 1 >= page_count:
        return None
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return trs_page_url(url, k + 1, None if _TRS_INDEX.match(name) else _trs_ext(html))


def looks_like_hanweb_xml(text: str) -> bool:
    """A dataproxy.jsp answer (XML whose root is <datastore>)."""
    head = text.lstrip("\ufeff \t\r\n")[:300].lower()
    return head.startswith("<datastore") or (head.startswith("<?xml") and "<datastore" in head)


def hanweb_records(text: str) -> list[str]:
    """The HTML of each CDATA ``<record>`` of a Hanweb datastore (in a col page or a dataproxy answer)."""
    if "<record" not in text and "<RECORD" not in text:
        return []
    return [m[1] for m in _RECORD.finditer(text)]


def hanweb_counts(text: str) -> tuple[int | None, int | None]:
    """(total records, total pages) a Hanweb datastore or jpage script declares."""
    rec = _TOTALRECORD.search(text)
    pages = _TOTALPAGE.search(text)
    return (
        int(rec[1] or rec[2]) if rec else None,
        int(pages[1] or pages[2]) if pages else None,
    )


def hanweb_items(records: list[str], base: str, today: date | None) -> list[ListedItem]:
    """Items of the CDATA records (``date_source='xml'`` when the record shows the date)."""
    items = []
    for rec_html in records:
        rec = parse_fragment(rec_html)
        item = build_item(rec, base, today, source="xml")
        if item is not None:
            items.append(item)
    return items


def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    return urlunsplit(urlsplit(url)._replace(query=urlencode(pairs)))


def _proxy_next(url: str, total: int | None, total_pages: int | None, n_records: int) -> str | None:
    """The dataproxy.jsp request after this one: page=N+1, or the next startrecord..endrecord span."""
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    keys = {k.lower(): v for k, v in query}
    if keys.get("startrecord", "").isdigit() and keys.get("endrecord", "").isdigit():
        start, end = int(keys["startrecord"]), int(keys["endrecord"])
        span = max(end - start + 1, 1)
        more = end < total if total is not None else n_records >= span
        if not more:
            return None
        shift = {"startrecord": str(end + 1), "endrecord": str(end + span)}
        return _with_query(url, [(k, shift.get(k.lower(), v)) for k, v in query])
    if keys.get("page", "").isdigit():
        page = int(keys["page"])
        if total_pages is None or page >= total_pages:
            return None
        return _with_query(url, [(k, str(page + 1) if k.lower() == "page" else v) for k, v in query])
    return None


def _col_next(text: str, base: str, total: int | None, n_records: int) -> str | None:
    """After a col page's inline records: the nextgroup request for the records that follow them."""
    group = _NEXTGROUP.search(text)
    href = _HREF.search(group[1]) if group else None
    if href is None or n_records == 0 or (total is not None and n_records >= total):
        return None
    target = absolute(base, htmllib.unescape(href[1]))
    per = _PERPAGE.search(text)
    span = max(n_records, int(per[1]) if per else 0)
    paging = {"page", "startrecord", "endrecord", "perpage"}
    pairs = [(k, v) for k, v in parse_qsl(urlsplit(target).query, keep_blank_values=True) if k.lower() not in paging]
    pairs += [("startrecord", str(n_records + 1)), ("endrecord", str(n_records + span))]
    if per:
        pairs.append(("perpage", per[1]))
    return _with_query(target, pairs)


def hanweb_next_url(text: str, url: str, base: str, n_records: int, total: int | None = None) -> str | None:
    """The next request of a Hanweb list: after a dataproxy.jsp answer, or after a col page's records.

    ``n_records`` is how many records this answer carried; ``total`` the column's record count when known
    from elsewhere on the page (共 N 条).
    """
    counted, total_pages = hanweb_counts(text)
    total = counted if counted is not None else total
    if "dataproxy" in urlsplit(url).path.lower():
        return _proxy_next(url, total, total_pages, n_records)
    return _col_next(text, base, total, n_records)


def read_hanweb_xml(text: str, url: str, today: date) -> ListPage:
    """A Hanweb ``dataproxy.jsp`` answer (or any text carrying its datastore) as a list page."""
    records = hanweb_records(text)
    items = hanweb_items(records, url, today)
    total, pages = hanweb_counts(text)
    return ListPage(
        items=tuple(items),
        page_count=pages,
        next_url=hanweb_next_url(text, url, url, len(records)),
        empty_marker=not items and (total == 0 or pages == 0 or (not records and "<recordset" in text.lower())),
        soft_404=False,
        record_count=total,
    )
