"""End to end, faked and hollow disclosure: the signals the six-week demo run found, and only those."""

from __future__ import annotations

import json

import pytest

from monitor.demo.catalog import burst_after_notice
from tests.conftest import signal_rows

pytestmark = pytest.mark.e2e


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
