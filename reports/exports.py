"""The week's verdicts and notices as CSV (UTF-8 with a BOM, which Excel and WPS open as Chinese) and XLSX
(openpyxl), for inspectors who work in spreadsheets.

A scraped title is data, never a formula: in the CSV a cell that would start with ``=``, ``+``, ``-``, ``@``
or a control character gets a leading apostrophe (the usual guard against CSV/formula injection); in the
XLSX every text cell is typed as text. Control characters, which no cell may hold, are dropped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from monitor.assess import STATE_WORDS
from monitor.notices import KIND_WORDS, STATE_WORDS as NOTICE_STATE_WORDS

VERDICT_COLUMNS = (("单位", "unit_name"), ("单位代码", "unit"), ("栏目", "column_name"), ("栏目代码", "column_id"),
                   ("公开时限", "rule_words"), ("状态", "state_words"), ("状态代码", "state"), ("最新信息", "newest_title"),
                   ("最新信息链接", "newest_url"), ("最新发布日期", "newest_published"), ("逾期天数", "days_late"),
                   ("逾期起始", "late_since"), ("判定依据", "reason"), ("判定日期", "day"))
NOTICE_COLUMNS = (("编号", "id"), ("单位", "unit_name"), ("栏目", "column_name"), ("类型", "kind_words"),
                  ("状态", "state_words"), ("存在问题", "reason"), ("发起日期", "opened_day"), ("发布日期", "issued_day"),
                  ("整改期限", "deadline"), ("整改日期", "rectified_day"))


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # no place in a cell (openpyxl refuses them)


def plain_text(value: Any) -> Any:
    """Numbers stay numbers; text loses its control characters."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return CONTROL.sub("", str(value))


def safe_cell(value: Any) -> Any:
    """For CSV: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    value = plain_text(value)
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") else value


def _text_cell(ws, value: Any) -> Any:
    """For XLSX: a string is stored as a string (openpyxl would take '=...' for a formula)."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def verdict_rows(current: Sequence[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for r in current:
        r = dict(r, state_words=STATE_WORDS.get(r["state"] or "unknown", r["state"]))
        rows.append([plain_text(r.get(key)) for _, key in VERDICT_COLUMNS])
    return rows


def notice_rows(notices: Sequence[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for n in notices:
        n = dict(n, kind_words=KIND_WORDS.get(n["kind"], n["kind"]), state_words=NOTICE_STATE_WORDS.get(n["state"], n["state"]))
        rows.append([plain_text(n.get(key)) for _, key in NOTICE_COLUMNS])
    return rows


def write_exports(out_dir: Path, current: Sequence[dict[str, Any]], notices: Sequence[dict[str, Any]]) -> list[Path]:
    """verdicts.csv/.xlsx and notices.csv/.xlsx in out_dir; the paths written."""
    written = []
    for name, header, rows, sheet in (("verdicts", VERDICT_COLUMNS, verdict_rows(current), "栏目判定"),
                                      ("notices", NOTICE_COLUMNS, notice_rows(notices), "督办事项")):
        titles = [title for title, _ in header]
        path = out_dir / f"{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(titles)
            writer.writerows([safe_cell(v) for v in row] for row in rows)
        written.append(path)
        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet)
        ws.freeze_panes = "A2"
        head = []
        for title in titles:
            cell = WriteOnlyCell(ws, value=title)
            cell.font = Font(bold=True)
            head.append(cell)
        ws.append(head)
        for row in rows:
            ws.append([_text_cell(ws, v) for v in row])
        path = out_dir / f"{name}.xlsx"
        book.save(path)
        written.append(path)
    return written
