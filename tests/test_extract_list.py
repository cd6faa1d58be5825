"""List pages: the real development set against its hand-read truth, and small synthetic pages."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

import pytest

from monitor.extract import ListHints, ListPage, read_list

REAL_PAGES = Path(os.environ.get("REAL_PAGES") or Path(__file__).resolve().parents[2] / "shared" / "real-pages")
TODAY = date(2026, 11, 28)
ORDOS_BASE = "http://example.gov.cn/xxgk/"  # the ordos page's own URL is unknown


def _truth() -> dict:
    return json.loads((REAL_PAGES / "truth.json").read_text(encoding="utf-8"))["list_pages"]


LIST_TRUTH = _truth()


@pytest.fixture(scope="module")
def real_lists() -> dict[str, tuple[ListPage, dict, str]]:
    out = {}
    for name, truth in LIST_TRUTH.items():
        base = truth["base_url"] or ORDOS_BASE
        html = (REAL_PAGES / name).read_text(encoding="utf-8")
        out[name] = (read_list(html, base, TODAY), truth, base)
    return out


@pytest.mark.parametrize("name", sorted(LIST_TRUTH))
class TestRealLists:
    def test_item_count(self, real_lists, name: str) -> None:
        page, truth, _ = real_lists[name]
        assert len(page.items) == truth["item_count"]

    def test_titles(self, real_lists, name: str) -> None:
        page, truth, _ = real_lists[name]
        assert [i.title for i in page.items] == [t["title"] for t in truth["items"]]

    def test_dates_are_the_shown_ones(self, real_lists, name: str) -> None:
        page, truth, _ = real_lists[name]
        assert [i.published.isoformat() if i.published else None for i in page.items] == [
            t["date"] for t in truth["items"]
        ]
        assert {i.date_source for i in page.items} == {"list"}

    def test_urls_are_absolute(self, real_lists, name: str) -> None:
        page, truth, base = real_lists[name]
        assert [i.url for i in page.items] == [urljoin(base, t["url"]) for t in truth["items"]]

    def test_newest(self, real_lists, name: str) -> None:
        page, truth, _ = real_lists[name]
        assert page.newest == date.fromisoformat(truth["newest_date"])

    def test_not_empty_not_404(self, real_lists, name: str) -> None:
        page, _, _ = real_lists[name]
        assert not page.empty_marker and not page.soft_404


def test_ordos_paging(real_lists) -> None:
    page, truth, _ = real_lists["cn_listpage_ordos_egb_trs_1.html"]
    assert page.page_count == truth["pages_total"] == 2
    assert page.next_url == "http://example.gov.cn/xxgk/index_1.html"


def test_ordos_relative_part_of_urls(real_lists) -> None:
    page, truth, _ = real_lists["cn_listpage_ordos_egb_trs_1.html"]
    assert [i.url.removeprefix(ORDOS_BASE) for i in page.items] == [t["url"].removeprefix("./") for t in truth["items"]]


@pytest.mark.parametrize("name", ["cn_listpage_pingtan_fj_trs_1.html", "cn_listpage_pingtan_fj_trs_2.html"])
def test_pingtan_record_count_but_no_static_next_page(real_lists, name: str) -> None:
    page, truth, _ = real_lists[name]
    assert page.record_count == truth["record_count_total"]
    assert page.page_count is None and page.next_url is None  # the rest comes from an AJAX search API


def test_real_pages_scoreboard(real_lists) -> None:
    """The figures of the development set, printed with ``pytest -s`` and held at 100 %."""
    items = found = dates = urls = titles = 0
    for page, truth, base in real_lists.values():
        items += truth["item_count"]
        found += min(len(page.items), truth["item_count"])
        for got, want in zip(page.items, truth["items"]):
            dates += got.published is not None and got.published.isoformat() == want["date"]
            urls += got.url == urljoin(base, want["url"])
            titles += got.title == want["title"]
    print(f"\nlist pages: items {found}/{items}, dates {dates}/{items}, titles {titles}/{items}, urls {urls}/{items}")
    assert found == dates == urls == titles == items

# ---------------------------------------------------------------- synthetic pages

def page(body: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


NAV = """<div class="nav"><ul>
<li><a href="/">首页</a></li><li><a href="/xxgk/">信息公开</a></li><li><a href="/zwdt/">政务动态</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/bsfw/">办事服务</a></li><li><a href="/zjxx/">走进</a></li>
</ul></div>"""


def trs_list(n: int, start_day: int = 28) -> str:
    rows = "".join(
        f'<li><a href="./202403/t202403{start_day - k:02d}_{1000 + k}.html" title="关于第{k}项工作的通知公告全文">'
        f"关于第{k}项工作的通知公告全文</a><span>2024-03-{start_day - k:02d}</span></li>"
        for k in range(n)
    )
    return f'<div class="list"><ul>{rows}</ul></div>'


def test_trs_ul_li_list_with_nav_menu() -> None:
    html = page(NAV + trs_list(15) + '<script>createPageHTML(7, 0, "index", "shtml");</script>')
    got = read_list(html, "http://www.x.gov.cn/xxgk/tzgg/", date(2024, 4, 1))
    assert len(got.items) == 15
    assert got.items[0].url == "http://www.x.gov.cn/xxgk/tzgg/202403/t20240328_1000.html"
    assert got.items[0].published == date(2024, 3, 28) and got.items[0].date_source == "list"
    assert got.page_count == 7
    assert got.next_url == "http://www.x.gov.cn/xxgk/tzgg/index_1.shtml"


def test_nav_menu_with_many_links_loses_to_the_dated_list() -> None:
    menu = "".join(f'<li><a href="/col{k}/">栏目名称{k}</a></li>' for k in range(40))
    html = page(f'<div class="menu"><ul>{menu}</ul></div>' + trs_list(3))
    got = read_list(html, "http://www.x.gov.cn/a/", date(2024, 4, 1))
    assert [i.title for i in got.items] == [f"关于第{k}项工作的通知公告全文" for k in range(3)]


def test_hot_box_with_dates_loses_to_the_main_list() -> None:
    hot = "".join(
        f'<li><a href="/hot/{k}.html">热点新闻标题第{k}条内容</a><span>2024-03-{10 + k}</span></li>' for k in range(8)
    )
    html = page(f'<div class="hot-news"><ul>{hot}</ul></div>' + trs_list(5))
    got = read_list(html, "http://www.x.gov.cn/a/", date(2024, 4, 1))
    assert len(got.items) == 5 and all("通知公告" in i.title for i in got.items)


def test_a_short_main_list_beside_its_pager_beats_a_longer_side_box() -> None:
    side = "".join(
        f'<li><a href="/zx/{k}.html">最新信息标题第{k}条的内容</a><span>2024-03-{10 + k}</span></li>' for k in range(8)
    )
    main = trs_list(2)
    pager = '<div class="page">共1页 <a href="index.html">首页</a> 下一页 尾页</div>'
    html = page(f'<div class="right"><ul>{side}</ul></div><div class="main">{main}{pager}</div>')
    got = read_list(html, "http://www.x.gov.cn/a/", date(2024, 4, 1))
    assert len(got.items) == 2 and all("通知公告" in i.title for i in got.items)


def test_table_rows() -> None:
    rows = "".join(
        f'<tr><td><img src="i.gif"></td><td><a href="../{k}.html">表格里的第{k}条信息公开标题</a></td>'
        f"<td>[2024-02-{k + 1:02d}]</td></tr>"
        for k in range(6)
    )
    html = page(f'<table class="gl_list">{rows}</table>')
    got = read_list(html, "http://x.gov.cn/xxgk/gzdt/", date(2024, 4, 1))
    assert len(got.items) == 6
    assert got.items[2].url == "http://x.gov.cn/xxgk/2.html"
    assert got.items[2].published == date(2024, 2, 3)


def test_table_with_written_and_published_columns_takes_published() -> None:
    head = "<tr><th>序号</th><th>标题</th><th>成文日期</th><th>发布日期</th></tr>"
    rows = "".join(
        f'<tr><td>{k}</td><td><a href="/zc/{k}.html">关于印发第{k}号管理办法的通知</a></td>'
        f"<td>2024-01-{k + 1:02d}</td><td>2024-02-{k + 10:02d}</td></tr>"
        for k in range(4)
    )
    got = read_list(page(f"<table>{head}{rows}</table>"), "http://x.gov.cn/", date(2024, 4, 1))
    assert [i.published for i in got.items] == [date(2024, 2, 10 + k) for k in range(4)]


def test_table_with_two_dates_and_no_header_takes_the_last() -> None:
    rows = "".join(
        f'<tr><td><a href="/zc/{k}.html">关于印发第{k}号管理办法的通知</a></td>'
        f"<td>2024-01-{k + 1:02d}</td><td>2024-02-{k + 10:02d}</td></tr>"
        for k in range(3)
    )
    got = read_list(page(f"<table>{rows}</table>"), "http://x.gov.cn/", date(2024, 4, 1))
    assert [i.published for i in got.items] == [date(2024, 2, 10 + k) for k in range(3)]


def test_div_list() -> None:
    rows = "".join(
        f'<div class="item"><div class="t"><a href="/d/{k}.htm">区里召开第{k}次专题工作会议</a></div>'
        f'<div class="d">2024年03月{k + 1:02d}日</div></div>'
        for k in range(4)
    )
    got = read_list(page(f'<div class="box">{rows}</div>'), "http://x.gov.cn/", date(2024, 4, 1))
    assert [i.published for i in got.items] == [date(2024, 3, k + 1) for k in range(4)]


def test_title_attribute_wins_over_truncated_text() -> None:
    full = "关于进一步加强和改进全区政府信息公开工作若干措施的通知"
    rows = (
        f'<li><a href="/a/1.html" title="{full}">关于进一步加强和改进全区...</a><span>2024-03-05</span></li>'
        f'<li><a href="/a/2.html" title="{full}">关于进一步加强和改进全区政府信</a><span>2024-03-04</span></li>'
        '<li><a href="/a/3.html" title="站点标题">区政府召开常务会议研究部署工作</a><span>2024-03-03</span></li>'
        f'<li><a href="/a/4.html" title="{full}">关于进一步加强和改进全区…</a><span>2024-03-02</span></li>'
    )
    got = read_list(page(f"<ul>{rows}</ul>"), "http://x.gov.cn/", date(2024, 4, 1))
    assert [i.title for i in got.items] == [full, full, "区政府召开常务会议研究部署工作", full]


def test_relative_urls_are_joined_and_fragments_dropped() -> None:
    rows = (
        '<li><a href="./202403/t20240305_1.html#top">第一条信息标题内容较长</a><span>2024-03-05</span></li>'
        '<li><a href="../../zfxxgk/202403/t20240304_2.html">第二条信息标题内容较长</a><span>2024-03-04</span></li>'
        '<li><a href="/art/2024/3/3/art_1_3.html">第三条信息标题内容较长</a><span>2024-03-03</span></li>'
        '<li><a href="//cdn.x.gov.cn/4.html">第四条信息标题内容较长</a><span>2024-03-02</span></li>'
        '<li><a href=" https://y.gov.cn/5.html ">第五条信息标题内容较长</a><span>2024-03-01</span></li>'
    )
    got = read_list(page(f"<ul>{rows}</ul>"), "https://www.x.gov.cn/zwgk/ghxx/gzjzqk/index.html", date(2024, 4, 1))
    assert [i.url for i in got.items] == [
        "https://www.x.gov.cn/zwgk/ghxx/gzjzqk/202403/t20240305_1.html",
        "https://www.x.gov.cn/zwgk/zfxxgk/202403/t20240304_2.html",
        "https://www.x.gov.cn/art/2024/3/3/art_1_3.html",
        "https://cdn.x.gov.cn/4.html",
        "https://y.gov.cn/5.html",
    ]


def test_base_href_is_respected() -> None:
    html = page(trs_list(2), head='<base href="http://www.x.gov.cn/other/">')
    got = read_list(html, "http://www.x.gov.cn/a/b/", date(2024, 4, 1))
    assert got.items[0].url.startswith("http://www.x.gov.cn/other/202403/")


def test_list_date_beats_url_date_and_url_date_is_a_last_resort() -> None:
    rows = (
        '<li><a href="./202312/t20231228_1.htm">显示日期与网址日期不同的条目</a><span>2023-10-23</span></li>'
        '<li><a href="./202311/t20231102_2.htm">这一条在列表里没有显示日期</a><span></span></li>'
        '<li><a href="./202310/t20231001_3.htm">第三条显示了日期的信息条目</a><span>2023-10-01</span></li>'
    )
    got = read_list(page(f"<ul>{rows}</ul>"), "http://x.gov.cn/l/", date(2024, 4, 1))
    assert [(i.published, i.date_source) for i in got.items] == [
        (date(2023, 10, 23), "list"),
        (date(2023, 11, 2), "url"),
        (date(2023, 10, 1), "list"),
    ]


def test_undated_item_without_url_date() -> None:
    rows = (
        '<li><a href="/a/x.htm">这一条既没有日期也没有网址日期</a><span></span></li>'
        '<li><a href="/a/y.htm">第二条显示了日期的信息条目</a><span>2023-10-01</span></li>'
        '<li><a href="/a/z.htm">第三条显示了日期的信息条目</a><span>2023-09-01</span></li>'
    )
    got = read_list(page(f"<ul>{rows}</ul>"), "http://x.gov.cn/l/", date(2024, 4, 1))
    assert (got.items[0].published, got.items[0].date_source) == (None, "")


def test_yearless_compact_list_never_in_the_future() -> None:
    rows = "".join(
        f'<li><a href="/n/{k}.html">简短列表里的第{k}条动态信息</a><span>{d}</span></li>'
        for k, d in enumerate(["01-02", "12-30", "12-15"])
    )
    got = read_list(page(f"<ul>{rows}</ul>"), "http://x.gov.cn/", date(2024, 1, 3))
    assert [i.published for i in got.items] == [date(2024, 1, 2), date(2023, 12, 30), date(2023, 12, 15)]


def test_date_inside_the_link() -> None:
    rows = "".join(
        f'<li><a href="/n/{k}.html"><span class="t">链接里同时有标题和日期的第{k}条</span>'
        f'<span class="d">2024-03-0{k + 1}</span></a></li>'
        for k in range(3)
    )
    got = read_list(page(f"<ul>{rows}</ul>"), "http://x.gov.cn/", date(2024, 4, 1))
    assert [(i.title, i.published) for i in got.items] == [
        (f"链接里同时有标题和日期的第{k}条", date(2024, 3, k + 1)) for k in range(3)
    ]


def test_calendar_style_date_box() -> None:
    rows = "".join(
        f'<li><div class="date"><b>0{k + 1}</b><i>2024-03</i></div>'
        f'<div class="txt"><a href="/n/{k}.html">日历样式日期框的第{k}条信息</a><p>摘要内容</p></div></li>'
        for k in range(3)
    )
    got = read_list(page(f"<ul>{rows}</ul>"), "http://x.gov.cn/", date(2024, 4, 1))
    assert [i.published for i in got.items] == [date(2024, 3, k + 1) for k in range(3)]


def test_fujian_style_groups_are_one_list() -> None:
    groups = "".join(
        f'<div ms-visible="$showStatic({g * 5 + 1})"><ul>'
        + "".join(
            f'<li><a href="./t{g}{k}.htm" title="分组{g}的第{k}条信息">分组{g}的第{k}条信息</a>'
            f'<em id="rel_{g}{k}"></em><span class="bf-pass">2024-0{9 - g}-1{k}</span></li>'
            for k in range(5)
        )
        + "</ul></div>"
        for g in range(3)
    )
    template = '<div ms-visible="!showStatic"><ul ms-if="list.length==0"><div ms-if="error">暂无数据</div></ul></div>'
    html = page(f'<div ms-visible="showStatic">{groups}</div>{template}')
    got = read_list(html, "http://x.gov.cn/", date(2024, 12, 1))
    assert len(got.items) == 15 and not got.empty_marker


def test_hints_are_used_alone() -> None:
    rows = "".join(
        f'<div class="row"><a class="x" href="/x/{k}.html">提示选择器选中的第{k}条</a><a href="/other.html">更多</a>'
        f'<em class="when">2024/3/{k + 1}</em><span>2020-01-01</span></div>'
        for k in range(3)
    )
    html = page(trs_list(10) + f'<div class="mine">{rows}</div>')
    hints = ListHints(items="div.mine div.row", link="a.x", date="em.when")
    got = read_list(html, "http://x.gov.cn/", date(2024, 4, 1), hints)
    assert [(i.title, i.published) for i in got.items] == [(f"提示选择器选中的第{k}条", date(2024, 3, k + 1)) for k in range(3)]


def test_hints_items_only_take_the_first_link_and_the_shown_date() -> None:
    rows = "".join(f'<p><a href="/p/{k}.html">段落列表第{k}条</a> 2024-03-0{k + 1}</p>' for k in range(2))
    got = read_list(page(rows + trs_list(8)), "http://x.gov.cn/", date(2024, 4, 1), ListHints(items="p"))
    assert [(i.url, i.published) for i in got.items] == [
        ("http://x.gov.cn/p/0.html", date(2024, 3, 1)), ("http://x.gov.cn/p/1.html", date(2024, 3, 2))
    ]


def test_bad_hint_selector_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="CSS selector"):
        read_list(page(trs_list(2)), "http://x.gov.cn/", date(2024, 4, 1), ListHints(items="ul >> li"))


def test_next_link_from_the_visible_pager() -> None:
    pager = '<div class="pages">共 12 条 1/3 页 <a href="list.jsp?page=1">首页</a><a href="list.jsp?page=2">下一页</a></div>'
    got = read_list(page(trs_list(4) + pager), "http://x.gov.cn/col/list.jsp?page=1", date(2024, 4, 1))
    assert got.next_url == "http://x.gov.cn/col/list.jsp?page=2"
    assert got.page_count == 3 and got.record_count == 12


def test_last_trs_page_has_no_next() -> None:
    html = page(trs_list(3) + "<script>createPageHTML(3, 2, 'index', 'html');</script>")
    got = read_list(html, "http://x.gov.cn/a/index_2.html", date(2024, 4, 1))
    assert got.page_count == 3 and got.next_url is None


# ---------------------------------------------------------------- lists without dates, page wrappers

def test_an_undated_list_of_articles_is_still_read() -> None:
    rows = "".join(f'<li><a href="/gk/{k}/content_{k}.html">没有显示日期的信息公开条目第{k}条</a></li>' for k in range(6))
    got = read_list(page(NAV + f'<div class="list"><ul>{rows}</ul></div>'), "http://x.gov.cn/gk/", date(2024, 4, 1))
    assert len(got.items) == 6
    assert {(i.published, i.date_source) for i in got.items} == {(None, "")}


def test_menus_alone_are_not_a_list() -> None:
    menu = "".join(f'<li><a href="/col{k}/">栏目{k}</a></li>' for k in range(12))
    side = "".join(f'<li><a href="/zt/{k}/">专题栏目名称第{k}个</a></li>' for k in range(8))
    html = page(NAV + f'<div class="menu"><ul>{menu}</ul></div><div class="zt"><ul>{side}</ul></div>')
    got = read_list(html, "http://x.gov.cn/a/", date(2024, 4, 1))
    assert got.items == () and not got.empty_marker


def test_a_whole_page_form_wrapper_changes_nothing() -> None:
    html = page(f'<form id="form1" method="post">{NAV}{trs_list(6)}</form>')
    got = read_list(html, "http://x.gov.cn/", date(2024, 4, 1))
    assert len(got.items) == 6


def test_photo_list_is_not_taken_for_a_hot_box() -> None:
    photos = "".join(f'<li><a href="/p/{k}.html">图片新闻的第{k}条标题内容</a><span>2024-03-1{k}</span></li>' for k in range(6))
    hot = "".join(f'<li><a href="/h/{k}.html">热门信息的第{k}条标题内容</a><span>2024-02-1{k}</span></li>' for k in range(8))
    html = page(f'<div class="photo-list"><ul>{photos}</ul></div><div class="hotnews"><ul>{hot}</ul></div>')
    got = read_list(html, "http://x.gov.cn/", date(2024, 4, 1))
    assert [i.url for i in got.items] == [f"http://x.gov.cn/p/{k}.html" for k in range(6)]


def test_next_word_wins_over_a_lone_arrow() -> None:
    pager = '<div class="banner"><a href="/slide/2">›</a></div>' + trs_list(3) + '<p><a href="list_2.html">下一页</a></p>'
    got = read_list(page(pager), "http://x.gov.cn/col/list_1.html", date(2024, 4, 1))
    assert got.next_url == "http://x.gov.cn/col/list_2.html"
