"""What a list page says about itself: empty column, error page, page count, the 下一页 link.

An *empty marker* is the column saying it has nothing (暂无信息, totalrecord 0, createPageHTML(0,...)); it
only counts when no item was read, and text inside script templates (avalon ``ms-if``, Vue ``v-if``) or
hidden boxes does not count, since such templates often carry a 暂无数据 that is never shown.
A *soft 404* is a status-200 page whose title, or whose short body, says the page does not exist.
A *login wall* is a page titled as a login (用户登录, 统一身份认证...) that shows a password field: whatever
dated list sits beside its form (最新公告...) is not the column's.
"""

from __future__ import annotations

import re

from lxml import etree

from .dom import absolute, all_text, element_text, good_href, is_hidden, is_template, squash, text_pieces

__all__ = [
    "EMPTY_TEXT", "empty_marker", "login_wall", "next_link", "soft_404", "stated_page_count", "stated_record_count",
    "visible_text",
]

EMPTY_TEXT = re.compile(
    r"暂无(?:相关)?(?:信息|数据|内容|记录|文章|公开信息|资料)|没有(?:相关|找到相关)?(?:信息|记录|数据|内容)|"
    r"无记录|无相关(?:信息|记录|数据)|查询结果为空|共\s*0\s*条"
)
_ZERO_COUNT = re.compile(
    r"<totalrecord>\s*0\s*</totalrecord>|createPageHTML\s*\(\s*0\s*[,)]|\bcountPage\s*=\s*['\"]?0\b|"
    r"\b(?:recordCount|totalRecord|totalCount)\s*[:=]\s*['\"]?0['\"]?\s*[,;}\n]",
    re.I,
)
_ERROR_TITLE = re.compile(r"页面不存在|页面未找到|找不到|Not Found|无法找到|访问的页面|出错了|错误页", re.I)
_BARE_404 = re.compile(r"(?<!\d)404(?!\d)")  # in a title, an error only on a page without items: a name may hold it
_ERROR_TEXT = re.compile(
    r"(?:页面|网页|栏目|信息|文章|稿件|内容|资源)(?:不存在|已(?:被)?(?:删除|撤销|撤下|下线|失效))|页面未找到|"
    r"找不到(?:该|您要访问的|您访问的)?(?:页面|网页)|页面找不到|无法找到该(?:页|网页)|\b404\b|Not Found|does not exist",
    re.I,
)
_LOGIN_TITLE = re.compile(r"登录|登陆|身份认证|统一认证|\blog ?in\b|\bsign ?in\b", re.I)
_PAGES_TEXT = re.compile(r"共\s*计?\s*(\d+)\s*页|\d+\s*/\s*(\d+)\s*页")
_RECORDS_TEXT = re.compile(r"共\s*(?:有|计)?\s*(\d+)\s*条")
_RECORDS_SCRIPT = re.compile(r"\b(?:recordCount|totalRecord|totalCount)\s*[:=]\s*['\"]?(\d+)", re.I)
_NEXT_WORDS = re.compile(r"^(?:下一页|下页|下一頁|后一页|next|next page)$", re.I)
_NEXT_SIGNS = re.compile(r"^(?:>|»|›|>>)$")
SHORT_PAGE = 1500  # characters of visible text below which a page may be judged by its body alone


def _unshown(el: etree._Element) -> bool:
    return is_hidden(el) or is_template(el)


def visible_text(root: etree._Element) -> str:
    """The body's text as shown: no scripts, no hidden boxes, no script-only templates."""
    body = next(iter(root.iter("body")), root)
    return squash(" ".join(t for _, t in text_pieces(body, skip=_unshown)))


def empty_marker(visible: str, raw: str, has_items: bool) -> bool:
    """True when no item was read and the page (``visible`` text, ``raw`` HTML) says the column is empty."""
    if has_items:
        return False
    return bool(_ZERO_COUNT.search(raw) or EMPTY_TEXT.search(visible))


def soft_404(root: etree._Element, visible: str, has_items: bool) -> bool:
    """True for an error page served with status 200."""
    title = _title(root)
    if title and _ERROR_TITLE.search(title):
        return True
    if has_items:
        return False
    if _BARE_404.search(title):
        return True
    return len(visible) <= SHORT_PAGE and bool(_ERROR_TEXT.search(visible))


def _title(root: etree._Element) -> str:
    return squash(" ".join(all_text(t) for t in root.iter("title")))


def login_wall(root: etree._Element) -> bool:
    """True for a login page: the title says 登录 (or 身份认证) and a password field is shown.

    The title decides: a list page with a 邮箱登录 box in its side column is titled after its column.
    """
    if not _LOGIN_TITLE.search(_title(root)):
        return False
    return any((field.get("type") or "").lower() == "password"
               and not any(_unshown(el) for el in (field, *field.iterancestors()))
               for field in root.iter("input"))


def stated_page_count(visible: str) -> int | None:
    """共 N 页 / 1/N 页 in the visible pager."""
    m = _PAGES_TEXT.search(visible)
    return int(m[1] or m[2]) if m else None


def stated_record_count(visible: str, raw: str) -> int | None:
    """共 N 条 in the pager, or recordCount / totalRecord in a paging script."""
    m = _RECORDS_TEXT.search(visible)
    if m:
        return int(m[1])
    m = _RECORDS_SCRIPT.search(raw)
    return int(m[1]) if m else None


def next_link(root: etree._Element, base: str, url: str) -> str | None:
    """The 下一页 link (else a lone › or » link), when it leads to another page."""
    links = [a for a in root.iter("a") if good_href(a.get("href")) and len(all_text(a).strip()) <= 12]
    for label in (_NEXT_WORDS, _NEXT_SIGNS):
        for a in links:
            if label.match(element_text(a)) or label.match(squash(a.get("title"))):
                target = absolute(base, a.get("href", ""))
                if target != absolute(url, ""):
                    return target
    return None
