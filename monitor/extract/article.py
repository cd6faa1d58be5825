"""``read_article``: the publication and written dates of an article page.

The published date is what a reader sees first, by label rank:
1. 发布日期 / 发布时间 (and 公开日期, 发稿时间, 发表时间, 上网时间) in the metadata table or the line under the title;
2. 生成日期 (Jiangxi 集约化 xxgk boxes);
3. 发文日期, when nothing above is shown (with a 发布日期 beside it, 发文日期 is the written date);
4. a bare 时间： / 日期： label (not 留言时间, 作出处罚决定的日期: the label must not follow another character);
5. a bare date on its own in the info line right under the title (来源：新华社 · 作者： · 2023-12-01 14:43).
Only when nothing is shown do the meta tags count (PubDate, firstpublishedtime, the enorth ``enpproperty``
comment...). ``页面生成时间`` in ``<meta name="others">`` is the page's regeneration time and is never used.
Attributes (``alt="时间：2017-11-08"``), scripts, hidden boxes and the page's <title> are not read.
"""

from __future__ import annotations

import re

from datetime import date

from lxml import etree

from .dates import find_date, is_date_text, normalise
from .dom import all_text, is_hidden, parse_html, squash, text_pieces
from .models import ArticleDates

__all__ = ["read_article"]

_CJK = r"\u4e00-\u9fff"
_LABELS: tuple[tuple[int, str], ...] = (
    (1, r"发布日期|发布时间|公开日期|公开时间|发稿日期|发稿时间|发表日期|发表时间|上网日期|上网时间|发布于"),
    (2, r"生成日期"),
    (3, r"发文日期|发文时间"),
    (4, rf"(?<![{_CJK}])(?:时间|日期)"),
    (9, r"成文日期|成文时间|签发日期|印发日期"),
)
_LABEL_RE = re.compile("|".join(f"(?P<r{rank}>{pattern})" for rank, pattern in _LABELS))
_WINDOW = 40  # characters after a label in which its date must start
_LEAD = 4  # at most this many characters (":", brackets, spaces) between a label and its date
META_PUB = (
    "pubdate", "publishdate", "publish_date", "publishtime", "firstpublishedtime", "article:published_time",
    "datepublished", "dc.date.issued", "dcterms.issued", "releasedate", "og:release_date", "dc.date",
)
_ENP_DATE = re.compile(r"<!--\s*enpproperty.*?<date>([^<]+)</date>", re.S | re.I)
_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜–—]|\s-\s)\s*")
_INFO_LOOKAHEAD = 12  # text runs after the title searched for the bare date of the info line
RANK_INFO = 5


def _labelled(text: str) -> list[tuple[int, str, date]]:
    """(rank, label, date) for each date label followed by a date, in text order."""
    found = []
    for m in _LABEL_RE.finditer(text):
        rank = int(next(k for k, v in m.groupdict().items() if v)[1:])
        window = text[m.end(): m.end() + _WINDOW]
        hit = find_date(window)
        if hit is not None and hit[1] <= _LEAD:
            found.append((rank, m.group(0), hit[0]))
    return found


def _title_candidates(root: etree._Element) -> list[str]:
    names = []
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").lower()
        if key in ("articletitle", "og:title", "title") and meta.get("content"):
            names.append(squash(normalise(meta.get("content", ""))))
    for t in root.iter("title"):
        pieces = _TITLE_SPLIT.split(squash(normalise(all_text(t))))
        names.extend(sorted((p for p in pieces if len(p) >= 4), key=len, reverse=True)[:1])
        break
    return [n for n in names if n]


def _info_line_date(runs: list[str], titles: list[str]) -> date | None:
    """The bare date standing alone in the few text runs after the title."""
    for i, run in enumerate(runs):
        if not any(run == t or (len(run) >= 4 and (t.startswith(run) or run.startswith(t))) for t in titles):
            continue
        for nxt in runs[i + 1: i + 1 + _INFO_LOOKAHEAD]:
            d = is_date_text(nxt, slack=8)
            if d is not None:
                return d
    return None


def _meta_dates(root: etree._Element, raw: str) -> list[tuple[str, date]]:
    found: list[tuple[int, str, date]] = []
    for meta in root.iter("meta"):
        name = meta.get("name") or meta.get("property") or meta.get("itemprop") or ""
        if name.lower() in META_PUB:
            hit = find_date(meta.get("content") or "")
            if hit is not None:
                found.append((META_PUB.index(name.lower()), f"meta:{name}", hit[0]))
    m = _ENP_DATE.search(raw)
    if m and (hit := find_date(m[1])) is not None:
        found.append((len(META_PUB), "meta:enpproperty", hit[0]))
    found.sort(key=lambda f: f[0])
    return [(label, d) for _, label, d in found]


def read_article(html: str, url: str) -> ArticleDates:
    """The dates an article page shows (see the module docstring for the order).

    ``url`` is the page's address; the date inside it is not read here (a URL date is the list reader's
    last resort, and an article page always says more).
    """
    root = parse_html(html)
    body = next(iter(root.iter("body")), root)
    runs = [squash(normalise(t)) for _, t in text_pieces(body, skip=is_hidden) if t.strip()]
    visible = _labelled(" ".join(runs))
    titles = _title_candidates(root)
    if not any(rank < 9 for rank, _, _ in visible) and titles:
        info = _info_line_date(runs, titles)
        if info is not None:
            visible.append((RANK_INFO, "info", info))
    metas = _meta_dates(root, html)

    shown = sorted((f for f in visible if f[0] < 9), key=lambda f: f[0])  # stable: page order within a rank
    published = shown[0][2] if shown else (metas[0][1] if metas else None)
    top_rank = shown[0][0] if shown else None
    written_pool = [f for f in visible if f[0] == 9]
    if top_rank is not None and top_rank < 3:
        written_pool += [f for f in visible if f[0] == 3]
    written = written_pool[0][2] if written_pool else None

    candidates = [(f"visible:{label}", d) for _, label, d in visible] + metas
    conflict = bool(shown) and any(d != published for _, d in metas)
    return ArticleDates(
        published=published,
        written=written,
        candidates=tuple(candidates),
        conflict=conflict,
    )
