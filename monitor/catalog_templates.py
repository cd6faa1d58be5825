"""Writing what a catalog import found: the rule templates (TOML), the CSV report of unconverted rows, a summary.

The templates follow the catalog's TOML format (docs/catalog.md), each under a comment saying, in Chinese,
what the row is and what the rule means; rows that became no rule are commented out under 待人工确认.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from monitor.catalog_import import ImportResult
from monitor.errors import UsageError


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
