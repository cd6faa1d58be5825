"""The demo world itself: its scenario (what it expects of each column), its catalog, how its items are
generated, and its server starting and stopping. Its sites over HTTP: test_demo_sites.py; its firewalls,
stalls and failures: test_demo_outages.py. The served world's fixtures are in conftest.py.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

import monitor.demo
from monitor.demo import DemoServer, DemoWorld
from monitor.demo.catalog import burst_after_notice, last_on_time_day
from monitor.demo.items import missed_month_dates
from monitor.demo.units import MissedMonth
from tests.conftest import SERVED_DEMO_END

STATES = {"on_time", "due_soon", "late", "blank", "broken", "unreachable", "blocked"}


def test_catalog_parses_and_describes_the_world(world):
    cat = tomllib.loads(world.catalog_toml())
    units = cat["units"]
    columns = [(u["slug"], c) for u in units for c in u["columns"]]
    assert len(units) >= 9 and len(columns) >= 60
    assert cat["monitor"]["download_timeout"] == 3
    templates = set(cat["rules"])
    assert {"dynamic_2w", "notice_6m", "policy_20wd", "monthly_15d", "quarterly_15d", "annual_report", "standing"} <= templates
    for slug, c in columns:
        rule = c["rule"]
        assert rule in templates if isinstance(rule, str) else (rule.get("template") in templates or "kind" in rule)
        assert c["type"] in {"动态要闻", "通知公告", "政策文件", "人事", "规划计划", "财政预决算", "其他"}
        assert c["url"].startswith(next(u["site"] for u in units if u["slug"] == slug))
    assert any(isinstance(c["rule"], dict) and "template" in c["rule"] for _, c in columns)
    assert any(c.get("extract", {}).get("endpoint") for _, c in columns)
    assert any(c.get("extract", {}).get("browser") for _, c in columns)
    assert any(c["focus"] for _, c in columns)
    assert set(world.expected()) == {(slug, c["id"]) for slug, c in columns}


def test_expected_verdicts_of_the_scenario(world):
    exp = world.expected()
    assert all(v["state"] in STATES and v["why"] for v in exp.values())
    assert {k: (v["state"], v["notice"]) for k, v in exp.items() if (v["state"], v["notice"]) != ("on_time", None)
            and v["state"] not in ("unreachable", "blocked")} == {
        ("czj", "czsz"): ("on_time", "rectified"), ("scjgj", "gzdt"): ("late", "overdue"),
        ("scjgj", "tzgg"): ("on_time", "rectified"), ("scjgj", "zdxm"): ("blank", "overdue"),
        ("zrzyj", "zcwj"): ("late", "draft"), ("xq", "dsx_gzdt"): ("broken", None),
        ("jtj", "gzdt"): ("late", "issued"), ("hbj", "xzcf"): ("broken", None), ("wlj", "tzgg"): ("on_time", "rectified")}
    assert {exp[("swj", c.id)]["state"] for c in world.unit("swj").columns} == {"unreachable"}
    assert {exp[("rsj", c.id)]["state"] for c in world.unit("rsj").columns} == {"blocked"}
    assert {exp[("sfj", c.id)]["state"] for c in world.unit("sfj").columns} == {"blocked"}
    assert {c.id for c in world.unit("hbj").columns if exp[("hbj", c.id)]["state"] == "blocked"} == {"hjzl"}
    assert exp[("scjgj", "gzdt")]["late_from"] == world.at(-19)
    assert exp[("scjgj", "gzdt")]["notice_opened"] == world.at(-18)
    assert exp[("scjgj", "tzgg")]["notice_opened"] == world.at(-14)
    assert exp[("scjgj", "tzgg")]["rectified_on"] == world.at(-4)
    assert exp[("czj", "czsz")]["rectified_on"] == world.at(-2)
    assert exp[("jtj", "gzdt")]["late_from"] == world.at(-7) and exp[("jtj", "gzdt")]["notice_opened"] == world.at(-6)
    assert exp[("wlj", "tzgg")]["rectified_on"] == world.at(-14)  # by the burst, two days after the notice


def test_expected_signals_of_the_scenario(world):
    """Back-dating, a burst, re-posts, an empty item and a re-dated one, each in its own unit; nothing elsewhere."""
    signals = {k: {kind: len(urls) for kind, urls in v["signals"].items()} for k, v in world.expected().items()
               if v["signals"]}
    assert signals == {("zrzyj", "zcwj"): {"backdated": 2}, ("wlj", "tzgg"): {"burst": 8},
                       ("slj", "tzgg"): {"repost": 3, "empty_item": 1, "date_changed": 1}}
    assert burst_after_notice(world, world.unit("wlj").column("tzgg")) == world.at(-16)


def test_bursty_column_is_silent_five_weeks_then_posts_eight_items_in_two_days(world):
    col = world.unit("wlj").column("tzgg")
    posted = sorted(it.posted for it in col.items if it.posted > world.at(-49))
    assert posted[:8] == [world.at(-14)] * 4 + [world.at(-13)] * 4
    assert max(it.posted for it in col.items if it.posted < world.at(-14)) == world.at(-49)


def test_generation_is_deterministic_and_the_bundled_catalog_is_current(world):
    again = DemoWorld(SERVED_DEMO_END)  # default port 8700, as bundled
    for unit, other in zip(world.units, again.units):
        for col, col2 in zip(unit.columns, other.columns):
            assert [(i.title, i.posted, i.shown, i.path) for i in col.items] == \
                   [(i.title, i.posted, i.shown, i.path) for i in col2.items]
    bundled = Path(monitor.demo.__file__).with_name("catalog.toml").read_text(encoding="utf-8")
    assert bundled == again.catalog_toml()


def test_port_taken_is_a_clear_error(demo):
    world = demo[0]
    with pytest.raises(RuntimeError, match="cannot bind 127.0.0.11"):
        DemoServer(world).start()


def test_missed_month_is_posted_late(world):
    col = world.unit("czj").column("czsz")
    missed, due, _ = missed_month_dates(world.end, MissedMonth())
    report = next(it for it in col.items if it.period == missed)
    assert due <= world.at(-6) and report.posted == report.shown == world.at(-2)
    assert not [it for it in col.items if due < it.posted < world.at(-2)]


def test_on_time_columns_stay_on_time_every_day(world):
    """Scenario-free max_gap columns never come within warn_days of their deadline during S..E."""
    for unit in world.units:
        for col in unit.columns:
            if col.spec.scenario or col.rule["kind"] != "max_gap":
                continue
            for k in range(world.days):
                day = world.start + timedelta(days=k)
                newest = world.online(col, day)[0].shown
                assert (last_on_time_day(newest, col.rule["within"]) - day).days > 3, (unit.slug, col.id, day)
