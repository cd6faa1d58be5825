"""Telling units and the office of their notices (monitor.notify) through apprise, over real local servers.

- e-mail: a real SMTP server (aiosmtpd on 127.0.0.1, with SMTP AUTH for the office's account) records each
  message as it arrives;
- webhooks: a real HTTP server on 127.0.0.1 records each JSON body (``json://``); one endpoint answers 500 the
  first time (retry), one always (given up);
- DingTalk and WeCom group bots: tests/test_notify_bots.py, through a local HTTPS proxy.

The clock is frozen: ``as_of`` and ``now`` are passed explicitly.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from monitor import clock, review
from monitor.cli import main
from monitor.config import load_catalog
from monitor.notify import MAX_ATTEMPTS, backoff, deliver, queue_for_day, scrub, targets
from monitor.store import Store
from tests.conftest import serve_loopback
from tests.receivers import Hooks, Mailbox, smtp_server, webhook_receiver

SH = clock.SHANGHAI
D0, D1 = date(2026, 11, 20), date(2026, 11, 23)  # drafted on a Friday, issued on the Monday: deadline 11-30
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SH)
OFFICE_PASSWORD = "Secr3tPass-9q"
BOARD = "https://www.example.gov.cn/dujiban/board.html"


# ---------------------------------------------------------------- the receivers (tests/receivers.py)


@pytest.fixture()
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server(OFFICE_PASSWORD) as served:
        yield served


@pytest.fixture()
def hooks() -> Iterator[int]:
    with webhook_receiver() as port:
        yield port


# ---------------------------------------------------------------- the store


def catalog_text(smtp_port: int, web_port: int) -> str:
    mail = f"mailto://127.0.0.1:{smtp_port}?from=monitor@example.gov.cn"
    return f"""
[notices]
remind_days = 2
office = ["mailto://dujiban:{OFFICE_PASSWORD}@127.0.0.1:{smtp_port}?from=monitor@example.gov.cn&to=dujiban@example.gov.cn",
          "json://127.0.0.1:{web_port}/office"]
board_url = "{BOARD}"

[rules.m]
kind = "max_gap"
within = {{ n = 14, unit = "day" }}

[[units]]
slug = "fgw"
name = "市发展和改革委员会"
site = "http://127.0.0.1:9/"
contacts = ["{mail}&to=fgw@example.gov.cn", "json://127.0.0.1:{web_port}/fgw"]
columns = [
  {{ id = "gzdt", name = "工作动态", url = "http://127.0.0.1:9/gzdt/", rule = "m" }},
  {{ id = "tzgg", name = "通知公告", url = "http://127.0.0.1:9/tzgg/", rule = "m" }},
  {{ id = "wrong", name = "误报栏目", url = "http://127.0.0.1:9/wrong/", rule = "m" }},
]

[[units]]
slug = "czj"
name = "市财政局"
site = "http://127.0.0.1:9/"
contacts = ["json://127.0.0.1:{web_port}/flaky"]
columns = [{{ id = "czsz", name = "财政收支", url = "http://127.0.0.1:9/czsz/", rule = "m" }}]

[[units]]
slug = "jyj"
name = "市教育局"
site = "http://127.0.0.1:9/"
contacts = ["json://127.0.0.1:{web_port}/down"]
columns = [{{ id = "jyxx", name = "教育信息", url = "http://127.0.0.1:9/jyxx/", rule = "m" }}]
"""


def issued(store, catalog, unit: str, column: str, reason: str, issue: bool = True) -> int:
    notice_id = review.raise_draft(store, catalog, catalog.unit(unit).column(column), "lateness", reason,
                                   {"detail": "EVIDENCE-INTERNAL"}, D0, "sweep")
    if issue:
        review.issue(store, catalog, notice_id, D1, "王审核")
    return notice_id


@pytest.fixture()
def world(tmp_path, smtp, hooks):
    box, smtp_port = smtp
    path = tmp_path / "catalog.toml"
    path.write_text(catalog_text(smtp_port, hooks), encoding="utf-8")
    catalog = load_catalog(path)
    store = Store(tmp_path / "monitor.db")
    store.record_catalog(catalog)
    ids = {
        "gzdt": issued(store, catalog, "fgw", "gzdt", "最新信息发布于2026-10-01，已超过14天未更新"),
        "tzgg": issued(store, catalog, "fgw", "tzgg", "尚未审核的草稿", issue=False),
        "wrong": issued(store, catalog, "fgw", "wrong", "误报"),
        "czsz": issued(store, catalog, "czj", "czsz", "最新信息发布于2026-09-30，已超过14天未更新"),
        "jyxx": issued(store, catalog, "jyj", "jyxx", "栏目自开设以来从未发布信息"),
    }
    return store, catalog, ids, box


def rows(store, **where):
    return [d for d in store.deliveries() if all(d[k] == v for k, v in where.items())]


# ---------------------------------------------------------------- tests


def test_an_issued_notice_reaches_the_unit_and_the_office_once(world):
    store, catalog, ids, box = world
    first = queue_for_day(store, catalog, D1, now=T0)
    assert queue_for_day(store, catalog, D1, now=T0) == [] and queue_for_day(store, catalog, D1, now=T0 + timedelta(hours=1)) == []
    queued = store.deliveries()
    assert len(first) == len(queued)
    assert not [d for d in queued if d["notice_id"] == ids["tzgg"]]  # a draft: nobody is told
    gzdt = [d for d in queued if d["notice_id"] == ids["gzdt"]]
    assert {(d["event"], d["recipient"], d["channel"]) for d in gzdt} == {
        ("issued", "unit", "mailto"), ("issued", "unit", "json"), ("issued", "office", "mailto"), ("issued", "office", "json")}
    assert all(OFFICE_PASSWORD not in json.dumps(d, ensure_ascii=False) for d in queued)  # secrets stay in the catalog
    assert "mailto://dujiban:****@127.0.0.1" in {d["target"][:31] for d in queued}

    started = time.monotonic()
    done = deliver(store, catalog, now=T0)
    assert {a.status for a in done if a.notice_id in (ids["gzdt"], ids["wrong"])} == {"sent"}
    fgw_mail = [m for m in box.messages if m["to"] == ["fgw@example.gov.cn"] and "工作动态" in m["subject"]]
    assert len(fgw_mail) == 1
    mail = fgw_mail[0]
    number = "督办〔2026〕1号"
    assert mail["subject"] == f"【政务公开督办】{number} 市发展和改革委员会“工作动态”栏目未按时公开"
    assert mail["type"] == "text/plain" and mail["from"] == "monitor@example.gov.cn"
    body = mail["body"]
    for fact in ("市发展和改革委员会：", "经监测，你单位“工作动态”栏目存在未按时公开问题，现予以公开督办",
                 "存在问题：最新信息发布于2026-10-01，已超过14天未更新", "整改时限：2026年11月30日前",
                 "公开时限：最大更新间隔不超过14天", "栏目地址：http://127.0.0.1:9/gzdt/",
                 f"督办公告：{BOARD}#notice-{ids['gzdt']}"):
        assert fact in body, fact
    for internal in ("王审核", "EVIDENCE-INTERNAL", "sweep"):
        assert internal not in body
    office_mail = [m for m in box.messages if m["to"] == ["dujiban@example.gov.cn"]]
    assert {m["subject"] for m in office_mail} >= {mail["subject"]}
    assert ("dujiban", OFFICE_PASSWORD) in box.logins  # real SMTP AUTH with the catalog's password
    posted = {path: b for path, b, _ in Hooks.received}
    assert posted["/fgw"]["title"] == mail["subject"] or any(
        b["title"] == mail["subject"] for p, b, _ in Hooks.received if p == "/fgw")
    assert any(p == "/office" and "市发展和改革委员会" in b["message"] for p, b, _ in Hooks.received)
    latency = fgw_mail[0]["at"] - started
    print(f"\nfirst deliver: {len(done)} messages in {time.monotonic() - started:.2f} s; "
          f"first SMTP message arrived after {latency:.3f} s; per message: "
          + ", ".join(f"{a.target.split(':')[0]} {a.seconds:.3f}s" for a in done[:4]))
    # sent ones are not sent again
    later = deliver(store, catalog, now=T0 + timedelta(hours=8))  # only the retries of the failed ones
    assert later and not {a.id for a in later} & {a.id for a in done if a.status == "sent"}
    assert len([m for m in box.messages if m["to"] == ["fgw@example.gov.cn"]]) == 2  # 工作动态 and 误报栏目, once each


def test_deadline_near_and_overdue_are_each_queued_once_per_target(world):
    store, catalog, ids, box = world
    queue_for_day(store, catalog, D1, now=T0)
    deliver(store, catalog, now=T0)
    assert not rows(store, event="deadline_near")
    near_day = date(2026, 11, 28)  # 2 days before the 11-30 deadline
    queue_for_day(store, catalog, date(2026, 11, 27), now=T0)  # 3 days before: too early
    assert not rows(store, event="deadline_near")
    queue_for_day(store, catalog, near_day, now=T0 + timedelta(days=5))
    queue_for_day(store, catalog, date(2026, 11, 29), now=T0 + timedelta(days=6))  # still near: not again
    near = rows(store, event="deadline_near", notice_id=ids["gzdt"])
    assert {d["recipient"] for d in near} == {"unit"} and len(near) == 2  # the unit's mail and webhook only
    deliver(store, catalog, now=T0 + timedelta(days=6))
    reminder = [m for m in box.messages if m["subject"].startswith("【整改到期提醒】")]
    assert [m["to"] for m in reminder if "工作动态" in m["subject"]] == [["fgw@example.gov.cn"]]
    assert "整改时限为2026年11月30日，截至2026年11月28日监测尚未发现整改到位" in reminder[0]["body"]

    overdue_day = date(2026, 12, 1)
    store.move_notice(ids["gzdt"], overdue_day, "overdue", "sweep", "整改期限2026-11-30已过，仍逾期", overdue_day="2026-12-01")
    for _ in range(2):
        queue_for_day(store, catalog, overdue_day, now=T0 + timedelta(days=8))
    overdue = rows(store, event="overdue", notice_id=ids["gzdt"])
    assert {(d["recipient"], d["channel"]) for d in overdue} == {("unit", "mailto"), ("unit", "json"), ("office", "mailto"),
                                                                  ("office", "json")}
    deliver(store, catalog, now=T0 + timedelta(days=8))
    late = [m for m in box.messages if m["subject"].startswith("【逾期未整改】")]
    assert {tuple(m["to"]) for m in late} == {("fgw@example.gov.cn",), ("dujiban@example.gov.cn",)}
    assert "整改时限已于2026年11月30日届满，经监测仍未整改" in late[0]["body"] and "整改情况：逾期未整改" in late[0]["body"]

    review.escalate(store, ids["gzdt"], date(2026, 12, 2), "王审核", "通报批评", "逾期仍未整改")
    queue_for_day(store, catalog, date(2026, 12, 2), now=T0 + timedelta(days=9))
    deliver(store, catalog, now=T0 + timedelta(days=9))
    escalated = [m for m in box.messages if m["subject"].startswith("【督办追责】")]
    assert escalated and "已予以通报批评" in escalated[0]["body"] and "逾期仍未整改" not in escalated[0]["body"]


def test_a_failing_endpoint_is_recorded_and_retried_until_sent(world):
    store, catalog, ids, box = world
    queue_for_day(store, catalog, D1, now=T0)
    deliver(store, catalog, now=T0)
    [flaky] = rows(store, notice_id=ids["czsz"], recipient="unit")
    assert flaky["status"] == "pending" and flaky["attempts"] == 1
    assert "500" in flaky["last_error"] and "JSON" in flaky["last_error"]
    assert flaky["next_attempt_at"] == (T0 + backoff(1)).isoformat() == "2026-11-23T09:05:00+08:00"
    assert deliver(store, catalog, now=T0 + timedelta(minutes=4)) == []  # not due yet
    [retry] = [a for a in deliver(store, catalog, now=T0 + timedelta(minutes=6)) if a.notice_id == ids["czsz"]]
    assert retry.status == "sent" and retry.attempts == 2
    [flaky] = rows(store, notice_id=ids["czsz"], recipient="unit")
    assert flaky["status"] == "sent" and flaky["sent_at"] == "2026-11-23T09:06:00+08:00"
    assert [p for p, _, _ in Hooks.received].count("/flaky") == 1 and Hooks.answered["/flaky"] == 2


def test_a_permanently_failing_endpoint_ends_failed_and_is_listed(world, capsys):
    store, catalog, ids, box = world
    queue_for_day(store, catalog, D1, now=T0)
    now = T0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        deliver(store, catalog, now=now)
        [down] = rows(store, notice_id=ids["jyxx"], recipient="unit")
        assert down["attempts"] == attempt
        if attempt < MAX_ATTEMPTS:
            assert down["status"] == "pending"
            assert down["next_attempt_at"] == (now + backoff(attempt)).isoformat()
            now += backoff(attempt)
    assert down["status"] == "failed" and down["next_attempt_at"] is None and "500" in down["last_error"]
    assert [backoff(k).total_seconds() / 60 for k in range(1, 9)] == [5, 10, 20, 40, 80, 160, 320, 360]
    assert Hooks.answered["/down"] == MAX_ATTEMPTS
    assert deliver(store, catalog, now=now + timedelta(days=1)) == []  # given up: not tried again

    args = ["notify", "--db", str(store.path), "--config", str(catalog.path), "--as-of", D1.isoformat()]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "未能送达（已放弃 1 条" in out
    assert f"#{down['id']} 2026-11-23 jyj 督办〔2026〕4号 发布通知 → json://127.0.0.1:" in out and "已尝试8次" in out
    assert main(args + ["--retry-failed"]) == 1  # a new round: tried at once, fails again
    out = capsys.readouterr().out
    assert "重新发送已放弃的通知 1 条" in out and "发送失败" in out and "第1次" in out
    assert rows(store, notice_id=ids["jyxx"], recipient="unit")[0]["status"] == "pending"


def test_a_message_whose_notice_moved_on_is_cancelled_not_sent(world):
    store, catalog, ids, box = world
    queue_for_day(store, catalog, D1, now=T0)
    review.withdraw(store, ids["wrong"], D1, "王审核", "经核实为误报")
    done = deliver(store, catalog, now=T0)
    cancelled = [a for a in done if a.notice_id == ids["wrong"]]
    assert cancelled and {a.status for a in cancelled} == {"cancelled"}
    assert all(a.error == "不再发送：督办现为“已撤回”" for a in cancelled)
    assert not [m for m in box.messages if "误报栏目" in m["subject"]]
    assert not [b for _, b, _ in Hooks.received if "误报栏目" in b["title"]]


def test_a_contact_removed_from_the_catalog_fails_and_says_why(world, tmp_path):
    store, catalog, ids, box = world
    queue_for_day(store, catalog, D1, now=T0)
    text = catalog.path.read_text(encoding="utf-8").replace('contacts = ["json://127.0.0.1:', 'contacts = ["json://127.0.0.2:', 1)
    changed = tmp_path / "changed.toml"
    changed.write_text(text, encoding="utf-8")
    deliver(store, load_catalog(changed), now=T0)
    moved = [d for d in rows(store, notice_id=ids["czsz"]) if d["recipient"] == "unit"]
    assert moved[0]["status"] == "pending" and moved[0]["last_error"] == "目录中已无此收件地址（已删除或修改）"


def test_an_address_apprise_cannot_read_is_queued_and_fails_visibly(world, tmp_path):
    store, catalog, ids, box = world
    text = catalog.path.read_text(encoding="utf-8").replace('contacts = ["json://127.0.0.1:', 'contacts = ["nosuch://x", "json://127.0.0.1:', 1)
    odd = tmp_path / "odd.toml"
    odd.write_text(text, encoding="utf-8")
    catalog = load_catalog(odd)
    queue_for_day(store, catalog, D1, now=T0)
    deliver(store, catalog, now=T0)
    [bad] = [d for d in rows(store, notice_id=ids["czsz"]) if d["target"].startswith("无法识别")]
    assert bad["target"] == "无法识别的地址（unit 第1项）" and bad["status"] == "pending" and bad["attempts"] == 1
    assert bad["last_error"].startswith("无法识别的通知地址")


def test_each_address_has_a_target_of_its_own_and_is_told_once(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_text("""
[notices]
office = ["dingtalk://Tzzzz9/", "dingtalk://Taaaa9/"]
[[units]]
slug = "fgw"
name = "市发展和改革委员会"
site = "http://127.0.0.1:9/"
contacts = ["dingtalk://Taaaa9/"]
columns = [{ id = "gzdt", name = "工作动态", url = "http://127.0.0.1:9/gzdt/", rule = { kind = "standing" } }]
""", encoding="utf-8")
    catalog = load_catalog(path)
    assert targets(catalog, catalog.unit("fgw"), "issued") == [
        ("unit", "dingtalk://T...9//", "dingtalk://Taaaa9/"),  # masked alike: the second one gets its place
        ("office", "dingtalk://T...9//（office 第1项）", "dingtalk://Tzzzz9/")]  # and the same URL is told once
    assert [t[1] for t in targets(catalog, catalog.unit("fgw"), "deadline_near")] == ["dingtalk://T...9//"]


def test_errors_lose_the_urls_secrets():
    said = "HTTPSConnectionPool(host='oapi.dingtalk.com'): /robot/send?access_token=TOK3N99 sign SEKRIT7"
    assert scrub(said, "dingtalk://SEKRIT7@TOK3N99/") == "HTTPSConnectionPool(host='oapi.dingtalk.com'): /robot/send?access_token=*** sign ***"
    assert scrub("login pw-Secret1 refused by smtp.example.gov.cn", "mailto://u:pw-Secret1@smtp.example.gov.cn") == \
        "login *** refused by smtp.example.gov.cn"
    assert scrub("key k3y-abc at /hook", "json://127.0.0.1/hook?token=k3y-abc") == "key *** at /hook"


# ---------------------------------------------------------------- the daily sweep queues and sends


SITE = "127.0.0.43"
OLD_LIST = """<!doctype html><html><head><meta charset="utf-8"><title>通知公告</title></head><body>
<ul class="list">{items}</ul></body></html>"""


def test_the_daily_sweep_tells_the_unit_of_its_new_notice(tmp_path, smtp, hooks):
    box, smtp_port = smtp
    today = clock.today()
    days = [today - timedelta(days=2), today - timedelta(days=1)]
    items = "".join(f'<li><a href="/tzgg/t{k}.html">关于第{k}项工作的通知</a><span>{today - timedelta(days=60 + 10 * k)}</span></li>'
                    for k in range(3))
    page = OLD_LIST.format(items=items).encode()

    class Site(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200 if self.path in ("/", "/tzgg/") else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    with serve_loopback(Site, SITE) as port:
        catalog = tmp_path / "catalog.toml"
        catalog.write_text(f"""
[monitor]
download_delay = 0

[notices]
auto_issue = ["m"]
office = ["json://127.0.0.1:{hooks}/office"]

[rules.m]
kind = "max_gap"
within = {{ n = 14, unit = "day" }}

[[units]]
slug = "bureau"
name = "某某局"
site = "http://{SITE}:{port}/"
contacts = ["mailto://127.0.0.1:{smtp_port}?from=monitor@example.gov.cn&to=bureau@example.gov.cn"]
columns = [{{ id = "tzgg", name = "通知公告", url = "http://{SITE}:{port}/tzgg/", rule = "m" }}]
""", encoding="utf-8")
        db = tmp_path / "monitor.db"
        outputs = []
        for day in days:
            proc = subprocess.run([sys.executable, "-m", "monitor", "sweep", "--as-of", day.isoformat(), "--config",
                                   str(catalog), "--db", str(db), "--quiet"], capture_output=True, text=True,
                                  cwd=Path(__file__).resolve().parents[1], timeout=300)
            assert proc.returncode == 0, proc.stderr[-3000:]
            outputs.append(proc.stdout)
    assert "督办通知" not in outputs[0]  # one late sweep: no notice yet
    assert "督办通知：发送 2 条，未成功 0 条" in outputs[1]
    subject = f"【政务公开督办】督办〔{days[1].year}〕1号 某某局“通知公告”栏目未按时公开"
    assert [m["subject"] for m in box.messages] == [subject] and box.messages[0]["to"] == ["bureau@example.gov.cn"]
    assert [b["title"] for p, b, _ in Hooks.received if p == "/office"] == [subject]
    store = Store(db)
    assert {(d["event"], d["status"]) for d in store.deliveries()} == {("issued", "sent")}


def test_a_generic_webhooks_path_token_is_not_kept_and_two_paths_stay_apart():
    from monitor.notify import mask

    one, two = mask("json://127.0.0.1:8080/hooks/s3cr3tToken123"), mask("json://127.0.0.1:8080/hooks/otherToken456")
    assert "s3cr3tToken123" not in one and "otherToken456" not in two and one != two
    assert one.startswith("json://127.0.0.1:8080/***")
    assert "s3cr3tToken123" not in scrub("POST json://127.0.0.1:8080/hooks/s3cr3tToken123 failed",
                                         "json://127.0.0.1:8080/hooks/s3cr3tToken123")
