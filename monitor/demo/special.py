"""The awkward pages: a list filled by JavaScript, Hanweb's datastore and XML endpoint, a redesigned page
without a list, and a soft 404 (firewall challenges are in ``firewalls.py``, gkmlpt in ``gkmlpt.py``).
"""

from __future__ import annotations

import base64
import json

from .items import DemoColumn, DemoItem, DemoUnit
from .pages import crumbs_for, e, fmt_date, frame, pager

JS_LIST = """document.addEventListener("DOMContentLoaded", function () {
  var raw = "%s";
  var bytes = Uint8Array.from(atob(raw), function (c) { return c.charCodeAt(0); });
  var data = JSON.parse(new TextDecoder("utf-8").decode(bytes));
  var ul = document.getElementById("list");
  data.forEach(function (d) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = d.u; a.title = d.t; a.target = "_blank"; a.textContent = d.t;
    var span = document.createElement("span");
    span.textContent = d.d;
    li.appendChild(a); li.appendChild(span); ul.appendChild(li);
  });
});"""

HANWEB_RENDER = """(function () {
  var conf = %s;
  var xml = document.getElementById("ds" + conf.columnid).textContent;
  var doc = new DOMParser().parseFromString(xml, "text/xml");
  var recs = doc.getElementsByTagName("record"), html = "";
  for (var i = 0; i < recs.length && i < conf.perPage; i++) { html += recs[i].textContent; }
  document.getElementById("div" + conf.columnid).innerHTML = "<ul class=\\"list\\">" + html + "</ul>";
})();"""


def js_list_page(unit: DemoUnit, column: DemoColumn, items: list[DemoItem], page: int, pages: int,
                 hot: list[DemoItem]) -> str:
    """A list page whose HTML has an empty ``ul#list``: an inline script builds the items from base64 JSON."""
    data = [{"t": it.title, "u": it.path, "d": fmt_date(it.shown, unit.spec.date_style)} for it in items]
    blob = base64.b64encode(json.dumps(data, ensure_ascii=False).encode("utf-8")).decode("ascii")
    content = (f'<div class="list-box"><h2 class="column-title">{e(column.name)}</h2>\n'
               f'<ul id="list" class="list"></ul>\n<script>{JS_LIST % blob}</script>\n{pager(pages, page)}</div>')
    return frame(unit, f"{column.name}_{unit.spec.org}", content, crumbs_for(column), hot, column=column)


def hanweb_record(unit: DemoUnit, it: DemoItem) -> str:
    li = (f'<li><a href="{it.path}" title="{e(it.title)}" target="_blank">{e(it.title)}</a>'
          f'<span>{fmt_date(it.shown, unit.spec.date_style)}</span></li>')
    return f"<record><![CDATA[{li}]]></record>"


def hanweb_column_page(unit: DemoUnit, column: DemoColumn, items: list[DemoItem], per_page: int,
                       hot: list[DemoItem]) -> str:
    """A Hanweb column page: the first three pages of records in a ``<script type="text/xml">`` datastore."""
    colid = column.spec.colid
    first = items[: per_page * 3]
    records = "\n".join(hanweb_record(unit, it) for it in first)
    nextgroup = (f'<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid={colid}'
                 f'&unitid=4{colid}&webname={e(unit.spec.org)}&permissiontype=0"></a>')
    conf = json.dumps({"columnid": colid, "totalRecord": len(items), "perPage": per_page,
                       "dataUrl": "/module/web/jpage/dataproxy.jsp"})
    content = f"""<div class="list-box"><h2 class="column-title">{e(column.name)}</h2>
<div id="div{colid}"><script type="text/xml" id="ds{colid}"><datastore>
<nextgroup><![CDATA[{nextgroup}]]></nextgroup>
<recordset>
{records}
</recordset>
</datastore></script></div>
<script>{HANWEB_RENDER % conf}</script>
<div class="page" id="page{colid}">共{len(items)}条记录</div></div>"""
    return frame(unit, f"{column.name}_{unit.spec.org}", content, crumbs_for(column), hot, column=column)


def hanweb_xml(unit: DemoUnit, items: list[DemoItem], start: int, end: int, per_page: int) -> str:
    """dataproxy.jsp: records start..end (1-based, inclusive) with the totals."""
    total = len(items)
    pages = (total + per_page - 1) // per_page if per_page > 0 else 0
    chosen = items[max(start, 1) - 1: max(end, 0)]
    records = "\n".join(hanweb_record(unit, it) for it in chosen)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>{total}</totalrecord>\n'
            f"<totalpage>{pages}</totalpage>\n<recordset>\n{records}\n</recordset>\n</datastore>\n")


def redesign_page(unit: DemoUnit, column: DemoColumn, hot: list[DemoItem]) -> str:
    """The township page after its redesign: cards and links, no list and no 暂无信息."""
    town = column.spec.speaker[1] if column.spec.speaker else unit.spec.org
    base = column.path.rsplit("/", 2)[0] + "/"
    cards = "".join(f'<a class="card" href="{base}{slug}/"><i class="icon-{slug}"></i><b>{name}</b></a>'
                    for slug, name in (("xzgk", f"{town}概况"), ("ldzc", "领导之窗"), ("bmfw", "便民服务"),
                                       ("dwgk", "党务公开"), ("cwgk", "村务公开"), ("msss", "民生实事")))
    content = f"""<div class="zt-wrap">
<div class="zt-banner"><h2>{e(town)}</h2><p>新版栏目上线，欢迎访问</p></div>
<div class="zt-grid">{cards}</div>
<div class="zt-qr"><p>扫码关注“{e(town)}发布”</p></div>
</div>"""
    return frame(unit, f"{town}_{unit.spec.org}", content, [("/", "首页"), ("", town)], hot, side=False)


def soft_not_found(unit: DemoUnit) -> str:
    """A column page that is gone, served with status 200: a bare 提示信息 page saying 页面不存在 (a soft 404)."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>提示信息_{e(unit.spec.org)}</title>
<style>body{{background:#f5f5f5;font:14px "Microsoft YaHei",sans-serif}}.tip{{width:520px;margin:120px auto;background:#fff;padding:40px;text-align:center}}</style>
</head><body>
<div class="tip"><img src="/images/tip.png" alt="">
<h2>抱歉，您访问的页面不存在或已被删除！</h2>
<p>请检查您输入的网址是否正确，或 <a href="/">返回首页</a>。</p>
<p>{e(unit.spec.org)}</p></div>
</body></html>
"""


ROBOTS = "User-agent: *\nAllow: /\n"
