"""The notice lifecycle as pure decisions: what a sweep does (monitor.notices.decide) and what a person may do."""

from datetime import date

import pytest

from monitor.errors import UsageError
from monitor.notices import ACTIVE, PERSON_MOVES, PUBLIC, STATES, ActiveNotice, decide, person_move

DAY = date(2026, 11, 20)
ISSUED = ActiveNotice(1, "issued", deadline=date(2026, 11, 27))
DRAFT = ActiveNotice(2, "draft", deadline=date(2026, 11, 27))


@pytest.mark.parametrize("today, previous", [("late", "late"), ("blank", "blank"), ("late", "blank")])
def test_a_sweep_drafts_after_two_consecutive_lagging_sweeps(today, previous):
    assert decide(today, previous, None, DAY) == "draft"


@pytest.mark.parametrize("previous", [None, "on_time", "due_soon", "unreachable", "blocked", "broken", "unknown"])
def test_one_lagging_sweep_is_not_enough(previous):
    assert decide("late", previous, None, DAY) is None


@pytest.mark.parametrize("today", ["unreachable", "blocked", "broken", "unknown"])
@pytest.mark.parametrize("active", [None, DRAFT, ISSUED, ActiveNotice(3, "overdue", ISSUED.deadline),
                                    ActiveNotice(4, "escalated", ISSUED.deadline)])
def test_monitor_side_states_never_draft_or_move_a_notice(today, active):
    assert decide(today, "late", active, date(2026, 12, 30)) is None


def test_no_second_notice_while_one_is_active():
    assert decide("late", "late", ISSUED, DAY) is None
    assert decide("late", "late", DRAFT, DAY) is None


@pytest.mark.parametrize("today", ["on_time", "due_soon"])
@pytest.mark.parametrize("state", ["issued", "overdue", "escalated"])
def test_a_fixed_column_rectifies_a_published_notice(today, state):
    assert decide(today, "late", ActiveNotice(1, state, ISSUED.deadline), date(2026, 12, 3)) == "rectify"


def test_a_draft_whose_column_is_fixed_before_review_is_withdrawn_by_the_sweep():
    assert decide("on_time", "late", DRAFT, DAY) == "withdraw_draft"


def test_overdue_only_for_an_issued_notice_after_the_deadline_day():
    assert decide("late", "late", ISSUED, ISSUED.deadline) is None
    assert decide("late", "late", ISSUED, date(2026, 11, 28)) == "overdue"
    assert decide("late", "late", ActiveNotice(1, "overdue", ISSUED.deadline), date(2026, 11, 29)) is None
    assert decide("late", "late", DRAFT, date(2026, 12, 30)) is None  # a draft has no deadline running


@pytest.mark.parametrize("action, state, new", [
    ("issue", "draft", "issued"), ("withdraw", "draft", "withdrawn"), ("withdraw", "issued", "withdrawn"),
    ("escalate", "overdue", "escalated"), ("escalate", "issued", "escalated"),
    ("close", "rectified", "closed"), ("close", "overdue", "closed"), ("close", "escalated", "closed"),
    ("close", "issued", "closed"),  # a faked-disclosure notice, which no sweep follows
])
def test_what_a_person_may_do(action, state, new):
    assert person_move(action, state, why="理由", level="约谈") == new


@pytest.mark.parametrize("action, state", [
    ("issue", "issued"), ("issue", "withdrawn"), ("close", "draft"), ("escalate", "draft"),
    ("escalate", "rectified"), ("withdraw", "rectified"), ("withdraw", "closed"), ("issue", "closed"),
])
def test_what_a_person_may_not_do(action, state):
    with pytest.raises(UsageError, match=f"cannot {action}"):
        person_move(action, state, why="理由", level="约谈")


def test_withdraw_close_and_escalate_need_a_reason_and_escalation_a_level():
    for action, state in (("withdraw", "draft"), ("close", "rectified"), ("escalate", "overdue")):
        with pytest.raises(UsageError, match="needs --why"):
            person_move(action, state, why="  ", level="约谈")
    with pytest.raises(UsageError, match="--level"):
        person_move("escalate", "overdue", why="屡催不改", level="批评")


def test_the_states_fit_together():
    assert ACTIVE | PUBLIC | {"withdrawn"} == set(STATES)
    assert "draft" not in PUBLIC and "withdrawn" not in PUBLIC  # the board shows only what was published
    assert {new for _, new in PERSON_MOVES.values()} <= set(STATES)
