"""Reading pages: pure functions over text, no network and no Scrapy (the spider calls these).

- :func:`read_list` — a column's list page (HTML, Hanweb XML, JSON) into items, paging and page state.
- :func:`read_hanweb_xml` — a Hanweb ``dataproxy.jsp`` answer.
- :func:`read_article` — the published / written dates of an article page.
- :func:`read_body` — how much text an article's body holds, its fingerprint and attachments.
- :func:`parse_date`, :func:`date_from_url` — dates in every form the sites use.
- :func:`detect_challenge` — a firewall's challenge page (瑞数 412, 加速乐 521, WZWS).
- :func:`declared_encoding_fix` — the encoding to use when a GBK page is served with a wrong header.
- :func:`trs_page_count`, :func:`trs_page_url` — TRS static paging.
"""

from .article import read_article
from .body import ArticleBody, read_body
from .dates import date_from_url, parse_date
from .encoding import declared_encoding_fix, encoding_override
from .families import read_hanweb_xml, trs_page_count, trs_page_url
from .firewall import detect_challenge
from .listing import read_list
from .models import ArticleDates, ListedItem, ListHints, ListPage

__all__ = [
    "ArticleBody",
    "ArticleDates",
    "ListHints",
    "ListPage",
    "ListedItem",
    "date_from_url",
    "declared_encoding_fix",
    "encoding_override",
    "detect_challenge",
    "parse_date",
    "read_article",
    "read_body",
    "read_hanweb_xml",
    "read_list",
    "trs_page_count",
    "trs_page_url",
]
