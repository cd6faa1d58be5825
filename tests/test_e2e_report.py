"""End to end, the weekly report of the six-week demo run: late columns, health, inspection, signals."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest

from tests.conftest import REPO, signal_rows

pytestmark = pytest.mark.e2e


def test_report_lists_late_columns_and_health(demo_run, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "report", "--as-of", demo_run.end.isoformat(), "--config",
         str(demo_run.catalog), "--db", str(demo_run.db), "--out", str(tmp_path / "report")],
        capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "政务公开时效监测周报" in html
    for (unit, column), exp in demo_run.world.expected().items():
        if exp["state"] in ("late", "blank"):
            assert f'data-unit="{unit}" data-column="{column}"' in html
    assert 'id="health"' in html and "rsj" in html
    # the national inspection verdict per unit, with the indicator that failed
    assert 'id="inspection"' in html and '<tr data-unit="swj" data-result="fail">' in html
    assert "不合格（网站可用性）" in html and "不合格（发稿日期真实性）" in html
    assert html.count("<script") == 1 and "<script src" not in html  # only the inline table sorter runs
    assert (tmp_path / "report" / "notices.html").exists()
    # the week's faked-disclosure signals, each with its items linked
    week = [r for r in signal_rows(demo_run) if r["day"] >= (demo_run.end - timedelta(days=6)).isoformat()]
    assert week and 'id="signals"' in html and "疑似假公开、一阵风、为公开而公开" in html
    for r in week:
        assert f'data-unit="{r["unit"]}" data-column="{r["column_id"]}" data-kind="{r["kind"]}"' in html
        assert all(f'href="{i["url"]}"' in html for i in json.loads(r["items"]))
