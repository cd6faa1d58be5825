"""Dates in every form the sites write them, dates without a year, and dates inside URLs."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.extract import date_from_url, parse_date
from monitor.extract.dates import find_date, is_date_text

TODAY = date(2024, 6, 15)


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-05",
        "[2024-03-05]",
        "【2024-03-05】",
        "(2024-03-05)",
        "2024年03月05日",
        "2024年3月5日",
        "2024 年 3 月 5 日",
        "2024/3/5",
        "2024/03/05",
        "2024.03.05",
        "2024-3-5",
        "发布日期：2024-03-05 10:30",
        "发布时间:2024-03-05 10:30:59",
        "２０２４－０３－０５",
        "２０２４年３月５日",
        "二〇二四年三月五日",
        "2024-03-05T10:30:00+08:00",
        "20240305",
        "05 2024-03",
        "2024-03 05",
    ],
)
def test_every_written_form(text: str) -> None:
    assert parse_date(text, TODAY) == date(2024, 3, 5)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("二〇二三年十二月三十一日", date(2023, 12, 31)),
        ("二〇二〇年十月十日", date(2020, 10, 10)),
        ("2007-08-20-23:59:59", date(2007, 8, 20)),  # www.gov.cn firstpublishedtime
        ("2023-12-01 14:43:00:0", date(2023, 12, 1)),  # enorth enpproperty
        ("来源：新华社 2023-12-01", date(2023, 12, 1)),
    ],
)
def test_other_forms(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("value", [1709568000, 1709568000000, "1709568000", "1709568000000", 1709568000.0])
def test_epoch_seconds_and_milliseconds_in_china_time(value: int | str | float) -> None:
    assert parse_date(value) == date(2024, 3, 5)


def test_epoch_just_after_midnight_in_china_is_that_day() -> None:
    # 2024-03-04 16:30 UTC is 2024-03-05 00:30 in Beijing
    assert parse_date(1709569800) == date(2024, 3, 5)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "hello", "2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024年3月", "第2024期",
     "1-10月德清县固定资产投资", "0000-01-01", "1800-01-01", "99999999999999", "12345678"],
)
def test_no_date_or_no_real_date_gives_none(text: str) -> None:
    assert parse_date(text, TODAY) is None


def test_none_and_bool_give_none() -> None:
    assert parse_date(None) is None
    assert parse_date(True) is None  # type: ignore[arg-type]


def test_leap_day_is_a_real_date() -> None:
    assert parse_date("2024-02-29") == date(2024, 2, 29)


class TestYearless:
    def test_takes_the_year_of_today_when_not_in_the_future(self) -> None:
        assert parse_date("03-05", TODAY) == date(2024, 3, 5)
        assert parse_date("3月5日", TODAY) == date(2024, 3, 5)
        assert parse_date("06/15", TODAY) == date(2024, 6, 15)

    def test_never_in_the_future(self) -> None:
        assert parse_date("06-16", TODAY) == date(2023, 6, 16)
        assert parse_date("12-01", TODAY) == date(2023, 12, 1)

    def test_december_items_read_in_january_belong_to_last_year(self) -> None:
        jan = date(2024, 1, 3)
        assert parse_date("12-28", jan) == date(2023, 12, 28)
        assert parse_date("12-31", jan) == date(2023, 12, 31)
        assert parse_date("01-02", jan) == date(2024, 1, 2)
        assert parse_date("01-03", jan) == date(2024, 1, 3)
        assert parse_date("01-04", jan) == date(2023, 1, 4)

    def test_january_items_read_on_new_years_eve(self) -> None:
        assert parse_date("01-02", date(2023, 12, 31)) == date(2023, 1, 2)

    def test_leap_day_goes_back_to_the_last_leap_year(self) -> None:
        assert parse_date("02-29", date(2025, 3, 1)) == date(2024, 2, 29)

    def test_impossible_day_is_none(self) -> None:
        assert parse_date("02-30", TODAY) is None
        assert parse_date("13-01", TODAY) is None

    def test_without_today_there_is_no_year(self) -> None:
        assert parse_date("03-05") is None

    def test_a_full_date_wins_over_a_yearless_one(self) -> None:
        assert parse_date("03-05 2023-01-01", TODAY) == date(2023, 1, 1)


class TestDateCell:
    """``is_date_text`` tells a date cell from a title that mentions a date."""

    @pytest.mark.parametrize("text", ["2024-03-05", "[2024-03-05]", "发布日期：2024-03-05 10:30", "(03-05)"])
    def test_cells(self, text: str) -> None:
        assert is_date_text(text, TODAY) is not None

    @pytest.mark.parametrize(
        "text", ["关于2024年3月5日全市停水安排的通知及相关事项说明", "2024年第一季度工作情况", "无日期"]
    )
    def test_titles_are_not_cells(self, text: str) -> None:
        assert is_date_text(text, TODAY) is None

    def test_find_date_reports_the_span(self) -> None:
        hit = find_date("发布日期：2024-03-05")
        assert hit is not None and hit[0] == date(2024, 3, 5)
        assert "发布日期:2024-03-05"[hit[1]:hit[2]] == "2024-03-05"


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://x.gov.cn/xxgk/202403/t20240305_123456.html", date(2024, 3, 5)),
        ("./202009/t20200903_2748784.html", date(2020, 9, 3)),
        ("https://www.cma.org.cn/art/2025/10/29/art_4584_60353.html", date(2025, 10, 29)),
        ("http://www.kepu.gov.cn/politics/2023-12/01/content_1755244.html", date(2023, 12, 1)),
        ("http://www.gov.cn/zhengce/content/2024-03/05/content_6936543.htm", date(2024, 3, 5)),
        ("http://x.gov.cn/news/20240305/abc.html", date(2024, 3, 5)),
        ("http://x.gov.cn/wzxrmzf/tjgb/201705/9c059bf058ef4db8b3c8f920e22186fe.shtml", date(2017, 5, 1)),
    ],
)
def test_date_from_url(url: str, expected: date) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    ["http://x.gov.cn/xxgk/", "http://x.gov.cn/col/col1234/index.html", "http://x.gov.cn/202413/a.html",
     "http://x.gov.cn/a/t20240230_1.html", "http://20240305.example.com/a.html"],
)
def test_date_from_url_none(url: str) -> None:
    assert date_from_url(url) is None


def test_url_day_beats_url_month() -> None:
    assert date_from_url("http://x.gov.cn/202404/t20240329_1.html") == date(2024, 3, 29)
