"""End to end: the demo world swept daily for six weeks over real HTTP, SQLite and Chromium.

The expected verdicts and notices come from the demo world's scenario (DemoWorld.expected()),
which states what each kind of unit does and when. This file: the sweeps, the verdicts, what was
read and how, the commands that crawl and read the store. Notices, signals and the report have
their own files (test_e2e_notices.py, test_e2e_signals.py, test_e2e_report.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, final_verdicts

pytestmark = pytest.mark.e2e


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
