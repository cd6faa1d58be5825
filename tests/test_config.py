"""The catalog loader: valid files load; each broken one names file, unit, column and field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import CatalogError, load_catalog
from monitor.rules import ItemLag, MaxGap, Periodic, Span, Standing

GOOD = """
[monitor]
download_timeout = 10
warn_days = 2

[rules.dynamic_2w]
kind = "max_gap"
within = { n = 14, unit = "day" }

[rules.monthly_15d]
kind = "periodic"
period = "month"
due = { n = 15, unit = "day" }

[rules.annual_report]
kind = "periodic"
period = "year"
due_date = { month = 1, day = 31 }

[rules.policy_20wd]
kind = "item_lag"
within = { n = 20, unit = "workday" }

[calendar.overrides]
"2027-02-06" = "workday"

[[units]]
slug = "fgw"
name = "市发展和改革委员会"
site = "http://127.0.0.11:8700/"

  [[units.columns]]
  id = "gzdt"
  name = "工作动态"
  url = "http://127.0.0.11:8700/xxgk/gzdt/"
  type = "动态要闻"
  rule = "dynamic_2w"

  [[units.columns]]
  id = "tzgg"
  name = "通知公告"
  url = "http://127.0.0.11:8700/xxgk/tzgg/"
  type = "通知公告"
  rule = { template = "dynamic_2w", within = { n = 7, unit = "day" } }

  [[units.columns]]
  id = "czyjs"
  name = "财政预决算"
  url = "http://127.0.0.11:8700/xxgk/czyjs/"
  type = "财政预决算"
  focus = true
  rule = { kind = "standing" }
  extract = { encoding = "gbk", items = "ul.list li" }

  [[units.columns]]
  id = "ndbg"
  name = "年度报告"
  url = "http://127.0.0.11:8700/xxgk/ndbg/"
  rule = "annual_report"

  [[units.columns]]
  id = "zcwj"
  name = "政策文件"
  url = "http://127.0.0.11:8700/xxgk/zcwj/"
  type = "政策文件"
  rule = "policy_20wd"
"""


def write(tmp_path: Path, text: str, name: str = "catalog.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_catalog_loads_templates_overrides_and_hints(tmp_path):
    catalog = load_catalog(write(tmp_path, GOOD))
    unit = catalog.unit("fgw")
    assert unit.column("gzdt").rule == MaxGap(Span(14, "day"))
    assert unit.column("gzdt").rule_name == "dynamic_2w"
    assert unit.column("tzgg").rule == MaxGap(Span(7, "day"))  # the override wins over the template
    assert unit.column("czyjs").rule == Standing() and unit.column("czyjs").focus
    assert unit.column("czyjs").extract.encoding == "gbk"
    assert unit.column("ndbg").rule == Periodic("year", None, (1, 31))
    assert unit.column("zcwj").rule == ItemLag(Span(20, "workday"), 30)
    assert catalog.settings.download_timeout == 10 and catalog.settings.warn_days == 2
    assert catalog.settings.rectify_workdays == 5  # default
    assert list(catalog.calendar_overrides.values()) == [True]
    assert unit.hosts() == {"127.0.0.11"}
    assert len(catalog.digest) == 64


def test_the_bundled_demo_catalog_loads():
    catalog = load_catalog(Path(__file__).resolve().parents[1] / "monitor" / "demo" / "catalog.toml")
    assert len(catalog.units) >= 9
    assert sum(len(u.columns) for u in catalog.units) >= 60


BROKEN = [
    # (what to change, expected fragments of the message)
    (('rule = "dynamic_2w"', 'rule = "dynamc_2w"'), ["unit 'fgw'", "column 'gzdt'", "field 'rule'", "unknown rule template"]),
    (('type = "动态要闻"', 'type = "新闻"'), ["unit 'fgw'", "column 'gzdt'", "field 'type'"]),
    (('url = "http://127.0.0.11:8700/xxgk/gzdt/"', 'url = "javascript:alert(1)"'), ["column 'gzdt'", "field 'url'", "not an http(s) URL"]),
    (('url = "http://127.0.0.11:8700/xxgk/tzgg/"', 'url = "ftp://example.gov.cn/x"'), ["column 'tzgg'", "field 'url'"]),
    (('slug = "fgw"', 'slug = "FGW-1"'), ["unit 'FGW-1'", "field 'slug'"]),
    (('site = "http://127.0.0.11:8700/"', 'site = "127.0.0.11"'), ["unit 'fgw'", "field 'site'"]),
    (('id = "gzdt"', 'id = "工作"'), ["column '工作'", "field 'id'"]),
    (('id = "tzgg"', 'id = "gzdt"'), ["unit 'fgw'", "column 'gzdt'", "field 'id'", "duplicate"]),
    (('focus = true', 'focus = "yes"'), ["column 'czyjs'", "field 'focus'"]),
    (('encoding = "gbk"', 'encoding = "klingon"'), ["column 'czyjs'", "field 'extract.encoding'", "unknown encoding"]),
    (('type = "通知公告"', 'type = "通知公告"\n  colour = "red"'), ["column 'tzgg'", "field 'colour'", "unknown field"]),
    (('within = { n = 14, unit = "day" }', 'within = { n = 14, unit = "fortnight" }'), ["rule template 'dynamic_2w'", "field 'within.unit'"]),
    (('within = { n = 14, unit = "day" }', 'within = { n = -3, unit = "day" }'), ["rule template 'dynamic_2w'", "field 'within.n'"]),
    (('due_date = { month = 1, day = 31 }', 'due_date = { month = 13, day = 31 }'), ["rule template 'annual_report'", "field 'due_date.month'"]),
    (('period = "month"', 'period = "fortnight"'), ["rule template 'monthly_15d'", "field 'period'"]),
    (('rule = { kind = "standing" }', 'rule = { kind = "max_gap" }'), ["column 'czyjs'", "field 'rule.within'", "required"]),
    (('rule = { kind = "standing" }', 'rule = { kind = "whenever" }'), ["column 'czyjs'", "field 'rule.kind'"]),
    (('download_timeout = 10', 'download_timeout = "ten"'), ["field 'monitor.download_timeout'"]),
    (('"2027-02-06" = "workday"', '"2027-02-06" = "maybe"'), ["field 'calendar.overrides"]),
    (('name = "工作动态"', 'name = ""'), ["column 'gzdt'", "field 'name'"]),
    (('items = "ul.list li"', 'items = "ul.list li["'), ["column 'czyjs'", "field 'extract.items'", "not a CSS selector"]),
    (('extract = { encoding = "gbk", items = "ul.list li" }', 'extract = { encoding = "gbk", itemz = "li" }'),
     ["column 'czyjs'", "field 'extract.itemz'", "unknown field"]),
    (('extract = { encoding = "gbk", items = "ul.list li" }', 'extract = { endpoint = "file:///etc/passwd" }'),
     ["column 'czyjs'", "field 'extract.endpoint'", "not an http(s) URL"]),
    (('extract = { encoding = "gbk", items = "ul.list li" }', 'extract = { browser = "yes" }'),
     ["column 'czyjs'", "field 'extract.browser'"]),
    (('name = "市发展和改革委员会"\n', ''), ["unit 'fgw'", "field 'name'", "required"]),
    (('site = "http://127.0.0.11:8700/"', 'site = "http://"'), ["unit 'fgw'", "field 'site'", "not an http(s) URL"]),
    (('slug = "fgw"', 'slug = "../etc"'), ["unit '../etc'", "field 'slug'"]),  # a slug names files: no path in it
    (('template = "dynamic_2w", within', 'template = "nope", within'), ["column 'tzgg'", "field 'rule.template'"]),
    (('due = { n = 15, unit = "day" }', 'due = { n = "15", unit = "day" }'), ["rule template 'monthly_15d'", "field 'due.n'"]),
    (('within = { n = 20, unit = "workday" }', 'within = 20'), ["rule template 'policy_20wd'", "field 'within'"]),
    (('warn_days = 2', 'warn_days = -1'), ["field 'monitor.warn_days'"]),
    (('warn_days = 2', 'warn_days = "2"'), ["field 'monitor.warn_days'"]),
    (('focus = true', 'focus = 1'), ["column 'czyjs'", "field 'focus'"]),
    (('site = "http://127.0.0.11:8700/"', 'site = "mailto:x@y.cn"'), ["unit 'fgw'", "field 'site'"]),
    (('site = "http://127.0.0.11:8700/"', 'site = "http://127.0.0.11:8700/"\ncontacts = "mailto://x@y.cn"'),
     ["unit 'fgw'", "field 'contacts'"]),
    (('url = "http://127.0.0.11:8700/xxgk/ndbg/"', 'url = "http://127.0.0.11:99999/xxgk/ndbg/"'),
     ["column 'ndbg'", "field 'url'", "not an http(s) URL"]),
    (('url = "http://127.0.0.11:8700/xxgk/zcwj/"', 'url = ""'), ["column 'zcwj'", "field 'url'"]),
    (('id = "zcwj"', 'id = 7'), ["column 7", "field 'id'"]),
    (('kind = "periodic"\nperiod = "month"', 'kind = "periodic"\nperiod = "month"\nwithin = { n = 3, unit = "day" }'),
     ["rule template 'monthly_15d'", "field 'within'", "does not apply to a periodic rule"]),
    (('"2027-02-06" = "workday"', '"2027-02-30" = "workday"'), ["field 'calendar.overrides"]),
    (('[[units]]', '[[unit]]'), ["field 'units'"]),  # [[units.columns]] then makes units a table
    (('url = "http://127.0.0.11:8700/xxgk/gzdt/"', 'url = "http://127.0.0.11:8700/xxgk/gzdt/"\n  url2 = "x"'),
     ["column 'gzdt'", "field 'url2'", "unknown field"]),
]


@pytest.mark.parametrize("change, fragments", BROKEN, ids=[b[0][1][:30] for b in BROKEN])
def test_broken_catalog_names_file_unit_column_field(tmp_path, change, fragments):
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    message = str(err.value)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize("change", [b[0] for b in BROKEN], ids=[b[0][1][:30] for b in BROKEN])
def test_a_broken_catalog_writes_nothing(tmp_path, change, capsys):
    """The command refuses before it opens anything: no database, no lock, no WARC folder."""
    from monitor.cli import main

    path = write(tmp_path, GOOD.replace(*change, 1))
    db = tmp_path / "var" / "monitor.db"
    assert main(["sweep", "--config", str(path), "--db", str(db)]) == 2
    assert str(path) in capsys.readouterr().err
    assert not (tmp_path / "var").exists()


def test_toml_syntax_error_names_the_file_and_line(tmp_path):
    path = write(tmp_path, GOOD.replace('name = "工作动态"', 'name = "工作动态'))
    with pytest.raises(CatalogError, match=r"catalog.toml: not valid TOML: .*line \d+"):
        load_catalog(path)


def test_a_file_not_in_utf8_is_refused_clearly(tmp_path):
    path = tmp_path / "catalog.toml"
    path.write_bytes(GOOD.encode("gbk"))
    with pytest.raises(CatalogError, match="not UTF-8"):
        load_catalog(path)


def test_duplicate_unit_slug(tmp_path):
    second = GOOD[GOOD.index("[[units]]"):]
    with pytest.raises(CatalogError, match="unit 'fgw', field 'slug': duplicate slug"):
        load_catalog(write(tmp_path, GOOD + second))


def test_missing_file(tmp_path):
    with pytest.raises(CatalogError, match="cannot read the catalog"):
        load_catalog(tmp_path / "nope.toml")


def test_cli_exits_non_zero_and_writes_nothing_on_a_broken_catalog(tmp_path):
    path = write(tmp_path, GOOD.replace('rule = "dynamic_2w"', 'rule = "dynamc_2w"'))
    db = tmp_path / "monitor.db"
    proc = subprocess.run([sys.executable, "-m", "monitor", "sweep", "--config", str(path), "--db", str(db)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 2
    assert "unit 'fgw', column 'gzdt', field 'rule'" in proc.stderr
    assert not db.exists()
