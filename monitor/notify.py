"""Telling a unit and the office of its notices (督办通知): e-mail and group bots, through apprise.

Who is told of what (``queue_for_day``, as of a day; the notice's state is the board's, rebuilt from the
audit trail as it stood that day, ``reports.board.board_notices``):

| event           | queued when the notice is ...                                        | told          |
|-----------------|----------------------------------------------------------------------|---------------|
| ``issued``      | public and still open (督办中, 逾期未整改, 已追责)                       | unit + office |
| ``deadline_near`` | 督办中, its deadline at most ``[notices] remind_days`` days away (not on its issue day; 0: never) | unit |
| ``overdue``     | 逾期未整改                                                             | unit + office |
| ``escalated``   | 已追责                                                                 | unit + office |

The unit is its catalog ``contacts``, the office ``[notices] office`` (apprise URLs: ``mailto://``,
``dingtalk://``, ``wecombot://``, ``json://`` ...). Each (notice, event, target) is queued once (a unique key
in ``deliveries``): queueing again, the same day or later, adds nothing.

Secrets stay in the catalog: the database keeps a target masked (apprise's own privacy form, without its
options: ``dingtalk://a...9/``, ``mailto://user:****@smtp.example.gov.cn/fgw%40example.gov.cn``); when
sending, the real URL is found again among the current catalog's URLs for that notice and event by its
masked form (two different URLs masked alike get their place appended, ``（office 第2项）``, so none is lost).
A URL apprise cannot read is queued too, as ``无法识别的地址（unit 第N项）``, and fails when sent: nothing is
dropped silently. A target since removed from the catalog (or changed) fails with 目录中已无此收件地址.

``deliver(store, catalog, now)`` sends every pending message whose time has come, one apprise ``notify``
per message (``False`` or an exception is a failure; the error kept is apprise's warning, with the URL's
secrets scrubbed). A failure is retried after 5 min · 2^(attempts−1), at most 6 h apart; after
``MAX_ATTEMPTS`` attempts the message is ``failed`` (given up): ``python -m monitor notify`` lists it every
time and ``--retry-failed`` gives it a new round. A message whose notice moved on before it could be sent
(withdrawn; rectified before a reminder) is ``cancelled`` with the reason instead of being sent late.
Sending holds a message for 15 minutes (``claim``), so two ``notify`` runs never send it twice.

Messages are plain text in formal Chinese with the facts (单位, 栏目, 存在问题, 整改时限) and, with
``[notices] board_url``, the link to the notice on the public board. Every message contains 督办: a DingTalk
bot secured by the keyword 督办 accepts them. DingTalk and WeCom answer HTTP 200 with an ``errcode`` when they
refuse a message (wrong keyword or signature, rate limit); apprise reads only the HTTP status, so for them
``sent`` means accepted over HTTP.
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from monitor import clock
from monitor.config import Catalog, Unit
from monitor.notices import STATE_WORDS
from monitor.store import Store

EVENTS = ("issued", "deadline_near", "overdue", "escalated")
EVENT_WORDS = {"issued": "发布通知", "deadline_near": "整改到期提醒", "overdue": "逾期通知", "escalated": "追责通知"}
OFFICE_EVENTS = frozenset({"issued", "overdue", "escalated"})  # the office is not reminded of deadlines
STILL_DUE = {  # the notice states in which a queued message is still worth sending
    "issued": frozenset({"issued", "overdue", "escalated"}), "deadline_near": frozenset({"issued"}),
    "overdue": frozenset({"overdue", "escalated"}), "escalated": frozenset({"escalated", "closed"}),
}
MAX_ATTEMPTS = 8
BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=6)
LEASE = timedelta(minutes=15)
REASON_CHARS = 200
BODY_BYTES = 1800  # WeCom's group bot takes 2048 bytes of text; DingTalk 20000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SECRET_KEYS = re.compile(r"key|token|secret|pass|pwd|sign|auth", re.I)
_PLAIN_HOSTS = {"mailto", "mailtos", "json", "jsons", "xml", "xmls", "form", "forms"}  # host is a server, not a token


@dataclass(frozen=True)
class Attempt:
    """What one ``deliver`` did with one message."""
    id: int
    notice_id: int
    event: str
    target: str
    status: str  # sent | pending (will retry) | failed (given up) | cancelled
    attempts: int
    error: str | None
    next_attempt_at: str | None
    seconds: float


def _iso(moment: datetime) -> str:
    return moment.astimezone(clock.SHANGHAI).isoformat(timespec="seconds")


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 5 min, 10, 20, ... at most 6 h."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def _asset():
    import apprise

    return apprise.AppriseAsset(app_id="DisclosureMonitor", app_desc="政务公开督办",
                                storage_mode=apprise.PersistentStoreMode.MEMORY)


@lru_cache(maxsize=1024)
def mask(url: str) -> str | None:
    """The URL as the database keeps and shows it: apprise's privacy form, without its options; None when
    apprise cannot read the URL."""
    import apprise

    server = apprise.Apprise.instantiate(url, asset=_asset())
    if server is None:
        return None
    masked = server.url(privacy=True).split("?", 1)[0]
    scheme, _, rest = masked.partition("://")
    if scheme.lower() in _PATH_SECRET_SCHEMES:  # a generic webhook's path often is its token: keep the host and
        host, slash, path = rest.partition("/")  # a short digest that tells two paths apart without showing them
        digest = hashlib.sha256(path.encode()).hexdigest()[:8]
        masked = f"{scheme}://{host}{slash}{f'***{digest}' if path else ''}"
    return masked


def has_recipients(catalog: Catalog) -> bool:
    return bool(catalog.notices.office) or any(u.contacts for u in catalog.units)


def targets(catalog: Catalog, unit: Unit | None, event: str) -> list[tuple[str, str, str]]:
    """(recipient, target, URL) of an event: the unit's contacts, then the office's URLs. A URL listed twice
    is told once; two different URLs whose masked forms coincide get their place appended, so that each has
    a target of its own (queueing and sending both go through here)."""
    lists = [("unit", unit.contacts if unit else ())]
    if event in OFFICE_EVENTS:
        lists.append(("office", catalog.notices.office))
    out, seen = [], {}
    for recipient, urls in lists:
        for k, url in enumerate(urls, 1):
            place = f"{recipient} 第{k}项"
            target = mask(url) or f"无法识别的地址（{place}）"
            if seen.get(target, url) != url:
                target = f"{target}（{place}）"
            if target not in seen:
                seen[target] = url
                out.append((recipient, target, url))
    return out


def due_events(notice: dict[str, Any], as_of: date, remind_days: int) -> list[str]:
    """The events due for a board notice (its state as of ``as_of``)."""
    state = notice["state"]
    events = []
    if state in STILL_DUE["issued"]:
        events.append("issued")
    # a deadline reminder says the monitor has not seen the fix: only a lateness notice is followed by sweeps
    if (state == "issued" and remind_days > 0 and notice["deadline"] and notice["issued_day"] < as_of.isoformat()
            and notice.get("kind", "lateness") == "lateness"):
        if 0 <= (date.fromisoformat(notice["deadline"]) - as_of).days <= remind_days:
            events.append("deadline_near")
    if state in ("overdue", "escalated"):
        events.append(state)
    return events


def _text(value: str | None) -> str:
    return _CONTROL.sub("", value or "")


def compose(notice: dict[str, Any], event: str, as_of: date, board_url: str | None) -> tuple[str, str]:
    """The subject and plain-text body of an event's message, in formal Chinese, from the board's public
    fields only (nothing internal)."""
    from reports.board import cn_date

    number, unit = notice["number"], _text(notice["unit_name"])
    column = f"“{_text(notice['column_name'])}”栏目"
    deadline = cn_date(notice["deadline"])
    kind = notice["kind_words"]
    subject = {
        "issued": f"【政务公开督办】{number} {unit}{column}{kind}",
        "deadline_near": f"【整改到期提醒】{number} {unit}{column}整改时限{deadline}",
        "overdue": f"【逾期未整改】{number} {unit}{column}逾期未整改",
        "escalated": f"【督办追责】{number} {unit}{column}（{notice.get('level') or '已追责'}）",
    }[event]
    lead = {
        "issued": f"经监测，你单位{column}存在{kind}问题，现予以公开督办，请于{deadline}前完成整改。",
        "deadline_near": f"你单位{column}的督办事项（{number}）整改时限为{deadline}，截至{cn_date(as_of)}监测尚未发现"
                         "整改到位，请抓紧整改。",
        "overdue": f"你单位{column}的督办事项（{number}）整改时限已于{deadline}届满，经监测仍未整改，"
                   "已列为逾期未整改事项，请立即整改。",
        "escalated": f"你单位{column}的督办事项（{number}）未按要求完成整改，已予以{notice.get('level') or '追究责任'}。"
                     "请立即整改，并按要求报送整改情况。",
    }[event]
    reason = _text(notice["reason"])
    link = f"{board_url}#{notice['anchor']}" if board_url else None

    def body(reason: str) -> str:
        lines = [f"{unit}：", "", lead, "", f"督办编号：{number}", f"督办单位：{unit}",
                 f"督办事项：{column}" + (f"（公开时限：{_text(notice['rule_words'])}）" if notice["rule_words"] else ""),
                 f"问题类型：{kind}", f"存在问题：{reason}"]
        if notice["column_url"]:
            lines.append(f"栏目地址：{notice['column_url']}")
        lines += [f"发布日期：{cn_date(notice['issued_day'])}", f"整改时限：{deadline}前", f"整改情况：{notice['status']}"]
        if link:
            lines.append(f"督办公告：{link}")
        lines += ["", "政务公开督办", cn_date(as_of)]
        return "\n".join(lines)

    if len(reason) > REASON_CHARS:
        reason = reason[:REASON_CHARS] + "……"
    text = body(reason)
    while len((subject + "\n" + text).encode("utf-8")) > BODY_BYTES and len(reason) > 20:
        reason = reason[: len(reason) // 2] + "……"
        text = body(reason)
    return subject, text


def queue_for_day(store: Store, catalog: Catalog, as_of: date, now: datetime | None = None) -> list[int]:
    """Queue the messages due as of ``as_of`` (each notice, event and target once); the new rows' ids."""
    if not has_recipients(catalog):
        return []
    from reports.board import board_notices

    stamp = _iso(now or clock.now())
    units = {u.slug: u for u in catalog.units}
    queued = []
    for notice in board_notices(store, as_of):
        for event in due_events(notice, as_of, catalog.notices.remind_days):
            recipients = targets(catalog, units.get(notice["unit"]), event)
            if not recipients:
                continue
            subject, body = compose(notice, event, as_of, catalog.notices.board_url)
            for recipient, target, url in recipients:
                new = store.queue_delivery({
                    "notice_id": notice["id"], "event": event, "recipient": recipient, "target": target,
                    "channel": urlsplit(url).scheme.lower() or None, "day": as_of.isoformat(), "created_at": stamp,
                    "subject": subject, "body": body})
                if new is not None:
                    queued.append(new)
    return queued


def _urls_for(catalog: Catalog, unit_slug: str, event: str, target: str) -> list[str]:
    """The catalog's current URL whose target is ``target`` (none when it was removed or changed)."""
    try:
        unit = catalog.unit(unit_slug)
    except KeyError:
        unit = None
    return [url for _, t, url in targets(catalog, unit, event) if t == target]


_PATH_SECRET_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls"})


def scrub(text: str, url: str) -> str:
    """``text`` without the URL's secrets (password, tokens, keys), for the database and the screen."""
    parts = urlsplit(url)
    secrets = [parts.password or ""]
    secrets += [v for k, v in parse_qsl(parts.query) if _SECRET_KEYS.search(k)]
    if parts.scheme.lower() in _PATH_SECRET_SCHEMES:  # a generic webhook: its path may be its token
        secrets += [p for p in parts.path.split("/") if len(p) >= 8]
    if parts.scheme.lower() not in _PLAIN_HOSTS:  # a bot: the host (as written, not lower-cased) and path are its token
        secrets += [parts.username or "", parts.netloc.rpartition("@")[2].split(":")[0], *parts.path.split("/")]
    for secret in sorted({s for s in secrets if len(s) >= 3}, key=len, reverse=True):
        for form in {secret, unquote(secret)}:
            text = re.sub(re.escape(form), "***", text, flags=re.I)
    return text


def _send(urls: list[str], subject: str, body: str) -> str | None:
    """Send to each URL; None when every one took it, else what went wrong (secrets scrubbed)."""
    import apprise

    errors = []
    for url in urls:
        server = apprise.Apprise(asset=_asset())
        if not server.add(url):
            errors.append("无法识别的通知地址（apprise 不支持该地址或格式有误）")
            continue
        try:
            with apprise.LogCapture(level=apprise.logging.WARNING, fmt="%(message)s") as logs:
                ok = bool(server.notify(title=subject, body=body, body_format=apprise.NotifyFormat.TEXT))
            if not ok:
                said = " ".join(line.strip() for line in logs.getvalue().splitlines() if line.strip())
                errors.append(scrub(said or "发送失败（apprise 未说明原因）", url))
        except Exception as exc:  # noqa: BLE001 - a plugin's bug is one failed attempt, recorded
            errors.append(scrub(f"{type(exc).__name__}: {exc}", url))
    return "；".join(errors)[:1000] if errors else None


def deliver(store: Store, catalog: Catalog, now: datetime | None = None) -> list[Attempt]:
    """Send every pending message whose time has come (as of ``now``); record each attempt."""
    now = now or clock.now()
    stamp = _iso(now)
    done = []
    for row in store.due_deliveries(stamp):
        if not store.claim_delivery(row["id"], stamp, _iso(now + LEASE)):
            continue  # another run took it
        started = time.monotonic()
        notice = store.notice(row["notice_id"])
        state = notice["state"] if notice else "withdrawn"
        if state not in STILL_DUE[row["event"]]:
            error = f"不再发送：督办现为“{STATE_WORDS.get(state, state)}”"
            store.record_delivery(row["id"], status="cancelled", last_error=error, next_attempt_at=None,
                                  last_attempt_at=stamp)
            done.append(Attempt(row["id"], row["notice_id"], row["event"], row["target"], "cancelled", row["attempts"],
                                error, None, 0.0))
            continue
        urls = _urls_for(catalog, notice["unit"], row["event"], row["target"])
        error = _send(urls, row["subject"], row["body"]) if urls else "目录中已无此收件地址（已删除或修改）"
        attempts = row["attempts"] + 1
        if error is None:
            fields = {"status": "sent", "sent_at": stamp, "next_attempt_at": None}
        elif attempts >= MAX_ATTEMPTS:
            fields = {"status": "failed", "last_error": error, "next_attempt_at": None}
        else:
            fields = {"status": "pending", "last_error": error, "next_attempt_at": _iso(now + backoff(attempts))}
        store.record_delivery(row["id"], attempts=attempts, last_attempt_at=stamp, **fields)
        done.append(Attempt(row["id"], row["notice_id"], row["event"], row["target"], fields["status"], attempts,
                            error, fields["next_attempt_at"], time.monotonic() - started))
    return done


def notify_after_sweep(db_path, catalog: Catalog, day: date) -> None:
    """After a sweep's day (in a worker thread, off the reactor): queue what is due and send it. A failure
    here never fails the sweep: the messages stay queued for ``python -m monitor notify``."""
    if not has_recipients(catalog):
        return
    store = Store(db_path)
    try:
        queue_for_day(store, catalog, day)
        attempts = deliver(store, catalog)
        if attempts:
            sent = sum(a.status == "sent" for a in attempts)
            print(f"{day} 督办通知：发送 {sent} 条，未成功 {len(attempts) - sent} 条（python -m monitor notify 查看）",
                  flush=True)
    except Exception as exc:  # noqa: BLE001 - reported; the queue keeps what was not sent
        print(f"{day} 督办通知出错（已排队的消息留待 python -m monitor notify 重发）：{type(exc).__name__}: {exc}",
              file=sys.stderr, flush=True)
    finally:
        store.close()


def report_lines(store: Store, queued: list[int], attempts: list[Attempt]) -> list[str]:
    """What ``python -m monitor notify`` prints: this run's attempts, then every message given up on."""
    from reports.board import notice_numbers, number_words

    numbers = {k: number_words(*v) for k, v in notice_numbers(store.notice_events(date.min, date.max)).items()}

    def what(notice_id: int, event: str, target: str) -> str:
        return f"{numbers.get(notice_id, f'督办 #{notice_id}')} {EVENT_WORDS.get(event, event)} → {target}"

    lines = [f"新排队 {len(queued)} 条"] if queued else []
    for a in attempts:
        head = f"#{a.id} {what(a.notice_id, a.event, a.target)}"
        if a.status == "sent":
            lines.append(f"已发送　{head}（{a.seconds:.2f} 秒）")
        elif a.status == "pending":
            lines.append(f"发送失败 {head}：第{a.attempts}次，{a.error}；将于 {a.next_attempt_at} 重试")
        elif a.status == "failed":
            lines.append(f"已放弃　{head}：已尝试{a.attempts}次，{a.error}")
        else:
            lines.append(f"不再发送 {head}：{a.error}")
    failed = store.deliveries(status="failed")
    if failed:
        lines.append(f"未能送达（已放弃 {len(failed)} 条；python -m monitor notify --retry-failed 重新发送）：")
        for d in failed:
            lines.append(f"  #{d['id']} {d['day']} {d['unit']} {what(d['notice_id'], d['event'], d['target'])}："
                         f"已尝试{d['attempts']}次，最后一次 {d['last_attempt_at']}：{d['last_error']}")
    waiting = [d for d in store.deliveries(status="pending") if d["attempts"]]
    if waiting:
        lines.append(f"待重试 {len(waiting)} 条，最早 {min(d['next_attempt_at'] for d in waiting)}")
    if not lines:
        lines.append("没有需要发送的督办通知")
    return lines
