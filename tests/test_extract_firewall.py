"""Firewall challenge pages and the GBK encoding fix."""

from __future__ import annotations

import pytest

from monitor.extract import declared_encoding_fix, detect_challenge

RUISHU = (
    b'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b'<meta id="9DhefwqGPrzGxEp9hPaoag" content="' + b"x" * 60 + b'" r=\'m\'>'
    b"<script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;$_ts.cd=\"qqqq\";</script>"
    b'<script type="text/javascript" r=\'m\' src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js"></script>'
    b"</head><body></body></html>"
)
JIASULE = (
    b"<html><body><script>document.cookie=('_')+('_j')+('sl_clearance')+('=1700000000.123|0|abc');"
    b"location.href=location.pathname+location.search</script></body></html>"
)
WZWS = b'<html><body><script>var wzwschallenge="RANDOMSTR";var wzwschallengex="x";</script></body></html>'


@pytest.mark.parametrize(
    "status, body, headers, expected",
    [
        (412, RUISHU, None, "ruishu_412"),
        (412, RUISHU.decode(), None, "ruishu_412"),
        (202, RUISHU, None, "ruishu_412"),
        (521, JIASULE, {"Set-Cookie": "__jsluid_h=abc; path=/"}, "jiasule_521"),
        (521, JIASULE, None, "jiasule_521"),
        (200, WZWS, None, "wzws"),
        (302, b"", {"Location": "/WZWSREL2luZGV4Lmh0bWw=?wzwsconfirm=abc"}, "wzws"),
        (302, b"", {"location": "http://x.gov.cn/WZWSRELL3h4Z2sv"}, "wzws"),
    ],
)
def test_challenges(status: int, body: bytes | str, headers: dict[str, str] | None, expected: str) -> None:
    assert detect_challenge(status, body, headers) == expected


@pytest.mark.parametrize(
    "status, body, headers",
    [
        (200, b"<html><body><ul><li><a href='/a.html'>title</a></li></ul><script>var x=1;</script></body>", None),
        (404, b"<html><body>Not Found</body></html>", None),
        (412, b"", None),  # a bare 412 (precondition failed) is not a challenge page
        (521, b"", None),  # nor is an empty 521 (origin down behind a CDN)
        (302, b"", {"Location": "http://x.gov.cn/xxgk/index.html"}),
        (500, b"<html><script>alert(1)</script></html>", None),
    ],
)
def test_not_challenges(status: int, body: bytes, headers: dict[str, str] | None) -> None:
    assert detect_challenge(status, body, headers) is None


GBK_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>通知公告</title></head>'
    "<body><ul><li><a href='/a.html'>关于做好政府信息公开工作的通知</a><span>2024-03-05</span></li></ul></body></html>"
).encode("gbk")


@pytest.mark.parametrize("header", ["utf-8", "UTF8", "iso-8859-1", "latin-1", "windows-1252"])
def test_gbk_page_with_a_wrong_header_is_decoded_as_gb18030(header: str) -> None:
    fix = declared_encoding_fix(GBK_PAGE, header)
    assert fix == "gb18030"
    assert "关于做好政府信息公开工作的通知" in GBK_PAGE.decode(fix)


@pytest.mark.parametrize("meta", ["charset=gbk", "charset=GB18030", "charset=GBK"])
def test_other_gb_declarations(meta: str) -> None:
    body = f'<html><head><meta http-equiv="Content-Type" content="text/html; {meta}"></head><body>政府</body></html>'
    assert declared_encoding_fix(body.encode("gbk"), "utf-8") == "gb18030"


def test_html5_meta_charset() -> None:
    body = '<html><head><meta charset="gb2312"></head><body>政府信息公开</body></html>'.encode("gbk")
    assert declared_encoding_fix(body, "iso-8859-1") == "gb18030"


@pytest.mark.parametrize("header", [None, "gbk", "gb2312", "GB18030"])
def test_no_fix_when_the_header_agrees_or_is_silent(header: str | None) -> None:
    assert declared_encoding_fix(GBK_PAGE, header) is None


def test_no_fix_for_utf8_pages() -> None:
    body = '<html><head><meta charset="utf-8"></head><body>政府信息公开</body></html>'.encode()
    assert declared_encoding_fix(body, "iso-8859-1") is None


def test_no_fix_when_the_body_is_really_utf8_despite_a_gb_meta() -> None:
    body = '<html><head><meta charset="gb2312"></head><body>政府信息公开</body></html>'.encode()
    assert declared_encoding_fix(body, "utf-8") is None


def test_a_real_page_carrying_the_ruishu_script_is_not_a_challenge() -> None:
    """Behind 瑞数 a page that got through still carries its script; it has text, so it is read."""
    body = RUISHU.replace(b"<body></body>", "<body><h1>关于做好政府信息公开工作的通知</h1><p>{}</p></body>".format(
        "各单位：为进一步做好政府信息公开工作，现就有关事项通知如下。" * 5).encode())
    assert detect_challenge(200, body) is None
    assert detect_challenge(200, RUISHU) == "ruishu_412"
