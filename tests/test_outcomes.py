"""Classifying fetches: only a page actually read can be judged; the rest is the network's or the monitor's."""

import pytest
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError
from scrapy.exceptions import IgnoreRequest

from monitor.outcomes import classify_failure, classify_status
from spiders.middlewares import HostDown, OffsiteHost


@pytest.mark.parametrize("status, outcome", [
    (200, "ok"), (404, "not_found"), (410, "not_found"), (403, "blocked"), (412, "blocked"), (521, "blocked"),
    (500, "unreachable"), (502, "unreachable"), (503, "unreachable"), (400, "broken"),
])
def test_status_codes(status, outcome):
    assert classify_status(status, None)[0] == outcome


def test_a_firewall_challenge_is_blocked_whatever_the_status():
    outcome, detail = classify_status(200, "wzws")
    assert outcome == "blocked" and "wzws" in detail


@pytest.mark.parametrize("exc", [TCPTimedOutError(), ConnectionRefusedError(), DNSLookupError()])
def test_network_failures_are_unreachable(exc):
    assert classify_failure(exc)[0] == "unreachable"


def test_a_host_already_down_is_unreachable_and_says_it_was_not_asked_again():
    outcome, detail = classify_failure(HostDown("127.0.0.16: 超时"))
    assert outcome == "unreachable" and "未再请求" in detail


@pytest.mark.parametrize("exc", [OffsiteHost("x"), IgnoreRequest("x")])
def test_requests_not_sent_are_the_monitors_problem(exc):
    assert classify_failure(exc)[0] == "broken"


class _Spider:
    allowed_netlocs = {("127.0.0.11", 80), ("127.0.0.12", 80)}
    down_hosts = {"127.0.0.12": "超时"}


@pytest.mark.parametrize("url, error", [
    ("http://127.0.0.13/x", OffsiteHost),  # not a configured host, even with dont_filter
    ("file:///etc/passwd", OffsiteHost),
    ("ftp://127.0.0.11/x", OffsiteHost),
    ("http://127.0.0.11:8080/admin", OffsiteHost),  # a configured host, another port
    ("http://127.0.0.12/x", HostDown),
])
def test_host_guard_refuses_what_the_catalog_does_not_allow(url, error):
    from scrapy import Request

    from spiders.middlewares import HostGuard

    with pytest.raises(error):
        HostGuard().process_request(Request(url, dont_filter=True), _Spider())
    assert HostGuard().process_request(Request("http://127.0.0.11/ok"), _Spider()) is None


def test_verdict_lines_carry_no_terminal_escapes_from_scraped_titles():
    from spiders.extensions import format_verdict_line

    line = format_verdict_line("gzdt", "工作动态", "late", "最新信息《\x1b[2J\x1b]0;pwned\x07》", None)
    assert "\x1b" not in line and "\x07" not in line and "工作动态" in line


@pytest.mark.parametrize("a, b, same", [
    ("www.fgw.beijing.gov.cn", "fgw.beijing.gov.cn", True), ("fgw.beijing.gov.cn", "www.beijing.gov.cn", True),
    ("beijing.gov.cn", "shanghai.gov.cn", False),  # gov.cn is a public suffix: two sites
    ("a.example.com.cn", "b.example.com.cn", True), ("127.0.0.11", "127.0.0.11", True),
    ("127.0.0.11", "127.0.0.12", False), ("192.168.1.1", "fgw.beijing.gov.cn", False),
])
def test_same_site_is_the_registrable_domain_or_the_same_address(a, b, same):
    from monitor.sites import same_site

    assert same_site(a, b) is same


def test_a_redirect_may_stay_on_its_site_but_a_request_must_be_configured():
    from monitor.sites import may_fetch

    allowed = frozenset({("fgw.beijing.gov.cn", 80)})
    assert may_fetch("https://fgw.beijing.gov.cn/xxgk/", allowed, redirected=True)  # http → https
    assert not may_fetch("https://fgw.beijing.gov.cn/xxgk/", allowed, redirected=False)
    assert may_fetch("http://www.beijing.gov.cn/fgw/", allowed, redirected=True)
    assert may_fetch("http://fgw.beijing.gov.cn:8080/", allowed, redirected=True)  # the same host, another port
    for url in ("http://192.168.1.1/", "file:///etc/passwd", "javascript:alert(1)", "ftp://fgw.beijing.gov.cn/",
                "http://fgw.beijing.gov.cn.evil.com/", "data:text/html,x", "http://user:pw@fgw.beijing.gov.cn/",
                "http://fgw.beijing.gov.cn:99999/", "http://www.beijing.gov.cn:6379/"):
        assert not may_fetch(url, allowed, redirected=True), url


def test_a_redirect_without_a_location_is_the_sites_failure_not_a_refused_request():
    from scrapy.http import Response
    from scrapy.spidermiddlewares.httperror import HttpError

    outcome, detail = classify_failure(HttpError(Response("http://127.0.0.11/x/", status=302), "Ignoring"))
    assert outcome == "unreachable" and "HTTP 302" in detail and "请求未发出" not in detail
