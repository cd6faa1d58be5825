"""Recorded hazards: pages that are not what they seem, read through monitor.extract and monitor.outcomes.

A fetch's outcome comes from its status and any firewall challenge (:func:`monitor.outcomes.classify_status`);
when that is ``ok``, the spider (``spiders/unit.py``, ``_judge_listing``) turns the list reading into the
column's outcome: ``soft_404`` → ``not_found`` (verdict ``broken``); no items and no empty marker → ``broken``;
an empty marker on a column that never had items → ``ok`` with no items (verdict ``blank``). So the tests
below assert the reading's flags, which decide between those.
"""

from __future__ import annotations

from datetime import date

import pytest

from monitor.extract import declared_encoding_fix, detect_challenge, read_article, read_list
from monitor.outcomes import BLOCKED, OK, classify_status

TODAY = date(2026, 11, 28)
URL = "http://www.qinghe.gov.cn/xxgk/tzgg/"

NAV = ('<div class="header"><div class="logo">清河市人民政府</div><ul class="nav"><li><a href="/">首页</a></li>'
       '<li><a href="/xxgk/">政府信息公开</a></li><li><a href="/zwfw/">政务服务</a></li>'
       '<li><a href="/hdjl/">互动交流</a></li></ul></div>')
FOOTER = ('<div class="footer"><a href="/wzdt/">网站地图</a> <a href="/lxwm/">联系我们</a>'
          "<p>主办单位：清河市人民政府办公室 网站标识码：3310000001 清ICP备05001234号-1</p></div>")
ITEMS = [("关于开展2026年度安全生产大检查的通知", "2026-11-25"), ("清河市召开城镇老旧小区改造推进会", "2026-11-20"),
         ("关于公布2026年第三批重点项目名单的公告", "2026-11-12"), ("关于做好今冬明春燃气安全工作的通知", "2026-11-03"),
         ("清河市2026年10月份居民消费价格变动情况", "2026-10-28")]


def page(body: str, title: str = "通知公告_清河市人民政府", head: str = "<meta charset=\"utf-8\">") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body>{NAV}{body}{FOOTER}</body></html>"


def list_html(items: list[tuple[str, str]] = ITEMS) -> str:
    rows = "".join(f'<li><a href="./202611/t{d.replace("-", "")}_{k}.html" title="{t}" target="_blank">{t}</a>'
                   f"<span>{d}</span></li>\n" for k, (t, d) in enumerate(items))
    return page(f'<div class="list-box"><h2>通知公告</h2><ul class="list">\n{rows}</ul>'
                '<div class="page"><script>createPageHTML(3, 0, "index", "html");</script></div></div>')


def outcome(status: int, body: bytes | str, headers: dict[str, str] | None = None) -> str:
    """The fetch outcome, as the spider classifies it."""
    return classify_status(status, detect_challenge(status, body, headers))[0]


# ---------------------------------------------------------------- firewalls: blocked, never late


RUISHU_412 = (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<meta http-equiv="Expires" content="0"><meta id="Ie7kJ0Zd3Gr9" content="' + "3LqWvA.Nc_8" * 12 + '" r="m">'
    "<script type=\"text/javascript\" r=\"m\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
    '$_ts.nsd=48213;$_ts.cd="qEcrrSAkWGlqEa0rWqAq";</script>'
    '<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r="m"></script>'
    "</head><body></body></html>"
)
JIASULE_521 = (
    "<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')"
    "+('a')+('n')+('c')+('e')+('_')+('s')+('=')+('1')+('7')+('9')+('5')+('.')+('4')+('1')+('2')+('|')+('0')"
    "+';max-age=3600;path=/';location.href=location.pathname+location.search</script></body></html>"
)
WZWS_PAGE = (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<script type="text/javascript">var dynamicurl="/WZWSREL3h4Z2svdHpnZy8=";var wzwsquestion="kq8Fv2";'
    'var wzwsfactor="5412";var wzwsmethod="post";function HXXTTKKLLPPP5(){var wzwschallenge="x";}</script>'
    "</head><body><noscript>请开启JavaScript并刷新该页。</noscript></body></html>"
)


def test_ruishu_412_challenge_is_blocked_and_has_nothing_to_read() -> None:
    assert detect_challenge(412, RUISHU_412.encode()) == "ruishu_412"
    assert outcome(412, RUISHU_412.encode()) == BLOCKED
    assert read_list(RUISHU_412, URL, TODAY).items == ()


def test_the_ruishu_script_sent_with_status_200_is_still_a_challenge() -> None:
    assert outcome(200, RUISHU_412.encode()) == BLOCKED


@pytest.mark.parametrize("headers", [{"Set-Cookie": "__jsluid_h=8e3f1c2a9b7d4e6f; max-age=31536000; path=/"}, None])
def test_jiasule_521_challenge_is_blocked(headers: dict[str, str] | None) -> None:
    assert detect_challenge(521, JIASULE_521.encode(), headers) == "jiasule_521"
    assert outcome(521, JIASULE_521.encode(), headers) == BLOCKED
    assert read_list(JIASULE_521, URL, TODAY).items == ()


def test_wzws_redirect_and_its_challenge_page_are_blocked() -> None:
    redirect = {"Location": "/WZWSREL3h4Z2svdHpnZy8=?wzwsrandom=2bbbe820", "Server": "wzws"}
    assert detect_challenge(302, b"", redirect) == "wzws"
    assert outcome(302, b"", redirect) == BLOCKED
    assert detect_challenge(200, WZWS_PAGE.encode()) == "wzws"  # where the redirect leads
    assert outcome(200, WZWS_PAGE.encode()) == BLOCKED


def test_an_ordinary_redirect_or_page_is_not_a_challenge() -> None:
    assert detect_challenge(302, b"", {"Location": "/xxgk/tzgg/index.html"}) is None
    assert outcome(200, list_html().encode()) == OK


# ---------------------------------------------------------------- soft 404: not found, read as broken


@pytest.mark.parametrize("title, words", [
    ("提示信息", "抱歉，您访问的页面不存在或已被删除！"),
    ("清河市人民政府", "很抱歉，您要查看的信息不存在或已被删除"),
    ("清河市人民政府", "您访问的栏目不存在"),
    ("提示信息", "该栏目已撤销，请访问新版网站"),
    ("清河市人民政府", "对不起，您要访问的页面找不到了"),
    ("提示", "您所访问的页面不存在，3秒后自动跳转到首页"),
    ("清河市人民政府", "页面已失效"),
    ("错误提示", "无法找到该网页"),
    ("404 Not Found", "nginx"),
    ("出错了", "Sorry, the page you are looking for does not exist."),
])
def test_soft_404_wordings(title: str, words: str) -> None:
    html = page(f'<div class="error"><img src="/images/404.png" alt=""><h2>{words}</h2>'
                '<p><a href="/">返回首页</a> <a href="javascript:history.back()">返回上一页</a></p></div>', title=title)
    assert outcome(200, html.encode()) == OK  # the status says nothing ...
    got = read_list(html, URL, TODAY)
    assert got.soft_404 and got.items == () and not got.empty_marker  # ... the page does: not found


def test_a_long_list_page_mentioning_a_deleted_item_is_not_a_soft_404() -> None:
    items = ITEMS + [("关于部分信息已删除的情况说明", "2026-10-20")]
    assert not read_list(list_html(items), URL, TODAY).soft_404


def test_a_404_in_a_list_pages_title_is_a_name_not_an_error() -> None:
    """A unit or column may carry the number (第404号, （404）): with items read, a bare 404 is no error page."""
    html = list_html().replace("<title>通知公告_清河市人民政府</title>", "<title>通知公告_北山区交通运输局（404）</title>")
    got = read_list(html, URL, TODAY)
    assert not got.soft_404 and len(got.items) == len(ITEMS)
    bare = page('<div class="error"><p><a href="/">返回首页</a></p></div>', title="404")
    assert read_list(bare, URL, TODAY).soft_404  # no items and a 404 title: an error page


# ---------------------------------------------------------------- a login wall is not the column


LOGIN = page("""<div class="login-box"><h2>用户登录</h2>
<form action="/sso/login" method="post">
<p><label>用户名：</label><input type="text" name="username" placeholder="身份证号/手机号"></p>
<p><label>密　码：</label><input type="password" name="password"></p>
<p><label>验证码：</label><input type="text" name="captcha"><img src="/sso/captcha.jpg" alt=""></p>
<p><button type="submit">登 录</button> <a href="/sso/register">免费注册</a> <a href="/sso/forget">忘记密码？</a></p>
</form><p>温馨提示：本栏目内容需登录后查看。</p></div>
<div class="side"><h3>最新公告</h3><ul>
<li><a href="/tzgg/202611/t20261125_1.html">关于统一身份认证平台系统升级维护的公告</a><span>2026-11-25</span></li>
<li><a href="/tzgg/202611/t20261120_2.html">关于法人用户登录方式调整的通知</a><span>2026-11-20</span></li>
</ul></div>""", title="用户登录_清河市统一身份认证平台")


def test_a_login_wall_yields_no_items_and_no_dates() -> None:
    """The dated 最新公告 box beside the form is not the column: no items, so the column is unreadable
    (broken), never on time thanks to the login page's side box."""
    got = read_list(LOGIN, URL, TODAY)
    assert got.items == () and not got.empty_marker and not got.soft_404
    assert read_article(LOGIN, URL).published is None


def test_a_list_page_with_a_mail_login_box_keeps_its_items() -> None:
    box = ('<div class="side"><h3>政务邮箱</h3><form action="/mail/login" method="post"><input type="text" name="u">'
           '<input type="password" name="p"><button>登录</button></form></div>')
    html = list_html().replace('<div class="list-box">', box + '<div class="list-box">')
    assert [i.title for i in read_list(html, URL, TODAY).items] == [t for t, _ in ITEMS]


# ---------------------------------------------------------------- an empty answer is broken, not blank


@pytest.mark.parametrize("body", [b"", b"   \r\n\t  ", b"\xef\xbb\xbf", b"<html></html>", b"<html><body></body></html>"])
def test_an_empty_page_is_broken_not_blank(body: bytes) -> None:
    assert outcome(200, body) == OK
    got = read_list(body.decode("utf-8-sig"), URL, TODAY)
    assert got.items == () and not got.empty_marker and not got.soft_404  # no 暂无信息: broken, not blank
    assert got.page_count is None and got.next_url is None


def test_a_column_that_says_it_is_empty_is_blank_not_broken() -> None:
    got = read_list(page('<div class="list-box"><ul class="list"><li>暂无信息</li></ul></div>'), URL, TODAY)
    assert got.items == () and got.empty_marker


# ---------------------------------------------------------------- GBK under a UTF-8 header


GBK_TITLES = ["关于朱镕基同志题词石刻保护工作的通知", "喆园社区开展垃圾分类宣传", "堃山镇2026年防汛防台工作部署"]


def test_gbk_body_with_a_utf8_header_decodes_without_replacement_characters() -> None:
    html = list_html([(t, d) for t, (_, d) in zip(GBK_TITLES, ITEMS)]).replace(
        '<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    body = html.encode("gbk")  # 镕, 喆 and 堃 are GBK, not GB2312: decoding as gb2312 would lose them
    assert "\ufffd" in body.decode("utf-8", "replace")  # what trusting the header gives
    encoding = declared_encoding_fix(body, "utf-8")
    assert encoding == "gb18030"
    text = body.decode(encoding)
    assert "\ufffd" not in text
    assert [i.title for i in read_list(text, URL, TODAY).items] == GBK_TITLES


# ---------------------------------------------------------------- truncated or malformed HTML


def test_a_list_cut_off_mid_item_keeps_the_complete_items() -> None:
    html = list_html()
    cut = html.index("</li>", html.index(ITEMS[2][0])) + len("</li>\n<li><a href=\"./2026")
    got = read_list(html[:cut], URL, TODAY)
    assert [(i.title, i.published.isoformat()) for i in got.items] == ITEMS[:3]


def test_no_truncation_point_raises() -> None:
    html = list_html()
    for end in range(0, len(html), 37):
        read_list(html[:end], URL, TODAY)
        read_article(html[:end], URL)
        detect_challenge(200, html[:end].encode("utf-8"))


def test_malformed_markup_is_read_where_items_are() -> None:
    rows = "".join(f"<li><a href=./202611/t{d.replace('-', '')}_{k}.html title={t}>{t}</a><span>{d}</span>"
                   for k, (t, d) in enumerate(ITEMS))  # no </li>, unquoted attributes
    html = page(f"</div></span><div class=list-box><ul class=list>{rows}</div></table><p><b>页脚</i>")
    got = read_list(html, URL, TODAY)
    assert [i.title for i in got.items] == [t for t, _ in ITEMS]
    assert got.items[0].url == URL + "202611/t20261125_0.html"


def test_a_truncated_article_falls_back_to_its_meta_date() -> None:
    article = page('<h1>关于开展2026年度安全生产大检查的通知</h1><div class="info">发布时间：2026-11-25 09:30　来源：市应急局</div>'
                   "<div id=\"zoom\"><p>各有关单位：</p></div>",
                   head='<meta charset="utf-8"><meta name="PubDate" content="2026-11-25 09:30">')
    cut = article[: article.index("发布时间") + len("发布时间：2026-")]
    assert read_article(article, URL).published == date(2026, 11, 25)
    assert read_article(cut, URL).published == date(2026, 11, 25)  # the info line is cut; the meta tag is not
