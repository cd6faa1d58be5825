"""Calendar files: the working days of years chinese-calendar does not know yet, from the State Council.

An office fills one TOML file from the notice 国务院办公厅关于20XX年部分节假日安排的通知, one table per year:

    [2027]
    source = "国办发明电〔2026〕X号"                       # where the dates come from
    holidays = ["2027-01-01", "2027-02-05..2027-02-11"]   # days off: single days and inclusive ranges
    workdays = ["2027-02-20"]                              # make-up working days (调休上班): weekend days

A year in the file is *known*: its deadlines are no longer provisional, and the days it does not list
follow Monday-Friday. ``load_calendar_file`` validates strictly and raises ``CatalogError`` naming the
file, the year and the entry. A year chinese-calendar knows is checked but not used (the package is
exact there). ``year_summary`` describes a year's working days for ``python -m monitor calendar show``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar

from monitor.errors import CatalogError
from monitor.tomlfile import read_toml
from monitor.workdays import FIXED_HOLIDAYS, ONE_DAY, Workdays, YearDays, package_knows

KEYS = ("source", "holidays", "workdays")
LONGEST_RANGE = 31  # days; a longer range of days off is a typo
WEEKDAYS = "一二三四五六日"
FIXED_NAMES = {(1, 1): "元旦", (5, 1): "劳动节", (5, 2): "劳动节", (10, 1): "国庆节", (10, 2): "国庆节", (10, 3): "国庆节"}
assert set(FIXED_NAMES) == FIXED_HOLIDAYS
_DAY = r"\d{4}-\d{2}-\d{2}"
_ENTRY = re.compile(rf"({_DAY})(?:\.\.({_DAY}))?")


def load_calendar_file(path: str | Path) -> dict[int, YearDays]:
    """Read and validate a calendar file: year -> its arrangement."""
    path = Path(path)
    _, _, raw = read_toml(path, "calendar file")
    if not raw:
        raise CatalogError(f"{path}: no year in the file (one table per year: [2027])")
    return {year.year: year for year in (_year(path, key, value) for key, value in raw.items())}


def _year(path: Path, key: str, table: Any) -> YearDays:
    if not re.fullmatch(r"\d{4}", key):
        raise CatalogError(f"{path}: top level: unknown key {key!r} (one table per year: [2027])")
    year = int(key)

    def fail(where: str, msg: str) -> CatalogError:
        return CatalogError(f"{path}: year {year}{', ' + where if where else ''}: {msg}")

    if not isinstance(table, dict):
        raise fail("", "not a table (write [2027] and the keys below it)")
    for name in table:
        if name not in KEYS:
            raise fail(f"key {name!r}", f"unknown key (known: {', '.join(KEYS)})")
    source = table.get("source")
    if not isinstance(source, str) or not source.strip():
        raise fail("key 'source'", "missing: the notice the dates come from, e.g. \"国办发明电〔2026〕X号\"")
    holidays = _days(table, "holidays", year, fail)
    workdays = _days(table, "workdays", year, fail)
    if not holidays:
        raise fail("key 'holidays'", "missing or empty: the year's days off")
    for day in sorted(workdays):
        if day in holidays:
            raise fail(f"workdays entry '{day}'", "listed both as a holiday and as a working day")
        if day.weekday() < 5:
            raise fail(f"workdays entry '{day}'",
                       f"a 星期{WEEKDAYS[day.weekday()]} is a working day anyway: list only weekend make-up days")
    for month, mday in sorted(FIXED_HOLIDAYS):
        day = date(year, month, mday)
        if day.weekday() < 5 and day not in holidays:
            raise fail("key 'holidays'", f"{day} ({FIXED_NAMES[month, mday]}, 星期{WEEKDAYS[day.weekday()]}) "
                                         "is a statutory holiday but is not listed")
    return YearDays(year, frozenset(holidays), frozenset(workdays), source.strip(), str(path))


def _days(table: dict[str, Any], key: str, year: int, fail) -> set[date]:
    """The days of ``table[key]``: dates, "YYYY-MM-DD" and inclusive ranges "YYYY-MM-DD..YYYY-MM-DD"."""
    entries = table.get(key, [])
    if not isinstance(entries, list):
        raise fail(f"key {key!r}", 'not a list, e.g. ["2027-01-01", "2027-02-05..2027-02-11"]')
    days: set[date] = set()
    for entry in entries:
        where = f"{key} entry {str(entry)!r}"
        if isinstance(entry, date) and not isinstance(entry, datetime):
            first = last = entry
        elif isinstance(entry, str) and (m := _ENTRY.fullmatch(entry.strip())):
            try:
                first = date.fromisoformat(m[1])
                last = date.fromisoformat(m[2]) if m[2] else first
            except ValueError as exc:
                raise fail(where, f"not a date: {exc}") from None
        else:
            raise fail(where, "not a day: write \"YYYY-MM-DD\" or a range \"YYYY-MM-DD..YYYY-MM-DD\"")
        if first > last:
            raise fail(where, "the range ends before it starts")
        if (last - first).days >= LONGEST_RANGE:
            raise fail(where, f"a range of more than {LONGEST_RANGE} days: a typo?")
        if first.year != year or last.year != year:
            raise fail(where, f"not in {year}")
        days.update(first + timedelta(days=k) for k in range((last - first).days + 1))
    return days


# ---------------------------------------------------------------- describing a year


def year_summary(workdays: Workdays, year: int) -> list[str]:
    """Lines (Chinese) telling where ``year``'s working days come from, its days off, make-up days and count."""
    known = workdays.year_days(year)
    from_package = workdays.knows(year) and known is None
    if from_package:
        lines = [f"{year}年：来源 chinese-calendar {chinese_calendar.__version__}（国务院办公厅节假日安排通知）"]
    elif known is not None:
        lines = [f"{year}年：来源 节假日文件 {known.file}（{known.source}）"]
    else:
        lines = [f"{year}年：节假日安排未公布，暂按周一至周五推算（除元旦、劳动节、国庆及目录中逐日指定的日期），"
                 "期限标为暂计"]
    days = _days_of(year)
    working = {d: workdays.is_workday(d)[0] for d in days}
    lines.append("放假（含调休）：")
    for run in _runs([d for d in days if not working[d]]):
        if all(d.weekday() >= 5 for d in run):
            continue  # a plain weekend
        name = _holiday_name(run, from_package)
        span = _day_words(run[0]) + (f" 至 {_day_words(run[-1])}" if len(run) > 1 else "")
        lines.append(f"  {span}，共{len(run)}天{f'（{name}）' if name else ''}")
    made_up = [d for d in days if working[d] and d.weekday() >= 5]
    lines.append("调休上班：" + ("" if made_up else "无"))
    lines += [f"  {_day_words(d)}" for d in made_up]
    lines.append(f"工作日：共{sum(working.values())}天{'' if workdays.knows(year) else '（暂计）'}")
    return lines


def file_summary(years: dict[int, YearDays]) -> list[str]:
    """Lines (Chinese) for ``calendar check``: each year as the monitor will count it; a year chinese-calendar
    knows is compared with the package instead (a way to check a transcription against a known year)."""
    lines: list[str] = []
    for year in sorted(years):
        if not package_knows(year):
            lines += year_summary(Workdays(years=years), year)
            continue
        differ = [str(d) for d in _days_of(year) if years[year].is_workday(d) != chinese_calendar.is_workday(d)]
        lines.append(f"{year}年：chinese-calendar 已收录，文件中的该年数据不使用"
                     + (f"（与之不同的日期：{'、'.join(differ)}）" if differ else "（与之一致）"))
    return lines


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=k) for k in range((date(year + 1, 1, 1) - first).days)]


def _runs(days: list[date]) -> list[list[date]]:
    """Consecutive days grouped: [[Sat, Sun], [Thu, Fri, Sat, Sun]]."""
    runs: list[list[date]] = []
    for day in days:
        if runs and runs[-1][-1] + ONE_DAY == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _holiday_name(run: list[date], from_package: bool) -> str:
    if from_package:
        names = {chinese_calendar.get_holiday_detail(d)[1] for d in run} - {None}
        return "、".join(chinese_calendar.Holiday(n).chinese for n in sorted(names))
    return "、".join(dict.fromkeys(FIXED_NAMES[d.month, d.day] for d in run if (d.month, d.day) in FIXED_NAMES))


def _day_words(day: date) -> str:
    return f"{day}（星期{WEEKDAYS[day.weekday()]}）"
