"""Reading a catalog spreadsheet (.xlsx, or .csv in UTF-8, GBK/GB18030 or UTF-16) into sheets of clean text.

Merged cells are filled with their value; every cell becomes one line of plain text (``clean``).
Finding the header and the rows under it is ``monitor.catalog_rows``'s job.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from monitor.errors import CatalogError, UsageError

CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig reads plain UTF-8 too; GB18030 is a superset of GBK
_FULL_WIDTH = {**{0xFF10 + i: 0x30 + i for i in range(10)}, **{0xFF21 + i: 0x41 + i for i in range(26)},
               **{0xFF41 + i: 0x61 + i for i in range(26)}, 0x3000: 0x20}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Sheet:
    """A sheet's cells as clean text; ``cells[i]`` is the sheet's row ``i + 1``."""

    name: str
    cells: tuple[tuple[str, ...], ...]


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
