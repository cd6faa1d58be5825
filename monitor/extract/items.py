"""One list record (an <li>, a table row, a Hanweb CDATA record) into a :class:`ListedItem`.

A record's date is the date cell shown next to its link; only when none is shown does the date inside the
URL stand in (``date_source='url'``). In a table row with several date columns (成文日期, 发布日期) the column
headed 发布 wins, else the last date column.
"""

from __future__ import annotations

import re
from datetime import date

from lxml import etree

from .dates import date_from_url, is_date_text, parse_date
from .dom import NON_CONTENT, absolute, all_text, element_text, good_href, squash, text_pieces
from .models import ListedItem

__all__ = [
    "DateCell", "build_item", "clean_title", "date_cells", "good_links", "link_title", "main_link", "record_date",
]

DateCell = tuple[etree._Element, date, bool]  # (owner element, date, inside a link)
_ELLIPSIS = re.compile(r"(?:\.{2,}|…+|。{2,}|\.\s*\.\s*\.)\s*$")
_LAYOUT_SPACE = re.compile(r"[ ]*[\r\n\t][\s]*")
_SPLIT_MAX = 24  # a date split over several nodes ("05" + "2024-03") is short


def _in_link(el: etree._Element) -> bool:
    return el.tag == "a" or any(a.tag == "a" for a in el.iterancestors())


def date_cells(root: etree._Element, today: date | None) -> list[DateCell]:
    """Every text that is essentially a date, in document order.

    A text node such as ``2024-03-05`` or ``[2024-03-05]`` is one cell; a short element whose date is split
    over several nodes (``<b>05</b><i>2024-03</i>``) is one cell too.
    """
    cells: list[DateCell] = []
    covered: set[etree._Element] = set()  # owners of a date text and everything around them
    for owner, text in text_pieces(root):
        d = is_date_text(text, today) if len(text) <= 80 else None
        if d is not None:
            cells.append((owner, d, _in_link(owner)))
            covered.add(owner)
            covered.update(owner.iterancestors())
    split: set[etree._Element] = set()
    for el in root.iter():
        if not isinstance(el.tag, str) or not 0 < len(el) <= 6 or el.tag in NON_CONTENT or el in covered:
            continue
        raw = all_text(el)
        if len(raw) > 4 * _SPLIT_MAX:
            continue
        text = squash(" ".join(t for _, t in text_pieces(el)))
        if not text or len(text) > _SPLIT_MAX or any(anc in split for anc in el.iterancestors()):
            continue
        d = is_date_text(text, today)
        if d is not None:
            cells.append((el, d, _in_link(el)))
            split.add(el)
    if split:
        order = {el: i for i, el in enumerate(root.iter())}
        cells.sort(key=lambda c: order.get(c[0], 0))
    return cells


def clean_title(text: str | None) -> str:
    """Trimmed, with line breaks and indentation folded to one space; spaces the site typed are kept."""
    text = (text or "").replace("\xa0", " ").replace("\u3000", " ")
    return _LAYOUT_SPACE.sub(" ", text).strip()


def good_links(rec: etree._Element) -> list[etree._Element]:
    """The links of a record that lead to a page and carry a title."""
    return [
        a for a in rec.iter("a")
        if good_href(a.get("href")) and (a.get("title") or all_text(a)).strip()
    ]


def link_title(a: etree._Element, today: date | None = None) -> str:
    """The full title of a link: its title attribute when the shown text is cut short or missing."""
    pieces = [t for _, t in text_pieces(a) if t.strip()]
    if len(pieces) > 1:  # a date shown inside the link is not part of the title
        pieces = [p for p in pieces if is_date_text(p.strip(), today, slack=2) is None] or pieces
    text = clean_title("".join(pieces))
    attr = clean_title(a.get("title"))
    if not text or not attr:
        return text or attr
    cut = _ELLIPSIS.sub("", text).strip()
    if cut != text or (len(attr) > len(text) and attr.startswith(cut)):
        return attr
    return text


def main_link(rec: etree._Element, today: date | None = None) -> etree._Element | None:
    """The link that names the record: the one with the longest title."""
    links = good_links(rec)
    if len(links) <= 1:
        return links[0] if links else None

    def rank(a: etree._Element) -> tuple[bool, int]:
        title = link_title(a, today)
        return is_date_text(title, today) is None, len(title)

    return max(links, key=rank)


def _header_column(rec: etree._Element) -> int | None:
    """Index of the 发布 column in the table holding row ``rec``, when its header names one."""
    table = next((t for t in rec.iterancestors("table")), None)
    if table is None:
        return None
    for row in table.iter("tr"):
        cells = [c for c in row if c.tag in ("td", "th")]
        labels = [element_text(c) for c in cells]
        if any("日期" in lab or "时间" in lab for lab in labels):
            for i, lab in enumerate(labels):
                if "发布" in lab or "公开" in lab:
                    return i
            return None
        if row is rec:
            return None
    return None


def record_date(
    rec: etree._Element, link: etree._Element | None, today: date | None,
    cells: list[DateCell] | None = None,
) -> date | None:
    """The date shown in the record beside its link (not the one in the URL)."""
    if cells is None:
        cells = date_cells(rec, today)
    inside = set(link.iter()) if link is not None else set()
    outside = [(el, d) for el, d, _ in cells if el not in inside]
    if len(outside) > 1 and rec.tag == "tr":
        column = _header_column(rec)
        row_cells = [c for c in rec if c.tag in ("td", "th")]
        if column is not None and column < len(row_cells):
            target = row_cells[column]
            for el, d in outside:
                if el is target or target in el.iterancestors():
                    return d
        return outside[-1][1]
    if outside:
        return outside[0][1]
    link_dates = [d for el, d, _ in cells if el in inside]
    return link_dates[0] if link_dates else None


def build_item(
    rec: etree._Element, base: str, today: date | None, source: str = "list",
    link: etree._Element | None = None, cells: list[DateCell] | None = None,
    date_el: etree._Element | None = None,
) -> ListedItem | None:
    """The item a record shows, or None when it has no usable link."""
    link = link if link is not None else main_link(rec, today)
    if link is None or not good_href(link.get("href")):
        return None
    title = link_title(link, today)
    url = absolute(base, link.get("href", ""))
    if date_el is not None:
        published = next((d for _, d, _ in date_cells(date_el, today)), None)
        if published is None:
            published = parse_date(element_text(date_el), today)
    else:
        published = record_date(rec, link, today, cells)
    if published is not None:
        return ListedItem(title, url, published, source)
    from_url = date_from_url(url)
    return ListedItem(title, url, from_url, "url" if from_url else "")
