"""Importing a standard catalog spreadsheet: rows read as a clerk wrote them, templates that load, rows reported."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from openpyxl import Workbook

from monitor.catalog_import import import_catalog
from monitor.catalog_rows import rows_of
from monitor.catalog_sheets import clean, read_sheets
from monitor.catalog_templates import summary, templates_toml
from monitor.config import load_catalog
from monitor.errors import CatalogError, UsageError
from monitor.rules import Compound, ItemLag, Periodic, Span

REPO = Path(__file__).resolve().parents[1]

HEADER_TOP = ["序号", "公开事项", None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
              "公开对象", None, "公开方式", None, "公开层级", None]
HEADER_SUB = [None, "一级事项", "二级事项", None, None, None, None, None, "全社会", "特定群体", "主动", "依申请",
              "县级", "乡级"]
PUBLIC = ["√", None, "√", None]  # 全社会, 特定群体, 主动, 依申请
COMPOUND = "信息形成或者变更之日起20个工作日内；其中行政许可、行政处罚事项自作出决定之日起7个工作日内"


def finance_workbook(path: Path) -> Path:
    """A county's 财政预决算 catalog as offices save it: two title rows, two merged header rows, merged cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "财政预决算"
    ws.append(["XX县财政预决算领域基层政务公开标准目录"])
    ws.append(["（2026年版）"])
    ws.append(HEADER_TOP)
    ws.append(HEADER_SUB)
    for merged in ("A1:N1", "A2:N2", "B3:C3", "I3:J3", "K3:L3", "M3:N3"):
        ws.merge_cells(merged)
    for col in "ADEFGH":  # single-level headers span both header rows
        ws.merge_cells(f"{col}3:{col}4")
    rows = [  # sheet rows 5..10
        [1, "财政预算", "政府预算", "一般公共预算、政府性基金预算", "《中华人民共和国预算法》第十四条",
         "经本级人民代表大会批准后20日内", "县财政局", "政府网站", *PUBLIC, "√", None],
        [2, None, "部门预算", "部门预算表及说明", "《中华人民共和国预算法》第十四条",
         " 同上 ", None, "政府网站", *PUBLIC, "√", "√"],
        [3, None, "“三公”经费预算", "因公出国（境）费、公务接待费", "《预算法实施条例》",
         "信息形成或者变更之日起２０个\n工作日内", "同上。", "政府网站\n政务新媒体", *PUBLIC, "√", None],
        [4, "财政监督", "行政处罚", "处罚决定书", "《中华人民共和国行政处罚法》",
         COMPOUND, "县财政局（监督股）", "政府网站", *PUBLIC, "√", None],
        [5, None, "检查结果", "检查结论", "《财政违法行为处罚处分条例》",
         "按规定时限", "同上", "政府网站", *PUBLIC, "√", None],
        ["注：本目录由县财政局负责解释。"],
    ]
    for row in rows:
        ws.append(row)
    ws.merge_cells("B5:B7")  # 一级事项 财政预算 over three rows
    ws.merge_cells("G5:G6")  # 公开主体 merged down
    ws.merge_cells("B8:B9")
    ws.merge_cells("A10:N10")  # a note across the table
    wb.save(path)
    return path


def simple_workbook(path: Path, wordings: list[str]) -> Path:
    """One header row (公开事项 merged across two columns; header variants 公开时间 and 责任主体)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["XX镇政务公开标准目录"])
    ws.append(["序号", "公开事项", None, "公开内容", "公开时间", "责任主体", "公开方式"])
    ws.merge_cells("B2:C2")
    for n, wording in enumerate(wordings, start=1):
        ws.append([n, "政务动态", f"事项{n}", "工作信息", wording, "镇党政办", "主动"])
    wb.save(path)
    return path


def write_catalog(tmp_path: Path, templates: str, rules: dict[str, str]) -> Path:
    """The templates plus a minimal unit whose columns use some of them."""
    columns = "".join(f'\n  [[units.columns]]\n  id = "{cid}"\n  name = "{cid}"\n'
                      f'  url = "http://127.0.0.1:8700/{cid}/"\n  rule = "{rule}"\n' for cid, rule in rules.items())
    path = tmp_path / "catalog.toml"
    path.write_text(templates + '\n[[units]]\nslug = "czj"\nname = "县财政局"\nsite = "http://127.0.0.1:8700/"\n'
                    + columns, encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "monitor", "catalog", "import", *args],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


# ---------------------------------------------------------------- reading


def test_rows_of_a_real_layout_are_read_with_merges_and_same_as_above_resolved(tmp_path):
    result = import_catalog(finance_workbook(tmp_path / "财政.xlsx"))
    rows = [c.row for c in result.conversions]

    assert [r.row for r in rows] == [5, 6, 7, 8, 9]  # title, header and the note row left out
    assert [r.level1 for r in rows] == ["财政预算"] * 3 + ["财政监督"] * 2  # vertical merges filled
    assert [r.level2 for r in rows] == ["政府预算", "部门预算", "“三公”经费预算", "行政处罚", "检查结果"]
    assert rows[1].timing == "经本级人民代表大会批准后20日内"  # 同上 (with spaces): the row above's
    assert rows[1].body == "县财政局"  # merged down
    assert rows[2].body == "县财政局"  # 同上。 after the merged cell
    assert rows[4].body == "县财政局（监督股）"  # 同上 under a different body
    assert rows[2].timing == "信息形成或者变更之日起20个工作日内"  # line break joined, full-width digits plain
    assert rows[2].channel == "政府网站政务新媒体"
    assert rows[0].content == "一般公共预算、政府性基金预算"
    assert rows[0].basis == "《中华人民共和国预算法》第十四条"
    assert (rows[0].audience, rows[0].manner, rows[0].tier) == ("全社会", "主动", "县级")
    assert rows[1].tier == "县级、乡级"


def test_header_variants_and_a_single_header_row(tmp_path):
    [sheet] = read_sheets(simple_workbook(tmp_path / "镇.xlsx", ["及时公开", "每月10日前"]))
    rows = rows_of(sheet)

    assert [(r.row, r.level1, r.level2, r.timing, r.body, r.manner) for r in rows] == [
        (3, "政务动态", "事项1", "及时公开", "镇党政办", "主动"),
        (4, "政务动态", "事项2", "每月10日前", "镇党政办", "主动"),
    ]


def test_every_sheet_with_a_header_is_read_and_named_in_the_summary(tmp_path):
    wb = Workbook()
    wb.active.append(["填表说明：每个领域一张表"])  # no header: left out
    for name, wording in (("财政预决算", "每季度结束后15日内"), ("义务教育", "按规定时限")):
        ws = wb.create_sheet(name)
        ws.append(["序号", "一级事项", "二级事项", "公开时限", "公开主体"])
        ws.append([1, name, "事项", wording, "县教育局"])
    wb.save(tmp_path / "多领域.xlsx")

    result = import_catalog(tmp_path / "多领域.xlsx")

    assert [(c.id, c.row.sheet, c.row.row) for c in result.conversions] == [
        ("item_001", "财政预决算", 2), ("item_002", "义务教育", 2)]
    assert summary(result)[1] == "  工作表“义务教育”第2行 义务教育/事项：“按规定时限” — 未找到可识别的公开时限表述，请人工确认"


@pytest.mark.parametrize("encoding, delimiter", [
    ("gbk", ","), ("gb18030", ","), ("utf-8", ","), ("utf-8-sig", ","),
    ("utf-16", "\t"),  # Excel's "Unicode text"
])
def test_csv_in_the_encodings_offices_save(tmp_path, encoding, delimiter):
    """A CSV saved from a merged sheet: blank cells under a merged 一级事项 and to the right of merged headers."""
    lines = [
        ["XX县财政预决算领域基层政务公开标准目录"],
        ["序号", "公开事项", "", "公开内容（要素）", "公开时限", "责任主体", "公开方式", ""],
        ["", "一级事项", "二级事项", "", "", "", "主动", "依申请"],
        ["1", "财政预算", "政府预算", "预算报告", "批准后20日内", "县财政局", "√", ""],
        ["2", "", "部门预算", "部门预算", "同上", "同上", "√", ""],
        ["3", "", "决算", "决算报告", "依法公开", "县财政局", "", "√"],
    ]
    path = tmp_path / "目录.csv"
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(lines)

    result = import_catalog(path)

    assert [(c.row.row, c.row.level1, c.row.level2, c.row.timing, c.row.body, c.row.manner)
            for c in result.conversions] == [
        (4, "财政预算", "政府预算", "批准后20日内", "县财政局", "主动"),
        (5, "财政预算", "部门预算", "批准后20日内", "县财政局", "主动"),
        (6, "财政预算", "决算", "依法公开", "县财政局", "依申请"),
    ]
    assert [c.row.row for c in result.unconverted] == [6]


def test_clean_joins_wrapped_chinese_and_keeps_spaces_between_latin_words():
    assert clean("信息形成或者变更之日起２０个\n 工作日内") == "信息形成或者变更之日起20个工作日内"
    assert clean("GB/T 20000\u3000标准") == "GB/T 20000标准"
    assert clean(12.0) == "12"
    assert clean(None) == ""


# ---------------------------------------------------------------- converting and writing


def test_unconverted_rows_are_reported_with_row_numbers_and_the_parsers_reason(tmp_path):
    result = import_catalog(finance_workbook(tmp_path / "财政.xlsx"))

    [missing] = result.unconverted
    assert (missing.id, missing.row.row, missing.row.item(), missing.row.timing) == (
        "item_005", 9, "财政监督/检查结果", "按规定时限")
    assert missing.reason == "未找到可识别的公开时限表述，请人工确认"
    assert [c.id for c in result.conversions if c.rule] == ["item_001", "item_002", "item_003", "item_004"]


def test_same_as_above_in_the_first_row_is_not_converted(tmp_path):
    result = import_catalog(simple_workbook(tmp_path / "镇.xlsx", ["同上", "及时公开"]))

    assert [(c.row.row, c.reason) for c in result.unconverted] == [(3, "“同上”但上面没有可沿用的公开时限")]


def test_templates_load_through_load_catalog(tmp_path):
    result = import_catalog(finance_workbook(tmp_path / "财政.xlsx"))
    templates = templates_toml(result)

    catalog = load_catalog(write_catalog(tmp_path, templates, {"bmys": "item_002", "sgjf": "item_003",
                                                               "xzcf": "item_004"}))

    unit = catalog.unit("czj")
    assert unit.column("bmys").rule == ItemLag(Span(20, "day"), trigger="approval")
    assert unit.column("bmys").wording == "经本级人民代表大会批准后20日内"
    assert unit.column("sgjf").rule == ItemLag(Span(20, "workday"))
    compound = unit.column("xzcf").rule
    assert isinstance(compound, Compound)
    assert [(p.applies_to, p.rule.within) for p in compound.parts] == [
        (None, Span(20, "workday")), ("行政许可、行政处罚事项", Span(7, "workday"))]
    assert sorted(tomllib.loads(templates)["rules"]) == ["item_001", "item_002", "item_003", "item_004"]


def test_templates_say_what_each_row_is_and_comment_out_the_unconverted(tmp_path):
    templates = templates_toml(import_catalog(finance_workbook(tmp_path / "财政.xlsx")))
    blocks = templates.split("\n\n")

    [first] = [b for b in blocks if "[rules.item_001]" in b]
    assert first.splitlines() == [
        "# 来源：第5行",
        "# 一级事项：财政预算",
        "# 二级事项：政府预算",
        "# 公开主体：县财政局",
        "# 公开依据：《中华人民共和国预算法》第十四条",
        "# 规则：批准之日起20天内公开",
        "[rules.item_001]",
        'text = "经本级人民代表大会批准后20日内"',
    ]
    [pending] = [b for b in blocks if "item_005" in b]
    assert pending.splitlines()[0] == "# 待人工确认：未找到可识别的公开时限表述，请人工确认"
    assert pending.splitlines()[-2:] == ["# [rules.item_005]", '# text = "按规定时限"']


def test_wording_with_quotes_and_backslashes_stays_valid_toml(tmp_path):
    wording = '按"季度"公开\\每季度结束后15日内'
    templates = templates_toml(import_catalog(simple_workbook(tmp_path / "镇.xlsx", [wording])))

    assert tomllib.loads(templates)["rules"]["item_001"]["text"] == wording


# ---------------------------------------------------------------- the command


def test_cli_reports_unconverted_rows_and_exits_3(tmp_path):
    source = finance_workbook(tmp_path / "财政.xlsx")
    out, report = tmp_path / "out.toml", tmp_path / "待确认.csv"

    proc = run_cli(str(source), "--out", str(out), "--report", str(report))

    assert proc.returncode == 3, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "财政.xlsx：读取 5 行公开事项，已转换 4 行，未能转换 1 行"
    assert lines[1] == "  第9行 财政监督/检查结果：“按规定时限” — 未找到可识别的公开时限表述，请人工确认"
    assert out.read_text(encoding="utf-8") == templates_toml(import_catalog(source))
    with report.open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [
            ["工作表", "行号", "模板", "一级事项", "二级事项", "公开时限", "原因"],
            ["财政预决算", "9", "item_005", "财政监督", "检查结果", "按规定时限", "未找到可识别的公开时限表述，请人工确认"],
        ]


def test_cli_exits_0_when_every_row_converts_and_writes_next_to_the_current_folder(tmp_path):
    source = simple_workbook(tmp_path / "镇目录.xlsx", ["及时公开", "每季度结束后15日内"])
    work = tmp_path / "work"
    work.mkdir()

    proc = run_cli(str(source), cwd=work)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "镇目录.xlsx：读取 2 行公开事项，已转换 2 行，未能转换 0 行"
    written = work / "镇目录.templates.toml"
    catalog = load_catalog(write_catalog(tmp_path, written.read_text(encoding="utf-8"), {"jd": "item_002"}))
    assert catalog.unit("czj").column("jd").rule == Periodic("quarter", Span(15, "day"))


@pytest.mark.parametrize("name, content, message", [
    ("缺失.xlsx", None, "cannot read the file"),
    ("坏的.xlsx", b"not a zip file", "not a readable .xlsx workbook"),
    ("旧格式.xls", b"\xd0\xcf\x11\xe0", "save it as .xlsx"),
    ("无表头.csv", "标题\n1,2,3\n".encode("gbk"), "no header row naming 公开时限"),
    ("乱码.csv", b"\x81\x30\xff\xff", "neither UTF-8 nor GBK/GB18030"),
])
def test_cli_exits_2_on_an_unreadable_file_and_names_it(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)

    proc = run_cli(str(path), "--out", str(tmp_path / "out.toml"))

    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {path}: ")
    assert message in proc.stderr
    assert not (tmp_path / "out.toml").exists()


def test_library_errors_are_the_monitors_own(tmp_path):
    with pytest.raises(UsageError):
        import_catalog(tmp_path / "目录.docx")
    empty = tmp_path / "空.csv"
    empty.write_text("序号,公开事项,公开时限,公开主体\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="no 公开事项 rows under the header"):
        import_catalog(empty)
