"""Benchmark: reading 公开时限 wording, and importing a province-sized standard catalog spreadsheet.

    .venv/bin/python bench/bench_cadence.py [--rows 5000]

Prints phrases read per second (the wording of ../shared/DOMAIN.md and variants, cycled) and the time
and peak memory of `catalog import` over an .xlsx of ``--rows`` rows built with openpyxl in the real
layout (title, two header rows, merged 一级事项, 同上). Repeatable: no network, fixed inputs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.cadence import parse_cadence  # noqa: E402
from monitor.catalog_import import import_catalog  # noqa: E402
from monitor.catalog_templates import templates_toml  # noqa: E402

PHRASES = [
    "信息形成或者变更之日起20个工作日内", "自信息形成或者变更之日起20个工作日内予以公开", "信息形成或者变\n更之日起20个\n工作日内",
    "本级人民代表大会或其常务委员会批准后20日内", "部门预算经本级财政部门批复后20日内公开", "按年公开", "实时公开", "及时公开",
    "信息形成20个工作日内公开；其中行政许可、行政处罚事项应自作出行政决定之日起7个工作日内公示",
    "一般事项至少每季度公布一次；财务收支情况应当每月公布一次；重大事项应当随时公布", "每年1月31日前",
    "最大更新间隔不得超过6个月", "每个工作日更新1条以上", "公开满5年后撤下", "信息形成之日起二十日内", "同上",
    "每季度结束后15日内", "每月10日前公开上月", "逐段公开", "依法公开", "固定公开(一年一公开)／定期公开(一季度一公开)／即时公开",
]


def bench_parse(n: int) -> None:
    started = time.perf_counter()
    for k in range(n):
        parse_cadence(PHRASES[k % len(PHRASES)])
    elapsed = time.perf_counter() - started
    print(f"parse_cadence: {n} phrases in {elapsed:.2f} s = {n / elapsed:,.0f} phrases/s")


def build_sheet(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["某某县基层政务公开标准目录"])
    ws.merge_cells("A1:K1")
    ws.append(["序号", "公开事项", None, "公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象",
               "公开方式", None])
    ws.append([None, "一级事项", "二级事项", None, None, None, None, None, None, "主动", "依申请"])
    ws.merge_cells("B2:C2")
    ws.merge_cells("J2:K2")
    for k in range(rows):
        r = ws.max_row + 1
        timing = "同上" if k % 7 == 3 else PHRASES[k % len(PHRASES)]
        ws.append([k + 1, f"事项{k // 5}", f"子项{k}", "内容", "《政府信息公开条例》", timing, "县财政局", "政府网站", "全社会",
                   "√", None])
        if k % 5 == 4:
            ws.merge_cells(f"B{r - 4}:B{r}")
    wb.save(path)


def bench_import(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.xlsx"
        build_sheet(path, rows)
        tracemalloc.start()
        started = time.perf_counter()
        result = import_catalog(path)
        text = templates_toml(result)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    converted = len(result.conversions) - len(result.unconverted)
    print(f"catalog import: {rows} rows in {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s), peak {peak / 2**20:.1f} MiB "
          f"traced; {converted} converted, {len(result.unconverted)} to confirm; {len(text):,} bytes of TOML")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrases", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=5_000)
    args = parser.parse_args()
    bench_parse(args.phrases)
    bench_import(args.rows)


if __name__ == "__main__":
    main()
