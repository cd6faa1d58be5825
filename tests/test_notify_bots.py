"""DingTalk and WeCom group bots get a notice's message: apprise posts them to https://oapi.dingtalk.com and
https://qyapi.weixin.qq.com. Nothing is patched: the test runs an HTTPS proxy on 127.0.0.1 (``HTTPS_PROXY``, as an
office behind an outbound proxy would set it) that answers CONNECT for those two hosts only, with a certificate
from a CA made for the test (``REQUESTS_CA_BUNDLE``), and records what the real plugins send. Nothing leaves the
machine."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from socketserver import StreamRequestHandler, ThreadingTCPServer
from urllib.parse import parse_qs, quote, urlsplit

from monitor.config import load_catalog
from monitor.demo.tls import TestCA
from monitor.notify import deliver, queue_for_day
from monitor.store import Store
from tests.test_notify import D1, T0, issued


BOT_HOSTS = {"oapi.dingtalk.com:443", "qyapi.weixin.qq.com:443"}


@contextmanager
def bot_proxy(cert: tuple[Path, Path]) -> Iterator[tuple[int, list]]:
    """An HTTPS proxy on 127.0.0.1 standing in for the two bot services: CONNECT to them only (anything else
    is refused), TLS with the test CA's certificate, each POST recorded; it never connects out. A key or
    token containing 'bad' gets HTTP 500."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert)
    seen: list = []

    class Bot(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"host": self.server_host, "path": self.path, "body": body, "at": time.monotonic()})
            bad = "bad" in self.path.lower()
            reply = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
            self.send_response(500 if bad else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    class Proxy(StreamRequestHandler):
        def handle(self):
            method, target, _ = self.rfile.readline().decode("latin-1").split()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            if method != "CONNECT" or target not in BOT_HOSTS:
                seen.append({"refused": f"{method} {target}"})
                self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            tls = context.wrap_socket(self.connection, server_side=True)
            handler = type("BotFor", (Bot,), {"server_host": target})
            handler(tls, self.client_address, self.server)

    ThreadingTCPServer.allow_reuse_address = True
    server = ThreadingTCPServer(("127.0.0.1", 0), Proxy)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


def test_dingtalk_and_wecom_bots_get_the_message_through_a_local_https_proxy(tmp_path, monkeypatch):
    token, secret, key = "dt0token0abc123", "SECf00ba4", "wecom-key-42"
    path = tmp_path / "catalog.toml"
    path.write_text(f"""
[notices]
office = ["wecombot://{key}"]

[rules.m]
kind = "max_gap"
within = {{ n = 14, unit = "day" }}

[[units]]
slug = "fgw"
name = "市发展和改革委员会"
site = "http://127.0.0.1:9/"
contacts = ["dingtalk://{secret}@{token}/", "wecombot://bad-key-7"]
columns = [{{ id = "gzdt", name = "工作动态", url = "http://127.0.0.1:9/gzdt/", rule = "m" }}]
""", encoding="utf-8")
    catalog = load_catalog(path)
    store = Store(tmp_path / "monitor.db")
    store.record_catalog(catalog)
    notice_id = issued(store, catalog, "fgw", "gzdt", "最新信息发布于2026-10-01，已超过14天未更新")
    ca = TestCA(tmp_path)
    with bot_proxy(ca.issue("bots", ["oapi.dingtalk.com", "qyapi.weixin.qq.com"])) as (port, seen):
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.path))
        for name in ("https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "CURL_CA_BUNDLE"):
            monkeypatch.delenv(name, raising=False)
        queue_for_day(store, catalog, D1, now=T0)
        started = time.monotonic()
        done = {a.target: a for a in deliver(store, catalog, now=T0)}
        elapsed = time.monotonic() - started
    assert not [s for s in seen if "refused" in s]
    posts = {s["host"]: s for s in seen}
    assert set(posts) == BOT_HOSTS
    subject = "【政务公开督办】督办〔2026〕1号 市发展和改革委员会“工作动态”栏目未按时公开"
    # DingTalk: a text message, the title on the first line, signed with the bot's secret
    ding = posts["oapi.dingtalk.com:443"]
    url = urlsplit(ding["path"])
    query = parse_qs(url.query)
    assert url.path == "/robot/send" and query["access_token"] == [token]
    assert ding["body"]["msgtype"] == "text"
    content = ding["body"]["text"]["content"]
    assert content.startswith(subject + "\r\n市发展和改革委员会：") and "整改时限：2026年11月30日前" in content
    expected = base64.b64encode(hmac.new(secret.encode(), f"{query['timestamp'][0]}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    # apprise 2.3 URL-encodes the signature itself and then requests encodes it again: decoded once (as the
    # receiving server does) it is still percent-encoded. docs/catalog.md advises the keyword 督办 instead.
    assert query["sign"] == [quote(expected, safe="")]
    # WeCom: one text message (the title joined to the body), within the bot's 2048 bytes
    wecom = [s for s in seen if s.get("host") == "qyapi.weixin.qq.com:443"]
    office = [s for s in wecom if f"key={key}" in s["path"]]
    assert len(office) == 1 and office[0]["path"] == f"/cgi-bin/webhook/send?key={key}"
    text = office[0]["body"]["text"]["content"]
    assert office[0]["body"]["msgtype"] == "text" and subject in text and "存在问题：" in text
    assert len(text.encode("utf-8")) <= 2048
    # a bot answering 500 fails, recorded without its key; the others are sent
    statuses = {target.split("://")[0] + ("-bad" if "b...7" in target else ""): a.status for target, a in done.items()}
    assert statuses == {"dingtalk": "sent", "wecombot": "sent", "wecombot-bad": "pending"}
    stored = json.dumps(store.deliveries(), ensure_ascii=False)
    for secret_text in (token, secret, key, "bad-key-7"):
        assert secret_text not in stored
    bad = [d for d in store.deliveries() if d["target"] == "wecombot://b...7/"]
    assert bad and "500" in bad[0]["last_error"] and bad[0]["attempts"] == 1
    print(f"\nbots via local HTTPS proxy: {len(done)} messages in {elapsed:.2f} s")
    assert notice_id
