"""Small lxml helpers shared by the readers: parse forgivingly, walk visible text, join links."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urldefrag, urljoin

from lxml import etree

__all__ = [
    "parse_html", "text_pieces", "is_hidden", "is_template", "squash", "element_text",
    "page_base", "absolute", "good_href", "NON_CONTENT", "all_text", "parse_fragment",
]

NON_CONTENT = frozenset({"script", "style", "noscript", "template", "select", "option", "textarea", "head"})
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_SPACES = re.compile(r"\s+")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_TEMPLATE_ATTR = re.compile(r"^(?:ms-if|ms-visible|v-if|v-show|ng-if|ng-show|x-show|:)", re.I)


_PARSER = etree.HTMLParser(remove_blank_text=False, remove_comments=False, no_network=True)
_EMPTY = "<html><body></body></html>"


def parse_html(text: str) -> etree._Element:
    """The document root; never raises on junk (an empty page gives an empty <html>).

    Plain ``lxml.etree`` elements, not ``lxml.html`` ones: the latter's class lookup costs more than the
    whole list search on a big page.
    """
    text = _XML_DECL.sub("", text or "", count=1)
    root = None
    if text.strip():
        try:
            root = etree.fromstring(text, _PARSER)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            root = None
    return root if root is not None else etree.fromstring(_EMPTY, _PARSER)


def parse_fragment(text: str) -> etree._Element:
    """An HTML fragment (a Hanweb record) inside a <div>."""
    root = parse_html(f"<html><body><div>{text}</div></body></html>")
    return next(iter(root.iter("div")), root)


_STRING = etree.XPath("string()")


def all_text(el: etree._Element) -> str:
    """Every text under ``el`` as is (scripts included), like lxml.html's text_content()."""
    return str(_STRING(el))


def squash(text: str | None) -> str:
    """Whitespace runs (including non-breaking and ideographic spaces) to one space, trimmed."""
    return _SPACES.sub(" ", (text or "").replace("\xa0", " ").replace("\u3000", " ")).strip()


def is_hidden(el: etree._Element) -> bool:
    """Hidden by its own markup: style display:none, the hidden attribute, AngularJS ng-hide."""
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return "ng-hide" in (el.get("class") or "").split()


def is_template(el: etree._Element) -> bool:
    """Shown only when a script decides (avalon ms-if, Vue v-if, Angular ng-if...)."""
    attrib = el.attrib
    return bool(attrib) and any(_TEMPLATE_ATTR.match(name) for name in attrib)


def text_pieces(
    root: etree._Element, skip: Callable[[etree._Element], bool] | None = None
) -> Iterator[tuple[etree._Element, str]]:
    """(owner element, text) for every text run in document order, leaving out scripts, styles, comments
    and any subtree ``skip`` rejects. A tail belongs to the parent of the element it follows."""
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            tag = el.tag
            if not isinstance(tag, str) or tag in NON_CONTENT or (skip is not None and skip(el)):
                walker.skip_subtree()
            elif el.text:
                yield el, el.text
        elif el.tail and el is not root:
            yield el.getparent(), el.tail


def element_text(el: etree._Element) -> str:
    """The visible text of one element, squashed."""
    return squash(" ".join(t for _, t in text_pieces(el) if t.strip()))


def page_base(root: etree._Element, url: str) -> str:
    """The URL relative links are resolved against: <base href> when the page has one."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return urljoin(url, href)
    return url


def good_href(href: str | None) -> bool:
    """A link that leads to a web page: relative, or http(s). Not an in-page anchor, and no other scheme
    (javascript:, vbscript:, data:, file:, ftp:, mailto:...), however split by tabs or newlines."""
    if not href:
        return False
    h = _CONTROL_OR_SPACE.sub("", href).lower()  # what a browser ignores inside a URL's scheme
    if not h or h.startswith("#"):
        return False
    scheme = _SCHEME.match(h)
    return scheme is None or scheme.group(1) in ("http", "https")


def absolute(base: str, href: str) -> str:
    """``href`` joined with ``base``, fragment removed, whitespace inside the href dropped."""
    href = re.sub(r"[\r\n\t]", "", href.strip())
    return urldefrag(urljoin(base, href))[0]
