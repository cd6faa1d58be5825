"""A synthetic province on 127.0.0.1: thousands of unit sites, generated on request, never stored.

    python bench/province.py catalog --units 2000 --out province.toml
    python bench/province.py serve --units 2000 --today 2026-11-27 [--port 8800]
    python bench/province.py urls --units 2000           # every column's first list page, one per line

Unit i (0-based) lives on its own address, 127.10.{i // 250}.{i % 250 + 1}, port 8800: a host per unit, as in
a real province, so per-host politeness and sharding by host mean what they mean there. Each unit has
``COLUMNS_PER_UNIT`` (40) disclosure columns of ten kinds (news every few days, notices, policy documents
read for their written date, monthly / quarterly / yearly reports, budgets, standing content, personnel,
plans), each with its own history: items over the last 400 days drawn from a seeded generator, so the same
arguments give the same world, byte for byte. A list page has what real TRS-family pages have around the list
(header, nav, column menu, 热点 box, footer; about 11 KB) and 20 items; older items are on ``index_N.html``.
Article pages carry their dates the way real ones do.

The server (``province_server.py``) is one asyncio process speaking HTTP/1.1 with keep-alive (pages encoded
once and kept: it must cost little beside what a benchmark measures). Every answer carries ``ETag`` and ``Last-Modified`` and
honours ``If-None-Match`` / ``If-Modified-Since`` with 304, like the web servers in front of real sites. It
counts requests and body bytes by status; ``GET /__stats`` (on any unit's address) returns them as JSON and
``POST /__stats`` resets them.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import functools
import random
import sys
import zlib
from array import array
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

COLUMNS_PER_UNIT = 40
PORT = 8800
PER_PAGE = 20
HISTORY_DAYS = 400
SEED = 8

# kind id, name, catalog type, rule template, mean days between items (0: periodic, by the rule's period)
KINDS = [
    ("gzdt", "工作动态", "动态要闻", "dynamic_2w", 2.5),
    ("tzgg", "通知公告", "通知公告", "notice_6m", 12),
    ("zcwj", "政策文件", "政策文件", "policy_20wd", 18),
    ("tjsj", "统计数据", "其他", "monthly_15d", 0),
    ("jdbg", "季度报告", "其他", "quarterly_15d", 0),
    ("ndbg", "政府信息公开年度报告", "其他", "annual_report", 0),
    ("czyjs", "财政预决算", "财政预决算", "budget_yearly", 0),
    ("jgzn", "机构职能", "其他", "standing", 200),
    ("rsxx", "人事信息", "人事", "personnel_12m", 45),
    ("ghjh", "规划计划", "规划计划", "plan_12m", 90),
]
RULES = """
[rules.dynamic_2w]
kind = "max_gap"
within = { n = 14, unit = "day" }

[rules.notice_6m]
kind = "max_gap"
within = { n = 6, unit = "month" }

[rules.policy_20wd]
kind = "item_lag"
within = { n = 20, unit = "workday" }
lookback_days = 30

[rules.personnel_12m]
kind = "max_gap"
within = { n = 12, unit = "month" }

[rules.plan_12m]
kind = "max_gap"
within = { n = 12, unit = "month" }

[rules.monthly_15d]
kind = "periodic"
period = "month"
due = { n = 15, unit = "day" }

[rules.quarterly_15d]
kind = "periodic"
period = "quarter"
due = { n = 15, unit = "day" }

[rules.annual_report]
kind = "periodic"
period = "year"
due_date = { month = 1, day = 31 }

[rules.budget_yearly]
kind = "periodic"
period = "year"
due_date = { month = 3, day = 31 }

[rules.standing]
kind = "standing"
"""
WORDS = ("关于", "做好", "全市", "年度", "工作", "推进", "实施", "方案", "通知", "意见", "加强", "管理", "服务",
         "建设", "开展", "专项", "行动", "情况", "报告", "公示", "会议", "召开", "部署", "落实", "质量", "发展")
DISTRICTS = ("东城", "西城", "南湖", "北山", "江岸", "河西", "高新", "临港", "滨海", "金川")
OFFICES = ("发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
           "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水务局", "农业农村局",
           "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局")


def address(unit: int) -> str:
    return f"127.10.{unit // 250}.{unit % 250 + 1}"


def unit_index(ip: str) -> int | None:
    parts = ip.split(".")
    if len(parts) != 4 or parts[:2] != ["127", "10"]:
        return None
    return int(parts[2]) * 250 + int(parts[3]) - 1


def unit_slug(unit: int) -> str:
    return f"u{unit:04d}"


def unit_name(unit: int) -> str:
    return f"{DISTRICTS[unit % len(DISTRICTS)]}区{OFFICES[unit % len(OFFICES)]}（{unit + 1}）"


def column_kind(column: int) -> tuple[str, str, str, str, float]:
    return KINDS[column % len(KINDS)]


def column_id(column: int) -> str:
    return f"{column_kind(column)[0]}{column // len(KINDS) + 1}"


COLUMN_BY_ID = {column_id(c): c for c in range(COLUMNS_PER_UNIT)}


def column_url(unit: int, column: int, port: int = PORT) -> str:
    return f"http://{address(unit)}:{port}/xxgk/{column_id(column)}/"


def list_urls(units: int, port: int = PORT) -> list[str]:
    return [column_url(u, c, port) for u in range(units) for c in range(COLUMNS_PER_UNIT)]


# ---------------------------------------------------------------- the catalog

def catalog_text(units: int, port: int = PORT, delay: float = 0.0, concurrency: int = 2) -> str:
    """The province's catalog. A benchmark sets no delay: it measures the machine, not politeness."""
    out = [f"# A synthetic province of {units} units (bench/province.py); generated.\n",
           f"[monitor]\ndownload_timeout = 10\nretries = 1\ndownload_delay = {delay}\n",
           f"concurrency_per_host = {concurrency}\nwarn_days = 3\nrectify_workdays = 5\n",
           'contact = "https://example.gov.cn/monitor"\n', RULES]
    for u in range(units):
        out.append(f'\n[[units]]\nslug = "{unit_slug(u)}"\nname = "{unit_name(u)}"\n'
                   f'site = "http://{address(u)}:{port}/"\n')
        for c in range(COLUMNS_PER_UNIT):
            kind, name, ctype, rule, _ = column_kind(c)
            suffix = "" if c < len(KINDS) else f"（{c // len(KINDS) + 1}）"
            out.append(f'  [[units.columns]]\n  id = "{column_id(c)}"\n  name = "{name}{suffix}"\n'
                       f'  url = "{column_url(u, c, port)}"\n  type = "{ctype}"\n  rule = "{rule}"\n')
    return "".join(out)


# ---------------------------------------------------------------- the world

@dataclass(frozen=True)
class Item:
    published: date
    number: int

    def title(self, unit: int, column: int) -> str:
        h = zlib.crc32(f"{SEED}/{unit}/{column}/{self.number}".encode())
        words = "".join(WORDS[(h >> (5 * k)) % len(WORDS)] for k in range(4))
        return f"{column_kind(column)[1]}：{words}（{self.published:%Y}第{self.number + 1}号）"


EPOCH = date(2025, 1, 1)


def _periodic_days(rule: str, first: date, last: date, rng: random.Random) -> list[date]:
    days = []
    if rule == "monthly_15d":
        y, m = first.year, first.month
        while date(y, m, 1) <= last:
            days.append(date(y, m, 1) + timedelta(days=rng.randint(2, 13)))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    elif rule == "quarterly_15d":
        for y in range(first.year, last.year + 1):
            days += [date(y, m, 1) + timedelta(days=rng.randint(3, 13)) for m in (1, 4, 7, 10)]
    elif rule == "annual_report":
        days = [date(y, 1, rng.randint(10, 28)) for y in range(first.year, last.year + 1)]
    else:  # budget_yearly
        days = [date(y, 3, rng.randint(5, 28)) for y in range(first.year, last.year + 1)]
    return days


@functools.lru_cache(maxsize=100_000)
def _publication_offsets(unit: int, column: int) -> array:
    """Days after EPOCH on which the column publishes, oldest first: fixed per (unit, column)."""
    _, _, _, rule, mean_gap = column_kind(column)
    rng = random.Random(f"{SEED}/{unit}/{column}")
    horizon = date(2027, 12, 31)
    if mean_gap:
        days, day = [], EPOCH + timedelta(days=rng.randint(0, 20))
        while day <= horizon:
            days.append(day)
            day += timedelta(days=max(1, round(rng.expovariate(1 / mean_gap))))
    else:
        days = _periodic_days(rule, EPOCH, horizon, rng)
    return array("H", ((d - EPOCH).days for d in days))


def column_items(unit: int, column: int, until: date) -> list[Item]:
    """Items published up to ``until``, newest first: the same history whatever ``until`` is."""
    offsets = _publication_offsets(unit, column)
    last = bisect.bisect_right(offsets, (until - EPOCH).days)
    return [Item(EPOCH + timedelta(days=offsets[n]), n) for n in range(last - 1, -1, -1)]


CSS = ("body{margin:0;font:14px/1.6 sans-serif;color:#333}a{color:#333;text-decoration:none}"
       ".header{background:#b71c1c;color:#fff;padding:18px 40px}.nav li,.list li{list-style:none}"
       ".list li span{float:right;color:#888}.footer{background:#eee;text-align:center;padding:16px}")


def _frame(unit: int, title: str, content: str) -> str:
    head, middle, tail = _frame_parts(unit)
    return f"{head}<title>{escape(title)}-{escape(unit_name(unit))}</title>{middle}{content}{tail}"


@functools.lru_cache(maxsize=4096)
def _frame_parts(unit: int) -> tuple[str, str, str]:
    """The unit's page around its content, cut where the title and the content go."""
    name = escape(unit_name(unit))
    nav = "".join(f'<li><a href="/{p}/">{t}</a></li>' for p, t in (
        ("", "首页"), ("zwgk", "政务公开"), ("xxgk", "信息公开"), ("zcwj", "政策文件"), ("bmfw", "便民服务"),
        ("hdjl", "互动交流"), ("zwfw", "政务服务"), ("sjfb", "数据发布"), ("ztzl", "专题专栏"), ("jgsz", "机构设置")))
    menu = "".join(f'<li><a href="/xxgk/{column_id(c)}/">{column_kind(c)[1]}</a></li>' for c in range(12))
    hot = "".join(f'<li><a href="/ztzl/{k}.html">{w}专题</a></li>' for k, w in enumerate(WORDS[:6]))
    links = "".join(f'<li><a href="http://www.gov.cn/{k}/" target="_blank">{DISTRICTS[k % 10]}区人民政府门户网站</a></li>'
                    for k in range(30))
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
            f'<style>{CSS}</style></head><body><div class="header"><div class="logo">{name}</div></div>'
            f'<div class="nav"><ul>{nav}</ul></div><div class="main"><div class="side"><h3>信息公开目录</h3>'
            f'<ul>{menu}</ul><div class="hot"><h3>热点专题</h3><ul>{hot}</ul></div></div><div class="content">',
            f'</div></div><div class="links"><h3>相关链接</h3><ul>{links}</ul></div>'
            f'<div class="footer"><p>主办单位：{name}　'
            f"网站标识码：{3300000000 + unit}　ICP备{10000000 + unit}号</p><p>地址：{escape(DISTRICTS[unit % 10])}区人民路"
            f"{unit % 300 + 1}号　联系电话：0571-{87000000 + unit}</p></div></body></html>")


def list_page(unit: int, column: int, page: int, today: date) -> tuple[str, date] | None:
    offsets = _publication_offsets(unit, column)
    count = bisect.bisect_right(offsets, (today - EPOCH).days)
    pages = max(1, -(-count // PER_PAGE))
    if page >= pages:
        return None
    shown = [Item(EPOCH + timedelta(days=offsets[n]), n)
             for n in range(count - 1 - page * PER_PAGE, max(-1, count - 1 - (page + 1) * PER_PAGE), -1)]
    rows = []
    for i in shown:
        title = escape(i.title(unit, column))
        rows.append(f'<li><a href="./t{i.published:%Y%m%d}_{i.number}.html" title="{title}" target="_blank">'
                    f"{title}</a><span>{i.published:%Y-%m-%d}</span></li>")
    name = column_kind(column)[1]
    pager = (f'<div class="page"><script>createPageHTML({pages}, {page}, "index", "html");</script>'
             f"<span>共{pages}页 {count}条</span></div>") if pages > 1 else ""
    content = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt; {name}</div>'
               f'<ul class="list">{"".join(rows) or "<li class=empty>暂无信息</li>"}</ul>{pager}')
    newest = EPOCH + timedelta(days=offsets[count - 1]) if count else EPOCH
    return _frame(unit, name, content), newest


def article_page(unit: int, column: int, published: date, number: int, today: date) -> tuple[str, date] | None:
    offsets = _publication_offsets(unit, column)
    if published > today or number >= len(offsets) or EPOCH + timedelta(days=offsets[number]) != published:
        return None
    item = Item(published, number)
    title = item.title(unit, column)
    written = published - timedelta(days=(number * 7) % 9)
    body = "".join(f"<p>{'，'.join(random.Random(f'{unit}/{column}/{number}/{k}').sample(WORDS, 8))}。</p>"
                   for k in range(6))
    content = (f'<div class="article"><h1>{escape(title)}</h1><div class="info">发布日期：{published:%Y-%m-%d}'
               f"　来源：{escape(unit_name(unit))}</div>{body}<p style=\"text-align:right\">{escape(unit_name(unit))}<br>"
               f"{written.year}年{written.month}月{written.day}日</p></div>")
    return _frame(unit, title, content), published


# ---------------------------------------------------------------- the server

def answer(path: str, unit: int, today: date) -> tuple[str, date] | None:
    """The page at ``path`` on unit ``unit``'s site, with its last change; None: no such page."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    if len(parts) < 2 or parts[0] != "xxgk":
        return None
    column = COLUMN_BY_ID.get(parts[1])
    if column is None:
        return None
    leaf = parts[2] if len(parts) > 2 else "index.html"
    if leaf == "index.html":
        return list_page(unit, column, 0, today)
    if leaf.startswith("index_") and leaf.endswith(".html") and leaf[6:-5].isdigit():
        return list_page(unit, column, int(leaf[6:-5]), today)
    if leaf.startswith("t") and leaf.endswith(".html") and "_" in leaf:
        stamp, number = leaf[1:-5].split("_", 1)
        try:
            published = datetime.strptime(stamp, "%Y%m%d").date()
        except ValueError:
            return None
        return article_page(unit, column, published, int(number), today) if number.isdigit() else None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["serve", "catalog", "urls"])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--delay", type=float, default=0.0, help="catalog: download_delay per unit")
    parser.add_argument("--out", help="catalog: the file to write (default: stdout)")
    args = parser.parse_args(argv)
    if args.what == "serve":
        from province_server import serve

        asyncio.run(serve(args.units, args.today, args.port))
    elif args.what == "catalog":
        text = catalog_text(args.units, args.port, args.delay)
        if args.out:
            with open(args.out, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
    else:
        sys.stdout.write("\n".join(list_urls(args.units, args.port)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
