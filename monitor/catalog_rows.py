"""A catalog sheet's header found and its rows read: one ``CatalogRow`` per 公开事项, merges and 同上 resolved.

The header is one or two rows (公开事项 split into 一级事项 | 二级事项, 公开方式 into 主动 | 依申请, 公开层级
into 县级 | 乡级) naming 公开时限 or a variant; title rows, banner rows, notes and the 序号 column are skipped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace

from monitor.cadence import normalise, parse_cadence
from monitor.catalog_sheets import Sheet

HEADER_SEARCH_ROWS = 20  # the header must start within the sheet's first rows (after the title rows)

# A header cell (normalised: NFKC, no whitespace, no brackets) → the row field it fills. First match wins.
_HEADER_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(pattern)) for name, pattern in (
    ("serial", r"^(序号|编号)$"),
    ("level1", r"一级事项|^一级$"),
    ("level2", r"二级事项|^二级$"),
    ("content", r"公开内容|公开要素|内容要素"),
    ("basis", r"公开依据|^依据$"),
    ("timing", r"公开时限|公开时间|公开期限|时限要求|^时限$"),
    ("body", r"公开主体|责任主体|责任单位|公开单位"),
    ("channel", r"公开渠道|公开载体|^渠道"),
    ("audience", r"公开对象"),
    ("manner", r"公开方式"),
    ("tier", r"公开层级"),
    ("item", r"^(公开事项|事项|事项名称)$"),  # 公开事项 not split into levels: its columns are 一级, 二级
))
# Words that only appear in a second header row (under 公开方式, 公开层级, 公开对象).
_SUBHEADER_WORDS = re.compile(r"^(主动|依申请|主动公开|依申请公开|全社会|特定群体|(省|市|县|区|乡|镇|乡镇|街道|村)级?)$")
# A cell that only ticks its column (√ under 主动) stands for the column's sub-header; a cross, for nothing.
_TICK = re.compile(r"^[√✓✔☑●○◎★☆*是有]$")
_CROSS = re.compile(r"^[×✗✘xX否无/\-—]$")


@dataclass(frozen=True)
class CatalogRow:
    """One 公开事项 of the catalog, as written (merged cells filled, 同上 resolved)."""

    sheet: str
    row: int  # 1-based, as Excel shows it
    level1: str = ""  # 一级事项
    level2: str = ""  # 二级事项
    content: str = ""  # 公开内容（要素）
    basis: str = ""  # 公开依据
    timing: str = ""  # 公开时限
    body: str = ""  # 公开主体
    channel: str = ""  # 公开渠道（和载体）
    audience: str = ""  # 公开对象
    manner: str = ""  # 公开方式 (主动 / 依申请)
    tier: str = ""  # 公开层级 (县级 / 乡级)

    def item(self) -> str:
        """一级事项/二级事项, for a person."""
        return "/".join(x for x in (self.level1, self.level2) if x) or "（未写事项）"


TEXT_FIELDS = tuple(f.name for f in fields(CatalogRow) if f.name not in ("sheet", "row"))


# ---------------------------------------------------------------- finding the header


@dataclass(frozen=True)
class HeaderColumn:
    """A sheet column the header maps to a row field."""

    index: int
    field: str
    sub: str = ""  # the second header row's word when the field came from the first (主动 under 公开方式)


def _header_key(text: str) -> str:
    return re.sub(r"[\s()（）【】\[\]<>《》:：]", "", unicodedata.normalize("NFKC", text))


def header_field(text: str) -> str | None:
    """The row field a header cell names (公开时间 → timing), or None."""
    key = _header_key(text)
    return next((name for name, pattern in _HEADER_FIELDS if key and pattern.search(key)), None)


def find_header(sheet: Sheet) -> tuple[int, list[HeaderColumn]] | None:
    """(index of the first row under the header, the mapped columns), or None when the sheet has no header.

    The header row is the first row naming 公开时限 (or a variant) and at least two other fields; the row
    below it is a second header row when it names fields or sub-headers (一级事项, 主动, 县级) and no
    公开时限 wording of its own.
    """
    for i, row in enumerate(sheet.cells[:HEADER_SEARCH_ROWS]):
        found = [header_field(cell) for cell in row]
        if "timing" not in found or len(set(found) - {None}) < 3:
            continue
        top = list(row)
        sub = list(sheet.cells[i + 1]) if i + 1 < len(sheet.cells) else []
        if not _is_subheader(sub, top, found.index("timing")):
            return i + 1, _columns(top, [""] * len(top))
        sub += [""] * (len(top) - len(sub))
        for j in range(1, len(top)):  # a horizontally merged header saved as CSV: blank to the right
            if not top[j] and sub[j]:
                top[j] = top[j - 1]
        return i + 2, _columns(top, sub)
    return None


def _is_subheader(row: Sequence[str], top: Sequence[str], timing: int) -> bool:
    below = row[timing] if timing < len(row) else ""
    if below and below != top[timing]:
        return False
    return any(cell and cell != top[j] and (header_field(cell) or _SUBHEADER_WORDS.match(_header_key(cell)))
               for j, cell in enumerate(row) if j < len(top))


def _columns(top: Sequence[str], sub: Sequence[str]) -> list[HeaderColumn]:
    columns: list[HeaderColumn] = []
    items: list[int] = []
    for j, (upper, lower) in enumerate(zip(top, sub)):
        lower = lower if lower != upper else ""
        field = (header_field(lower) if lower else None) or header_field(upper)
        if field == "item":
            items.append(j)
        elif field and field != "serial":
            columns.append(HeaderColumn(j, field, lower if header_field(upper) == field and lower else ""))
    missing = [f for f in ("level1", "level2") if f not in {c.field for c in columns}]
    columns += [HeaderColumn(j, f) for j, f in zip(items, missing)]
    return sorted(columns, key=lambda c: c.index)


# ---------------------------------------------------------------- rows


def rows_of(sheet: Sheet) -> list[CatalogRow]:
    """The sheet's 公开事项 rows: blank rows, banner rows and notes skipped, 一级事项 carried down, 同上 resolved."""
    header = find_header(sheet)
    if header is None:
        return []
    start, columns = header
    rows: list[CatalogRow] = []
    for i in range(start, len(sheet.cells)):
        cells = sheet.cells[i]
        values = {name: _field_value(cells, [c for c in columns if c.field == name]) for name in TEXT_FIELDS}
        if _is_banner(cells, columns) or not any(values[f] for f in ("level1", "level2", "content", "timing")):
            continue
        rows.append(CatalogRow(sheet.name, i + 1, **values))
    return resolve_same_as_above(carry_level1(rows))


def _field_value(cells: Sequence[str], columns: list[HeaderColumn]) -> str:
    """A field's text; split columns (主动 | 依申请) give the sub-headers they tick, or "sub：text"."""
    texts = [(c.sub, cells[c.index] if c.index < len(cells) else "") for c in columns]
    if not any(sub for sub, _ in texts):
        return "；".join(dict.fromkeys(text for _, text in texts if text))
    parts = [sub if (_TICK.match(text) or text == sub) else f"{sub}：{text}"
             for sub, text in texts if text and not _CROSS.match(text)]
    return "、".join(parts)


def _is_banner(cells: Sequence[str], columns: list[HeaderColumn]) -> bool:
    """A section title or a note merged across the whole table: every mapped cell holds the same text."""
    texts = {cells[c.index] if c.index < len(cells) else "" for c in columns}
    return len(columns) > 2 and len(texts) == 1


def carry_level1(rows: Iterable[CatalogRow]) -> list[CatalogRow]:
    """A blank 一级事项 continues the one above (a merged 一级事项 saved as CSV keeps only its first cell)."""
    out: list[CatalogRow] = []
    for row in rows:
        if not row.level1 and out and out[-1].sheet == row.sheet:
            row = replace(row, level1=out[-1].level1)
        out.append(row)
    return out


def is_same_as_above(text: str) -> bool:
    """同上, 同上。, 同 上 (the parser's own reading of 同上, for any cell)."""
    norm = normalise(text)
    return norm.startswith("同上") and parse_cadence(norm).kind == "same_as_above"


def resolve_same_as_above(rows: Iterable[CatalogRow]) -> list[CatalogRow]:
    """Each 同上 cell takes the same column of the row above, as resolved; the first row's 同上 stays."""
    out: list[CatalogRow] = []
    for row in rows:
        above = out[-1] if out and out[-1].sheet == row.sheet else None
        if above is not None:
            taken = {name: getattr(above, name) for name in TEXT_FIELDS if is_same_as_above(getattr(row, name))}
            row = replace(row, **taken)
        out.append(row)
    return out
