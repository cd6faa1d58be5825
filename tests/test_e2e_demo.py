"""End to end: the demo world swept daily for six weeks over real HTTP, SQLite and Chromium.

The expected verdicts and notices come from the demo world's scenario (DemoWorld.expected()),
which states what each kind of unit does and when.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

from datetime import timedelta

import pytest

from monitor.demo.catalog import burst_after_notice
from monitor.demo.items import add_workdays
from tests.conftest import REPO

pytestmark = pytest.mark.e2e

MONITOR_SIDE = {"unreachable", "blocked", "broken", "unknown"}


def final_verdicts(run) -> dict[tuple[str, str], dict]:
    with run.connect() as conn:
        rows = conn.execute("select * from verdicts where day = ?", [run.end.isoformat()]).fetchall()
    return {(r["unit"], r["column_id"]): dict(r) for r in rows}


def notices(run) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    with run.connect() as conn:
        for r in conn.execute("select * from notices where kind = 'lateness' order by id"):
            out.setdefault((r["unit"], r["column_id"]), []).append(dict(r))
    return out


def test_every_sweep_finished_and_every_column_was_judged_every_day(demo_run):
    with demo_run.connect() as conn:
        sweeps = conn.execute("select status, count(*) n from sweeps group by status").fetchall()
        per_day = conn.execute("select day, count(*) n from verdicts group by day").fetchall()
    assert {r["status"]: r["n"] for r in sweeps} == {"finished": 42}
    columns = sum(len(u.columns) for u in demo_run.world.units)
    assert len(per_day) == 42 and {r["n"] for r in per_day} == {columns}


def test_final_verdict_of_every_column_matches_the_scenario(demo_run):
    verdicts = final_verdicts(demo_run)
    expected = demo_run.world.expected()
    wrong = {key: (verdicts.get(key, {}).get("state"), exp["state"], exp.get("why"))
             for key, exp in expected.items() if verdicts.get(key, {}).get("state") != exp["state"]}
    assert not wrong, wrong
    assert set(verdicts) == set(expected)


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


def test_monitor_side_failures_are_recorded_as_such(demo_run):
    with demo_run.connect() as conn:
        swj = conn.execute(
            "select f.outcome, f.status, f.error from fetches f join sweeps s on s.id = f.sweep_id"
            " where f.unit = 'swj' and s.as_of = ?", [demo_run.end.isoformat()]).fetchall()
        rsj = conn.execute(
            "select f.outcome, f.status from fetches f join sweeps s on s.id = f.sweep_id"
            " where f.unit = 'rsj' and s.as_of = ?", [demo_run.end.isoformat()]).fetchall()
    assert swj and all(r["outcome"] == "unreachable" and r["status"] is None and "Timeout" in r["error"] for r in swj)
    assert rsj and all(r["outcome"] == "blocked" and r["status"] == 412 for r in rsj)


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


def test_gbk_site_with_a_lying_header_reads_chinese_titles(demo_run):
    with demo_run.connect() as conn:
        titles = [r["title"] for r in conn.execute("select title from items where unit = 'jyj'")]
    assert titles and all("\ufffd" not in t for t in titles)
    assert sum(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles) == len(titles)


def test_javascript_list_is_rendered_in_chromium(demo_run):
    with demo_run.connect() as conn:
        n = conn.execute("select count(*) from items where unit = 'wjw' and column_id = 'gzdt'").fetchone()[0]
        kinds = {r[0] for r in conn.execute("select distinct kind from fetches where unit = 'zjj'")}
    assert n > 0
    assert "endpoint" in kinds  # the Hanweb column read from its XML endpoint


def test_paged_list_is_followed_only_as_far_as_the_rule_needs(demo_run):
    with demo_run.connect() as conn:
        pages = conn.execute(
            "select max(k.pages) from checks k where k.unit = 'xq' and k.column_id = 'tjxx'").fetchone()[0]
        gzdt_pages = conn.execute("select max(pages) from checks where unit = 'fgw' and column_id = 'gzdt'").fetchone()[0]
    assert pages >= 2  # a quarterly rule needs the last closed quarter: more than one page
    assert gzdt_pages == 1  # a max-gap rule needs only the newest items


def test_backdated_items_are_flagged_and_judged_by_first_sighting(demo_run):
    verdict = final_verdicts(demo_run)[("zrzyj", "zcwj")]
    evidence = json.loads(verdict["evidence"])
    assert verdict["state"] == "late"
    assert evidence["backdated"], evidence
    for item in evidence["backdated"]:
        assert item["effective"] > item["published"]


def test_report_lists_late_columns_and_health(demo_run, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "report", "--as-of", demo_run.end.isoformat(), "--config",
         str(demo_run.catalog), "--db", str(demo_run.db), "--out", str(tmp_path / "report")],
        capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "政务公开时效监测周报" in html
    for (unit, column), exp in demo_run.world.expected().items():
        if exp["state"] in ("late", "blank"):
            assert f'data-unit="{unit}" data-column="{column}"' in html
    assert 'id="health"' in html and "rsj" in html
    # the national inspection verdict per unit, with the indicator that failed
    assert 'id="inspection"' in html and '<tr data-unit="swj" data-result="fail">' in html
    assert "不合格（网站可用性）" in html and "不合格（发稿日期真实性）" in html
    assert html.count("<script") == 1 and "<script src" not in html  # only the inline table sorter runs
    assert (tmp_path / "report" / "notices.html").exists()
    # the week's faked-disclosure signals, each with its items linked
    week = [r for r in signal_rows(demo_run) if r["day"] >= (demo_run.end - timedelta(days=6)).isoformat()]
    assert week and 'id="signals"' in html and "疑似假公开、一阵风、为公开而公开" in html
    for r in week:
        assert f'data-unit="{r["unit"]}" data-column="{r["column_id"]}" data-kind="{r["kind"]}"' in html
        assert all(f'href="{i["url"]}"' in html for i in json.loads(r["items"]))


def test_adhoc_crawl_prints_verdicts_and_checks_one_column(demo_run, tmp_path):
    db = demo_run.db_copy(tmp_path)
    env = dict(os.environ, MONITOR_CONFIG=str(demo_run.catalog), MONITOR_DB=str(db))
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], capture_output=True, text=True, cwd=REPO, env=env)
    assert listed.returncode == 0, listed.stderr
    assert sorted(listed.stdout.split()) == sorted(u.slug for u in demo_run.world.units)
    crawl = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "czj", "-a", "column=czsz", "-a", f"as_of={demo_run.end}", "-s", "LOG_LEVEL=WARNING"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert crawl.returncode == 0, crawl.stderr
    lines = [line for line in crawl.stdout.splitlines() if line.startswith("  ")]
    assert len(lines) == 1 and "czsz" in lines[0]
    full = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "fgw", "-a", f"as_of={demo_run.end}", "-s", "LOG_LEVEL=WARNING"],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert full.returncode == 0, full.stderr
    fgw_columns = next(u for u in demo_run.world.units if u.slug == "fgw")
    assert len([line for line in full.stdout.splitlines() if line.startswith("  ")]) == len(fgw_columns.columns)
    assert "按时" in full.stdout
    assert "国家检查指标：" in full.stdout  # the unit's national inspection verdict, after its columns


def test_demo_prints_progress_summary_and_where_the_report_is(demo_run):
    lines = demo_run.output.splitlines()
    assert sum(line.startswith("[") and "巡检完成" in line for line in lines) == 42
    assert any(line.startswith("周报：") and line.endswith("report/index.html") for line in lines)
    assert any("逾期/空白" in line and "累计督办" in line for line in lines)
    assert (demo_run.out / "report" / "index.html").exists()


def test_a_sweep_killed_halfway_leaves_a_consistent_database_and_the_next_one_works(demo_run, tmp_path):
    import signal
    import sqlite3
    import time

    db = demo_run.db_copy(tmp_path)
    command = [sys.executable, "-m", "monitor", "sweep", "--as-of", demo_run.end.isoformat(), "--config",
               str(demo_run.catalog), "--db", str(db), "--quiet"]
    victim = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    conn = sqlite3.connect(db)
    before = conn.execute("select count(*) from fetches").fetchone()[0]
    while conn.execute("select count(*) from fetches").fetchone()[0] < before + 5 and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until the crawl is writing
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    killed = conn.execute("select id, status from sweeps order by id desc limit 1").fetchone()
    assert killed[1] == "running"
    conn.close()

    again = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    conn = sqlite3.connect(db)
    assert conn.execute("select status from sweeps where id = ?", [killed[0]]).fetchone()[0] == "aborted"
    assert conn.execute("select status from sweeps order by id desc limit 1").fetchone()[0] == "finished"
    dupes = conn.execute("select count(*) from (select unit, column_id, url from items group by 1, 2, 3 having count(*) > 1)")
    assert dupes.fetchone()[0] == 0
    assert conn.execute("select count(*) from (select unit, column_id, kind from notices"
                        " where state in ('draft', 'issued', 'overdue', 'escalated')"
                        " group by 1, 2, 3 having count(*) > 1)").fetchone()[0] == 0


def test_status_and_notices_commands_read_the_store(demo_run):
    common = ["--config", str(demo_run.catalog), "--db", str(demo_run.db), "--as-of", demo_run.end.isoformat()]
    status = subprocess.run([sys.executable, "-m", "monitor", "status", "scjgj", *common],
                            capture_output=True, text=True, cwd=REPO)
    assert status.returncode == 0
    lines = status.stdout.splitlines()
    assert len(lines) == len(demo_run.world.unit("scjgj").columns)
    assert any(line.split()[1] == "zdxm" and "blank" in line for line in lines)
    notices = subprocess.run([sys.executable, "-m", "monitor", "notices", "--state", "overdue", *common],
                             capture_output=True, text=True, cwd=REPO)
    expected = sum(e["notice"] == "overdue" for e in demo_run.world.expected().values())
    assert notices.returncode == 0 and len(notices.stdout.splitlines()) == expected


def test_national_inspection_verdict_of_every_unit_follows_the_scenario(demo_run):
    """Availability from the probes of the week before (a site that stalls fails it; a firewall that stops
    the monitor leaves it undecided); back-dating fails a unit by itself."""
    with demo_run.connect() as conn:
        rows = {r["unit"]: r for r in conn.execute("select * from inspections where day = ?", [demo_run.end.isoformat()])}
    assert set(rows) == {u.spec.slug for u in demo_run.world.units}
    window = range(-7, 0)  # days relative to the end: the 7 whole days before it
    for unit in demo_run.world.units:
        indicators = {i["key"]: i for i in json.loads(rows[unit.spec.slug]["indicators"])}
        outage = unit.spec.outage
        if outage and outage.kind == "timeout" and outage.start in window:
            expected = "fail"  # stalled on some of the week's days
        elif outage and outage.start <= -7:
            expected = "unknown" if outage.kind != "timeout" else "fail"
        elif outage:
            expected = "unknown"  # a firewall in front of part of the week: those days are short of probes
        else:
            expected = "pass"
        assert indicators["availability"]["state"] == expected, (unit.spec.slug, indicators["availability"])
        forged = any(type(c.spec.scenario).__name__ == "Backdated" for c in unit.columns)
        assert indicators["backdated"]["state"] == ("fail" if forged else "pass"), unit.spec.slug
        if "fail" in {i["state"] for i in indicators.values()}:
            assert rows[unit.spec.slug]["result"] == "fail" and rows[unit.spec.slug]["words"].startswith("不合格")
    assert json.loads(rows["swj"]["indicators"])[0]["figures"]["failed"] == 40  # 2 stalled days x 20 probes
    results = [r["result"] for r in rows.values()]
    assert (f"国家检查指标：合格 {results.count('pass')} 个单位，不合格 {results.count('fail')} 个，"
            f"暂无法判定 {results.count('incomplete')} 个") in demo_run.output


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


def signal_rows(run) -> list[dict]:
    with run.connect() as conn:
        return [dict(r) for r in conn.execute("select * from signals order by id")]


def test_faked_and_hollow_disclosure_is_found_where_the_scenario_puts_it_and_nowhere_else(demo_run):
    """Back-dating (zrzyj), a burst (wlj), re-posts, an empty item and a re-dated item (slj): each kind with exactly
    its items; no signal for any other unit or column (no false accusation), not even the attachment-only item."""
    found: dict[tuple[str, str], dict[str, set[str]]] = {}
    for r in signal_rows(demo_run):
        urls = found.setdefault((r["unit"], r["column_id"]), {}).setdefault(r["kind"], set())
        new = {i["url"] for i in json.loads(r["items"])}
        assert not urls & new, (r["kind"], urls & new)  # an item is signalled once per kind
        urls |= new
    expected = {key: exp["signals"] for key, exp in demo_run.world.expected().items() if exp["signals"]}
    assert found == expected
    assert {unit for unit, _ in found} == {"zrzyj", "wlj", "slj"}


def test_signals_carry_their_evidence(demo_run):
    world = demo_run.world
    rows = {(r["unit"], r["kind"]): r for r in signal_rows(demo_run)}
    burst = rows[("wlj", "burst")]
    col = world.unit("wlj").column("tzgg")
    detail = json.loads(burst["detail"])
    assert detail["silence_days"] >= 30 and detail["items"] == 8 and detail["from"] == str(world.at(-14))
    assert detail["after_notice"]["issued"] == str(burst_after_notice(world, col)) and "距督办通知" in burst["summary"]
    hollow = world.unit("slj").column("tzgg")
    by_url = {world.url(world.unit("slj"), it.path): it for it in hollow.items}
    for r in signal_rows(demo_run):
        for i in json.loads(r["items"]):
            if r["kind"] == "repost":  # the original named is the document it copies
                assert i["original"]["url"] == world.url(world.unit("slj"), by_url[i["url"]].copy_of.path)
            elif r["kind"] == "date_changed":
                it = by_url[i["url"]]
                assert (i["old"], i["new"], i["changed_on"]) == (str(it.shown), str(it.reshown[1]), str(it.reshown[0]))
            elif r["kind"] == "empty_item":
                assert i["body_chars"] == 0 and by_url[i["url"]].body == "empty"


def test_each_signal_drafted_a_notice_and_none_was_issued_by_the_monitor(demo_run):
    with demo_run.connect() as conn:
        linked = conn.execute("select s.kind, s.notice_id, n.kind as notice_kind, n.state, n.unit, n.column_id,"
                              " s.unit as s_unit, s.column_id as s_column from signals s"
                              " left join notices n on n.id = s.notice_id").fetchall()
        moves = conn.execute("select e.old_state, e.new_state, e.by from notice_events e join notices n"
                             " on n.id = e.notice_id where n.kind != 'lateness'").fetchall()
        kinds = {r[0] for r in conn.execute("select distinct kind from notices where kind != 'lateness'")}
    assert linked and all(r["notice_id"] is not None for r in linked)
    assert all((r["notice_kind"], r["unit"], r["column_id"]) == (r["kind"], r["s_unit"], r["s_column"]) for r in linked)
    assert {r["state"] for r in linked} == {"draft"}  # waiting for a person
    assert {(m["old_state"], m["new_state"], m["by"]) for m in moves} == {(None, "draft", "sweep")}
    assert kinds == {r["kind"] for r in linked}


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
