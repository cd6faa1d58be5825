"""Site families read exactly: TRS paging, Hanweb datastore and dataproxy.jsp XML, gkmlpt-style JSON."""

from __future__ import annotations

import json
from datetime import date

import pytest

from monitor.extract import read_hanweb_xml, read_list, trs_page_count, trs_page_url


def page(body: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


# ---------------------------------------------------------------- TRS helpers

@pytest.mark.parametrize(
    "html, n",
    [
        ('createPageHTML(5, 0, "index", "html");', 5),
        ("createPageHTML(12,1,'index','shtml')", 12),
        ('function createPageHTML(_nPageCount, _nCurrIndex) {} createPageHTML("pg", 8, 1, "index", "html", 150);', 8),
        ("var countPage = 2//共多少页", 2),
        ("<p>no pager</p>", None),
    ],
)
def test_trs_page_count(html: str, n: int | None) -> None:
    assert trs_page_count(html) == n


@pytest.mark.parametrize(
    "url, k, expected",
    [
        ("http://x.gov.cn/a/", 0, "http://x.gov.cn/a/"),
        ("http://x.gov.cn/a/", 1, "http://x.gov.cn/a/index_1.html"),
        ("http://x.gov.cn/a/", 4, "http://x.gov.cn/a/index_4.html"),
        ("http://x.gov.cn/a/index.html", 0, "http://x.gov.cn/a/index.html"),
        ("http://x.gov.cn/a/index.html", 2, "http://x.gov.cn/a/index_2.html"),
        ("http://x.gov.cn/a/index.shtml", 1, "http://x.gov.cn/a/index_1.shtml"),
        ("http://x.gov.cn/a/index_3.htm", 0, "http://x.gov.cn/a/index.htm"),
        ("http://x.gov.cn/a", 1, "http://x.gov.cn/a/index_1.html"),
    ],
)
def test_trs_page_url(url: str, k: int, expected: str) -> None:
    assert trs_page_url(url, k) == expected


# ---------------------------------------------------------------- Hanweb (大汉) and JSON endpoints

def hanweb_records(n: int, first: int = 0) -> str:
    return "".join(
        f'<record><![CDATA[\n<li><a href="/art/2024/3/{k + 1}/art_1234_{k}.html" title="大汉站群第{k}条信息的完整标题" '
        f'target="_blank">大汉站群第{k}条信息的...</a><span>2024-03-{k + 1:02d}</span></li>\n]]></record>'
        for k in range(first, first + n)
    )


def test_read_hanweb_xml() -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>47</totalrecord><totalpage>4</totalpage>'
        f"<recordset>{hanweb_records(15)}</recordset></datastore>"
    )
    url = "http://www.x.gov.cn/module/web/jpage/dataproxy.jsp?page=1&webid=3&columnid=1234&unitid=5"
    got = read_hanweb_xml(xml, url, date(2024, 4, 1))
    assert len(got.items) == 15
    first = got.items[0]
    assert first.title == "大汉站群第0条信息的完整标题"
    assert first.url == "http://www.x.gov.cn/art/2024/3/1/art_1234_0.html"
    assert (first.published, first.date_source) == (date(2024, 3, 1), "xml")
    assert got.page_count == 4 and got.record_count == 47
    assert got.next_url == "http://www.x.gov.cn/module/web/jpage/dataproxy.jsp?page=2&webid=3&columnid=1234&unitid=5"
    assert read_list(xml, url, date(2024, 4, 1)) == got  # read_list knows the XML too


def test_hanweb_xml_by_record_range() -> None:
    xml = f"<datastore><totalrecord>47</totalrecord><recordset>{hanweb_records(3)}</recordset></datastore>"
    url = "http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15&columnid=9"
    got = read_hanweb_xml(xml, url, date(2024, 4, 1))
    assert got.next_url == (
        "http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15&columnid=9"
    )


def test_hanweb_xml_last_page_and_empty() -> None:
    url = "http://x.gov.cn/module/web/jpage/dataproxy.jsp?page=4&columnid=9"
    xml = f"<datastore><totalpage>4</totalpage><recordset>{hanweb_records(2)}</recordset></datastore>"
    last = read_hanweb_xml(xml, url, date(2024, 4, 1))
    assert last.next_url is None and len(last.items) == 2
    xml = "<datastore><totalrecord>0</totalrecord><totalpage>0</totalpage><recordset></recordset></datastore>"
    empty = read_hanweb_xml(xml, url, date(2024, 4, 1))
    assert empty.items == () and empty.empty_marker


def test_hanweb_col_page_uses_its_embedded_datastore() -> None:
    side = "".join(f'<li><a href="/zx/{k}.html">页面侧栏的最新信息第{k}条</a><span>2024-01-1{k}</span></li>' for k in range(9))
    datastore = (
        '<div id="4242"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/'
        'dataproxy.jsp?page=1&amp;webid=3&amp;columnid=1234"></a>]]></nextgroup>'
        f"<recordset>{hanweb_records(5)}</recordset></datastore></script>"
        "<script>$('#4242').jpage({totalRecord: 120, perPage: 15, proxyUrl: '/module/web/jpage/dataproxy.jsp'});"
        "</script></div>"
    )
    url = "http://www.x.gov.cn/col/col1234/index.html"
    got = read_list(page(f'<ul class="side">{side}</ul>' + datastore), url, date(2024, 4, 1))
    assert [i.title for i in got.items] == [f"大汉站群第{k}条信息的完整标题" for k in range(5)]
    assert {i.date_source for i in got.items} == {"xml"}
    assert got.record_count == 120
    # the records after the inline ones, asked by range (GET works on Hanweb's proxy as well as POST)
    assert got.next_url == (
        "http://www.x.gov.cn/module/web/jpage/dataproxy.jsp?webid=3&columnid=1234&startrecord=6&endrecord=20&perpage=15"
    )


def test_hanweb_col_page_holding_every_record_has_no_next() -> None:
    datastore = (
        '<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&'
        f'columnid=7"></a>]]></nextgroup><recordset>{hanweb_records(3)}</recordset></datastore></script>'
        '<div class="page">共3条记录</div>'
    )
    got = read_list(page(datastore), "http://www.x.gov.cn/col/col7/index.html", date(2024, 4, 1))
    assert len(got.items) == 3 and got.record_count == 3 and got.next_url is None


def test_gkmlpt_json() -> None:
    body = json.dumps(
        {
            "total": 250,
            "articles": [
                {"id": 1, "title": "广东省某某局关于做好2024年工作的通知", "publisher": "某某局",
                 "url": "http://www.gd.gov.cn/gkmlpt/content/4/4000/post_4000001.html", "create_time": 1709568000},
                {"id": 2, "title": "第二条", "url": "/gkmlpt/content/4/4000/post_4000002.html",
                 "create_time": 1709481600000},
                {"id": 3, "title": "无日期", "url": "http://www.gd.gov.cn/x/202403/t20240303_3.html"},
            ],
        },
        ensure_ascii=False,
    )
    url = "http://www.gd.gov.cn/gkmlpt/api/all/5?page=1&sid=2"
    got = read_list(body, url, date(2024, 4, 1))
    assert [(i.published, i.date_source) for i in got.items] == [
        (date(2024, 3, 5), "json"), (date(2024, 3, 4), "json"), (date(2024, 3, 3), "url")
    ]
    assert got.items[1].url == "http://www.gd.gov.cn/gkmlpt/content/4/4000/post_4000002.html"
    assert got.record_count == 250
    assert got.next_url == "http://www.gd.gov.cn/gkmlpt/api/all/5?page=2&sid=2"


def test_empty_json_list() -> None:
    got = read_list('{"total": 0, "articles": []}', "http://x.gov.cn/gkmlpt/api/all/5?page=1&sid=2", date(2024, 4, 1))
    assert got.items == () and got.empty_marker and got.next_url is None


def test_a_json_list_keeps_only_web_addresses() -> None:
    """A javascript:, vbscript:, data: or file: address is no document: not an item, never fetched nor linked."""
    rows = [{"title": f"第{k}条", "url": u, "create_time": 1709568000}
            for k, u in enumerate(["javascript:alert(1)", "java\tscript:alert(2)", "vbscript:x", "data:text/html,x",
                                   "file:///etc/passwd", "/gkmlpt/content/4/4000/post_4000002.html"])]
    got = read_list(json.dumps({"total": 6, "articles": rows}), "http://www.gd.gov.cn/gkmlpt/api/all/5?page=1",
                    date(2024, 4, 1))
    assert [i.url for i in got.items] == ["http://www.gd.gov.cn/gkmlpt/content/4/4000/post_4000002.html"]
