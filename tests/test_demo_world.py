"""The demo world over real HTTP on 127.0.0.N: site families, quirks, scenario timings, catalog, server."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

import monitor.demo
from monitor.clock import SHANGHAI
from monitor.demo import DemoServer, DemoWorld
from monitor.demo.catalog import burst_after_notice, last_on_time_day
from monitor.demo.items import missed_month_dates
from monitor.demo.units import UNITS, MissedMonth
from monitor.extract import detect_challenge, read_body, read_list
from tests.conftest import free_port

E = date(2026, 11, 27)
STATES = {"on_time", "due_soon", "late", "blank", "broken", "unreachable", "blocked"}


def start_world(first_ip: int = 11) -> tuple[DemoWorld, DemoServer]:
    ips = [f"127.0.0.{first_ip + i}" for i in range(len(UNITS))]
    world = DemoWorld(E, port=free_port(ips), first_ip=first_ip)
    server = DemoServer(world)
    server.start()
    return world, server


@pytest.fixture(scope="module")
def demo():
    world, server = start_world()
    client = httpx.Client(timeout=5, trust_env=False)
    yield world, server, client
    client.close()
    server.stop()


@pytest.fixture
def world(demo):
    world, server, _ = demo
    yield world
    server.set_today(E)


@pytest.fixture
def server(demo):
    return demo[1]


@pytest.fixture
def client(demo):
    return demo[2]


def url(world: DemoWorld, slug: str, path: str) -> str:
    return world.url(world.unit(slug), path)


def list_dates(html: str) -> list[str]:
    return re.findall(r"<span>\[?(\d{4}-\d{2}-\d{2})\]?</span>", html)


def test_catalog_parses_and_describes_the_world(world):
    cat = tomllib.loads(world.catalog_toml())
    units = cat["units"]
    columns = [(u["slug"], c) for u in units for c in u["columns"]]
    assert len(units) >= 9 and len(columns) >= 60
    assert cat["monitor"]["download_timeout"] == 3
    templates = set(cat["rules"])
    assert {"dynamic_2w", "notice_6m", "policy_20wd", "monthly_15d", "quarterly_15d", "annual_report", "standing"} <= templates
    for slug, c in columns:
        rule = c["rule"]
        assert rule in templates if isinstance(rule, str) else (rule.get("template") in templates or "kind" in rule)
        assert c["type"] in {"动态要闻", "通知公告", "政策文件", "人事", "规划计划", "财政预决算", "其他"}
        assert c["url"].startswith(next(u["site"] for u in units if u["slug"] == slug))
    assert any(isinstance(c["rule"], dict) and "template" in c["rule"] for _, c in columns)
    assert any(c.get("extract", {}).get("endpoint") for _, c in columns)
    assert any(c.get("extract", {}).get("browser") for _, c in columns)
    assert any(c["focus"] for _, c in columns)
    assert set(world.expected()) == {(slug, c["id"]) for slug, c in columns}


def test_expected_verdicts_of_the_scenario(world):
    exp = world.expected()
    assert all(v["state"] in STATES and v["why"] for v in exp.values())
    assert {k: (v["state"], v["notice"]) for k, v in exp.items() if (v["state"], v["notice"]) != ("on_time", None)
            and v["state"] not in ("unreachable", "blocked")} == {
        ("czj", "czsz"): ("on_time", "rectified"), ("scjgj", "gzdt"): ("late", "overdue"),
        ("scjgj", "tzgg"): ("on_time", "rectified"), ("scjgj", "zdxm"): ("blank", "overdue"),
        ("zrzyj", "zcwj"): ("late", "draft"), ("xq", "dsx_gzdt"): ("broken", None),
        ("jtj", "gzdt"): ("late", "issued"), ("hbj", "xzcf"): ("broken", None), ("wlj", "tzgg"): ("on_time", "rectified")}
    assert {exp[("swj", c.id)]["state"] for c in world.unit("swj").columns} == {"unreachable"}
    assert {exp[("rsj", c.id)]["state"] for c in world.unit("rsj").columns} == {"blocked"}
    assert {exp[("sfj", c.id)]["state"] for c in world.unit("sfj").columns} == {"blocked"}
    assert {c.id for c in world.unit("hbj").columns if exp[("hbj", c.id)]["state"] == "blocked"} == {"hjzl"}
    assert exp[("scjgj", "gzdt")]["late_from"] == world.at(-19)
    assert exp[("scjgj", "gzdt")]["notice_opened"] == world.at(-18)
    assert exp[("scjgj", "tzgg")]["notice_opened"] == world.at(-14)
    assert exp[("scjgj", "tzgg")]["rectified_on"] == world.at(-4)
    assert exp[("czj", "czsz")]["rectified_on"] == world.at(-2)
    assert exp[("jtj", "gzdt")]["late_from"] == world.at(-7) and exp[("jtj", "gzdt")]["notice_opened"] == world.at(-6)
    assert exp[("wlj", "tzgg")]["rectified_on"] == world.at(-14)  # by the burst, two days after the notice


def test_expected_signals_of_the_scenario(world):
    """Back-dating, a burst, re-posts, an empty item and a re-dated one, each in its own unit; nothing elsewhere."""
    signals = {k: {kind: len(urls) for kind, urls in v["signals"].items()} for k, v in world.expected().items()
               if v["signals"]}
    assert signals == {("zrzyj", "zcwj"): {"backdated": 2}, ("wlj", "tzgg"): {"burst": 8},
                       ("slj", "tzgg"): {"repost": 3, "empty_item": 1, "date_changed": 1}}
    assert burst_after_notice(world, world.unit("wlj").column("tzgg")) == world.at(-16)


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


def test_bursty_column_is_silent_five_weeks_then_posts_eight_items_in_two_days(world):
    col = world.unit("wlj").column("tzgg")
    posted = sorted(it.posted for it in col.items if it.posted > world.at(-49))
    assert posted[:8] == [world.at(-14)] * 4 + [world.at(-13)] * 4
    assert max(it.posted for it in col.items if it.posted < world.at(-14)) == world.at(-49)


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


def test_firewall_from_e_minus_10(world, server, client):
    server.set_today(world.at(-11))
    assert client.get(url(world, "rsj", "/xxgk/gzdt/")).status_code == 200
    server.set_today(world.at(-10))
    for path in ("/xxgk/gzdt/", "/", "/robots.txt"):
        r = client.get(url(world, "rsj", path))
        assert r.status_code == 412 and "$_ts" in r.text and "location.reload()" in r.text and "<li" not in r.text


def test_timeouts_during_the_last_three_days(world):
    host = world.unit("swj").ip
    world.today = world.at(-3)
    assert world.respond(host, "/xxgk/gzdt/").delay_s == 0
    for day in (-2, -1, 0):
        world.today = world.at(day)
        assert world.respond(host, "/xxgk/gzdt/").delay_s == 30
    assert world.unit("swj").column("gzdt").items[0].shown == world.at(-17)


def test_stop_returns_promptly_while_a_request_stalls():
    world, server = start_world(first_ip=31)
    stalled = threading.Event()
    respond = world.respond

    def spy(*args, **kwargs):
        r = respond(*args, **kwargs)
        if r.delay_s:
            stalled.set()
        return r

    world.respond = spy
    errors: list[Exception] = []

    def fetch() -> None:
        try:
            httpx.get(world.url(world.unit("swj"), "/xxgk/gzdt/"), timeout=20, trust_env=False)
        except httpx.HTTPError as exc:
            errors.append(exc)

    thread = threading.Thread(target=fetch)
    thread.start()
    assert stalled.wait(5)
    t0 = time.monotonic()
    server.stop()
    thread.join(5)
    assert time.monotonic() - t0 < 2 and not thread.is_alive() and errors


def test_generation_is_deterministic_and_the_bundled_catalog_is_current(world):
    again = DemoWorld(E)  # default port 8700, as bundled
    for unit, other in zip(world.units, again.units):
        for col, col2 in zip(unit.columns, other.columns):
            assert [(i.title, i.posted, i.shown, i.path) for i in col.items] == \
                   [(i.title, i.posted, i.shown, i.path) for i in col2.items]
    bundled = Path(monitor.demo.__file__).with_name("catalog.toml").read_text(encoding="utf-8")
    assert bundled == again.catalog_toml()


def test_port_taken_is_a_clear_error(demo):
    world = demo[0]
    with pytest.raises(RuntimeError, match="cannot bind 127.0.0.11"):
        DemoServer(world).start()


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


def test_missed_month_is_posted_late(world):
    col = world.unit("czj").column("czsz")
    missed, due, _ = missed_month_dates(world.end, MissedMonth())
    report = next(it for it in col.items if it.period == missed)
    assert due <= world.at(-6) and report.posted == report.shown == world.at(-2)
    assert not [it for it in col.items if due < it.posted < world.at(-2)]


def test_quarterly_statistics_need_page_two(world, client):
    col = world.unit("xq").column("tjxx")
    quarterly = [it for it in world.online(col) if it.period]
    assert quarterly and world.online(col).index(quarterly[0]) >= world.unit("xq").spec.per_page
    assert quarterly[0].title in client.get(url(world, "xq", col.path + "index_1.html")).text


def test_on_time_columns_stay_on_time_every_day(world):
    """Scenario-free max_gap columns never come within warn_days of their deadline during S..E."""
    for unit in world.units:
        for col in unit.columns:
            if col.spec.scenario or col.rule["kind"] != "max_gap":
                continue
            for k in range(world.days):
                day = world.start + timedelta(days=k)
                newest = world.online(col, day)[0].shown
                assert (last_on_time_day(newest, col.rule["within"]) - day).days > 3, (unit.slug, col.id, day)


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


def test_wzws_redirect_on_one_column_from_e_minus_8(world, server, client):
    path = world.unit("hbj").column("hjzl").path
    server.set_today(world.at(-9))
    assert list_dates(client.get(url(world, "hbj", path)).text)
    server.set_today(world.at(-8))
    first = client.get(url(world, "hbj", path))
    assert first.status_code == 302 and first.headers["location"].startswith("/WZWSREL")
    challenge = client.get(url(world, "hbj", path), follow_redirects=True)
    assert challenge.status_code == 200 and "wzwschallenge" in challenge.text and not list_dates(challenge.text)
    assert detect_challenge(challenge.status_code, challenge.content, dict(challenge.headers)) == "wzws"
    assert detect_challenge(302, b"", dict(first.headers)) == "wzws"
    assert list_dates(client.get(url(world, "hbj", "/xxgk/gzdt/")).text)  # the rest of the site is readable


def test_jiasule_521_from_e_minus_6(world, server, client):
    server.set_today(world.at(-7))
    assert client.get(url(world, "sfj", "/xxgk/gzdt/")).status_code == 200
    server.set_today(world.at(-6))
    for path in ("/xxgk/gzdt/", "/", "/robots.txt"):
        r = client.get(url(world, "sfj", path))
        assert r.status_code == 521 and "__jsluid_h=" in r.headers["set-cookie"]
        assert "__jsl_clearance" in r.text.replace("')+('", "") and "<li" not in r.text
        assert detect_challenge(r.status_code, r.content, dict(r.headers)) == "jiasule_521"


def test_soft_404_from_e_minus_6(world, server, client):
    path = world.unit("hbj").column("xzcf").path
    server.set_today(world.at(-7))
    assert list_dates(client.get(url(world, "hbj", path)).text)
    server.set_today(world.at(-6))
    r = client.get(url(world, "hbj", path))
    assert r.status_code == 200 and "页面不存在" in r.text and not list_dates(r.text)
    page = read_list(r.text, str(r.url), world.at(-6))
    assert page.soft_404 and not page.items
