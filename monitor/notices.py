"""Public supervision notices (公开督办), first version: when to open, rectify or mark overdue.

``decide`` is pure: it looks at today's verdict, the previous sweep's verdict and the column's
active notice, and says what should happen. Only content states (late, blank) ever open a notice;
a day the monitor could not read the column (unreachable, blocked, broken, unknown) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from monitor.judge import CONTENT_STATES

LAGGING = frozenset({"late", "blank"})
FINE = frozenset({"on_time", "due_soon"})
assert LAGGING | FINE == CONTENT_STATES

Action = Literal["open", "rectify", "overdue"]


@dataclass(frozen=True)
class ActiveNotice:
    id: int
    state: str  # 'open' | 'overdue'
    deadline: date


def decide(today_state: str, previous_state: str | None, active: ActiveNotice | None, as_of: date) -> Action | None:
    """What today's sweep does to the column's notice, if anything.

    - open: lagging on this sweep and on the sweep before (two consecutive sweeps), no notice active;
    - rectify: a notice is active and the column is fine today;
    - overdue: an open notice whose deadline has passed, and the column is still lagging today.
    """
    if active is None:
        if today_state in LAGGING and previous_state in LAGGING:
            return "open"
        return None
    if today_state in FINE:
        return "rectify"
    if today_state in LAGGING and active.state == "open" and as_of > active.deadline:
        return "overdue"
    return None
