"""Guangdong's 政府信息公开目录管理平台 (gkmlpt): a script app whose lists come from a JSON API.

- ``/gkmlpt/index`` is the app: a category tree (``#N`` links) and an empty list box that a script fills from
  ``/gkmlpt/api/all/{cat}?page=N&sid=SID``; a reader's column URL is ``/gkmlpt/index#{cat}``.
- The API answers ``{"articles": [...], "classify": {...}, "total": N, "page": n, "page_size": 100}``, newest
  first; each article carries epoch-second times (``create_time`` when the clerk made the record — earlier
  than publication —, ``publish_time`` / ``display_publish_time`` / ``first_publish_time`` the 发布日期),
  its title and an absolute ``url`` to ``/gkmlpt/content/.../post_ID.html#cat``.
- An unknown category or a wrong ``sid`` gets an empty answer (``total`` 0).
"""

from __future__ import annotations

import json
import random
from datetime import datetime, time, timedelta

from monitor.clock import SHANGHAI

from .items import DemoColumn, DemoItem, DemoUnit
from .items import voice as speaker
from .pages import e, frame

__all__ = ["API", "PAGE_SIZE", "api_answer", "api_path", "app_page", "sid"]

API = "/gkmlpt/api/all/"
PAGE_SIZE = 100


def sid(unit: DemoUnit) -> int:
    """The site id the API wants (``sid=``), one per unit."""
    return 763000 + unit.index * 17


def api_path(unit: DemoUnit, column: DemoColumn, page: int = 1) -> str:
    """The API request for one page of a column (what the catalog's ``endpoint`` names)."""
    return f"{API}{column.spec.colid}?page={page}&sid={sid(unit)}"


def _epoch(day, hhmm: str) -> int:
    h, m = map(int, hhmm.split(":"))
    return int(datetime.combine(day, time(h, m), SHANGHAI).timestamp())


def _article(unit: DemoUnit, column: DemoColumn, it: DemoItem, site: str) -> dict:
    rng = random.Random(it.id)
    made = it.written or it.posted - timedelta(days=rng.randint(0, 2))
    shown = _epoch(it.shown, it.time)
    return {
        "id": it.id, "title": it.title, "url": f"{site}{it.path}#{column.spec.colid}",
        "identifier": it.index_no, "document_number": it.doc_no, "publisher": speaker(unit.spec, column.spec).org,
        "create_time": _epoch(made, f"{rng.randint(8, 11):02d}:{rng.randint(0, 59):02d}"),
        "publish_time": shown, "display_publish_time": shown, "first_publish_time": shown,
        "catalog_id": column.spec.colid, "attachments": [],
    }


def api_answer(unit: DemoUnit, column: DemoColumn | None, items: list[DemoItem], page: int, site_id: int,
               site: str) -> str:
    """The JSON for ``page`` (1-based) of ``column``'s ``items`` (newest first); ``site`` is ``http://host:port``."""
    if column is None or site_id != sid(unit):
        items = []
    page = max(page, 1)
    chosen = items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    answer = {
        "articles": [_article(unit, column, it, site) for it in chosen] if column else [],
        "classify": {"id": column.spec.colid, "name": column.name} if column else {},
        "total": len(items), "page": page, "page_size": PAGE_SIZE,
    }
    return json.dumps(answer, ensure_ascii=False)


def app_page(unit: DemoUnit, hot: list[DemoItem]) -> str:
    """The gkmlpt app (the same for every ``#cat``): category links, an empty list box, the script that fills it."""
    tree = "".join(f'<li><a href="#{c.spec.colid}" data-id="{c.spec.colid}">{e(c.name)}</a></li>' for c in unit.columns)
    config = json.dumps({"SID": str(sid(unit)), "API": API, "PAGE_SIZE": PAGE_SIZE})
    content = f"""<div id="app" class="gkmlpt">
<div class="gkml-tree"><h3>政府信息公开目录</h3><ul>{tree}</ul></div>
<div class="gkml-list"><table class="gkml-table"><thead><tr><th>索引号</th><th>标题</th><th>发布日期</th></tr></thead>
<tbody id="gkml-rows"></tbody></table><div class="gkml-pager"></div></div>
</div>
<script>window._CONFIG = {config};
(function () {{
  function load(cat, page) {{
    fetch(_CONFIG.API + cat + "?page=" + page + "&sid=" + _CONFIG.SID).then(function (r) {{ return r.json(); }})
      .then(function (d) {{ /* rows are drawn from d.articles */ }});
  }}
  window.addEventListener("hashchange", function () {{ load(location.hash.slice(1) || "0", 1); }});
  load(location.hash.slice(1) || "0", 1);
}})();</script>"""
    return frame(unit, f"政府信息公开_{unit.spec.org}", content, [("/", "首页"), ("", "政府信息公开")], hot, side=False)
