"""The fault world (monitor.demo.faults), swept for real: each way a site can fail is recorded as what it is,
the sweep finishes, the healthy units beside the faults read as if alone, and no notice is ever raised.

Three sweeps of the daily job, E-2 (every site whole), E-1 and E (faults in force): a fault misread as a page
would make a column empty or late on two sweeps running, which is what opens a notice. docs/faults.md is the
table this file holds the monitor to.
"""

from __future__ import annotations

import json
import re
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from monitor.demo.faults import FAULTS, HEALTHY, OFFSITE_PATH, FaultWorld
from monitor.demo.server import DemoServer
from tests.conftest import REPO, free_port

E = date(2026, 11, 27)
DAYS = (-2, -1, 0)
VERDICT_OF = {"ok": "on_time", "unreachable": "unreachable", "blocked": "blocked", "not_found": "broken",
              "broken": "broken"}


@dataclass
class FaultRun:
    world: FaultWorld
    db: Path
    sweeps: list[tuple[str, subprocess.CompletedProcess, float]]  # (day, process, seconds)

    def __repr__(self) -> str:
        return f"FaultRun({self.db})"

    def rows(self, sql: str, *args: object) -> list[tuple]:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory) -> FaultRun:
    out = tmp_path_factory.mktemp("faults")
    port = free_port([f"127.0.0.{100 + i}" for i in range(len(HEALTHY) + len(FAULTS))])
    world = FaultWorld(end=E, port=port, tls_dir=out / "tls")
    catalog, db = out / "catalog.toml", out / "monitor.db"
    catalog.write_text(world.catalog_toml(), encoding="utf-8")
    env = {**os.environ, "SSL_CERT_FILE": str(out / "tls" / "ca.pem")}  # the test CA stands for the public ones
    sweeps = []
    for offset in DAYS:
        world.today = world.at(offset)
        with DemoServer(world):  # started afresh each day: f_refused stops listening at E-1
            began = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "monitor", "sweep", "--as-of", world.today.isoformat(),
                                   "--config", str(catalog), "--db", str(db), "--quiet"],
                                  capture_output=True, text=True, cwd=REPO, env=env, timeout=600)
            sweeps.append((world.today.isoformat(), proc, time.monotonic() - began))
            (out / f"sweep-{world.today}.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    return FaultRun(world, db, sweeps)


def test_every_sweep_finishes(fault_run: FaultRun) -> None:
    for day, proc, seconds in fault_run.sweeps:
        assert proc.returncode == 0, f"{day}: {proc.stderr[-3000:]}"
        print(f"sweep {day}: {seconds:.1f} s")
    statuses = fault_run.rows("select as_of, status from sweeps order by id")
    assert statuses == [(d, "finished") for d, _, _ in fault_run.sweeps]


def test_before_the_faults_every_site_reads_whole(fault_run: FaultRun) -> None:
    first = fault_run.world.at(DAYS[0]).isoformat()
    checks = fault_run.rows("select unit, column_id, outcome, detail from checks where day = ?", first)
    assert len(checks) == 2 * (len(FAULTS) + len(HEALTHY))
    assert [c for c in checks if c[2] != "ok"] == []  # f_tls too: a valid certificate from the trusted CA
    assert {u for u, _, _, _ in checks} >= {f.slug for f in FAULTS}
    assert {s for (s,) in fault_run.rows("select state from verdicts where day = ?", first)} == {"on_time"}


@pytest.mark.parametrize("fault", FAULTS, ids=[f.slug for f in FAULTS])
def test_each_fault_is_recorded_as_what_it_is(fault_run: FaultRun, fault) -> None:
    for offset in DAYS:
        if offset < fault.since:
            continue
        day = fault_run.world.at(offset).isoformat()
        checks = fault_run.rows("select column_id, outcome, detail from checks where unit = ? and day = ?",
                                fault.slug, day)
        assert sorted(c for c, _, _ in checks) == ["gzdt", "tzgg"], (day, checks)
        for column, outcome, detail in checks:
            assert outcome == fault.outcome, (day, column, outcome, detail)
            assert fault.words in detail, (day, column, detail)
        verdicts = dict(fault_run.rows("select column_id, state from verdicts where unit = ? and day = ?",
                                       fault.slug, day))
        assert verdicts == {"gzdt": VERDICT_OF[fault.outcome], "tzgg": VERDICT_OF[fault.outcome]}, day
        # every fetch of the unit that day left a record, each with an outcome
        fetches = fault_run.rows("select f.kind, f.outcome, f.status, f.error from fetches f join sweeps s on s.id = f.sweep_id"
                                 " where f.unit = ? and s.as_of = ?", fault.slug, day)
        assert fetches and all(outcome for _, outcome, _, _ in fetches)
        first_lists = [f for f in fetches if f[0] == "list"]
        assert first_lists and all(f[1] == fault.outcome for f in first_lists if fault.outcome != "ok")


def test_pages_that_can_be_read_are_read_whole(fault_run: FaultRun) -> None:
    """Broken bytes, a cut-off page and tag soup still give the list's items and its newest date."""
    world, day = fault_run.world, fault_run.world.at(0)
    for slug in ("f_badenc", "f_cut", "f_tagsoup"):
        column = world.unit(slug).column("gzdt")
        newest = max(it.shown for it in world.online(column, day))
        items, read_newest = fault_run.rows("select items_found, newest_date from checks where unit = ? and"
                                            " column_id = 'gzdt' and day = ?", slug, day.isoformat())[0]
        assert items >= 8 and read_newest == newest.isoformat(), slug


def test_a_skewed_clock_is_not_taken_at_its_word(fault_run: FaultRun) -> None:
    """Dates 400 days ahead are not believed: the items count from when they were first seen, and the
    verdict's evidence lists them as dated in the future for a person to see."""
    day = fault_run.world.at(0).isoformat()
    for column in ("gzdt", "tzgg"):
        state, newest, evidence = fault_run.rows(
            "select state, newest_published, evidence from verdicts where unit = 'f_skew' and column_id = ?"
            " and day = ?", column, day)[0]
        future = json.loads(evidence)["future_dated"]
        assert state == "on_time" and future and all(f["published"] > day for f in future), column
        assert all(f["first_seen"] == fault_run.world.at(DAYS[0]).isoformat() for f in future)
        assert json.loads(evidence)["newest"]["effective"] <= day < newest  # the claimed date kept, not believed


def test_healthy_units_are_unaffected(fault_run: FaultRun) -> None:
    world = fault_run.world
    for offset in DAYS:
        day = world.at(offset)
        for slug in HEALTHY:
            for column in world.unit(slug).columns:
                outcome, newest = fault_run.rows("select outcome, newest_date from checks where unit = ? and"
                                                 " column_id = ? and day = ?", slug, column.id, day.isoformat())[0]
                assert outcome == "ok" and newest == max(it.shown for it in world.online(column, day)).isoformat()
        states = {s for (s,) in fault_run.rows("select state from verdicts where unit in (?, ?) and day = ?",
                                               *HEALTHY, day.isoformat())}
        assert states == {"on_time"}


def test_no_notice_is_raised(fault_run: FaultRun) -> None:
    assert fault_run.rows("select unit, column_id, kind, state from notices") == []
    lagging = fault_run.rows("select unit, column_id, day, state from verdicts where state in ('late', 'blank')")
    assert lagging == []


def test_nothing_is_fetched_off_the_catalog(fault_run: FaultRun) -> None:
    """Redirects to another host, a private address, file: or javascript: are recorded, never followed."""
    assert [p for _, p in fault_run.world.requests if p.startswith(OFFSITE_PATH)] == []
    for slug, target in (("f_file", "file:///etc/passwd"), ("f_jsurl", "javascript:"),
                         ("f_private", "http://192.168.1.1/"), ("f_offsite", OFFSITE_PATH)):
        errors = fault_run.rows("select error from fetches where unit = ? and outcome = 'broken'", slug)
        assert errors and all(e.startswith("OffsiteHost: redirected outside the site") and target in e
                              for (e,) in errors), slug


def test_the_docs_table_is_the_fault_world() -> None:
    """docs/faults.md lists every fault of the world with the outcome this file holds the monitor to."""
    text = (REPO / "docs" / "faults.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]+ \| `(f_\w+)` \| (\w+) \|", text, re.M)
    assert dict(rows) == {f.slug: f.outcome for f in FAULTS} and len(rows) == len(FAULTS)
