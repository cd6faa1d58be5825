"""Public supervision notices (公开督办): their lifecycle, as pure decisions.

A notice names a unit in public, so a person decides: a sweep only *drafts* one (a column lagging on
two consecutive sweeps, or a faked-disclosure signal), and a reviewer *issues* it (or an office lets
a rule's notices issue themselves). Then the sweeps follow it: *rectified* when the column is seen
fixed, *overdue* when the rectification deadline passes unfixed. A person *escalates* (追究责任, with a
level), *closes*, or *withdraws* a false alarm with the reason. Every move is an audit row.

``decide`` is what a sweep does to a column's active notice; ``person_move`` checks what a person
asks. A day the monitor could not read the column (unreachable, blocked, broken, unknown) changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from monitor.errors import UsageError
from monitor.judge_model import CONTENT_STATES

LAGGING = frozenset({"late", "blank"})
FINE = frozenset({"on_time", "due_soon"})
assert LAGGING | FINE == CONTENT_STATES

STATES = ("draft", "issued", "overdue", "escalated", "rectified", "closed", "withdrawn")
ACTIVE = frozenset({"draft", "issued", "overdue", "escalated"})  # at most one per column and kind
PUBLIC = frozenset({"issued", "overdue", "escalated", "rectified", "closed"})  # ever published: on the board
STATE_WORDS = {
    "draft": "待审核", "issued": "督办中", "overdue": "逾期未整改", "escalated": "已追责", "rectified": "已整改",
    "closed": "已办结", "withdrawn": "已撤回", "open": "督办中",  # 'open': audit rows written before review existed
}
KIND_WORDS = {
    "lateness": "未按时公开", "backdated": "疑似倒签发布日期", "burst": "集中突击发布（一阵风）",
    "repost": "重复发布（为公开而公开）", "empty_item": "空内容信息", "date_changed": "篡改发布日期",
    "vanished": "信息未到期被撤下",
}
ESCALATION_LEVELS = ("约谈", "通报批评", "追究责任")

SweepAction = Literal["draft", "withdraw_draft", "rectify", "overdue"]
PersonAction = Literal["issue", "withdraw", "escalate", "close"]

# what a person may do, from which states, to which state
PERSON_MOVES: dict[PersonAction, tuple[frozenset[str], str]] = {
    "issue": (frozenset({"draft"}), "issued"),
    "withdraw": (frozenset({"draft", "issued", "overdue", "escalated"}), "withdrawn"),
    "escalate": (frozenset({"issued", "overdue"}), "escalated"),
    # an issued notice of a faked-disclosure kind is never followed by sweeps: a person closes it
    "close": (frozenset({"issued", "rectified", "overdue", "escalated"}), "closed"),
}


@dataclass(frozen=True)
class ActiveNotice:
    id: int
    state: str  # one of ACTIVE
    deadline: date


def decide(today_state: str, previous_state: str | None, active: ActiveNotice | None, as_of: date) -> SweepAction | None:
    """What today's sweep does to the column's lateness notice, if anything.

    - draft: lagging on this sweep and on the sweep before (two consecutive sweeps), no notice active;
    - withdraw_draft: a draft not yet issued whose column is fine again (nothing to name any more);
    - rectify: an issued, overdue or escalated notice whose column is fine today;
    - overdue: an issued notice whose deadline has passed, and the column is still lagging today.
    """
    if active is None:
        if today_state in LAGGING and previous_state in LAGGING:
            return "draft"
        return None
    if today_state in FINE:
        return "withdraw_draft" if active.state == "draft" else "rectify"
    if today_state in LAGGING and active.state == "issued" and as_of > active.deadline:
        return "overdue"
    return None


def person_move(action: PersonAction, state: str, *, why: str = "", level: str | None = None) -> str:
    """The state a person's action leads to; ``UsageError`` (in Chinese and English) when not allowed."""
    allowed, new_state = PERSON_MOVES[action]
    if state not in allowed:
        words = "、".join(STATE_WORDS[s] for s in sorted(allowed, key=STATES.index))
        raise UsageError(f"cannot {action} a notice that is {state} ({STATE_WORDS.get(state, state)}); "
                         f"only from: {words}")
    if action in ("withdraw", "close", "escalate") and not why.strip():
        raise UsageError(f"{action} needs --why: the reason is kept in the audit trail")
    if action == "escalate" and level not in ESCALATION_LEVELS:
        raise UsageError(f"--level must be one of {', '.join(ESCALATION_LEVELS)}")
    return new_state
