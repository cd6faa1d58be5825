"""``read_list``: a column's list page (HTML, Hanweb XML or a JSON endpoint) into a :class:`ListPage`.

Order of reading: a JSON body goes to :mod:`.jsonlist`, a Hanweb dataproxy answer to
:func:`.families.read_hanweb_xml`; in HTML, catalog hints (CSS selectors) are used alone when given, else
the Hanweb datastore embedded in a col page, else the main list found by :mod:`.blocks`. Paging comes from
the TRS pager script, the Hanweb counts or the visible pager (共 N 页, 下一页). A login wall has no items: the
dated box beside its form is not the column (the spider then records the column as unreadable, not on time).
"""

from __future__ import annotations

from datetime import date

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from . import families, markers
from .blocks import find_records
from .dom import page_base, parse_html
from .items import DateCell, build_item
from .jsonlist import looks_like_json, read_json_list
from .models import ListedItem, ListHints, ListPage

__all__ = ["read_list"]


def _select(el: etree._Element, selector: str) -> list[etree._Element]:
    try:
        return CSSSelector(selector, translator="html")(el)
    except SelectorError as exc:
        raise ValueError(f"bad CSS selector {selector!r}: {exc}") from None


def _items_by_hints(root: etree._Element, base: str, today: date, hints: ListHints) -> list[ListedItem]:
    """Items from the catalog's selectors; only ``hints.items`` decides what an item is."""
    items = []
    records = _select(root, hints.items) if hints.items else find_records(root, today).records
    for rec in records:
        link = None
        if hints.link:
            link = next((a for a in _select(rec, hints.link) if a.get("href")), None)
            if link is None:
                continue
        date_el = None
        if hints.date:
            date_el = next(iter(_select(rec, hints.date)), None)
        item = build_item(rec, base, today, link=link, date_el=date_el)
        if item is not None:
            items.append(item)
    return items


def _guessed_items(root: etree._Element, base: str, today: date) -> list[ListedItem]:
    found = find_records(root, today)
    chosen = set(found.records)
    owned: dict[etree._Element, list[DateCell]] = {rec: [] for rec in found.records}
    for cell in found.cells:
        rec = next((n for n in (cell[0], *cell[0].iterancestors()) if n in chosen), None)
        if rec is not None:
            owned[rec].append(cell)
    items = []
    for rec in found.records:
        item = build_item(rec, base, today, cells=owned[rec])
        if item is not None:
            items.append(item)
    return items


def read_list(html: str, url: str, today: date, hints: ListHints | None = None) -> ListPage:
    """The items, paging and state of one list page (see the module docstring)."""
    if looks_like_json(html):
        return read_json_list(html, url, today)
    if families.looks_like_hanweb_xml(html):
        return families.read_hanweb_xml(html, url, today)

    root = parse_html(html)
    base = page_base(root, url)
    records = families.hanweb_records(html)
    if hints is not None and (hints.items or hints.link or hints.date):
        items = _items_by_hints(root, base, today, hints)
    elif records:
        items = families.hanweb_items(records, base, today)
    else:
        items = _guessed_items(root, base, today)
    if items and markers.login_wall(root):
        items = []

    visible = markers.visible_text(root)
    total, hanweb_pages = families.hanweb_counts(html) if records else (None, None)
    if total is None:
        total = markers.stated_record_count(visible, html)
    page_count = families.trs_page_count(html)
    if page_count is None:
        page_count = hanweb_pages if hanweb_pages is not None else markers.stated_page_count(visible)
    if records:
        next_url = families.hanweb_next_url(html, url, base, len(records), total)
    else:
        next_url = families.trs_next_url(html, url, page_count) or markers.next_link(root, base, url)
    return ListPage(
        items=tuple(items),
        page_count=page_count,
        next_url=next_url,
        empty_marker=markers.empty_marker(visible, html, bool(items)),
        soft_404=markers.soft_404(root, visible, bool(items)),
        record_count=total,
    )

