"""Article pages: the 12 real pages against the README table, and the label rules on small pages."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from monitor.extract import ArticleDates, read_article

REAL_PAGES = Path(os.environ.get("REAL_PAGES") or Path(__file__).resolve().parents[2] / "shared" / "real-pages")
DETAIL_TRUTH: dict = json.loads((REAL_PAGES / "truth.json").read_text(encoding="utf-8"))["detail_pages"]


@pytest.fixture(scope="module")
def real_articles() -> dict[str, ArticleDates]:
    return {
        name: read_article((REAL_PAGES / name).read_text(encoding="utf-8"), truth["url"] or "")
        for name, truth in DETAIL_TRUTH.items()
    }


def _right(name: str, got: ArticleDates) -> bool:
    truth = DETAIL_TRUTH[name]
    if truth["pub_date"] is None:  # nothing shown: none, or the forced meta value
        return got.published in (None, date.fromisoformat(truth["pub_date_if_forced"]))
    return got.published == date.fromisoformat(truth["pub_date"])


@pytest.mark.parametrize("name", sorted(DETAIL_TRUTH))
def test_real_article_published(real_articles, name: str) -> None:
    assert _right(name, real_articles[name]), real_articles[name]


def test_real_articles_scoreboard(real_articles) -> None:
    right = sum(_right(name, got) for name, got in real_articles.items())
    print(f"\narticle pages: published date right {right}/{len(real_articles)}")
    assert right == len(real_articles) == 12


def test_govcn_gongbao_never_takes_the_page_generation_time(real_articles) -> None:
    got = real_articles["cn_detail_govcn_gongbao_1.html"]
    assert got.published != date(2023, 10, 23)
    assert date(2023, 10, 23) not in [d for _, d in got.candidates]
    assert date(2007, 6, 29) not in [d for _, d in got.candidates]  # the adoption date in the body


def test_wanzai_visible_date_beats_republished_meta(real_articles) -> None:
    got = real_articles["cn_detail_wanzai_county_1.html"]
    assert got.published == date(2017, 5, 15)
    assert got.conflict
    assert ("meta:PubDate", date(2022, 4, 24)) in got.candidates
    assert date(2023, 10, 11) not in [d for _, d in got.candidates]  # the header clock widget


def test_shanxi_ignores_the_stale_alt_attribute(real_articles) -> None:
    got = real_articles["cn_detail_shanxi_gov_1.html"]
    assert got.published == date(2019, 9, 18) and not got.conflict
    assert date(2017, 11, 8) not in [d for _, d in got.candidates]


@pytest.mark.parametrize("name", ["cn_detail_nfra_rendered_1.html", "cn_detail_nfra_rendered_2.html"])
def test_nfra_menu_dates_are_not_candidates(real_articles, name: str) -> None:
    dates = [d for _, d in real_articles[name].candidates]
    assert not {date(2025, 4, 27), date(2025, 4, 16), date(2025, 3, 18), date(2024, 7, 8)} & set(dates)


def test_jiangxi_labels(real_articles) -> None:
    assert real_articles["cn_detail_wanzai_county_2.html"].candidates[0] == ("visible:生成日期", date(2023, 5, 11))
    assert real_articles["cn_detail_yichun_xxgk_1.html"].candidates[0] == ("visible:发文日期", date(2023, 4, 18))


def test_kepu_bare_date_in_the_info_line(real_articles) -> None:
    got = real_articles["cn_detail_kepu_enorth_1.html"]
    assert got.candidates[0] == ("visible:info", date(2023, 12, 1))
    assert ("meta:enpproperty", date(2023, 12, 1)) in got.candidates and not got.conflict


def test_cmse_without_meta(real_articles) -> None:
    got = real_articles["cn_detail_cmse_vue_1.html"]
    assert got.published == date(2012, 6, 24) and not got.conflict


# ---------------------------------------------------------------- synthetic pages

def page(body: str, meta: str = "", title: str = "关于做好某项工作的通知") -> str:
    return f"<html><head><title>{title}_某某县人民政府</title>{meta}</head><body>{body}</body></html>"


XXGK_BOX = """<table class="xxgk">
<tr><td>索引号：</td><td>11360000/2024-00123</td><td>发布机构：</td><td>县政府办</td></tr>
<tr><td>成文日期：</td><td>2024-02-20</td><td>发布日期：</td><td>2024-03-05</td></tr>
</table><h1>关于做好某项工作的通知</h1><p>正文……二〇二四年二月二十日</p>"""


def test_metadata_table_published_and_written() -> None:
    got = read_article(page(XXGK_BOX, '<meta name="PubDate" content="2024-03-05 09:00">'), "http://x.gov.cn/a.html")
    assert (got.published, got.written, got.conflict) == (date(2024, 3, 5), date(2024, 2, 20), False)
    assert ("visible:成文日期", date(2024, 2, 20)) in got.candidates


def test_fawen_is_written_when_a_fabu_is_shown() -> None:
    body = "<div>发文日期：2024-01-10</div><div>发布日期：2024年1月15日</div>"
    got = read_article(page(body), "")
    assert (got.published, got.written) == (date(2024, 1, 15), date(2024, 1, 10))


def test_fawen_is_published_when_alone() -> None:
    got = read_article(page("<div>发文日期：2024-01-10</div>"), "")
    assert (got.published, got.written) == (date(2024, 1, 10), None)


def test_publish_time_line_under_the_title() -> None:
    body = "<h1>关于做好某项工作的通知</h1><div class='info'>来源：县政府办 发布时间：2024-03-05 10:30 浏览次数：12</div>"
    assert read_article(page(body), "").published == date(2024, 3, 5)


def test_label_and_date_in_separate_elements() -> None:
    body = "<dl><dt>发布日期</dt><dd><span>2024</span>-<span>03-05</span></dd></dl>"
    assert read_article(page(body), "").published == date(2024, 3, 5)


def test_the_first_shown_date_of_a_label_wins() -> None:
    body = "<p>发布日期：<b>2024-03-06</b></p><ul><li>相关文章 发布日期：2024-01-01</li></ul>"
    assert read_article(page(body), "").published == date(2024, 3, 6)


def test_a_label_without_a_date_next_to_it_is_skipped() -> None:
    body = "<p>发布日期：</p><p>这是正文第一段，内容很长很长很长很长很长。2020-01-01</p><p>时间：2024-03-07</p>"
    assert read_article(page(body), "").published == date(2024, 3, 7)


def test_other_labels_that_end_in_time_are_not_dates() -> None:
    body = "<div>留言时间：2025-04-27</div><div>作出处罚决定的日期：2024年7月8日</div><div>时间：2024-07-12</div>"
    got = read_article(page(body), "")
    assert got.published == date(2024, 7, 12)
    assert [d for _, d in got.candidates] == [date(2024, 7, 12)]


def test_meta_only_when_nothing_is_shown() -> None:
    meta = '<meta name="others" content="页面生成时间 2023-10-23 11:23:36"><meta name="PubDate" content="2024-03-05 10:00">'
    got = read_article(page("<h1>标题</h1><p>（2007年6月29日会议通过）</p>", meta), "")
    assert (got.published, got.conflict) == (date(2024, 3, 5), False)
    assert got.candidates == (("meta:PubDate", date(2024, 3, 5)),)


def test_visible_and_meta_disagree_is_a_conflict() -> None:
    got = read_article(page("<span>发布日期：2017-05-15</span>", '<meta name="PubDate" content="2022-04-24 10:00:43">'), "")
    assert got.published == date(2017, 5, 15) and got.conflict


def test_attributes_scripts_hidden_boxes_and_title_are_not_read() -> None:
    body = (
        '<span alt="时间：2017-11-08 20:26" title="发布日期：2016-01-01"><i>时间：</i>2019-09-18 06:23</span>'
        '<script>var s = "发布日期：2015-01-01";</script><div style="display:none">发布日期：2014-01-01</div>'
        '<div class="ng-hide">发布时间：2013-01-01</div>'
    )
    got = read_article(page(body, title="发布日期：2012-01-01"), "")
    assert got.published == date(2019, 9, 18)
    assert [d for _, d in got.candidates] == [date(2019, 9, 18)]


def test_nothing_at_all() -> None:
    got = read_article(page("<p>没有日期的页面</p>"), "")
    assert got == ArticleDates(None, None, (), False)
    assert read_article("", "").published is None


def test_full_width_and_chinese_forms() -> None:
    assert read_article(page("<p>发布日期：２０２４年３月５日</p>"), "").published == date(2024, 3, 5)
    assert read_article(page("<p>成文日期：二〇二四年二月二十日</p><p>发布日期：2024-03-05</p>"), "").written == date(2024, 2, 20)
