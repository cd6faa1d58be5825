"""The public notice board (board.html + board.atom), built from a real SQLite store and opened in Debian's Chromium.

Notices in every state are made the way the monitor makes them (``monitor.review`` for a reviewer's moves,
``Store.move_notice`` for a sweep's), with a hostile column name and reason, and internal text (an internal
note, reviewers' names, withdrawal and escalation reasons, evidence details) carrying unique markers: none
of it may reach the board or the feed; drafts and withdrawn drafts never appear. A screenshot is left in
tests/artifacts/board.png.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from monitor import review
from monitor.cli import main
from monitor.config import load_catalog
from monitor.store import Store
from tests.conftest import ARTIFACTS, offline_page
from reports.board import board_notices, build_board, gather_board

HOSTILE = """<script>alert(1)</script>"'&"""
HOSTILE_URL = """http://127.0.0.1:9/hostile/?q="><script>alert(4)</script>"""
HOSTILE_URL_TOML = HOSTILE_URL.replace('"', '\\"')
ATOM = "{http://www.w3.org/2005/Atom}"
D0, D1, D2, D3 = date(2026, 11, 20), date(2026, 11, 23), date(2026, 12, 1), date(2026, 12, 3)
NEW_YEAR = date(2027, 1, 4)
MARKERS = {
    "internal_note": "INTERNAL-NOTE-MARKER-7f3a",
    "reviewer": "REVIEWER-MARKER-王审核",
    "issue_note": "ISSUE-NOTE-MARKER-19c2",
    "escalate_why": "ESCALATE-WHY-MARKER-44d0",
    "close_why": "CLOSE-WHY-MARKER-8e1b",
    "withdraw_reason": "WITHDRAW-REASON-MARKER-c0de",
    "withdrawn_draft_why": "WITHDRAW-DRAFT-WHY-MARKER-5a5a",
    "evidence": "EVIDENCE-MARKER-连接超时-0bad",
    "draft_reason": "DRAFT-REASON-MARKER-d7af",
    "withdrawn_draft_reason": "WITHDRAWN-DRAFT-REASON-MARKER-abcd",
    "false_alarm_reason": "FALSE-ALARM-REASON-MARKER-f00d",
    "sweep_why": "SWEEP-WHY-MARKER-2b2b",
}
COLUMNS = ["hostile", "overdue", "escalated", "rectified", "closed", "draft", "wdraft", "wissued", "nextyear"]


def catalog_text(extra: str = "") -> str:
    rows = "\n".join(
        f'  {{ id = "{c}", name = "{c}信息", url = "http://127.0.0.1:9/{c}/", rule = "m" }},' for c in COLUMNS[1:])
    return f"""
[notices]
{extra}

[rules.m]
kind = "max_gap"
within = {{ n = 14, unit = "day" }}

[[units]]
slug = "bureau"
name = "某某局"
site = "http://127.0.0.1:9/"
columns = [
  {{ id = "hostile", name = "<script>alert(1)</script>\\"'&", url = "{HOSTILE_URL_TOML}", rule = "m" }},
{rows}
]
"""


def make_store(tmp_path: Path, extra: str = ""):
    """A notice in every state; returns (store, catalog, {column: notice id})."""
    path = tmp_path / "catalog.toml"
    path.write_text(catalog_text(extra), encoding="utf-8")
    catalog = load_catalog(path)
    store = Store(tmp_path / "monitor.db")
    store.record_catalog(catalog)
    unit = catalog.unit("bureau")
    who = MARKERS["reviewer"]

    def draft(column: str, day: date, reason: str = "", kind: str = "lateness") -> int:
        return review.raise_draft(store, catalog, unit.column(column), kind, reason or f"{column}栏目已超过14天未更新",
                                  {"detail": MARKERS["evidence"]}, day, "sweep")

    ids = {c: draft(c, D0) for c in ("overdue", "escalated", "rectified", "closed")}
    ids["hostile"] = draft("hostile", D0, reason=HOSTILE)
    ids["wissued"] = draft("wissued", D0, reason=MARKERS["false_alarm_reason"])
    ids["wdraft"] = draft("wdraft", D0, reason=MARKERS["withdrawn_draft_reason"])
    for column in ("hostile", "overdue", "escalated", "rectified", "closed", "wissued"):
        review.issue(store, catalog, ids[column], D1, who, MARKERS["issue_note"])
    review.withdraw(store, ids["wdraft"], D1, who, MARKERS["withdrawn_draft_why"])
    store.db["notices"].update(ids["hostile"], {"internal_note": MARKERS["internal_note"]})
    for column in ("overdue", "escalated"):
        store.move_notice(ids[column], D2, "overdue", "sweep", MARKERS["sweep_why"], overdue_day=D2.isoformat())
    for column in ("rectified", "closed"):
        store.move_notice(ids[column], D2, "rectified", "sweep", MARKERS["sweep_why"], rectified_day=D2.isoformat())
    review.withdraw(store, ids["wissued"], D2, who, MARKERS["withdraw_reason"])
    ids["draft"] = draft("draft", D2, reason=MARKERS["draft_reason"])
    review.escalate(store, ids["escalated"], D3, who, "通报批评", MARKERS["escalate_why"])
    review.close(store, ids["closed"], D3, who, MARKERS["close_why"])
    ids["backdated"] = draft("hostile", D2, reason="3条信息的发布日期早于首次发现日期", kind="backdated")
    review.issue(store, catalog, ids["backdated"], D3, who)
    # a deadline recounted after D2 (as assess does when a year's holidays become known)
    store.change_notice_deadline(ids["overdue"], D3, date(2026, 12, 2), "sweep",
                                 "整改期限按2026年节假日安排重新计算：2026-11-30→2026-12-02")
    ids["nextyear"] = draft("nextyear", date(2026, 12, 31))
    review.issue(store, catalog, ids["nextyear"], NEW_YEAR, who)
    return store, catalog, ids


@pytest.fixture()
def world(tmp_path):
    return make_store(tmp_path)


def read(board: Path) -> tuple[str, str]:
    return board.read_text(encoding="utf-8"), (board.parent / "board.atom").read_text(encoding="utf-8")


def test_only_public_notices_newest_first_with_their_state_and_number(world):
    store, catalog, ids = world
    notices = board_notices(store, D3)
    by_id = {n["id"]: n for n in notices}
    assert set(by_id) == {ids[c] for c in ("hostile", "overdue", "escalated", "rectified", "closed", "wissued",
                                           "backdated")}
    assert ids["draft"] not in by_id and ids["wdraft"] not in by_id
    assert notices[0]["id"] == ids["backdated"]  # issued last: first
    states = {c: by_id[ids[c]]["state"] for c in ("hostile", "overdue", "escalated", "rectified", "closed", "wissued")}
    assert states == {"hostile": "issued", "overdue": "overdue", "escalated": "escalated", "rectified": "rectified",
                      "closed": "closed", "wissued": "withdrawn"}
    assert by_id[ids["rectified"]]["status"] == "已整改（2026年12月1日）"
    assert by_id[ids["escalated"]]["status"] == "已追责（通报批评）"
    assert by_id[ids["closed"]]["status"] == "已办结（2026年12月3日）"
    assert by_id[ids["overdue"]]["status"] == "逾期未整改"
    assert by_id[ids["wissued"]]["status"] == "已撤销（2026年12月1日）" and by_id[ids["wissued"]]["reason"] is None
    assert by_id[ids["hostile"]]["status"] == "督办中" and by_id[ids["hostile"]]["reason"] == HOSTILE
    assert by_id[ids["hostile"]]["column_url"] == HOSTILE_URL
    # numbered in issue order within the year; withdrawn ones keep their number
    assert [by_id[ids[c]]["number"] for c in ("hostile", "overdue", "escalated", "rectified", "closed", "wissued",
                                             "backdated")] == [f"督办〔2026〕{k}号" for k in range(1, 8)]
    assert board_notices(store, NEW_YEAR)[0]["number"] == "督办〔2027〕1号"
    # only whitelisted fields: nothing internal is even carried
    assert not {"internal_note", "issued_by", "withdraw_reason", "evidence", "by", "why"} & set(notices[0])


def test_a_past_board_shows_the_notices_as_they_stood_then(world):
    store, catalog, ids = world
    assert board_notices(store, D0) == []  # drafts only that day
    then = {n["id"]: n for n in board_notices(store, D1)}
    assert set(then) == {ids[c] for c in ("hostile", "overdue", "escalated", "rectified", "closed", "wissued")}
    assert {n["state"] for n in then.values()} == {"issued"}
    assert then[ids["wissued"]]["reason"] == MARKERS["false_alarm_reason"]  # public then, withdrawn only later
    assert then[ids["overdue"]]["deadline"] == "2026-11-30"
    at_d2 = {n["id"]: n for n in board_notices(store, D2)}
    assert at_d2[ids["overdue"]]["deadline"] == "2026-11-30"  # recounted only on D3
    assert at_d2[ids["escalated"]]["state"] == "overdue" and at_d2[ids["closed"]]["state"] == "rectified"
    now = {n["id"]: n for n in board_notices(store, D3)}
    assert now[ids["overdue"]]["deadline"] == "2026-12-02"
    # the numbers never change with as_of
    assert all(now[i]["number"] == then[i]["number"] for i in then)


def test_board_in_chromium_shows_hostile_text_as_text_and_stays_offline(world, tmp_path):
    store, catalog, ids = world
    board = build_board(store, catalog, D3, tmp_path / "board")
    with offline_page() as (page, watch):
        page.goto(board.as_uri())
        assert page.locator("h1").inner_text() == "政务公开督办公告"
        assert page.locator("article.notice").count() == 7
        assert page.locator("script").count() == 0
        hostile = page.locator(f"#notice-{ids['hostile']}")
        assert HOSTILE in hostile.locator(".matter").inner_text() and HOSTILE in hostile.locator(".problem").inner_text()
        assert hostile.locator("a").get_attribute("href") == HOSTILE_URL  # an attribute, escaped
        overdue = page.locator(f"#notice-{ids['overdue']}")
        assert "▲ 逾期未整改" in overdue.locator("h2").inner_text()  # marked in words, not by colour alone
        assert "√ 已整改" in page.locator(f"#notice-{ids['rectified']}").locator("h2").inner_text()
        withdrawn = page.locator(f"#notice-{ids['wissued']}")
        assert "已撤销" in withdrawn.inner_text() and "本督办事项已撤销" in withdrawn.locator(".problem").inner_text()
        assert page.locator("#overdue-count").inner_text() == "1" and page.locator("#total").inner_text() == "7"
        numbers = page.locator("article.notice .number").all_inner_texts()
        assert numbers == [f"督办〔2026〕{k}号" for k in (7, 6, 5, 4, 3, 2, 1)]  # newest first
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "board.png"), full_page=True)
        page.emulate_media(media="print")
        assert page.locator(".feed").is_hidden()
    watch.assert_offline_and_quiet()


def test_nothing_internal_reaches_the_page_or_the_feed(world, tmp_path):
    store, catalog, ids = world
    for as_of in (D1, D2, D3, NEW_YEAR):
        html, atom = read(build_board(store, catalog, as_of, tmp_path / f"board-{as_of}"))
        for name, marker in MARKERS.items():
            if name == "false_alarm_reason" and as_of == D1:
                continue  # shown while it was public (before it was withdrawn)
            assert marker not in html and marker not in atom, (as_of, name)
        for text in (html, atom):
            assert "<script" not in text.lower()
            assert "draft信息" not in text and "wdraft" not in text  # the draft and the withdrawn draft
        assert "sweep" not in html  # the audit rows' `by`


def test_the_feed_is_atom_with_one_entry_per_public_notice(world, tmp_path):
    store, catalog, ids = world
    html, text = read(build_board(store, catalog, D3, tmp_path / "board"))
    feed = ET.fromstring(text.encode("utf-8"))
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id").startswith("tag:") and feed.findtext(f"{ATOM}title") == "政务公开督办公告"
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 7
    by_link = {e.find(f"{ATOM}link").get("href"): e for e in entries}
    assert set(by_link) == {f"board.html#notice-{ids[c]}" for c in ("hostile", "overdue", "escalated", "rectified",
                                                                     "closed", "wissued", "backdated")}
    for entry in entries:
        for child in ("id", "title", "updated", "content"):
            assert entry.findtext(f"{ATOM}{child}"), child
        assert entry.findtext(f"{ATOM}id").startswith("tag:")
        assert entry.find(f"{ATOM}content").get("type") == "html"
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 7
    assert feed.findtext(f"{ATOM}updated") == max(e.findtext(f"{ATOM}updated") for e in entries)
    hostile = by_link[f"board.html#notice-{ids['hostile']}"]
    assert HOSTILE in hostile.findtext(f"{ATOM}title")  # plain text title: XML-escaped, read back whole
    content = hostile.findtext(f"{ATOM}content")  # escaped HTML: the hostile text is escaped inside it
    assert "<script>" not in content and "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert HOSTILE in unescape(content)
    # updated = the last public change up to as_of: issued on D1 for the hostile one, escalated on D3
    assert hostile.findtext(f"{ATOM}updated")[:10] == D1.isoformat()
    escalated = by_link[f"board.html#notice-{ids['escalated']}"]
    assert escalated.findtext(f"{ATOM}updated")[:10] == D3.isoformat() and "（已追责）" in escalated.findtext(f"{ATOM}title")
    # ids are stable: the same notice has the same id on an older feed
    _, older = read(build_board(store, catalog, D1, tmp_path / "older"))
    old_ids = {e.find(f"{ATOM}link").get("href"): e.findtext(f"{ATOM}id") for e in ET.fromstring(older.encode()).findall(f"{ATOM}entry")}
    assert all(by_link[href].findtext(f"{ATOM}id") == tag for href, tag in old_ids.items())


def test_board_url_makes_ids_and_links_absolute(tmp_path):
    store, catalog, ids = make_store(tmp_path, 'board_url = "https://www.example.gov.cn/dujiban/board.html"')
    data = gather_board(store, catalog, D3)
    assert data["feed_id"] == "tag:www.example.gov.cn,2026:dujiban"
    assert data["feed_self"] == "https://www.example.gov.cn/dujiban/board.atom"
    _, text = read(build_board(store, catalog, D3, tmp_path / "board"))
    feed = ET.fromstring(text.encode("utf-8"))
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "https://www.example.gov.cn/dujiban/board.atom"
    assert all(e.find(f"{ATOM}link").get("href").startswith("https://www.example.gov.cn/dujiban/board.html#notice-")
               for e in feed.findall(f"{ATOM}entry"))
    assert all(e.findtext(f"{ATOM}id").startswith("tag:www.example.gov.cn,2026:dujiban/2026-")
               for e in feed.findall(f"{ATOM}entry"))


def test_an_empty_board_says_so(tmp_path):
    store, catalog, _ = make_store(tmp_path)
    html, text = read(build_board(store, catalog, D0, tmp_path / "board"))
    assert "暂无公开督办事项" in html
    assert ET.fromstring(text.encode()).findall(f"{ATOM}entry") == []


def test_board_command_and_build_time(world, tmp_path, capsys):
    store, catalog, ids = world
    out = tmp_path / "cli-board"
    assert main(["board", "--db", str(store.path), "--config", str(catalog.path), "--as-of", D3.isoformat(),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert str((out / "board.html").resolve()) in printed and (out / "board.atom").exists()
    # a board of 500 public notices builds in well under a few seconds
    unit = catalog.unit("bureau")
    for k in range(500):
        notice_id = store.db["notices"].insert({
            "unit": "bureau", "column_id": "nextyear", "kind": f"bulk{k}", "state": "draft", "opened_day": "2027-01-05",
            "deadline": "2027-01-12", "rule_words": unit.column("nextyear").rule.words(), "reason": f"第{k}条"}).last_pk
        store._audit(notice_id, "2027-01-05", None, "draft", "sweep", "")
        store.move_notice(notice_id, date(2027, 1, 6), "issued", "sweep", "", issued_day="2027-01-06")
    started = time.perf_counter()
    build_board(store, catalog, date(2027, 1, 6), tmp_path / "big")
    elapsed = time.perf_counter() - started
    html, atom = read(tmp_path / "big" / "board.html")
    assert html.count('class="notice state-') == 500 + 8
    assert len(ET.fromstring(atom.encode()).findall(f"{ATOM}entry")) == 100  # the feed: the latest changes only
    print(f"board of 508 notices: {elapsed:.2f} s")
    assert elapsed < 10
