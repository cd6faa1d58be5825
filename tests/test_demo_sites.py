"""The demo world's sites over real HTTP on 127.0.0.N: the site families (TRS, Hanweb, gkmlpt, a list built
by JavaScript), their quirks (a GBK page that claims UTF-8), and the scenario's columns as a crawler sees them.
"""

from __future__ import annotations

import base64
import json
import re
import tomllib
from datetime import datetime, timedelta
from urllib.parse import urljoin

import pytest

from monitor.clock import SHANGHAI
from monitor.extract import read_body, read_list
from tests.conftest import list_dates, url


def test_hollow_column_reposts_empty_attachment_only_and_redated_items(world, server, client):
    col = world.unit("slj").column("tzgg")
    copies = [it for it in col.items if it.copy_of]
    assert sorted(c.posted for c in copies) == [world.at(-10), world.at(-6), world.at(-3)]
    for copy in copies:  # the same title and text at a new address with a new date
        page, original = client.get(url(world, "slj", copy.path)).text, client.get(url(world, "slj", copy.copy_of.path)).text
        assert copy.path != copy.copy_of.path and copy.title == copy.copy_of.title and copy.shown > copy.copy_of.shown
        assert read_body(page).sha256 == read_body(original).sha256 is not None
    empty = next(it for it in col.items if it.body == "empty")
    assert read_body(client.get(url(world, "slj", empty.path)).text).chars == 0
    pdf = next(it for it in col.items if it.body == "attachment")
    assert read_body(client.get(url(world, "slj", pdf.path)).text).attachments >= 1
    old = next(it for it in col.items if it.reshown)
    server.set_today(world.at(-9))
    assert f'<span>{old.shown}</span>' in client.get(url(world, "slj", col.path)).text
    server.set_today(world.at(-8))
    listing = client.get(url(world, "slj", col.path)).text
    assert f'<span>{old.shown}</span>' not in listing and list_dates(listing)[0] == str(world.at(-8))
    assert f'href="./{old.path[len(col.path):]}"' in listing  # at the same address


def test_trs_list_pages_and_pager(world, client):
    first = client.get(url(world, "fgw", "/xxgk/gzdt/"))
    assert first.status_code == 200
    pages, current = map(int, re.search(r'createPageHTML\((\d+), (\d+), "index", "html"\)', first.text).groups())
    assert pages >= 2 and current == 0
    assert "网站标识码" in first.text and "ICP备" in first.text and "主办单位" in first.text and "热点" in first.text
    second = client.get(url(world, "fgw", "/xxgk/gzdt/index_1.html"))
    assert f'createPageHTML({pages}, 1, "index", "html")' in second.text
    d1, d2 = list_dates(first.text), list_dates(second.text)
    assert len(d1) == world.unit("fgw").spec.per_page and d1 == sorted(d1, reverse=True) and d2[0] <= d1[-1]
    assert client.get(url(world, "fgw", f"/xxgk/gzdt/index_{pages}.html")).status_code == 404


def test_article_page_carries_dates_and_metadata(world, client):
    listing = client.get(url(world, "fgw", "/xxgk/zcwj/index.html"))
    href = re.search(r'<a href="(\./\d{6}/t\d{8}_\d+\.html)" title="([^"]+)"', listing.text)
    article = client.get(urljoin(str(listing.url), href.group(1)))
    item = world.unit("fgw").column("zcwj").items[0]
    assert article.status_code == 200 and item.title in article.text
    assert f'<meta name="PubDate" content="{item.shown:%Y-%m-%d} {item.time}">' in article.text
    assert f"发布时间：{item.shown:%Y-%m-%d}" in article.text
    for label in ("索引号", "发布机构", "成文日期", "发布日期"):
        assert label in article.text
    assert f"{item.written:%Y-%m-%d}" in article.text


def test_gbk_site_with_a_lying_header(world, client):
    r = client.get(url(world, "jyj", "/xxgk/gzdt/"))
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert b'charset=gb2312' in r.content
    text = r.content.decode("gbk")
    newest = world.unit("jyj").column("gzdt").items[0]
    assert newest.title in text and f"{newest.shown.year}年{newest.shown.month:02d}月{newest.shown.day:02d}日" in text
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")


def test_hanweb_column_page_and_dataproxy(world, client):
    col = world.unit("zjj").column("tzgg")
    online = world.online(col)
    page = client.get(url(world, "zjj", col.path)).text
    assert '<script type="text/xml"' in page and "<datastore>" in page and "<nextgroup>" in page
    assert page.count("<record>") == min(45, len(online)) and online[0].path in page
    endpoint = url(world, "zjj", "/module/web/jpage/dataproxy.jsp")
    got = client.get(endpoint, params={"startrecord": 1, "endrecord": 15, "perpage": 15, "columnid": col.spec.colid})
    assert got.headers["content-type"].startswith("text/xml")
    assert f"<totalrecord>{len(online)}</totalrecord>" in got.text
    assert f"<totalpage>{-(-len(online) // 15)}</totalpage>" in got.text
    assert got.text.count("<![CDATA[<li><a href=\"/art/") == min(15, len(online))
    posted = client.post(endpoint + "?startrecord=16&endrecord=30&perpage=15", data={"columnid": col.spec.colid})
    assert online[15].path in posted.text and online[0].path not in posted.text
    assert re.search(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_1002_\d+\.html", posted.text)
    assert client.get(url(world, "zjj", online[0].path)).status_code == 200


def test_javascript_list_has_no_items_in_html(world, client):
    r = client.get(url(world, "wjw", "/xxgk/gzdt/"))
    assert '<ul id="list" class="list"></ul>' in r.text and "DOMContentLoaded" in r.text
    assert not list_dates(r.text)
    blob = re.search(r'var raw = "([A-Za-z0-9+/=]+)"', r.text).group(1)
    data = json.loads(base64.b64decode(blob))
    newest = world.unit("wjw").column("gzdt").items[0]
    assert data[0] == {"t": newest.title, "u": newest.path, "d": f"{newest.shown:%Y-%m-%d}"}


def test_items_appear_on_their_posted_day(world, server, client):
    col = world.unit("fgw").column("gzdt")
    item = col.items[0]
    server.set_today(item.posted - timedelta(days=1))
    assert item.title not in client.get(url(world, "fgw", col.path)).text
    assert client.get(url(world, "fgw", item.path)).status_code == 404
    server.set_today(item.posted)
    assert item.title in client.get(url(world, "fgw", col.path)).text
    assert client.get(url(world, "fgw", item.path)).status_code == 200


def test_blank_and_redesigned_columns(world, server, client):
    blank = client.get(url(world, "scjgj", "/xxgk/zdxm/")).text
    assert "暂无信息" in blank and 'createPageHTML(1, 0, "index", "html")' in blank and not list_dates(blank)
    path = world.unit("xq").column("dsx_gzdt").path
    server.set_today(world.at(-5))
    assert list_dates(client.get(url(world, "xq", path)).text)[0] == f"{world.at(-16)}"
    server.set_today(world.at(-4))
    page = client.get(url(world, "xq", path))
    assert page.status_code == 200 and "<span>" not in page.text and "暂无信息" not in page.text
    assert 'class="list"' not in page.text and not re.search(r"createPageHTML\(\d", page.text)
    assert client.get(url(world, "xq", path + "index_1.html")).status_code == 404


def test_back_dated_items_show_an_old_date(world, server, client):
    col = world.unit("zrzyj").column("zcwj")
    faked = [it for it in col.items if it.shown != it.posted]
    assert [it.posted for it in faked] == [world.at(-1), world.at(-5)]
    first = faked[-1]
    assert (first.posted - first.shown).days > 30
    server.set_today(world.at(-6))
    assert first.title not in client.get(url(world, "zrzyj", col.path)).text
    server.set_today(world.at(-5))
    listing = client.get(url(world, "zrzyj", col.path)).text
    assert "<table" in listing and f'<td class="date">{first.shown}</td>' in listing and first.title in listing
    article = client.get(url(world, "zrzyj", first.path)).text
    assert f"{first.written}" in article and f'content="{first.shown} ' in article


def test_quarterly_statistics_need_page_two(world, client):
    col = world.unit("xq").column("tjxx")
    quarterly = [it for it in world.online(col) if it.period]
    assert quarterly and world.online(col).index(quarterly[0]) >= world.unit("xq").spec.per_page
    assert quarterly[0].title in client.get(url(world, "xq", col.path + "index_1.html")).text


def test_robots_and_not_found(world, client):
    robots = client.get(url(world, "fgw", "/robots.txt"))
    assert robots.status_code == 200 and "Allow: /" in robots.text
    assert client.get(url(world, "fgw", "/no/such/page.html")).status_code == 404
    assert client.get(url(world, "zjj", "/col/col9999/index.html")).status_code == 404


def test_gkmlpt_columns_are_read_from_the_json_api(world, client):
    """The app page has no list; the catalog's endpoint is the API, paged by 100, with epoch-second times."""
    unit, cat = world.unit("jtj"), tomllib.loads(world.catalog_toml())
    columns = next(u for u in cat["units"] if u["slug"] == "jtj")["columns"]
    assert all(c["url"].endswith(f"/gkmlpt/index#{unit.column(c['id']).spec.colid}") for c in columns)
    assert all("/gkmlpt/api/all/" in c["extract"]["endpoint"] and "&sid=" in c["extract"]["endpoint"] for c in columns)
    app = client.get(url(world, "jtj", "/gkmlpt/index"))
    assert app.status_code == 200 and "_CONFIG" in app.text and not list_dates(app.text)

    endpoint = next(c for c in columns if c["id"] == "tzgg")["extract"]["endpoint"]
    r = client.get(endpoint)
    assert r.headers["content-type"].startswith("application/json")
    data = r.json()
    online = world.online(unit.column("tzgg"))
    assert set(data) >= {"articles", "total", "page_size"} and data["total"] == len(online)
    first = data["articles"][0]
    assert first["title"] == online[0].title and first["url"].startswith(world.url(unit, "/gkmlpt/content/"))
    assert datetime.fromtimestamp(first["publish_time"], SHANGHAI).date() == online[0].shown  # China time
    assert first["create_time"] < first["publish_time"]  # the record was made before it went online
    assert client.get(first["url"]).status_code == 200 and online[0].title in client.get(first["url"]).text

    gzdt = next(c for c in columns if c["id"] == "gzdt")["extract"]["endpoint"]
    page = read_list(client.get(gzdt).text, gzdt, world.end)
    assert len(page.items) == 100 and page.newest == world.at(-22) and {i.date_source for i in page.items} == {"json"}
    last = -(-page.record_count // 100)
    tail = gzdt.replace("page=1", f"page={last}")
    assert read_list(client.get(tail).text, tail, world.end).next_url is None  # a short last page ends the list
    wrong_sid = client.get(gzdt.replace("&sid=", "&sid=9")).json()
    assert wrong_sid["articles"] == [] and wrong_sid["total"] == 0
