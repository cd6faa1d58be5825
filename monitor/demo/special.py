"""The awkward pages: a list filled by JavaScript, Hanweb's datastore and XML endpoint, a redesigned page
without a list, and a 瑞数-style firewall challenge.
"""

from __future__ import annotations

import base64
import json
import random
import string
from html import escape

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


def firewall_challenge(path: str) -> tuple[str, str]:
    """(body, cookie) of a 瑞数-style HTTP 412 answer: obfuscated ``$_ts`` script and a meta refresh."""
    rng = random.Random(f"412{path}")
    alphabet = string.ascii_letters + string.digits + "._"
    blob = "".join(rng.choice(alphabet) for _ in range(600))
    names = ["_$" + "".join(rng.choice(string.ascii_letters) for _ in range(2)) for _ in range(6)]
    code = (f"(function(){{var {names[0]}=window,{names[1]}={names[0]}['$_ts'],{names[2]}=0;"
            f"function {names[3]}({names[4]}){{return {names[4]}.charCodeAt({names[2]}++)^{rng.randint(10, 99)};}}"
            f"for(var {names[5]}=0;{names[5]}<{names[1]}.cd.length;{names[5]}++){{{names[3]}({names[1]}.cd);}}"
            f"document.cookie='FSSBBIl1UgzbN7N80T='+{names[1]}.nsd+';path=/';location.reload();}})();")
    body = f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="Pragma" content="no-cache"><meta http-equiv="Cache-Control" content="no-cache">
<meta http-equiv="Expires" content="0"><meta http-equiv="refresh" content="2">
<meta id="{escape(blob[:22])}" content="{escape(blob[22:300])}" r="m">
<script type="text/javascript" r="m">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={{}};$_ts.nsd={rng.randint(10000, 99999)};$_ts.cd="{blob[300:]}";</script>
<script type="text/javascript" r="m">{code}</script>
</head><body></body></html>
"""
    cookie = f"FSSBBIl1UgzbN7N80S={blob[40:104]}; Path=/; HttpOnly"
    return body, cookie


ROBOTS = "User-agent: *\nAllow: /\n"
