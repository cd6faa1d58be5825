"""Article bodies: how much text, a fingerprint, attachments; a page is never called empty on a guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.extract import read_body
from tests.test_extract_article import DETAIL_TRUTH, REAL_PAGES

FRAME = """<html><head><title>关于开展调研的通知_某某局</title>{head}</head><body>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/xxgk/">政府信息公开</a></li></ul></div>
<div class="article"><h1>关于开展调研的通知</h1><div class="info">发布时间：2026-11-20 09:30　来源：某某局</div>
{content}</div>
<div class="footer"><p>主办单位：某某局　网站标识码：3310000001</p></div></body></html>"""
TEXT = "<p>为深入贯彻落实省委、省政府关于营商环境优化工作的决策部署，进一步提升工作质效，现将有关情况公布如下。</p>"


def page(content: str, head: str = "") -> str:
    return FRAME.format(content=content, head=head)


def test_text_in_a_known_content_box_is_counted_and_fingerprinted():
    body = read_body(page(f'<div id="zoom">{TEXT}</div>'))
    assert body.box == "id:zoom" and body.chars > 40 and body.sha256 and body.attachments == 0
    spaced = read_body(page(f'<div class="TRS_Editor">{TEXT.replace("，", "， ")}\n\n</div>'))
    assert spaced.sha256 == body.sha256  # spacing and width forms do not make another document


def test_an_empty_box_is_empty_and_an_attachment_only_body_is_not():
    empty = read_body(page('<div id="zoom"></div>'))
    assert (empty.chars, empty.sha256, empty.attachments) == (0, None, 0)
    pdf = read_body(page('<div id="zoom"><p><a href="/xxgk/P0123.pdf">名单.pdf</a></p></div>'))
    assert pdf.attachments >= 1
    image = read_body(page('<div id="zoom"><img src="/xxgk/scan.jpg"></div>'))
    assert image.chars == 0 and image.attachments == 1
    words = read_body(page('<div id="zoom"><p>详见附件。</p></div>'))  # the link is elsewhere or by script
    assert words.attachments >= 1


def test_an_empty_box_filled_by_script_or_with_text_elsewhere_is_unknown():
    script = '<script>$.get("/api/doc", function (d) { $("#zoom").html(d.body); });</script>'
    assert read_body(page('<div id="zoom"></div>', head=script)).chars is None
    elsewhere = page(f'<div id="zoom"></div><div class="main-text">{TEXT * 3}</div>')
    assert read_body(elsewhere).chars is None


def test_without_a_known_box_only_a_substantial_block_counts():
    assert read_body(page(f'<div class="wenzhang">{TEXT * 3}</div>')).box == "largest block"
    nothing = read_body(page('<div class="wenzhang"><p>短</p></div>'))
    assert (nothing.chars, nothing.sha256, nothing.box) == (None, None, "")


@pytest.mark.parametrize("name", sorted(DETAIL_TRUTH))
def test_no_real_article_page_is_called_empty(name: str):
    body = read_body((REAL_PAGES / name).read_text(encoding="utf-8"))
    assert body.chars is None or body.chars >= 100, (name, body)


def test_real_pages_bodies_are_found_for_most(capsys):
    found = [n for n in DETAIL_TRUTH if read_body((Path(REAL_PAGES) / n).read_text(encoding="utf-8")).chars]
    assert len(found) >= 10, found


def test_attachments_named_in_a_query_or_a_link_text_and_bodies_filled_by_script_are_never_empty():
    from monitor.extract.body import read_body

    hanweb = """<html><body><div class="article"><h1>关于公布名单的通知</h1><div id="zoom">
      <p><a href="/module/download/downfile.jsp?classid=0&filename=2611271530.pdf">名单</a></p></div></div></body></html>"""
    assert read_body(hanweb).attachments >= 1
    scripted = """<html><body><div class="article"><h1>关于开展检查的通知</h1><div id="zoom"><p>2026-11-27</p></div>
      <script>document.getElementById('zoom').innerHTML += window.CONTENT;</script></div></body></html>"""
    assert read_body(scripted).chars is None  # unknown, not empty
