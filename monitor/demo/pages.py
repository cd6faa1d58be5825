"""HTML of the demo sites, by site family: TRS static lists, Hanweb column pages, article pages, frames.

Pages are plain strings (no external assets). A list page has what real ones have around the list: a header,
a nav menu and a column menu (links, no dates), a 热点 box (links, no dates), the list itself and the footer
with 网站标识码, ICP and 主办单位. Special pages (JavaScript lists, the Hanweb XML, firewall, redesign) live in
``special.py``.
"""

from __future__ import annotations

import random
from datetime import date
from html import escape

from . import texts
from .items import DemoColumn, DemoItem, DemoUnit
from .items import voice as speaker

CSS = """body{margin:0;font:14px/1.6 "Microsoft YaHei",SimSun,sans-serif;color:#333}a{color:#333;text-decoration:none}
.header{background:#b71c1c;color:#fff;padding:18px 40px}.header .logo{font-size:26px;font-weight:bold}
.nav ul,.side ul,.list,.hot ul{list-style:none;margin:0;padding:0}.nav{background:#8e1414}.nav li{display:inline-block}
.nav a{color:#fff;display:block;padding:8px 18px}.main{width:1100px;margin:16px auto;overflow:hidden}
.side{float:left;width:240px}.content{float:right;width:830px}.list li{border-bottom:1px dashed #ddd;padding:6px 0}
.list li span,.list-table .date{float:right;color:#888}.footer{background:#eee;text-align:center;padding:16px;font-size:12px}
.list-table{width:100%;border-collapse:collapse}.list-table td,.list-table th{border-bottom:1px solid #eee;padding:6px}
.xxgk-meta{width:100%;border:1px solid #ccc;border-collapse:collapse}.xxgk-meta th,.xxgk-meta td{border:1px solid #ccc;padding:4px}
.article h1{text-align:center;font-size:22px}.article .info{text-align:center;color:#888}.page{text-align:center;margin:12px}"""

PAGER_JS = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var name = function (i) { return i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt; };
  var s = "共" + _nPageCount + "页 ";
  s += _nCurrIndex > 0 ? "<a href=\\"" + name(0) + "\\">首页</a> <a href=\\"" + name(_nCurrIndex - 1) + "\\">上一页</a> " : "首页 上一页 ";
  s += _nCurrIndex < _nPageCount - 1 ? "<a href=\\"" + name(_nCurrIndex + 1) + "\\">下一页</a> <a href=\\"" + name(_nPageCount - 1) + "\\">尾页</a>" : "下一页 尾页";
  document.write(s);
}"""


def e(s: object) -> str:
    return escape(str(s), quote=True)


def fmt_date(d: date, style: str) -> str:
    """A list date in the unit's style: 2026-11-05, [2026-11-05] or 2026年11月05日."""
    if style == "bracket":
        return f"[{d:%Y-%m-%d}]"
    if style == "cn":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    return f"{d:%Y-%m-%d}"


def head_meta(unit: DemoUnit) -> str:
    if unit.spec.encoding != "utf-8":
        return '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    return '<meta charset="utf-8">'


def frame(unit: DemoUnit, title: str, content: str, crumbs: list[tuple[str, str]], hot: list[DemoItem],
          extra_head: str = "", column: DemoColumn | None = None, side: bool = True) -> str:
    """The unit's page around ``content``: header, nav, column menu and 热点 (unless ``side`` is off), footer."""
    s = unit.spec
    nav = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in (
        ("/", "首页"), ("/xxgk/", "政府信息公开"), ("/zwfw/", "政务服务"), ("/hdjl/", "互动交流"), ("/zjqh/", "走进清河")))
    on = ' class="on"'
    menu = "".join(f'<li{on if c is column else ""}><a href="{c.path}">{e(c.name)}</a></li>' for c in unit.columns)
    hot_box = "".join(f'<li><a href="{it.path}" title="{e(it.title)}" target="_blank">{e(it.title)}</a></li>' for it in hot)
    trail = " &gt; ".join(f'<a href="{h}">{e(t)}</a>' if h else e(t) for h, t in crumbs)
    side_html = (f'<div class="side">\n<div class="menu"><h3>信息公开目录</h3><ul>{menu}</ul></div>\n'
                 f'<div class="hot"><h3>热点</h3><ul>{hot_box}</ul></div>\n</div>\n') if side else ""
    column_meta = f'<meta name="ColumnName" content="{e(column.name)}">' if column else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{head_meta(unit)}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<meta name="SiteName" content="{e(s.org)}">
<meta name="SiteDomain" content="{unit.ip}">
<meta name="SiteIDCode" content="{unit.site_code}">
{column_meta}
{extra_head}
<style>{CSS}</style>
<script>{PAGER_JS}</script>
</head>
<body>
<div class="header"><div class="logo">{e(s.org)}</div>
<form class="search" action="/search/" method="get"><input type="text" name="searchword" placeholder="请输入关键词"><button type="submit">搜索</button></form></div>
<div class="nav"><ul>{nav}</ul></div>
<div class="main">
{side_html}<div class="content">
<div class="position">当前位置：{trail}</div>
{content}
</div>
</div>
<div class="footer">
<p>主办单位：{e(s.org)}　承办单位：{e(s.org)}办公室　<a href="/wzdt/">网站地图</a>　<a href="/lxwm/">联系我们</a></p>
<p>网站标识码：{unit.site_code}　清ICP备{10000000 + unit.index * 1373:08d}号-1　清公网安备 33100002{unit.index:06d}号</p>
<p>地址：清河市人民大道{unit.index + 1}号　建议使用1920×1080分辨率浏览</p>
</div>
</body>
</html>
"""


def crumbs_for(column: DemoColumn) -> list[tuple[str, str]]:
    return [("/", "首页"), ("/xxgk/", "政府信息公开"), ("", column.name)]


def list_entries(unit: DemoUnit, column: DemoColumn, items: list[DemoItem]) -> str:
    """The list markup: ``ul.list > li > a[title] + span``, or a table for table units."""
    style = unit.spec.date_style
    if not items:
        if unit.spec.list_markup == "table":
            return '<table class="list-table"><tbody><tr><td class="no-data">暂无信息</td></tr></tbody></table>'
        return '<ul class="list"><li class="no-data">暂无信息</li></ul>'

    def href(it: DemoItem) -> str:
        return "./" + it.path[len(column.path):] if it.path.startswith(column.path) else it.path

    if unit.spec.list_markup == "table":
        with_no = column.spec.type == "政策文件"
        head = "<th>序号</th><th>标题</th>" + ("<th>文号</th>" if with_no else "") + "<th>发布日期</th>"
        rows = "".join(
            f'<tr><td>{k + 1}</td><td class="title"><a href="{href(it)}" title="{e(it.title)}" target="_blank">{e(it.title)}</a></td>'
            + (f"<td>{e(it.doc_no)}</td>" if with_no else "")
            + f'<td class="date">{fmt_date(it.shown, style)}</td></tr>\n' for k, it in enumerate(items))
        return f'<table class="list-table"><thead><tr>{head}</tr></thead><tbody>\n{rows}</tbody></table>'
    rows = "".join(f'<li><a href="{href(it)}" title="{e(it.title)}" target="_blank">{e(it.title)}</a>'
                   f'<span>{fmt_date(it.shown, style)}</span></li>\n' for it in items)
    return f'<ul class="list">\n{rows}</ul>'


def pager(pages: int, current: int) -> str:
    return f'<div class="page"><script>createPageHTML({pages}, {current}, "index", "html");</script></div>'


def list_page(unit: DemoUnit, column: DemoColumn, items: list[DemoItem], page: int, pages: int,
              hot: list[DemoItem]) -> str:
    """A TRS static list page (index.html, index_1.html, ...)."""
    content = f'<div class="list-box"><h2 class="column-title">{e(column.name)}</h2>\n' \
              f"{list_entries(unit, column, items)}\n{pager(pages, page)}</div>"
    return frame(unit, f"{column.name}_{unit.spec.org}", content, crumbs_for(column), hot, column=column)


def home_page(unit: DemoUnit, sections: list[tuple[DemoColumn, list[DemoItem]]], hot: list[DemoItem]) -> str:
    """The home page: a few columns' newest items with compact MM-DD dates."""
    blocks = []
    for col, items in sections:
        lis = "".join(f'<li><a href="{it.path}" title="{e(it.title)}">{e(it.title)}</a><span>{it.shown:%m-%d}</span></li>'
                      for it in items)
        blocks.append(f'<div class="block"><h3><a href="{col.path}">{e(col.name)}</a>'
                      f'<a class="more" href="{col.path}">更多&gt;&gt;</a></h3><ul class="home-list">{lis}</ul></div>')
    return frame(unit, unit.spec.org, "\n".join(blocks), [("/", "首页")], hot)


def xxgk_index(unit: DemoUnit, hot: list[DemoItem]) -> str:
    """政府信息公开: the catalog of columns (links only)."""
    links = "".join(f'<li><a href="{c.path}">{e(c.name)}</a></li>' for c in unit.columns)
    content = f'<div class="xxgk"><h2>政府信息公开目录</h2><ul class="xxgk-columns">{links}</ul>' \
              f'<p><a href="/xxgk/zn/">政府信息公开指南</a>　<a href="/xxgk/zd/">政府信息公开制度</a></p></div>'
    return frame(unit, f"政府信息公开_{unit.spec.org}", content, [("/", "首页"), ("", "政府信息公开")], hot)


def article_page(unit: DemoUnit, column: DemoColumn, item: DemoItem, hot: list[DemoItem]) -> str:
    """An article: PubDate meta, title, 发布时间 line, the metadata table for documents, the text."""
    voice = speaker(unit.spec, column.spec)
    rng = random.Random(item.id)
    stamp = f"{item.shown:%Y-%m-%d} {item.time}"
    paragraphs = article_body(unit, column, item, rng)
    meta_table = ""
    if item.written or column.spec.type == "政策文件":
        written = f"{item.written:%Y-%m-%d}" if item.written else ""
        meta_table = f"""<table class="xxgk-meta">
<tr><th>索引号</th><td>{e(item.index_no)}</td><th>主题分类</th><td>{e(column.name)}</td></tr>
<tr><th>发布机构</th><td>{e(voice.org)}</td><th>文号</th><td>{e(item.doc_no)}</td></tr>
<tr><th>成文日期</th><td>{written}</td><th>发布日期</th><td>{item.shown:%Y-%m-%d}</td></tr>
<tr><th>名称</th><td colspan="3">{e(item.title)}</td></tr>
</table>"""
    if unit.spec.family == "hanweb":
        title_html = f"<!--<$[标题]>begin-->{e(item.title)}<!--<$[标题]>end-->"
        info = f"发布日期：{item.shown:%Y-%m-%d}　来源：{e(voice.org)}　浏览次数：{rng.randint(20, 3000)}"
    else:
        title_html = e(item.title)
        info = f"发布时间：{stamp}　来源：{e(voice.org)}　浏览次数：<em id=\"hits\">{rng.randint(20, 3000)}</em>"
    extra = (f'<meta name="ArticleTitle" content="{e(item.title)}">\n<meta name="PubDate" content="{stamp}">\n'
             f'<meta name="ContentSource" content="{e(voice.org)}">')
    content = f"""<div class="article">
<h1 class="title">{title_html}</h1>
<div class="info">{info}</div>
{meta_table}
<div class="article-content" id="zoom">{paragraphs}</div>
<div class="tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>"""
    return frame(unit, f"{item.title}_{unit.spec.org}", content, crumbs_for(column), hot, extra, column)


def article_body(unit: DemoUnit, column: DemoColumn, item: DemoItem, rng: random.Random) -> str:
    """The text of an article, signed and dated: a re-post carries its original's text word for word;
    an 'empty' item has none; an 'attachment' item only a link to its PDF."""
    if item.body == "empty":
        return ""
    if item.body == "attachment":
        pdf = item.path.rsplit("/", 1)[0] + f"/P0{item.id}.pdf"
        return f'<p>附件：<a href="{e(pdf)}">{e(item.title)}.pdf</a></p>'
    source = item.copy_of or item
    voice = speaker(unit.spec, column.spec)
    body_rng = rng if source is item else random.Random(source.id)
    paragraphs = texts.body(body_rng, voice, body_rng.randint(3, 5))
    signed = source.written or source.posted  # a document is signed when written; a news item when posted
    signature = f"{voice.org}　{signed.year}年{signed.month}月{signed.day}日"
    return "".join(f"<p>{e(p)}</p>" for p in paragraphs) + f'<p class="sign">{e(signature)}</p>'


def not_found(unit: DemoUnit | None) -> str:
    """A 404 page (served with status 404)."""
    body = '<div class="error"><h2>404</h2><p>对不起，您访问的页面不存在或已被删除。</p><p><a href="/">返回首页</a></p></div>'
    if unit is None:
        return f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head><body>{body}</body></html>"
    return frame(unit, f"页面不存在_{unit.spec.org}", body, [("/", "首页"), ("", "页面不存在")], [])
