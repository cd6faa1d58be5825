"""Dates as Chinese government pages write them: one reader for every form, and the date inside a URL.

Forms read by :func:`parse_date`: ``2024-03-05``, ``[2024-03-05]``, ``2024年03月05日``, ``2024年3月5日``,
``2024/3/5``, ``2024.03.05``, ``发布日期：2024-03-05 10:30``, full-width digits (``２０２４－０３－０５``),
Chinese numerals (``二〇二四年三月五日``), ``03-05`` / ``3月5日`` without a year (the year comes from ``today``:
the latest such date that is not in the future), ``20240305``, and epoch seconds or milliseconds (read in
China's time, UTC+8). A string that holds no real calendar date gives None, never a made-up date.

:func:`find_date` also says where the date sits in the (normalised) text, so callers can tell a date cell
(``[2024-03-05]``) from a title that merely mentions a date.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

__all__ = ["parse_date", "find_date", "date_from_url", "normalise", "is_date_text"]

CHINA_TZ = timezone(timedelta(hours=8))  # China keeps no daylight saving time
MIN_YEAR, MAX_YEAR = 1949, 2099

_FULL = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*"
    r"(?:(?P<sep>[-/.])\s*(?P<m1>\d{1,2})\s*(?P=sep)\s*(?P<d1>\d{1,2})(?!\d)"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})(?!\d)\s*[日号]?)"
)
_CN_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_CN_FULL = re.compile(
    r"(?P<y>[〇零一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,2})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*[日号]"
)
_YEARLESS = re.compile(
    r"(?<![\d./\-年:])(?P<m>\d{1,2})"
    r"(?:\s*(?P<sep>[-/])\s*(?P<d1>\d{1,2})(?![\d/\-.:月])|\s*月\s*(?P<d2>\d{1,2})\s*[日号])"
)
_SPLIT = re.compile(  # calendar-style boxes: a big day number beside the year-month, "05 2024-03"
    r"(?<![\d.:])(?:(?P<d1>\d{1,2})\s+(?P<y1>(?:19|20)\d{2})[-/.](?P<m1>\d{1,2})"
    r"|(?P<y2>(?:19|20)\d{2})[-/.](?P<m2>\d{1,2})\s+(?P<d2>\d{1,2}))(?![\d:/.\-])"
)
_HAS_DIGIT = re.compile(r"[\d０-９〇零]|[一二三四五六七八九十]月")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:[:.]\d+)?")
_FILLER = re.compile(r"[\s\[\]【】()（）<>《》:：,，.。|｜/\\\-—_]+")
_LABEL = re.compile(r"(?:发布|成文|生成|发文|更新|公开|印发|发稿)?(?:日期|时间)|发布于|发布")


def normalise(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), non-breaking spaces to spaces."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ")


def _real(y: int, m: int, d: int) -> date | None:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _cn_number(s: str) -> int:
    """一..三十一 as an int (month and day numerals); 0 for nonsense such as 十十."""
    tens, ten, ones = s.partition("十")
    if not ten:
        return _CN_VALUE.get(s, 0) if len(s) == 1 else 0
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return 0
    return (_CN_VALUE.get(tens, 0) if tens else 1) * 10 + (_CN_VALUE.get(ones, 0) if ones else 0)


def _yearless(month: int, day: int, today: date) -> date | None:
    """The latest real date with this month and day that is not after ``today``."""
    for year in range(today.year, today.year - 9, -1):
        d = _real(year, month, day)
        if d is not None and d <= today:
            return d
    return None


def _from_epoch(value: float) -> date | None:
    if value > 1e11:  # milliseconds
        value /= 1000
    if not 315532800 <= value <= 4102444800:  # 1980 .. 2100
        return None
    return datetime.fromtimestamp(value, CHINA_TZ).date()


def find_date(text: str, today: date | None = None) -> tuple[date, int, int] | None:
    """The first date in ``text`` with its span in ``normalise(text)``; year-less forms need ``today``."""
    t = normalise(text)
    found: list[tuple[int, int, date]] = []
    for m in _FULL.finditer(t):
        d = _real(int(m["y"]), int(m["m1"] or m["m2"]), int(m["d1"] or m["d2"]))
        if d is not None:
            found.append((m.start(), m.end(), d))
            break
    for m in _CN_FULL.finditer(t):
        y = int("".join(str(_CN_VALUE[c]) for c in m["y"]))
        d = _real(y, _cn_number(m["m"]), _cn_number(m["d"]))
        if d is not None:
            found.append((m.start(), m.end(), d))
            break
    if found:
        start, end, d = min(found)
        return d, start, end
    for m in _SPLIT.finditer(t):
        d = _real(int(m["y1"] or m["y2"]), int(m["m1"] or m["m2"]), int(m["d1"] or m["d2"]))
        if d is not None:
            return d, m.start(), m.end()
    digits = t.strip()
    if digits.isdigit() and digits.isascii():
        d = None
        if len(digits) == 8:
            d = _real(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        elif len(digits) in (10, 13):
            d = _from_epoch(int(digits))
        if d is not None:
            start = t.index(digits)
            return d, start, start + len(digits)
    if today is not None:
        for m in _YEARLESS.finditer(t):
            d = _yearless(int(m["m"]), int(m["d1"] or m["d2"]), today)
            if d is not None:
                return d, m.start(), m.end()
    return None


def parse_date(text: str | int | float | None, today: date | None = None) -> date | None:
    """The first real date written in ``text`` (see the module docstring for the forms), else None.

    Numbers are epoch seconds or milliseconds. A date without a year needs ``today`` and is then the
    latest such date not after it (``12-28`` read on 2024-01-03 is 2023-12-28); without ``today`` it gives
    None, so the function stays pure.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return _from_epoch(float(text))
    hit = find_date(text, today)
    return hit[0] if hit else None


def is_date_text(text: str, today: date | None = None, slack: int = 10) -> date | None:
    """The date when ``text`` is essentially a date cell (``[2024-03-05]``, ``发布日期：2024-03-05 10:30``).

    Up to ``slack`` other characters may remain once the date, a time, a date label and brackets are
    removed; a title that merely mentions a date has more and gives None.
    """
    if not text or len(text) > 60 or not _HAS_DIGIT.search(text):
        return None
    hit = find_date(text, today)
    if hit is None:
        return None
    d, start, end = hit
    t = normalise(text)
    rest = t[:start] + " " + t[end:]
    rest = _LABEL.sub(" ", _TIME.sub(" ", rest))
    rest = _FILLER.sub("", rest)
    return d if len(rest) <= slack else None


_URL_PATTERNS: tuple[tuple[re.Pattern[str], bool], ...] = (
    (re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"), True),  # TRS: /202403/t20240305_123.html
    (re.compile(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/"), True),  # Hanweb: /art/2025/10/29/art_1_2.html
    (re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})/"), True),  # /2023-12/01/content_1.html
    (re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"), True),  # /20240305/
    (re.compile(r"[/_-]((?:19|20)\d{2})(\d{2})(\d{2})(?=[_.-])"), True),  # content_20240305_1.html
    (re.compile(r"/((?:19|20)\d{2})(\d{2})/"), False),  # /202403/ : month only
    (re.compile(r"/((?:19|20)\d{2})-(\d{2})/"), False),  # /2024-03/ : month only
)


def date_from_url(url: str) -> date | None:
    """The date written in a URL path, as a last resort when a page shows none.

    Day-exact forms first (``t20240305_``, ``/art/2025/10/29/``, ``/2023-12/01/``, ``/20240305/``); a
    month folder alone (``/202403/``) gives the first day of that month.
    """
    path = urlsplit(url).path
    for pattern, has_day in _URL_PATTERNS:
        for m in pattern.finditer(path):
            d = _real(int(m[1]), int(m[2]), int(m[3]) if has_day else 1)
            if d is not None:
                return d
    return None
