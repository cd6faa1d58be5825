"""End to end, notices: what the six-week demo run opened, rectified and drafted, and what people do next.

One notice per lagging column, none for a column the monitor could not read, each with its evidence pack;
a reviewer's moves, the public board, and notices sent to the units and the office.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from monitor.demo.items import add_workdays
from tests.conftest import REPO, final_verdicts

pytestmark = pytest.mark.e2e

MONITOR_SIDE = {"unreachable", "blocked", "broken", "unknown"}


def notices(run) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    with run.connect() as conn:
        for r in conn.execute("select * from notices where kind = 'lateness' order by id"):
            out.setdefault((r["unit"], r["column_id"]), []).append(dict(r))
    return out


def test_notices_match_the_scenario_one_per_lagging_column(demo_run):
    found = notices(demo_run)
    for key, exp in demo_run.world.expected().items():
        got = found.get(key, [])
        if exp["notice"] is None:
            assert got == [], (key, got)
        else:
            assert len(got) == 1, (key, got)  # one notice per late column, never duplicated
            assert got[0]["state"] == exp["notice"], (key, got[0]["state"], exp)


def test_no_notice_ever_for_a_column_the_monitor_could_not_read(demo_run):
    verdicts = final_verdicts(demo_run)
    found = notices(demo_run)
    unreadable = [k for k, v in verdicts.items() if v["state"] in MONITOR_SIDE]
    assert {u for u, _ in unreadable} >= {"swj", "rsj"}  # the timed-out site and the firewalled one
    assert any(v["state"] == "broken" for v in verdicts.values())  # the redesigned column
    for key in unreadable:
        assert key not in found, (key, found[key])


def test_rectification_is_detected_with_its_date(demo_run):
    found = notices(demo_run)
    rectified = [n for ns in found.values() for n in ns if n["state"] == "rectified"]
    assert rectified, found
    for n in rectified:
        assert n["rectified_day"] and n["rectified_day"] > n["opened_day"]
    with demo_run.connect() as conn:
        events = conn.execute("select new_state, by, why from notice_events where new_state = 'rectified'").fetchall()
    assert len(events) == len(rectified) and all(e["by"] == "sweep" and "已整改" in e["why"] for e in events)


def test_notice_carries_its_evidence(demo_run):
    for ns in notices(demo_run).values():
        for n in ns:
            evidence = json.loads(n["evidence"])
            assert evidence["rule"] and n["rule_words"]
            fetch = evidence["last_fetch"]
            assert fetch["url"].startswith("http://127.0.0.") and fetch["status"] == 200 and fetch["fetched_at"].endswith("+08:00")
            assert n["deadline"] > n["opened_day"]


def test_a_reviewer_walks_notices_through_every_state(demo_run, tmp_path):
    """draft → issued (by a person, deadline from that day); overdue → escalated → closed; rectified → closed;
    a published notice → withdrawn (a false alarm, with its reason); a move that is not allowed changes nothing."""
    db = demo_run.db_copy(tmp_path)
    common = ["--config", str(demo_run.catalog), "--db", str(db), "--as-of", demo_run.end.isoformat()]

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "monitor", "notices", *args, *common],
                              capture_output=True, text=True, cwd=REPO, timeout=60)

    expected = demo_run.world.expected()
    by_state = {}
    for key, ns in notices(demo_run).items():
        by_state.setdefault(ns[0]["state"], []).append(ns[0]["id"])
    assert set(by_state) == {e["notice"] for e in expected.values() if e["notice"]}
    [draft] = by_state["draft"]
    listed = cli("list", "--state", "draft", "--kind", "lateness")
    assert listed.returncode == 0 and listed.stdout.startswith(f"#{draft} ") and "待审核" in listed.stdout

    issued = cli("issue", str(draft), "--by", "张三", "--note", "已核对证据")
    assert issued.returncode == 0, issued.stderr
    deadline = add_workdays(demo_run.end, 5)
    assert f"督办中，限{deadline}前整改" in issued.stdout
    again = cli("issue", str(draft), "--by", "张三")
    assert again.returncode == 2 and "cannot issue" in again.stderr

    overdue = by_state["overdue"][0]
    assert cli("escalate", str(overdue), "--level", "约谈", "--why", "逾期未整改", "--by", "李四").returncode == 0
    assert cli("close", str(overdue), "--why", "约谈后已整改，办结", "--by", "李四").returncode == 0
    rectified = by_state["rectified"][0]
    assert cli("close", str(rectified), "--why", "已整改，办结", "--by", "李四").returncode == 0
    wrong = [n for n in by_state.get("issued", []) + by_state["overdue"] if n != overdue][0]
    assert cli("withdraw", str(wrong), "--why", "核实为网站迁移，误报", "--by", "王五").returncode == 0
    assert cli("withdraw", str(wrong), "--why", "x").returncode == 2  # already withdrawn

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = conn.execute("select * from notices where id = ?", [draft]).fetchone()
    assert (row["state"], row["issued_day"], row["issued_by"], row["deadline"]) == (
        "issued", demo_run.end.isoformat(), "张三", deadline.isoformat())
    assert conn.execute("select state, escalation_level from notices where id = ?", [overdue]).fetchone()[:] == (
        "closed", "约谈")
    assert conn.execute("select state, withdraw_reason from notices where id = ?", [wrong]).fetchone()[:] == (
        "withdrawn", "核实为网站迁移，误报")
    trail = [(e["old_state"], e["new_state"], e["by"]) for e in conn.execute(
        "select * from notice_events where notice_id = ? order by id", [overdue])]
    assert trail[-2:] == [("overdue", "escalated", "李四"), ("escalated", "closed", "李四")]
    assert trail[0] == (None, "draft", "sweep") and ("draft", "issued", "auto") in trail
    shown = cli("show", str(overdue))
    assert shown.returncode == 0 and "约谈：逾期未整改" in shown.stdout and "已办结" in shown.stdout
    assert f"evidence/notice-{overdue}（复核：scrapy crawl " in shown.stdout  # where the sweep put its pack


def test_every_notice_of_the_demo_has_an_evidence_pack_that_checks_out(demo_run):
    """Packs are built after each day's sweep: the WARC records behind the notice (their SHA-256 as stored
    on the fetch rows), a manifest, a Chromium screenshot, SHA256SUMS; the report links a copy."""
    import hashlib

    from warcio.archiveiterator import ArchiveIterator

    with demo_run.connect() as conn:
        notice_ids = [r["id"] for r in conn.execute("select id from notices")]
        digests = {r["sha256"] for r in conn.execute("select sha256 from fetches where sha256 is not null")}
    assert notice_ids
    for notice_id in notice_ids:
        pack = demo_run.out / "evidence" / f"notice-{notice_id}"
        sums = dict(line.split("  ", 1)[::-1] for line in (pack / "SHA256SUMS").read_text().splitlines())
        assert {"fetches.warc.gz", "manifest.json", "screenshot.png"} <= set(sums), (notice_id, sums)
        for name, digest in sums.items():
            assert hashlib.sha256((pack / name).read_bytes()).hexdigest() == digest, (notice_id, name)
        assert (pack / "screenshot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with open(pack / "fetches.warc.gz", "rb") as f:
            bodies = [r.content_stream().read() for r in ArchiveIterator(f) if r.rec_type == "response"]
        assert bodies and all(hashlib.sha256(b).hexdigest() in digests for b in bodies), notice_id
        manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["notice"]["id"] == notice_id and manifest["catalog"]
    html = (demo_run.out / "report" / "index.html").read_text(encoding="utf-8")
    assert f'href="evidence/notice-{notice_ids[0]}/index.html"' in html
    assert (demo_run.out / "report" / "evidence" / f"notice-{notice_ids[0]}" / "index.html").exists()


def test_the_public_board_shows_what_was_published_and_nothing_internal(demo_run, tmp_path):
    """After a reviewer's actions (names, notes, reasons of their own), the board carries published notices
    only, in formal Chinese, and none of the reviewers, notes, reasons or drafts."""
    db = demo_run.db_copy(tmp_path)
    common = ["--config", str(demo_run.catalog), "--db", str(db), "--as-of", demo_run.end.isoformat()]

    def cli(*args):
        done = subprocess.run([sys.executable, "-m", "monitor", *args, *common], capture_output=True, text=True,
                              cwd=REPO, timeout=120)
        assert done.returncode == 0, done.stderr
        return done

    found = {key: ns[0] for key, ns in notices(demo_run).items()}
    overdue = next(n for n in found.values() if n["state"] == "overdue")
    withdrawn = next(n for n in found.values() if n["state"] == "overdue" and n["id"] != overdue["id"])
    cli("notices", "escalate", str(overdue["id"]), "--level", "通报批评", "--why", "内部理由甲X1", "--by", "审核员乙X2")
    cli("notices", "withdraw", str(withdrawn["id"]), "--why", "内部理由丙X3", "--by", "审核员丁X4")
    cli("board", "--out", str(tmp_path / "board"))
    html = (tmp_path / "board" / "board.html").read_text(encoding="utf-8")
    atom = (tmp_path / "board" / "board.atom").read_text(encoding="utf-8")
    for secret in ("X1", "X2", "X3", "X4"):
        assert secret not in html and secret not in atom, secret
    conn = sqlite3.connect(db)
    drafts = [r for r in conn.execute("select id, reason from notices where state = 'draft'")]
    assert drafts  # the back-dating draft and the signal drafts
    for _, reason in drafts:
        assert reason not in html and reason not in atom
    for words in ("督办事项", "存在问题", "整改时限", "整改情况", "已追责", "已撤销", "已整改"):
        assert words in html, words
    assert overdue["reason"] in html and withdrawn["reason"] not in html  # a withdrawn notice loses its text


def test_issued_notices_reach_the_units_and_the_office(demo_run, tmp_path):
    """The demo world's issued notices, told through apprise to a local SMTP server (the unit) and a
    local webhook (the office); a second run sends nothing twice."""
    from tests.receivers import Hooks, smtp_server, webhook_receiver

    with smtp_server() as (mailbox, smtp_port), webhook_receiver() as web_port:
        text = demo_run.catalog.read_text(encoding="utf-8")
        text = text.replace("[notices]\n", f'[notices]\noffice = ["json://127.0.0.1:{web_port}/office"]\n', 1)
        slugs = {u.spec.slug for u in demo_run.world.units}
        for slug in slugs:
            text = text.replace(f'slug = "{slug}"\n', f'slug = "{slug}"\ncontacts = ["mailto://127.0.0.1:{smtp_port}'
                                f'?from=monitor@example.gov.cn&to={slug}@example.gov.cn"]\n', 1)
        catalog = tmp_path / "catalog.toml"
        catalog.write_text(text, encoding="utf-8")
        db = demo_run.db_copy(tmp_path)
        common = ["--config", str(catalog), "--db", str(db), "--as-of", demo_run.end.isoformat()]
        first = subprocess.run([sys.executable, "-m", "monitor", "notify", *common], capture_output=True, text=True,
                               cwd=REPO, timeout=180)
        assert first.returncode == 0, first.stdout + first.stderr
        published = [n for ns in notices(demo_run).values() for n in ns if n["state"] in ("issued", "overdue")]
        assert published
        for n in published:
            to_unit = [m for m in mailbox.messages if m["to"] == [f"{n['unit']}@example.gov.cn"]]
            assert any("督办" in m["subject"] for m in to_unit), (n["unit"], mailbox.messages)
        assert {path for path, _, _ in Hooks.received} == {"/office"}
        sent = len(mailbox.messages), len(Hooks.received)
        again = subprocess.run([sys.executable, "-m", "monitor", "notify", *common], capture_output=True, text=True,
                               cwd=REPO, timeout=180)
        assert again.returncode == 0 and (len(mailbox.messages), len(Hooks.received)) == sent
