"""The demo world: fifteen simulated government units, their columns and items, answered page by page.

Pure generation, no sockets: ``DemoWorld.respond(host, path)`` returns what the unit's site would send on the
simulated day ``today`` (an item is online iff its posted day <= today). ``DemoServer`` (server.py) puts it on
loopback addresses, one per unit. The scenario itself is data in ``units.py``; the catalog and the expected
verdicts at the end date come from ``catalog.py``.

    world = DemoWorld(end=date(2026, 11, 27))
    world.today = world.start
    r = world.respond("127.0.0.11", "/xxgk/gzdt/index.html")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from . import catalog, firewalls, gkmlpt, pages, special
from .items import DemoColumn, DemoItem, DemoUnit, build_unit
from .units import UNITS, Gone, Outage, Redesign, UnitSpec

HANWEB_ENDPOINT = "/module/web/jpage/dataproxy.jsp"
_HANWEB_COL = re.compile(r"/col/col(\d+)/(?:index\.html)?")
_HANWEB_ART = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_(\d+)_(\d+)\.html")
_TRS_PAGE = re.compile(r"index(?:_(\d+))?\.html")
_TRS_ART = re.compile(r"\d{6}/t\d{8}_(\d+)\.html")
_GKMLPT_ART = re.compile(r"/gkmlpt/content/\d+/\d+/post_(\d+)\.html")


@dataclass
class DemoResponse:
    """What a site answers: ``delay_s`` is how long it stalls first (the timeout scenario); ``misbehave`` is how
    the server breaks the answer on the wire (the fault world, ``faults.py``):

    - ``reset``: headers and half the body, then a TCP reset;
    - ``drip``: headers, then the body a byte at a time, one every half second;
    - ``endless``: no Content-Length, the body repeated until the client hangs up (or 256 MiB).
    """

    status: int
    headers: dict[str, str]
    body: bytes
    delay_s: float = 0.0
    encoding: str = "utf-8"       # what the body really is (the GBK site's header says otherwise)
    misbehave: str = ""

    @property
    def text(self) -> str:
        return self.body.decode(self.encoding)


class DemoWorld:
    """The generated world ending at ``end``; ``today`` is the simulated day (default: ``end``)."""

    def __init__(self, end: date, days: int = 42, port: int = 8700, first_ip: int = 11,
                 specs: tuple[UnitSpec, ...] = UNITS) -> None:
        if first_ip < 1 or first_ip + len(specs) > 255:
            raise ValueError(f"first_ip {first_ip}: the units need 127.0.0.{first_ip}..{first_ip + len(specs) - 1}")
        self.end = end
        self.days = days
        self.start = end - timedelta(days=days - 1)
        self.today = end
        self.port = port
        self.first_ip = first_ip
        self.units: list[DemoUnit] = [build_unit(spec, i, f"127.0.0.{first_ip + i}", end)
                                      for i, spec in enumerate(specs)]
        self._by_ip = {u.ip: u for u in self.units}
        self._articles: dict[tuple[str, int], tuple[DemoColumn, DemoItem]] = {
            (u.ip, it.id): (c, it) for u in self.units for c in u.columns for it in c.items}

    # --- looking things up -------------------------------------------------------------------------

    def at(self, offset: int) -> date:
        """The day E+offset."""
        return self.end + timedelta(days=offset)

    def hosts(self) -> list[tuple[str, int]]:
        """(ip, port) per unit, in unit order."""
        return [(u.ip, self.port) for u in self.units]

    def unit(self, slug: str) -> DemoUnit:
        return next(u for u in self.units if u.slug == slug)

    def url(self, unit: DemoUnit, path: str = "/") -> str:
        return f"{self.scheme(unit)}://{unit.ip}:{self.port}{path}"

    def scheme(self, unit: DemoUnit) -> str:
        """How the unit's site is served: ``http``, or ``https`` with ``tls_files`` (the fault world)."""
        return "http"

    def listening(self, unit: DemoUnit) -> bool:
        """Whether anything listens at the unit's address (the fault world has a site that refuses)."""
        return True

    def tls_files(self, unit: DemoUnit) -> tuple[Path, Path] | None:
        """(certificate, key) files when the unit's site is served over HTTPS."""
        return None

    def column_url(self, slug: str, column_id: str) -> str:
        unit = self.unit(slug)
        return self.url(unit, unit.column(column_id).path)

    def online(self, column: DemoColumn, today: date | None = None) -> list[DemoItem]:
        """The column's items online on ``today`` (default: the world's today), newest first."""
        day = today or self.today
        items = [it.as_on(day) for it in column.items if it.posted <= day]
        if any(it.reshown for it in column.items):  # a re-dated item moves to where its new date puts it
            items.sort(key=lambda it: (it.shown, it.time, it.id), reverse=True)
        return items

    def catalog_toml(self) -> str:
        """A catalog (docs/catalog.md) describing this world."""
        return catalog.catalog_toml(self)

    def expected(self) -> dict[tuple[str, str], dict]:
        """The scenario's truth at ``end`` for every (unit, column)."""
        return catalog.expected(self)

    # --- answering ------------------------------------------------------------------------------

    def respond(self, host: str, path_and_query: str, method: str = "GET", body: bytes = b"") -> DemoResponse:
        """The answer of the site at ``host`` (ip or ip:port) on the simulated day."""
        unit = self._by_ip.get(host.rsplit(":", 1)[0] if host.count(":") == 1 else host)
        if unit is None:
            return self._html(None, 404, pages.not_found(None))
        parts = urlsplit(path_and_query)
        path = unquote(parts.path) or "/"
        if path.startswith(firewalls.WZWS_PREFIX) and self._has_wzws(unit):  # where a WZWS redirect leads
            return DemoResponse(*firewalls.challenge("wzws", path_and_query))
        outage = self._outage(unit, path)
        delay = 0.0
        if outage and outage.kind != "timeout":
            return DemoResponse(*firewalls.challenge(outage.kind, path_and_query))
        if outage:
            delay = outage.delay_s
        query = parse_qs(parts.query)
        if method.upper() == "POST" and body:
            for k, v in parse_qs(body.decode("utf-8", "replace")).items():
                query.setdefault(k, v)
        response = self._route(unit, path, query)
        response.delay_s = delay
        return response

    @staticmethod
    def _has_wzws(unit: DemoUnit) -> bool:
        outages = [unit.spec.outage] + [c.spec.outage for c in unit.columns]
        return any(o is not None and o.kind == "wzws" for o in outages)

    def _outage(self, unit: DemoUnit, path: str) -> Outage | None:
        """The trouble in force today for ``path``: the site's, else that of the column the path belongs to."""
        for outage, prefix in [(unit.spec.outage, "/")] + [(c.spec.outage, c.path) for c in unit.columns]:
            if outage and self.today >= self.at(outage.start) and path.startswith(prefix):
                return outage
        return None

    def _html(self, unit: DemoUnit | None, status: int, text: str, headers: dict | None = None) -> DemoResponse:
        # Every site says utf-8 in the header; the GBK site's bytes are GBK anyway (its meta says gb2312).
        encoding = unit.spec.encoding if unit else "utf-8"
        server = "Apache-Coyote/1.1" if unit and unit.spec.family == "hanweb" else "nginx"
        h = {"Content-Type": "text/html; charset=utf-8", "Server": server, **(headers or {})}
        return DemoResponse(status, h, text.encode(encoding, "xmlcharrefreplace"), encoding=encoding)

    def _hot(self, unit: DemoUnit) -> list[DemoItem]:
        picked = [it for c in unit.columns for it in c.items
                  if it.posted <= self.today and (it.id * 2654435761) % 97 < 4]
        return sorted(picked, key=lambda it: it.id, reverse=True)[:5]

    def _route(self, unit: DemoUnit, path: str, query: dict[str, list[str]]) -> DemoResponse:
        hot = self._hot(unit)
        if path == "/robots.txt":
            return DemoResponse(200, {"Content-Type": "text/plain"}, special.ROBOTS.encode("ascii"))
        if path in ("/", "/index.html", "/index.htm"):
            kinds = ("动态要闻", "通知公告", "政策文件")
            sections = [(c, self.online(c)[:6]) for c in unit.columns if c.spec.type in kinds][:3]
            return self._html(unit, 200, pages.home_page(unit, sections, hot))
        if path in ("/xxgk/", "/xxgk/index.html"):
            return self._html(unit, 200, pages.xxgk_index(unit, hot))
        if unit.spec.family == "hanweb":
            return self._route_hanweb(unit, path, query, hot)
        if unit.spec.family == "gkmlpt":
            return self._route_gkmlpt(unit, path, query, hot)
        if path == "/xxgk":
            return self._html(unit, 301, pages.not_found(unit), {"Location": "/xxgk/"})
        for col in unit.columns:
            if path + "/" == col.path:
                return self._html(unit, 301, pages.not_found(unit), {"Location": path + "/"})
            if not path.startswith(col.path):
                continue
            rest = path[len(col.path):]
            m = _TRS_PAGE.fullmatch(rest)
            if rest == "" or m:
                return self._list(unit, col, int(m.group(1) or 0) if m else 0, hot)
            m = _TRS_ART.fullmatch(rest)
            if m:
                return self._article(unit, path, int(m.group(1)), hot)
        return self._html(unit, 404, pages.not_found(unit))

    def _route_hanweb(self, unit: DemoUnit, path: str, query: dict[str, list[str]],
                      hot: list[DemoItem]) -> DemoResponse:
        per_page = unit.spec.per_page
        m = _HANWEB_COL.fullmatch(path)
        col = next((c for c in unit.columns if m and c.spec.colid == int(m.group(1))), None)
        if col is not None:
            return self._html(unit, 200, special.hanweb_column_page(unit, col, self.online(col), per_page, hot))
        m = _HANWEB_ART.fullmatch(path)
        if m:
            return self._article(unit, path, int(m.group(2)), hot)
        if path == HANWEB_ENDPOINT:
            per = _int_arg(query, "perpage", per_page)
            colid = _int_arg(query, "columnid", 0)
            col = next((c for c in unit.columns if c.spec.colid == colid), None)
            items = self.online(col) if col else []
            start, end = _int_arg(query, "startrecord", 1), _int_arg(query, "endrecord", per * 3)
            xml = special.hanweb_xml(unit, items, start, end, per)
            return DemoResponse(200, {"Content-Type": "text/xml;charset=UTF-8", "Server": "Apache-Coyote/1.1"},
                                xml.encode("utf-8"))
        return self._html(unit, 404, pages.not_found(unit))

    def _route_gkmlpt(self, unit: DemoUnit, path: str, query: dict[str, list[str]],
                      hot: list[DemoItem]) -> DemoResponse:
        if path in ("/gkmlpt/", "/gkmlpt/index", "/gkmlpt/index.html"):
            return self._html(unit, 200, gkmlpt.app_page(unit, hot))
        if path.startswith(gkmlpt.API):
            cat = path[len(gkmlpt.API):]
            col = next((c for c in unit.columns if cat.isdigit() and c.spec.colid == int(cat)), None)
            text = gkmlpt.api_answer(unit, col, self.online(col) if col else [], _int_arg(query, "page", 1),
                                     _int_arg(query, "sid", 0), self.url(unit, "").rstrip("/"))
            return DemoResponse(200, {"Content-Type": "application/json;charset=UTF-8", "Server": "nginx"},
                                text.encode("utf-8"))
        m = _GKMLPT_ART.fullmatch(path)
        if m:
            return self._article(unit, path, int(m.group(1)), hot)
        return self._html(unit, 404, pages.not_found(unit))

    def _list(self, unit: DemoUnit, col: DemoColumn, page: int, hot: list[DemoItem]) -> DemoResponse:
        scenario = col.spec.scenario
        if isinstance(scenario, Gone) and self.today >= self.at(scenario.at):
            return self._html(unit, 200, special.soft_not_found(unit))
        if isinstance(scenario, Redesign) and self.today >= self.at(scenario.at):
            if page:
                return self._html(unit, 404, pages.not_found(unit))
            return self._html(unit, 200, special.redesign_page(unit, col, hot))
        items, per = self.online(col), unit.spec.per_page
        count = max(1, -(-len(items) // per))
        if page >= count:
            return self._html(unit, 404, pages.not_found(unit))
        chunk = items[page * per:(page + 1) * per]
        render = special.js_list_page if col.spec.browser else pages.list_page
        return self._html(unit, 200, render(unit, col, chunk, page, count, hot))

    def _article(self, unit: DemoUnit, path: str, item_id: int, hot: list[DemoItem]) -> DemoResponse:
        found = self._articles.get((unit.ip, item_id))
        if not found or found[1].path != path or found[1].posted > self.today:
            return self._html(unit, 404, pages.not_found(unit))
        col, item = found
        return self._html(unit, 200, pages.article_page(unit, col, item.as_on(self.today), hot))


def _int_arg(query: dict[str, list[str]], name: str, default: int) -> int:
    """An integer query argument, ``default`` when it is missing or not a number."""
    try:
        return int(query.get(name, [default])[0])
    except ValueError:
        return default
