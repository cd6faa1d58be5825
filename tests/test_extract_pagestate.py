"""What a list page says about itself: an empty column (暂无信息), an error page served with status 200."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.extract import read_list


def page(body: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


NAV = """<div class="nav"><ul>
<li><a href="/">首页</a></li><li><a href="/xxgk/">信息公开</a></li><li><a href="/zwdt/">政务动态</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/bsfw/">办事服务</a></li>
</ul></div>"""


@pytest.mark.parametrize(
    "body",
    [
        '<div class="list">暂无信息</div>',
        '<div class="list"><p>暂无数据</p></div>',
        '<div class="list">暂无内容！</div>',
        '<div class="list">没有相关信息</div>',
        '<table><tr><td>无记录</td></tr></table>',
        '<div class="list"></div><script>createPageHTML(0, 0, "index", "html");</script>',
        '<div class="list"></div><script>var countPage = 0//共多少页</script>',
        '<script type="text/xml"><datastore><totalrecord>0</totalrecord><recordset></recordset></datastore></script>',
    ],
)
def test_empty_markers(body: str) -> None:
    got = read_list(page(NAV + body), "http://x.gov.cn/a/", date(2024, 4, 1))
    assert got.items == () and got.empty_marker and not got.soft_404


def test_empty_column_beside_a_dated_side_box_is_empty() -> None:
    side = "".join(f'<li><a href="/zx/{k}.html">最新信息标题第{k}条的内容</a><span>2024-03-1{k}</span></li>' for k in range(6))
    html = page(f'<div class="side"><ul>{side}</ul></div><div class="main"><div class="list">暂无信息</div></div>')
    got = read_list(html, "http://x.gov.cn/a/", date(2024, 4, 1))
    assert got.items == () and got.empty_marker


def test_a_blank_page_is_not_an_empty_marker() -> None:
    got = read_list(page(NAV + '<div class="list"></div>'), "http://x.gov.cn/a/", date(2024, 4, 1))
    assert got.items == () and not got.empty_marker and not got.soft_404


def test_hidden_or_template_empty_text_does_not_count() -> None:
    body = '<div class="list"></div><div style="display:none">暂无数据</div><p v-if="!list.length">暂无信息</p>'
    assert not read_list(page(body), "http://x.gov.cn/a/", date(2024, 4, 1)).empty_marker


@pytest.mark.parametrize(
    "html",
    [
        page("<h1>404</h1><p>您访问的页面不存在</p>", head="<title>404 页面不存在</title>"),
        page(NAV + "<div>抱歉，您访问的页面不存在或已被删除！</div>", head="<title>提示信息</title>"),
        page("<div>找不到该页面</div>"),
        page("<p>Not Found</p>", head="<title>Not Found</title>"),
    ],
)
def test_soft_404(html: str) -> None:
    got = read_list(html, "http://x.gov.cn/a/", date(2024, 4, 1))
    assert got.soft_404 and not got.empty_marker


def test_a_list_mentioning_404_is_not_an_error_page() -> None:
    rows = '<li><a href="/a/1.html">关于404号文件的解读说明</a><span>2024-03-01</span></li>' * 3
    assert not read_list(page(f"<ul>{rows}</ul>"), "http://x.gov.cn/", date(2024, 4, 1)).soft_404


def test_empty_or_junk_input() -> None:
    for junk in ("", "   ", "<<<>>>", "plain text"):
        got = read_list(junk, "http://x.gov.cn/", date(2024, 4, 1))
        assert got.items == () and got.next_url is None
