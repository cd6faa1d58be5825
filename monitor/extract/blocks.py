"""Find the main list of a page without hand-written selectors.

Every link proposes its ancestors (up to four levels up) as the *record* it belongs to. Records are grouped
by their shape: the tag path from the root with each ancestor's id and classes, so the 15 ``<ul>`` groups of
a Fujian 集约化 page or the rows of one ``table.gl_list`` fall together while the left-hand menu table does
not. A record counts when it holds one to five links and one to three date cells. The group with the most
counting records wins, discounted when it sits in a nav/header/footer/"hot"/"rank" box or its titles are
menu-short; its records come back in page order.

A page whose lists carry no dates at all falls back to the largest link list that looks like articles
(long titles, links to files rather than folders, outside navigation boxes); its items are undated.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from .dom import all_text, good_href, is_hidden, is_template, text_pieces
from .items import DateCell, date_cells, good_links, link_title
from .markers import EMPTY_TEXT

__all__ = ["find_records", "Records"]

MAX_LEVELS = 4
MIN_NEAR_SHARE = 0.1  # a list beside the pager wins if it weighs at least this share of the heaviest list
_BOX_WORDS = (
    "nav|menu|header|footer|foot|hot|rank|paihang|tuijian|recommend|yqlj|friend|links?|crumbs?|breadcrumb|"
    "position|weizhi|dh|banner|share|search|login|toolbar|side|sidebar"
)
# a class or id token that starts or ends with one of the words, or has it between - or _ ("photo" is fine)
_BAD_BOX = re.compile(rf"^(?:{_BOX_WORDS})|(?:{_BOX_WORDS})\d*$|[-_](?:{_BOX_WORDS})(?:[-_]|$)", re.I)
_BAD_TAGS = frozenset({"nav", "header", "footer", "aside", "select"})
_PAGER_SCRIPT = re.compile(r"createPageHTML|countPage|totalpage|pageCount", re.I)
_PAGER_CLASS = re.compile(r"^(?:pages?|pager|paging|pagination|fenye|page[_-]?(?:bar|box|div|list|nav))$", re.I)
_PAGER_WORDS = re.compile(r"^\s*(?:下一页|尾页|末页)\s*$|\s(?:下一页|尾页)\s")
_FOLDER_LINK = re.compile(r"(?:/|/index\.s?html?|/default\.\w+)$", re.I)


Scored = tuple[float, int, list[etree._Element], list[etree._Element]]  # score, path length, dated, members


@dataclass
class Records:
    """The chosen records, in page order, with the date cells of the page."""

    records: list[etree._Element] = field(default_factory=list)
    cells: list[DateCell] = field(default_factory=list)


def _signature(el: etree._Element, cache: dict[etree._Element, tuple[str, ...]]) -> tuple[str, ...]:
    """The tag path of ``el``'s ancestors (with id and classes) plus ``el``'s bare tag."""
    pending: list[etree._Element] = []
    node = el.getparent()
    while node is not None and node not in cache:
        pending.append(node)
        node = node.getparent()
    path = cache[node] if node is not None else ()
    for node in reversed(pending):
        classes = " ".join(sorted((node.get("class") or "").split()))
        path = path + (f"{node.tag}#{node.get('id') or ''}.{classes}",)
        cache[node] = path
    return path + (str(el.tag),)


def _box_penalty(rec: etree._Element) -> float:
    """Less weight for records inside navigation, header, footer, "hot" or "rank" boxes."""
    for node in rec.iterancestors():
        if node.tag in _BAD_TAGS:
            return 0.2
        names = f"{node.get('id') or ''} {node.get('class') or ''}".strip()
        if names and any(_BAD_BOX.search(n) for n in names.split()):
            return 0.3
    return 1.0


def _title_factor(titles: list[str]) -> float:
    """Menus have short labels; article titles are longer."""
    if not titles:
        return 0.0
    mean = sum(len(t) for t in titles) / len(titles)
    return 1.0 if mean >= 8 else 0.6 if mean >= 5 else 0.3


def find_records(root: etree._Element, today: date | None) -> Records:
    """The records of the page's main list (see the module docstring)."""
    body = next(iter(root.iter("body")), root)
    cells = date_cells(body, today)
    links = [a for a in body.iter("a") if good_href(a.get("href")) and (a.get("title") or all_text(a)).strip()]
    n_links: dict[etree._Element, int] = defaultdict(int)
    n_dates: dict[etree._Element, int] = defaultdict(int)  # date cells outside links
    n_link_dates: dict[etree._Element, int] = defaultdict(int)  # date cells inside links
    for a in links:
        n_links[a] += 1
        for anc in a.iterancestors():
            n_links[anc] += 1
    for owner, _, in_link in cells:
        target = n_link_dates if in_link else n_dates
        target[owner] += 1
        for anc in owner.iterancestors():
            target[anc] += 1

    cache: dict[etree._Element, tuple[str, ...]] = {}
    groups: dict[tuple[str, ...], dict[etree._Element, None]] = defaultdict(dict)
    for a in links:
        node = a
        for _ in range(MAX_LEVELS):
            node = node.getparent()
            if node is None or node.tag in ("body", "html"):
                break
            groups[_signature(node, cache)][node] = None

    def dated(rec: etree._Element) -> bool:
        dates = n_dates.get(rec, 0) or n_link_dates.get(rec, 0)
        return 1 <= n_links[rec] <= 5 and 1 <= dates <= 3

    def undated_item(rec: etree._Element) -> bool:
        return 1 <= n_links[rec] <= 2 and not n_dates.get(rec) and not n_link_dates.get(rec)

    scored: list[Scored] = []
    for sig, recs in groups.items():
        good = [r for r in recs if dated(r)]
        if not good:
            continue
        titles = [link_title(max(good_links(r), key=lambda a: len(all_text(a))), today) for r in good[:20]]
        score = len(good) * _box_penalty(good[0]) * _title_factor(titles)
        chosen = set(good)
        members = [r for r in recs if r in chosen or undated_item(r)]  # an undated row is still an item
        scored.append((score, len(sig), good, members))
    if not scored:
        return Records(_undated_fallback(groups, n_links), cells)
    scored = _beside_pager(scored, body)
    best = max(scored, key=lambda s: s[:2])
    marker = _empty_marker_element(body)
    if marker is not None and _box_penalty(marker) == 1.0 and not _contains(_container(best[2][0]), marker):
        # the main area says the column is empty; the dated list is a box beside it. A 暂无数据 inside a
        # side, nav or hot box says nothing about the column (a blank column is named publicly).
        return Records([], cells)
    return Records(best[3], cells)


def _beside_pager(scored: list[Scored], body: etree._Element) -> list[Scored]:
    """Keep the lists closest to the page's pager: the main list is the one its pager sits beside.

    A pager inside a header or nav box is ignored, and so is a near list weighing under a tenth of the best.
    """
    pager = _pager(body)
    if pager is None or len(scored) < 2 or _box_penalty(pager) < 1.0:
        return scored
    near = [_shared_depth(s[2][0], pager) for s in scored]
    top_score = max(s[0] for s in scored)
    closest = [s for s, n in zip(scored, near) if n == max(near) and s[0] >= MIN_NEAR_SHARE * top_score]
    return closest if closest and max(near) > _shared_depth(body, body) else scored


def _chain(el: etree._Element) -> list[etree._Element]:
    return [*reversed(list(el.iterancestors())), el]


def _shared_depth(a: etree._Element, b: etree._Element) -> int:
    """How deep the closest common ancestor of two elements lies."""
    depth = 0
    for x, y in zip(_chain(a), _chain(b)):
        if x is not y:
            break
        depth += 1
    return depth


def _container(rec: etree._Element) -> etree._Element:
    """The box around a list: the record's grandparent (ul > li: the ul's parent)."""
    node = rec
    for _ in range(2):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        node = parent
    return node


def _contains(box: etree._Element, el: etree._Element) -> bool:
    return el is box or any(anc is box for anc in el.iterancestors())


def _pager(body: etree._Element) -> etree._Element | None:
    """The list's pager: a TRS pager script, a 下一页 / 尾页 text, else a small box classed page/pager."""
    for el in body.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        text, tail = el.text or "", el.tail or ""
        if tag == "script":
            if text and _PAGER_SCRIPT.search(text):
                return el
        elif ("页" in text and _PAGER_WORDS.search(text)) or ("页" in tail and _PAGER_WORDS.search(tail)):
            return el if _PAGER_WORDS.search(text) else el.getparent()
    for el in body.iter():
        if isinstance(el.tag, str) and any(_PAGER_CLASS.match(c) for c in (el.get("class") or "").split()):
            if len(all_text(el)) < 300:
                return el
    return None


def _empty_marker_element(body: etree._Element) -> etree._Element | None:
    """The visible element that says the column is empty (暂无信息...), if any."""
    if not EMPTY_TEXT.search(all_text(body)):
        return None
    for owner, text in text_pieces(body, skip=lambda el: is_hidden(el) or is_template(el)):
        if len(text) < 40 and EMPTY_TEXT.search(text):
            return owner
    return None


def _undated_fallback(
    groups: dict[tuple[str, ...], dict[etree._Element, None]], n_links: dict[etree._Element, int]
) -> list[etree._Element]:
    """The largest list of one-link records that looks like articles, or nothing."""
    best: tuple[int, list[etree._Element]] | None = None
    for recs in groups.values():
        good = [r for r in recs if n_links[r] == 1]
        if len(good) < 5 or _box_penalty(good[0]) < 1.0:
            continue
        anchors = [good_links(r)[0] for r in good]
        titles = [link_title(a) for a in anchors]
        if _title_factor(titles) < 1.0:
            continue
        folders = sum(bool(_FOLDER_LINK.search((a.get("href") or "").split("?")[0])) for a in anchors)
        if folders * 2 > len(anchors):
            continue
        if best is None or len(good) > best[0]:
            best = (len(good), good)
    return best[1] if best else []
