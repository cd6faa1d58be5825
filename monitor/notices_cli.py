"""`python -m monitor notices list|show|issue|withdraw|escalate|close`: the reviewer's door to notices.

Thin over ``monitor.review`` (the moves and their audit rows) and the store. Who acts is ``--by``
(default: the user running the command); the day is ``--as-of`` (default: today, Asia/Shanghai).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from datetime import date, timedelta
from pathlib import Path

from monitor import clock
from monitor.errors import UsageError
from monitor.notices import ESCALATION_LEVELS, KIND_WORDS, STATE_WORDS, STATES
from monitor.terminal import printable


def _store(args: argparse.Namespace):
    from monitor.store import Store

    return Store(args.db)


def _week(value: str) -> tuple[date, date]:
    """``2026-W48`` → its Monday and Sunday (ISO weeks)."""
    try:
        year, week = value.upper().split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO week (YYYY-Www): {value!r}") from None
    return monday, monday + timedelta(days=6)


def cmd_list(args: argparse.Namespace) -> int:
    """List notices, newest first.  e.g. python -m monitor notices list --state draft --week 2026-W48"""
    since, until = args.week if args.week else (None, None)
    for n in _store(args).notices(args.unit, args.state, since, until):
        if args.kind and n["kind"] != args.kind:
            continue
        print(printable(
            f"#{n['id']:<4} {n['unit']:<8} {n['column_id']:<12} {STATE_WORDS.get(n['state'], n['state']):<5} "
            f"{KIND_WORDS.get(n['kind'], n['kind'])}  起草 {n['opened_day']}"
            + (f" 发布 {n['issued_day']} 期限 {n['deadline']}" if n["issued_day"] else "")
            + f"  {n['reason']}"))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """One notice whole: what it says, its evidence, its audit trail.  e.g. python -m monitor notices show 3"""
    store = _store(args)
    n = store.notice(args.id)
    if n is None:
        raise UsageError(f"no notice #{args.id}")
    if args.json:
        print(json.dumps({**n, "evidence": json.loads(n["evidence"] or "{}"), "events": store.notice_history(args.id)},
                         ensure_ascii=False, indent=2, default=str))
        return 0
    lines = [
        f"督办 #{n['id']}：{n['unit_name']}（{n['unit']}）· {n['column_name']}（{n['column_id']}）",
        f"类型：{KIND_WORDS.get(n['kind'], n['kind'])}　状态：{STATE_WORDS.get(n['state'], n['state'])}",
        f"栏目地址：{n['column_url']}",
        f"公开时限：{n['rule_words']}",
        f"存在问题：{n['reason']}",
        f"起草：{n['opened_day']}" + (f"　发布：{n['issued_day']}（{n['issued_by']}）" if n["issued_day"] else "")
        + (f"　整改时限：{n['deadline']}" if n["issued_day"] else ""),
    ]
    for key, words in (("rectified_day", "整改"), ("overdue_day", "逾期"), ("escalated_day", "追责"),
                       ("closed_day", "办结"), ("withdrawn_day", "撤回")):
        if n.get(key):
            extra = {"escalated_day": f"（{n['escalation_level']}）", "withdrawn_day": f"（{n['withdraw_reason']}）"}
            lines.append(f"{words}：{n[key]}{extra.get(key, '')}")
    evidence = json.loads(n["evidence"] or "{}")
    fetch = evidence.get("last_fetch") or {}
    if fetch:
        lines.append(f"检查记录：{fetch.get('fetched_at')} 获取 {fetch.get('url')}（HTTP {fetch.get('status')}，"
                     f"{fetch.get('items_found')} 条，最新 {fetch.get('newest_date')}）")
    pack = store.evidence_packs().get(args.id)
    if pack:
        folder = pack if os.path.isabs(pack) else os.path.join(os.path.dirname(os.path.abspath(store.path)), pack)
        missing = "" if os.path.isdir(folder) else "，文件夹不在此处"
        lines.append(f"证据包：{folder}（复核：scrapy crawl {n['unit']} -a column={n['column_id']}{missing}）")
    lines.append("处理记录：")
    for e in store.notice_history(args.id):
        lines.append(f"  {e['at']}  {STATE_WORDS.get(e['old_state'], e['old_state'] or '—')} → "
                     f"{STATE_WORDS.get(e['new_state'], e['new_state'])}  {e['by']}：{e['why']}")
    print(printable("\n".join(lines)))
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    """issue / withdraw / escalate / close one notice, as ``--by`` on ``--as-of``."""
    from monitor import review
    from monitor.config import load_catalog

    store = _store(args)
    day = clock.not_in_future(args.as_of or clock.today())  # a person acts today, or records a past day
    by = args.by or getpass.getuser()
    if args.action == "issue":
        notice = review.issue(store, load_catalog(args.config), args.id, day, by, args.note or "")
    elif args.action == "withdraw":
        notice = review.withdraw(store, args.id, day, by, args.why or "")
    elif args.action == "escalate":
        notice = review.escalate(store, args.id, day, by, args.level, args.why or "")
    else:
        notice = review.close(store, args.id, day, by, args.why or "")
    tail = f"，限{notice['deadline']}前整改" if args.action == "issue" else ""
    print(printable(f"督办 #{notice['id']}：{STATE_WORDS[notice['state']]}{tail}"))
    return 0


def add_parser(sub: argparse._SubParsersAction, common) -> None:
    """The `notices` command group; ``common`` adds --as-of, --db and --config."""
    parent = sub.add_parser("notices", help="public supervision notices (公开督办): list, show, review",
                            description=__doc__)
    common(parent)
    _filters(parent, argparse.SUPPRESS)
    parent.set_defaults(func=cmd_list, unit=None, state=None, week=None, kind=None)
    actions = parent.add_subparsers(dest="notices_command")

    p = actions.add_parser("list", help=cmd_list.__doc__, description=cmd_list.__doc__)
    _filters(p, argparse.SUPPRESS)
    _common_again(p)
    p.set_defaults(func=cmd_list)

    p = actions.add_parser("show", help=cmd_show.__doc__, description=cmd_show.__doc__)
    _common_again(p)
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true", help="everything, as JSON")
    p.set_defaults(func=cmd_show)

    helps = {"issue": "publish a draft; the rectification deadline counts from --as-of",
             "withdraw": "a false alarm: withdraw with --why", "escalate": "追究责任: --level and --why",
             "close": "close a rectified, overdue or escalated notice, with --why"}
    for action, text in helps.items():
        p = actions.add_parser(action, help=text, description=text)
        _common_again(p)
        p.add_argument("id", type=int)
        p.add_argument("--by", help="who acts (default: the user running the command)")
        if action == "issue":
            p.add_argument("--note", help="a remark kept in the audit trail")
        else:
            p.add_argument("--why", required=True, help="the reason, kept in the audit trail")
        if action == "escalate":
            p.add_argument("--level", required=True, choices=ESCALATION_LEVELS)
        p.set_defaults(func=cmd_move, action=action)


def _common_again(p: argparse.ArgumentParser) -> None:
    """--as-of, --db and --config after the action too; not given there, the group's values stand."""
    p.add_argument("--as-of", type=clock.parse_day, default=argparse.SUPPRESS, metavar="YYYY-MM-DD",
                   help="the day of the action (default: today, Asia/Shanghai)")
    p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="database file")
    p.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="catalog file")


def _filters(p: argparse.ArgumentParser, default) -> None:
    p.add_argument("--unit", default=default, help="only this unit")
    p.add_argument("--state", default=default, choices=STATES, help="only notices in this state")
    p.add_argument("--week", default=default, type=_week, metavar="YYYY-Www", help="only notices drafted that ISO week")
    p.add_argument("--kind", default=default, choices=tuple(KIND_WORDS), help="only notices of this kind")

