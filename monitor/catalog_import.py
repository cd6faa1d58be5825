"""Importing a standard catalog (基层政务公开标准目录) from a spreadsheet into catalog rule templates.

Disclosure offices keep their standard catalogs as spreadsheets: a title row or two, one or two header
rows (公开事项 split into 一级事项 | 二级事项, 公开方式 into 主动 | 依申请, 公开层级 into 县级 | 乡级), a
序号 column, vertically merged cells, 同上 meaning the cell above. This layer reads such a sheet
(.xlsx, or .csv in UTF-8 or GBK/GB18030) into one ``CatalogRow`` per data row, reads each row's
公开时限 with ``monitor.cadence``, and writes one ``[rules.item_NNN]`` template per row in the catalog's
TOML format (docs/catalog.md), each under a comment saying, in Chinese, what the row is and what the
rule means. Rows whose wording cannot become a rule are kept as commented-out blocks marked
``# 待人工确认：<reason>`` and listed in the summary and the optional CSV report.

Pipeline: ``monitor.catalog_sheets.read_sheets`` (the file) → ``monitor.catalog_rows.rows_of`` (header
found, merges and 同上 resolved) → ``convert`` (here) → ``monitor.catalog_templates``: ``templates_toml`` /
``report_rows`` / ``summary``; ``import_catalog`` runs the reading part.
Nothing here touches the monitor's database or the live catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.cadence import parse_cadence
from monitor.cadence_rules import CadenceError, rule_from_cadence
from monitor.catalog_rows import HEADER_SEARCH_ROWS, CatalogRow, find_header, rows_of
from monitor.catalog_sheets import read_sheets
from monitor.errors import CatalogError
from monitor.rules import Rule


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
