"""Importing a standard catalog (基层政务公开标准目录) from a spreadsheet into catalog rule templates.

Disclosure offices keep their standard catalogs as spreadsheets: a title row or two, one or two header
rows (公开事项 split into 一级事项 | 二级事项, 公开方式 into 主动 | 依申请, 公开层级 into 县级 | 乡级), a
序号 column, vertically merged cells, 同上 meaning the cell above. This layer reads such a sheet
(.xlsx, or .csv in UTF-8 or GBK/GB18030) into one ``CatalogRow`` per data row, reads each row's
公开时限 with ``monitor.cadence``, and writes one ``[rules.item_NNN]`` template per row in the catalog's
TOML format (docs/catalog.md), each under a comment saying, in Chinese, what the row is and what the
rule means. Rows whose wording cannot become a rule are kept as commented-out blocks marked
``# 待人工确认：<reason>`` and listed in the summary and the optional CSV report.

Pipeline: ``read_sheets`` → ``rows_of`` (header found, merges and 同上 resolved) → ``convert`` →
``templates_toml`` / ``report_rows`` / ``summary``; ``import_catalog`` runs the reading part.
Nothing here touches the monitor's database or the live catalog.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path

from monitor.cadence import normalise, parse_cadence
from monitor.cadence_rules import CadenceError, rule_from_cadence
from monitor.errors import CatalogError, UsageError
from monitor.rules import Rule

HEADER_SEARCH_ROWS = 20  # the header must start within the sheet's first rows (after the title rows)
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig reads plain UTF-8 too; GB18030 is a superset of GBK

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
_FULL_WIDTH = {**{0xFF10 + i: 0x30 + i for i in range(10)}, **{0xFF21 + i: 0x41 + i for i in range(26)},
               **{0xFF41 + i: 0x61 + i for i in range(26)}, 0x3000: 0x20}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# ---------------------------------------------------------------- what a sheet holds


@dataclass(frozen=True)
class Sheet:
    """A sheet's cells as clean text; ``cells[i]`` is the sheet's row ``i + 1``."""

    name: str
    cells: tuple[tuple[str, ...], ...]


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


@dataclass(frozen=True)
class Conversion:
    """A row and what became of its 公开时限: a rule, or the reason there is none."""

    id: str  # the template's name: item_001, item_002... by row order
    row: CatalogRow
    rule: Rule | None
    reason: str = ""


@dataclass(frozen=True)
class ImportResult:
    """What an import read: the file and every row of every sheet with a header, converted or not."""

    source: Path
    conversions: tuple[Conversion, ...]

    @property
    def unconverted(self) -> tuple[Conversion, ...]:
        return tuple(c for c in self.conversions if c.rule is None)

    @property
    def sheets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.row.sheet for c in self.conversions))

    def place(self, row: CatalogRow) -> str:
        """第9行; with several sheets imported, the sheet's name too."""
        return f"工作表“{row.sheet}”第{row.row}行" if len(self.sheets) > 1 else f"第{row.row}行"


# ---------------------------------------------------------------- reading the file


def import_catalog(path: str | Path) -> ImportResult:
    """Read a catalog spreadsheet and convert its rows; ``CatalogError``/``UsageError`` when it cannot be read."""
    path = Path(path)
    sheets = read_sheets(path)
    rows = [row for sheet in sheets for row in rows_of(sheet)]
    if not rows:
        if not any(find_header(sheet) for sheet in sheets):
            raise CatalogError(f"{path}: no header row naming 公开时限 (or 公开时间, 时限要求) and the other columns "
                               f"in the first {HEADER_SEARCH_ROWS} rows")
        raise CatalogError(f"{path}: no 公开事项 rows under the header")
    return ImportResult(path, convert(rows))


def read_sheets(path: Path) -> list[Sheet]:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        hint = "; save it as .xlsx" if suffix in (".xls", ".et", ".wps", ".ods") else ""
        raise UsageError(f"{path}: not a .xlsx or .csv file{hint}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    if suffix == ".csv":
        return [_csv_sheet(path, data)]
    return _xlsx_sheets(path, data)


def _xlsx_sheets(path: Path, data: bytes) -> list[Sheet]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), data_only=True)  # data_only: a formula's value, not its text
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, SyntaxError) as exc:
        # SyntaxError: xml.etree's ParseError, a damaged sheet inside the archive
        raise CatalogError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    sheets = []
    for ws in book.worksheets:
        grid = [list(row) for row in ws.iter_rows(max_row=ws.max_row, max_col=ws.max_column, values_only=True)]
        for merged in ws.merged_cells.ranges:
            value = ws.cell(merged.min_row, merged.min_col).value
            for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                    grid[r][c] = value
        sheets.append(Sheet(ws.title, tuple(tuple(clean(v) for v in row) for row in grid)))
    return sheets


def _csv_sheet(path: Path, data: bytes) -> Sheet:
    text = decode_csv(path, data)
    delimiter = "\t" if text.count("\t") > text.count(",") else ","  # Excel's "Unicode text" is tab-separated
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise CatalogError(f"{path}: not a readable CSV file ({exc})") from None
    return Sheet(path.stem, tuple(tuple(clean(v) for v in record) for record in records))


def decode_csv(path: Path, data: bytes) -> str:
    """The CSV's text: UTF-8 (with or without BOM), else GBK/GB18030 (what Excel and WPS save in China);
    UTF-16 with its BOM (Excel's "Unicode text")."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CatalogError(f"{path}: the CSV file is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8")


def clean(value: object) -> str:
    """A cell as one line of text: line breaks and stray spaces gone, full-width digits and letters made plain.

    Spaces are kept only between two Latin letters or digits ("GB T"); Chinese text wrapped onto a new
    line inside a cell (20个\\n工作日内) is joined back. Chinese punctuation（，：）is left as written.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        value = value.isoformat()
    text = _CONTROL.sub(" ", str(value).translate(_FULL_WIDTH))
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"(?<![A-Za-z0-9]) | (?![A-Za-z0-9])", "", text)


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


# ---------------------------------------------------------------- converting


def convert(rows: Sequence[CatalogRow]) -> tuple[Conversion, ...]:
    """Each row's 公开时限 read into a rule; ids number the rows in order, converted or not."""
    width = max(3, len(str(len(rows))))
    out = []
    for n, row in enumerate(rows, start=1):
        item_id = f"item_{n:0{width}d}"
        try:
            out.append(Conversion(item_id, row, rule_from_cadence(parse_cadence(row.timing))))
        except CadenceError as exc:
            out.append(Conversion(item_id, row, None, str(exc)))
    return tuple(out)


# ---------------------------------------------------------------- writing


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; the text is one line already)."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def templates_toml(result: ImportResult) -> str:
    """The catalog rule templates, one per row; unconverted rows commented out under 待人工确认."""
    converted = len(result.conversions) - len(result.unconverted)
    lines = [
        f"# 公开目录规则模板：由 python -m monitor catalog import 从 {result.source.name} 生成",
        f"# 共 {len(result.conversions)} 行公开事项：{converted} 行已转换，{len(result.unconverted)} 行待人工确认。",
        "# 在栏目中引用模板：rule = \"item_001\"；待人工确认的行已注释掉，改写公开时限后去掉行首的 # 即可。",
        "",
    ]
    for conv in result.conversions:
        row = conv.row
        about = [f"# 来源：{result.place(row)}"] + [f"# {label}：{text}" for label, text in (
            ("一级事项", row.level1), ("二级事项", row.level2), ("公开主体", row.body), ("公开依据", row.basis)) if text]
        body = [f"[rules.{conv.id}]", f"text = {toml_string(row.timing)}"]
        if conv.rule is not None:
            lines += about + [f"# 规则：{conv.rule.words()}"] + body
        else:
            lines += [f"# 待人工确认：{conv.reason}"] + about + [f"# {line}" for line in body]
        lines.append("")
    return "\n".join(lines)


def write_text(path: Path, text: str, what: str, encoding: str = "utf-8") -> None:
    """Write an output file; a folder that does not exist or a read-only place is the user's error."""
    try:
        path.write_text(text, encoding=encoding)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the {what}: {exc.strerror or exc}") from None


REPORT_HEADER = ("工作表", "行号", "模板", "一级事项", "二级事项", "公开时限", "原因")


def report_rows(result: ImportResult) -> list[tuple[str, ...]]:
    """The rows that could not be converted, for a CSV report (header first)."""
    return [REPORT_HEADER] + [(c.row.sheet, str(c.row.row), c.id, c.row.level1, c.row.level2, c.row.timing, c.reason)
                              for c in result.unconverted]


def report_csv(result: ImportResult) -> str:
    """The report as CSV text (to be written as utf-8-sig, which Excel opens as UTF-8)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(report_rows(result))
    return buffer.getvalue()


def summary(result: ImportResult) -> list[str]:
    """A short summary in Chinese: rows read, converted, not converted, and each unconverted row."""
    missing = result.unconverted
    lines = [f"{result.source.name}：读取 {len(result.conversions)} 行公开事项，已转换 {len(result.conversions) - len(missing)} 行，"
             f"未能转换 {len(missing)} 行"]
    for conv in missing:
        lines.append(f"  {result.place(conv.row)} {conv.row.item()}：“{conv.row.timing}” — {conv.reason}")
    return lines
