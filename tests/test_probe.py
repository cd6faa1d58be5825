"""Availability probes against real sites on 127.0.0.1, stored, and judged by `monitor inspect`."""

import json
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from conftest import REPO, serve_loopback
from monitor.clock import SHANGHAI
from monitor.config import load_catalog
from monitor.probe import probe_round, probe_rounds
from monitor.store import Store

SEEN_AGENTS: list[str] = []


class Sites(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        SEEN_AGENTS.append(self.headers.get("User-Agent", ""))
        if self.path.startswith("/stall/"):
            time.sleep(1.5)
        if self.path.startswith("/down/"):
            self._send(503, b"<html><body>Service Unavailable</body></html>")
        elif self.path.startswith("/ruishu/"):
            self._send(412, b"<html><head><script>$_ts=window['$_ts'];</script></head><body></body></html>")
        elif self.path.startswith("/moved/"):
            self.send_response(302)
            self.send_header("Location", "http://203.0.113.9/elsewhere")  # never followed
            self.end_headers()
        else:
            self._send(200, "<html><body><h1>某某局</h1><ul><li>信息</li></ul></body></html>".encode())

    def _send(self, status, body):
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def catalog(tmp_path: Path, port: int) -> Path:
    units = "\n".join(f"""
[[units]]
slug = "{slug}"
name = "{slug}局"
site = "http://127.0.0.1:{port}/{slug}/"
columns = [{{ id = "gzdt", name = "工作动态", url = "http://127.0.0.1:{port}/{slug}/gzdt/", rule = "长期" }}]
""" for slug in ("up", "down", "ruishu", "stall", "moved"))
    path = tmp_path / "catalog.toml"
    # a week of rounds is replayed at once on one host: the host gate would space them half the delay apart
    path.write_text(f'[monitor]\ncontact = "https://office.example.gov.cn/monitor"\ndownload_delay = 0.01\n{units}',
                    encoding="utf-8")
    return path


def test_each_outcome_is_recorded_with_its_time_in_shanghai(tmp_path):
    with serve_loopback(Sites, "127.0.0.1") as port:
        cat = load_catalog(catalog(tmp_path, port))
        store = Store(tmp_path / "m.db")
        at = datetime(2026, 11, 27, 9, 30, tzinfo=SHANGHAI)
        records = {r["unit"]: r for r in probe_round(cat, store, at=at, timeout=0.5)}
    assert {u: r["outcome"] for u, r in records.items()} == {
        "up": "ok", "down": "failed", "ruishu": "blocked", "stall": "failed", "moved": "ok"}
    assert records["down"]["error"] == "HTTP 503" and records["ruishu"]["error"] == "ruishu_412"
    assert records["stall"]["error"] == "0.5 秒内未打开" and records["stall"]["status"] is None
    assert records["up"]["at"] == "2026-11-27T09:30:00+08:00" and records["up"]["day"] == "2026-11-27"
    assert all("DisclosureMonitor/" in a and "office.example.gov.cn" in a for a in SEEN_AGENTS)
    rows = store.probe_days("down", date(2026, 11, 27), date(2026, 11, 27))
    assert rows == [{"day": "2026-11-27", "total": 1, "failed": 1, "blocked": 0}]
    assert store.count("probes") == 5


def test_a_week_of_probes_decides_availability_through_the_cli(tmp_path):
    with serve_loopback(Sites, "127.0.0.1") as port:
        path = catalog(tmp_path, port)
        cat = load_catalog(path)
        store = Store(tmp_path / "m.db")
        first = datetime(2026, 11, 21, 0, 30, tzinfo=SHANGHAI)
        times = [first + timedelta(days=d, minutes=72 * k) for d in range(7) for k in range(20)]
        probe_rounds(cat, store, times, units=["up", "down", "ruishu"], timeout=2)
        store.close()
    done = subprocess.run([sys.executable, "-m", "monitor", "inspect", "--json", "--as-of", "2026-11-28",
                           "--config", str(path), "--db", str(tmp_path / "m.db")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    verdicts = {v["unit"]: v for v in map(json.loads, done.stdout.splitlines())}
    availability = {u: next(i for i in v["indicators"] if i["key"] == "availability") for u, v in verdicts.items()}
    assert availability["up"]["state"] == "pass" and availability["up"]["figures"]["probes"] == 140
    assert availability["down"]["state"] == "fail" and availability["down"]["figures"]["fail_ratio"] == 1.0
    assert verdicts["down"]["result"] == "fail" and "网站可用性" in verdicts["down"]["words"]
    assert availability["ruishu"]["state"] == "unknown"  # blocked: no fact about citizens' access
    assert availability["stall"]["state"] == "unknown"  # never probed
    # the columns were never checked: nothing is judged stale or blank
    columns = next(i for i in verdicts["up"]["indicators"] if i["key"] == "columns")
    assert columns["state"] == "pass" and columns["figures"]["checked"] == 0
    stored = Store(tmp_path / "m.db").inspections(date(2026, 11, 28))
    assert {r["unit"]: r["result"] for r in stored}["down"] == "fail"


def test_probe_cli_exits_1_when_a_site_fails(tmp_path):
    with serve_loopback(Sites, "127.0.0.1") as port:
        path = catalog(tmp_path, port)
        done = subprocess.run([sys.executable, "-m", "monitor", "probe", "--units", "up,down", "--config", str(path),
                               "--db", str(tmp_path / "m.db")], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("up") and "正常" in lines[0] and "失败" in lines[1] and "HTTP 503" in lines[1]


def test_a_round_where_nearly_every_site_is_unreachable_is_the_monitors_failure(tmp_path):
    units = "\n".join(f"""
[[units]]
slug = "u{k}"
name = "单位{k}"
site = "http://127.0.0.1:1/u{k}/"
columns = [{{ id = "gzdt", name = "工作动态", url = "http://127.0.0.1:1/u{k}/gzdt/", rule = "长期" }}]
""" for k in range(4))
    path = tmp_path / "catalog.toml"
    path.write_text(units, encoding="utf-8")
    store = Store(tmp_path / "m.db")
    records = probe_round(load_catalog(path), store, at=datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI), timeout=2)
    assert {r["outcome"] for r in records} == {"monitor_error"} and "监测端网络故障" in records[0]["error"]
    day = store.probe_days("u0", date(2026, 11, 27), date(2026, 11, 27))
    assert day == [{"day": "2026-11-27", "total": 1, "failed": 0, "blocked": 1}]  # counted for no site
