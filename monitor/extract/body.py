"""``read_body``: how much text an article page's body holds, a fingerprint of it, and its attachments.

What the faked-disclosure checks need from an item's own page (``monitor.signals``): an item with no content
(为公开而公开) and the same document re-posted under another address (a hash of its text).

The body is the article's content box when the page has a known one (TRS ``TRS_Editor``, Hanweb ``#zoom``,
``#UCAP-CONTENT``, 集约化 ``#zoomcon`` ...). Without one, the block holding the most paragraph text not
inside links is taken, but only when it holds at least ``FALLBACK_MIN_CHARS``: a guess never says a page is
empty. So ``chars`` is None (unknown) when no content box is known and no substantial block is found, and
also when the content box is empty but a script on the page names it (its text may be filled in by script).
Attachments (links to PDF, Word, Excel, WPS, OFD, archives; the word 附件 or 下载 in the body) and images,
frames or videos inside the body are counted: an item whose body is only an attachment is not empty.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from lxml import etree

from .dom import all_text, is_hidden, parse_html, text_pieces

__all__ = ["ArticleBody", "read_body"]

CONTENT_IDS = ("zoom", "zoomcon", "ucap-content", "fcontent", "dochtmlcon", "js_content", "maintext", "artibody",
               "article_content", "content_text", "newscontent", "info_content", "doc_content")
CONTENT_CLASSES = ("trs_editor", "trs_ueditor", "trs_editor_view", "article-content", "article_content",
                   "pages_content", "wzcon", "zwnr", "detil-new-cont", "article_con", "con_text", "content_text",
                   "news_content", "detail-content", "xxgk_content", "art_con")
ATTACHMENT_EXTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".ofd", ".zip", ".rar", ".7z", ".ppt",
                   ".pptx", ".txt", ".csv", ".jpg", ".jpeg", ".png", ".tif", ".tiff")
ATTACHMENT_WORDS = ("附件", "下载", "扫描件")
MEDIA_TAGS = ("img", "iframe", "embed", "object", "video", "audio")
FALLBACK_MIN_CHARS = 100  # a block found without a known content box counts only when it holds this much
_BLOCKS = ("div", "td", "article", "section", "main")
_NOT_PARAGRAPHS = ("a", "script", "style", "ul", "ol", "nav")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ArticleBody:
    """What the body of an article page holds."""

    chars: int | None  # letters and digits in the body text (CJK characters count one each); None: unknown
    sha256: str | None  # hash of the normalised body text; None when the body is empty or unknown
    attachments: int  # attachment links on the page, and images / frames / videos in the body
    box: str  # how the body was found: 'id:zoom', 'class:trs_editor', 'largest block', or '' (not found)


def read_body(html: str, url: str = "") -> ArticleBody:
    """The article body of ``html`` (see the module docstring); ``url`` only resolves nothing, kept for symmetry
    with ``read_article``."""
    root = parse_html(html)
    body = next(iter(root.iter("body")), root)
    attachments = _attachment_links(body)
    box, how = _content_box(body)
    if box is None:
        block, chars = _largest_block(body)
        if block is None or chars < FALLBACK_MIN_CHARS:
            return ArticleBody(None, None, attachments, "")
        box, how = block, "largest block"
    text = _text(box)
    chars = _count(text)
    attachments += sum(1 for el in box.iter(*MEDIA_TAGS))
    if any(word in text for word in ATTACHMENT_WORDS):
        attachments += 1
    if chars < FALLBACK_MIN_CHARS and how != "largest block":
        if _filled_by_script(root, box):  # a date line in the box, the text itself filled in by a script
            return ArticleBody(None, None, attachments, how)
        block, more = _largest_block(body, outside=box)
        if block is not None and more >= FALLBACK_MIN_CHARS:  # more text elsewhere: which is the body?
            return ArticleBody(None, None, attachments, how)
    return ArticleBody(chars, _fingerprint(text) if chars else None, attachments, how)


def _text(el: etree._Element) -> str:
    return " ".join(t for _, t in text_pieces(el, skip=is_hidden) if t.strip())


def _count(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def _fingerprint(text: str) -> str:
    """SHA-256 of the text with width forms folded (NFKC) and every space removed."""
    normal = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def _content_box(body: etree._Element) -> tuple[etree._Element | None, str]:
    """The first known content box: by id in CONTENT_IDS order, then by class."""
    by_id: dict[str, etree._Element] = {}
    by_class: dict[str, etree._Element] = {}
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        ident = (el.get("id") or "").lower()
        if ident in CONTENT_IDS:
            by_id.setdefault(ident, el)
        for cls in (el.get("class") or "").lower().split():
            if cls in CONTENT_CLASSES:
                by_class.setdefault(cls, el)
    for ident in CONTENT_IDS:
        if ident in by_id:
            return by_id[ident], f"id:{ident}"
    for cls in CONTENT_CLASSES:
        if cls in by_class:
            return by_class[cls], f"class:{cls}"
    return None, ""


def _own_text_chars(el: etree._Element) -> int:
    """Letters and digits of the paragraphs directly under ``el``, links left out."""
    total = 0
    for child in el:
        if not isinstance(child.tag, str) or child.tag in _NOT_PARAGRAPHS or is_hidden(child):
            continue
        if child.tag in ("p", "span", "font", "strong", "b", "br", "div") and not len(child.xpath(".//a|.//li")):
            total += _count(_text(child))
    if el.text:
        total += _count(el.text)
    return total


def _largest_block(body: etree._Element, outside: etree._Element | None = None) -> tuple[etree._Element | None, int]:
    """The block with the most paragraph text of its own (links left out), not inside ``outside``."""
    skip = set(outside.iter()) if outside is not None else set()
    best, best_chars = None, 0
    for el in body.iter(*_BLOCKS):
        if el in skip or is_hidden(el):
            continue
        chars = _own_text_chars(el)
        if chars > best_chars:
            best, best_chars = el, chars
    return best, best_chars


def _attachment_links(body: etree._Element) -> int:
    count = 0
    for a in body.iter("a"):
        parts = urlsplit((a.get("href") or "").strip())
        label = " ".join(a.itertext()).lower()
        # downfile.jsp?filename=x.pdf (Hanweb and others) names the file in its query; or the link's text does
        page_link = parts.path.lower().endswith((".html", ".htm", ".shtml", "/")) or not parts.path
        if (parts.path.lower().endswith(ATTACHMENT_EXTS) or unquote(parts.query).lower().endswith(ATTACHMENT_EXTS)
                or label.strip().endswith(ATTACHMENT_EXTS)
                or (not page_link and any(w in label for w in ATTACHMENT_WORDS))):
            count += 1
    return count


def _filled_by_script(root: etree._Element, box: etree._Element) -> bool:
    """A script on the page names the empty box (its id or a class): its text may come from the script."""
    names = [box.get("id") or ""] + (box.get("class") or "").split()
    names = [n for n in names if len(n) >= 3]
    scripts = " ".join(all_text(s) for s in root.iter("script"))
    return bool(names) and any(n in scripts for n in names)
