"""The demo world's outages over real HTTP: firewalls (瑞数 412, WZWS redirect, 加速乐 521), a stalling site,
a soft 404, and a server that stops promptly while a request stalls.
"""

from __future__ import annotations

import threading
import time

import httpx

from monitor.extract import detect_challenge, read_list
from tests.conftest import list_dates, start_world, url


def test_firewall_from_e_minus_10(world, server, client):
    server.set_today(world.at(-11))
    assert client.get(url(world, "rsj", "/xxgk/gzdt/")).status_code == 200
    server.set_today(world.at(-10))
    for path in ("/xxgk/gzdt/", "/", "/robots.txt"):
        r = client.get(url(world, "rsj", path))
        assert r.status_code == 412 and "$_ts" in r.text and "location.reload()" in r.text and "<li" not in r.text


def test_timeouts_during_the_last_three_days(world):
    host = world.unit("swj").ip
    world.today = world.at(-3)
    assert world.respond(host, "/xxgk/gzdt/").delay_s == 0
    for day in (-2, -1, 0):
        world.today = world.at(day)
        assert world.respond(host, "/xxgk/gzdt/").delay_s == 30
    assert world.unit("swj").column("gzdt").items[0].shown == world.at(-17)


def test_stop_returns_promptly_while_a_request_stalls():
    world, server = start_world(first_ip=31)
    stalled = threading.Event()
    respond = world.respond

    def spy(*args, **kwargs):
        r = respond(*args, **kwargs)
        if r.delay_s:
            stalled.set()
        return r

    world.respond = spy
    errors: list[Exception] = []

    def fetch() -> None:
        try:
            httpx.get(world.url(world.unit("swj"), "/xxgk/gzdt/"), timeout=20, trust_env=False)
        except httpx.HTTPError as exc:
            errors.append(exc)

    thread = threading.Thread(target=fetch)
    thread.start()
    assert stalled.wait(5)
    t0 = time.monotonic()
    server.stop()
    thread.join(5)
    assert time.monotonic() - t0 < 2 and not thread.is_alive() and errors


def test_wzws_redirect_on_one_column_from_e_minus_8(world, server, client):
    path = world.unit("hbj").column("hjzl").path
    server.set_today(world.at(-9))
    assert list_dates(client.get(url(world, "hbj", path)).text)
    server.set_today(world.at(-8))
    first = client.get(url(world, "hbj", path))
    assert first.status_code == 302 and first.headers["location"].startswith("/WZWSREL")
    challenge = client.get(url(world, "hbj", path), follow_redirects=True)
    assert challenge.status_code == 200 and "wzwschallenge" in challenge.text and not list_dates(challenge.text)
    assert detect_challenge(challenge.status_code, challenge.content, dict(challenge.headers)) == "wzws"
    assert detect_challenge(302, b"", dict(first.headers)) == "wzws"
    assert list_dates(client.get(url(world, "hbj", "/xxgk/gzdt/")).text)  # the rest of the site is readable


def test_jiasule_521_from_e_minus_6(world, server, client):
    server.set_today(world.at(-7))
    assert client.get(url(world, "sfj", "/xxgk/gzdt/")).status_code == 200
    server.set_today(world.at(-6))
    for path in ("/xxgk/gzdt/", "/", "/robots.txt"):
        r = client.get(url(world, "sfj", path))
        assert r.status_code == 521 and "__jsluid_h=" in r.headers["set-cookie"]
        assert "__jsl_clearance" in r.text.replace("')+('", "") and "<li" not in r.text
        assert detect_challenge(r.status_code, r.content, dict(r.headers)) == "jiasule_521"


def test_soft_404_from_e_minus_6(world, server, client):
    path = world.unit("hbj").column("xzcf").path
    server.set_today(world.at(-7))
    assert list_dates(client.get(url(world, "hbj", path)).text)
    server.set_today(world.at(-6))
    r = client.get(url(world, "hbj", path))
    assert r.status_code == 200 and "页面不存在" in r.text and not list_dates(r.text)
    page = read_list(r.text, str(r.url), world.at(-6))
    assert page.soft_404 and not page.items
