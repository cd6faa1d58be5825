"""A notice's evidence pack: what a public supervision notice (公开督办) rests on, in one folder.

``build_pack(store, catalog, notice_id)`` writes ``<db folder>/evidence/notice-<id>/``:

- ``fetches.warc.gz``: the WARC records (response and request) of the column's list/endpoint fetches
  behind the notice, i.e. the two lagging checks (the day it was opened and the check before), copied
  byte for byte from the sweeps' WARC files (monitor.warc), plus the article pages its items' dates
  were read from when they were archived;
- ``manifest.json``: notice, unit, column, URL, rule and its words, catalog version, each fetch (URL,
  time, status, outcome, bytes, SHA-256, where its record sits), the items the column showed by that
  day with their dates and where each date came from, the verdicts and their evidence;
- ``screenshot.png``: the column page as Debian's Chromium renders it now (headless, 1280 wide, full
  page, 15 s), loading nothing from a host the catalog does not configure for the unit; a failure is
  recorded in the manifest instead;
- ``SHA256SUMS``: the SHA-256 of every file above (``sha256sum -c SHA256SUMS`` checks them).

The files are registered in ``evidence_files``. Playwright's sync API cannot run inside a running
event loop: a sweep builds the day's packs in a worker thread (``build_packs_after_sweep``), and
``python -m monitor evidence N`` builds or rebuilds one.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor import __version__, clock, user_agent
from monitor.config import Catalog, netloc
from monitor.errors import UsageError
from monitor.sites import REDIRECT_HOPS, OffSite, next_hop
from monitor.store import Store
from monitor.warc import file_digest, read_fetch, sha256, warcinfo_member

WARC_NAME, MANIFEST_NAME, SCREENSHOT_NAME, SUMS_NAME = "fetches.warc.gz", "manifest.json", "screenshot.png", "SHA256SUMS"
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOT_TIMEOUT_MS = 15_000
MAX_ARTICLES = 20  # article pages copied into a pack at most


def pack_dir(store: Store, notice_id: int, out_root: Path | None = None) -> Path:
    return (out_root or store.path.parent / "evidence") / f"notice-{notice_id}"


def build_pack(store: Store, catalog: Catalog, notice_id: int, out_root: Path | None = None,
               screenshot: bool = True, camera: Camera | None = None) -> Path:
    """Build (or rebuild) the notice's evidence pack; return its folder. `camera`: a Chromium to reuse."""
    notice = store.notice_for_evidence(notice_id)
    if notice is None:
        raise UsageError(f"no notice #{notice_id}")
    folder = pack_dir(store, notice_id, out_root)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    root = store.path.parent
    days = lagging_days(store, notice)
    fetches = store.evidence_fetches(notice["unit"], notice["column_id"], days, notice["opened_at"])
    items = [_item(row) for row in store.items_as_of(notice["unit"], notice["column_id"], days[0])]
    from_pages = [i["url"] for i in items if i["published_source"] == "article" or i["written"]][:MAX_ARTICLES]
    articles = store.archived_article_fetches(notice["unit"], notice["column_id"], from_pages, notice["opened_at"])
    copied = copy_records(root, fetches + articles, folder / WARC_NAME,
                          {"notice": str(notice_id), "unit": notice["unit"], "column": notice["column_id"]})
    shot = {"taken": False, "error": "not requested (--no-screenshot)"}
    if screenshot:
        shot = take_screenshot(notice["column_url"], _netlocs(catalog, notice), user_agent(catalog.settings.contact),
                               folder / SCREENSHOT_NAME, camera=camera)
    files = {name: file_digest(folder / name) for name in (WARC_NAME, SCREENSHOT_NAME) if (folder / name).exists()}
    manifest = _manifest(store, catalog, notice, days, copied, items, shot, files)
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n",
                                        encoding="utf-8")
    files[MANIFEST_NAME] = file_digest(folder / MANIFEST_NAME)
    (folder / SUMS_NAME).write_text("".join(f"{digest}  {name}\n" for name, (digest, _) in files.items()),
                                    encoding="utf-8")
    kinds = {WARC_NAME: "warc", SCREENSHOT_NAME: "screenshot", MANIFEST_NAME: "manifest"}
    store.save_evidence_files(notice_id, [
        {"kind": kinds[name], "path": _relative(folder / name, root), "sha256": digest, "bytes": size}
        for name, (digest, size) in files.items()])
    return folder


def lagging_days(store: Store, notice: dict[str, Any]) -> list[date]:
    """The day the notice was opened and the day of the check before it: the two lagging checks."""
    opened = date.fromisoformat(notice["opened_day"])
    previous = store.previous_verdict(notice["unit"], notice["column_id"], opened)
    return [opened] + ([date.fromisoformat(previous["day"])] if previous else [])


def copy_records(root: Path, fetches: list[dict[str, Any]], dest: Path, info: dict[str, str]) -> list[dict[str, Any]]:
    """Copy each archived fetch's records into `dest` (a gzip WARC); return the fetches with where they went
    and whether the archived body still has the recorded SHA-256."""
    out = []
    with open(dest, "wb") as warc:
        warc.write(warcinfo_member(dest.name, {"description": "evidence pack of a public supervision notice", **info}))
        for fetch in fetches:
            entry = dict(fetch, warc=None, pack_offset=None, verified=None)
            if fetch.get("warc_file"):
                entry["warc"] = {"file": fetch["warc_file"], "offset": fetch["warc_offset"]}
                try:
                    stored = read_fetch(root / fetch["warc_file"], fetch["warc_offset"])
                except (OSError, ValueError, StopIteration) as exc:
                    entry["warc_error"] = f"{type(exc).__name__}: {exc}"
                else:
                    entry["pack_offset"] = warc.tell()
                    warc.write(stored.raw)
                    entry["verified"] = sha256(stored.body) == fetch["sha256"]
            entry.pop("warc_file")
            entry.pop("warc_offset")
            out.append(entry)
    return out


class Camera:
    """Debian's Chromium through Playwright's sync API, started on first use and shared by the packs built
    together (about 1-2 s saved per pack after the first); ``close()`` ends it."""

    def __init__(self) -> None:
        self._playwright = None
        self._browser = None

    def browser(self):
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            from spiders.settings import PLAYWRIGHT_LAUNCH_OPTIONS

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(**PLAYWRIGHT_LAUNCH_OPTIONS)
        return self._browser

    def close(self) -> None:
        browser, playwright, self._browser, self._playwright = self._browser, self._playwright, None, None
        try:
            if browser is not None:
                browser.close()
        except Exception:  # noqa: BLE001 - a crashed browser is closed already
            pass
        if playwright is not None:
            playwright.stop()

    def __enter__(self) -> "Camera":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def take_screenshot(url: str, netlocs: set[tuple[str, int]], agent: str, path: Path,
                    timeout_ms: int = SCREENSHOT_TIMEOUT_MS, camera: Camera | None = None) -> dict[str, Any]:
    """Render `url` in Debian's Chromium and save a full-page PNG; load nothing outside `netlocs`.

    Returns what happened (for the manifest): the page's status, the requests refused, the image's
    size, how long it took, or the error.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    info: dict[str, Any] = {"taken": False, "url": url, "at": clock.stamp(), "viewport": VIEWPORT,
                            "user_agent": agent, "blocked_requests": []}
    started = time.monotonic()

    def guard(route) -> None:
        """Chromium follows redirects without asking again: a page load's chain is walked here, hop by hop."""
        target = route.request.url
        if not _allowed(target, netlocs):
            info["blocked_requests"].append(target[:300])
            route.abort("blockedbyclient")
            return
        if not route.request.is_navigation_request():
            route.continue_()
            return
        first = answer = route.fetch(max_redirects=0)
        for _ in range(REDIRECT_HOPS):
            try:
                target = next_hop(target, answer.status, answer.headers.get("location"), netlocs)
            except OffSite as exc:
                info["blocked_requests"].append(str(exc)[:300])
                route.abort("blockedbyclient")
                return
            if target is None:
                break
            answer = route.fetch(url=target, max_redirects=0)
        route.fulfill(response=first)

    own = camera is None
    camera = camera or Camera()
    try:
        context = camera.browser().new_context(viewport=VIEWPORT, user_agent=agent, locale="zh-CN",
                                               service_workers="block")
        try:
            context.route("**/*", guard)
            page = context.new_page()
            page.set_default_timeout(timeout_ms)
            try:
                response = page.goto(url, wait_until="load", timeout=timeout_ms)
                info["status"] = response.status if response else None
            except PlaywrightTimeout:
                info["load_timeout"] = True  # shown as far as it got
            try:
                page.wait_for_load_state("networkidle", timeout=2_000)  # lists filled by scripts
            except PlaywrightTimeout:
                pass
            page.screenshot(path=str(path), full_page=True, timeout=timeout_ms)
        finally:
            context.close()
    except (PlaywrightError, OSError) as exc:  # Chromium missing or crashed, page unreachable: say so
        info["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:500]
        path.unlink(missing_ok=True)
        own = True  # a browser that failed is not reused
    else:
        info["taken"] = True
        info["width"], info["height"] = png_size(path)
    finally:
        if own:
            camera.close()
    info["seconds"] = round(time.monotonic() - started, 2)
    return info


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path}: not a PNG")
    return struct.unpack(">II", head[16:24])


def build_packs_for_day(store: Store, catalog: Catalog, day: date, screenshot: bool = True) -> list[Path]:
    """Packs for the notices opened on `day` (or the week before) that have none yet. A pack that fails is
    reported, not raised:
    the sweep's verdicts and notices stand without it, and ``monitor evidence N`` can build it later."""
    built = []
    with Camera() as camera:
        for notice_id in store.notices_without_evidence(day):
            try:
                built.append(build_pack(store, catalog, notice_id, screenshot=screenshot, camera=camera))
            except Exception as exc:  # noqa: BLE001 - one pack must not stop the others
                print(f"证据包生成失败（督办 #{notice_id}）：{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    return built


def build_packs_after_sweep(db_path: Path, catalog: Catalog, day: date) -> list[Path]:
    """``build_packs_for_day`` for monitor.sweep, run in a worker thread (no event loop there, as
    Playwright's sync API needs) with a connection of its own (SQLite connections stay in their thread)."""
    store = Store(db_path)
    try:
        return build_packs_for_day(store, catalog, day)
    finally:
        store.close()


def _allowed(url: str, netlocs: set[tuple[str, int]]) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return True
    return urlsplit(url).scheme in ("http", "https") and netloc(url) in netlocs


def _netlocs(catalog: Catalog, notice: dict[str, Any]) -> set[tuple[str, int]]:
    """Where the screenshot may load from: the unit's catalog hosts (its site and column URL if the
    catalog no longer configures it)."""
    try:
        return set(catalog.unit(notice["unit"]).netlocs())
    except KeyError:
        return {netloc(notice["unit_site"]), netloc(notice["column_url"])}


def _item(row: dict[str, Any]) -> dict[str, Any]:
    evidence = json.loads(row["date_evidence"]) if row["date_evidence"] else None
    return {**row, "date_evidence": evidence}


def _manifest(store: Store, catalog: Catalog, notice: dict[str, Any], days: list[date], fetches: list[dict[str, Any]],
              items: list[dict[str, Any]], shot: dict[str, Any], files: dict[str, tuple[str, int]]) -> dict[str, Any]:
    unit, column_id = notice["unit"], notice["column_id"]
    digests = [f["catalog_digest"] for f in fetches if f["as_of"] == days[0].isoformat() and f["catalog_digest"]]
    digest = notice.get("catalog_digest") or (digests[-1] if digests else None)
    wording = endpoint = None
    try:
        column = catalog.unit(unit).column(column_id)
        wording, endpoint = column.wording or None, column.extract.endpoint or None
    except KeyError:
        pass
    verdicts = []
    for day in days:
        v = store.verdict_on(unit, column_id, day)
        if v:
            verdicts.append({k: v[k] for k in ("day", "state", "due", "days_late", "late_since", "newest_title",
                                               "newest_url", "newest_published", "provisional", "reason", "rule_words")}
                            | {"evidence": json.loads(v["evidence"] or "{}")})
    return {
        "notice": {
            "id": notice["id"], "kind": notice.get("kind", "lateness"), "state": notice["state"],
            "opened_day": notice["opened_day"], "opened_at": notice["opened_at"], "deadline": notice["deadline"],
            "days_late_at_open": notice["days_late_at_open"], "reason": notice["reason"],
            "evidence": json.loads(notice["evidence"] or "{}"),
        },
        "unit": {"slug": unit, "name": notice["unit_name"], "site": notice["unit_site"]},
        "column": {"id": column_id, "name": notice["column_name"], "url": notice["column_url"], "endpoint": endpoint,
                   "type": notice["column_type"]},
        "rule": {"words": notice["rule_words"], "name": notice["rule_name"], "kind": notice["rule_kind"],
                 "wording": wording},
        "catalog": store.catalog_version(digest) if digest else None,
        "lagging_checks": [d.isoformat() for d in days],
        "verdicts": verdicts,
        "fetches": fetches,
        "items": items,
        "screenshot": {"file": SCREENSHOT_NAME if shot.get("taken") else None, **shot},
        "files": {name: {"sha256": digest, "bytes": size} for name, (digest, size) in files.items()},
        "recheck": f"scrapy crawl {unit} -a column={column_id}",
        "built_at": clock.stamp(),
        "software": f"DisclosureMonitor/{__version__}",
    }


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def describe(folder: Path) -> list[str]:
    """Lines naming the pack's folder and each file with its size and SHA-256 (for the CLI)."""
    lines = [f"证据包：{folder.resolve()}"]
    for name in sorted(os.listdir(folder)):
        digest, size = file_digest(folder / name)
        lines.append(f"  {name:<16} {size:>10} 字节  sha256 {digest}")
    return lines
