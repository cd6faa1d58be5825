"""Catalog rules given as 公开时限 wording: read when the catalog loads, every unreadable phrase reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import CatalogError, load_catalog
from monitor.rules import Compound, ItemLag, MaxGap, MinRate, Periodic, Phased, Span

REPO = Path(__file__).resolve().parents[1]

WORDED = """
[monitor]
timely_workdays = 15

[rules.art26]
text = "信息形成或者变更之日起20个工作日内"

[rules.same]
text = "同上"

[rules.budget]
text = "部门预算经本级财政部门批复后20日内公开"

[[units]]
slug = "xz"
name = "某某镇人民政府"
site = "http://127.0.0.12:8700/"

  [[units.columns]]
  id = "gzdt"
  name = "工作动态"
  url = "http://127.0.0.12:8700/gzdt/"
  rule = "每个工作日更新1条以上"

  [[units.columns]]
  id = "tzgg"
  name = "通知公告"
  url = "http://127.0.0.12:8700/tzgg/"
  rule = "同上"

  [[units.columns]]
  id = "zfxxgk"
  name = "政府信息公开"
  url = "http://127.0.0.12:8700/zfxxgk/"
  rule = { text = "及时公开", lookback_days = 60 }

  [[units.columns]]
  id = "xzxk"
  name = "行政许可"
  url = "http://127.0.0.12:8700/xzxk/"
  rule = \"\"\"信息形成20个工作日内公开；其中行政许可、行政处罚事项
应自作出行政决定之日起7个工作日内公示\"\"\"

  [[units.columns]]
  id = "xmjs"
  name = "重大项目建设"
  url = "http://127.0.0.12:8700/xmjs/"
  rule = { text = "逐段公开", until = 2027-06-30 }

  [[units.columns]]
  id = "czyjs"
  name = "财政预决算"
  url = "http://127.0.0.12:8700/czyjs/"
  rule = { template = "art26", text = "每季度结束后15日内，公开满5年后撤下" }

  [[units.columns]]
  id = "rsxx"
  name = "人事信息"
  url = "http://127.0.0.12:8700/rsxx/"
  rule = "same"
"""


def load(tmp_path: Path, text: str):
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return load_catalog(path)


def test_wording_becomes_rules(tmp_path):
    unit = load(tmp_path, WORDED).unit("xz")
    assert unit.column("gzdt").rule == MinRate(1, "workday")
    assert unit.column("gzdt").wording == "每个工作日更新1条以上"
    assert unit.column("tzgg").rule == MinRate(1, "workday")  # 同上: the column above
    timely = unit.column("zfxxgk").rule
    assert timely == ItemLag(Span(15, "workday"), 60, "formed_or_changed", assumed=True)  # the catalog's default
    compound = unit.column("xzxk").rule
    assert isinstance(compound, Compound) and compound.parts[1].rule.within == Span(7, "workday")
    assert unit.column("xmjs").rule == Phased(Span(3, "month"), __import__("datetime").date(2027, 6, 30), True)
    budget = unit.column("czyjs")
    assert budget.rule == Periodic("quarter", Span(15, "day")) and budget.retention == Span(5, "year")
    assert budget.rule_name == "art26"


def test_template_wording_and_same_as_above_between_templates(tmp_path):
    unit = load(tmp_path, WORDED).unit("xz")
    assert unit.column("rsxx").rule == ItemLag(Span(20, "workday"), 30, "formed_or_changed")
    assert unit.column("rsxx").rule_name == "same"


def test_every_unreadable_phrase_is_reported_with_its_line_before_anything_runs(tmp_path):
    bad = WORDED.replace('rule = "同上"', 'rule = "依法公开"').replace(
        'text = "逐段公开", until', 'text = "按规定时限", until').replace('text = "同上"', 'text = "定期公开"')
    with pytest.raises(CatalogError) as err:
        load(tmp_path, bad)
    msg = str(err.value)
    lines = bad.splitlines()
    assert str(tmp_path / "catalog.toml") in msg and "3 公开时限 wording(s) could not be read" in msg
    for phrase, where in (("依法公开", "unit 'xz', column 'tzgg'"), ("按规定时限", "unit 'xz', column 'xmjs'"),
                          ("定期公开", "rule template 'same'")):
        line = next(k + 1 for k, text in enumerate(lines) if phrase in text)
        assert f"line {line}, {where}" in msg and f"“{phrase}”" in msg


def test_same_as_above_on_the_first_column_is_an_error(tmp_path):
    bad = WORDED.replace('rule = "每个工作日更新1条以上"', 'rule = "同上"')
    with pytest.raises(CatalogError, match="column 'gzdt', field 'rule': “同上” — “同上”但上面没有可沿用的公开时限"):
        load(tmp_path, bad)


def test_text_and_kind_together_are_refused(tmp_path):
    bad = WORDED.replace('text = "信息形成或者变更之日起20个工作日内"', 'text = "长期"\nkind = "standing"')
    with pytest.raises(CatalogError, match="rule template 'art26', field 'kind': give either text"):
        load(tmp_path, bad)


def test_an_ascii_name_is_still_a_template_reference(tmp_path):
    bad = WORDED.replace('rule = "same"', 'rule = "sme"')
    with pytest.raises(CatalogError, match="column 'rsxx', field 'rule': unknown rule template 'sme'"):
        load(tmp_path, bad)


def test_structured_new_kinds(tmp_path):
    text = WORDED.replace('text = "同上"', 'kind = "min_rate"\ncount = 2\nper = "week"')
    assert load(tmp_path, text).unit("xz").column("rsxx").rule == MinRate(2, "week")
    text = WORDED.replace('text = "同上"', 'kind = "max_gap"\nwithin = { n = 12, unit = "month" }')
    assert load(tmp_path, text).unit("xz").column("rsxx").rule == MaxGap(Span(12, "month"))


def test_sweep_refuses_a_catalog_with_unreadable_wording_and_writes_nothing(tmp_path):
    (tmp_path / "catalog.toml").write_text(WORDED.replace('rule = "同上"', 'rule = "依法公开"'), encoding="utf-8")
    db = tmp_path / "m.db"
    done = subprocess.run([sys.executable, "-m", "monitor", "sweep", "--config", str(tmp_path / "catalog.toml"),
                           "--db", str(db), "--as-of", "2026-11-20"], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "依法公开" in done.stderr and "line " in done.stderr
    assert not db.exists()


def test_inspection_presets_can_be_overridden_per_column_type(tmp_path):
    text = WORDED + '\n[inspection.presets]\n"动态要闻" = { n = 12, unit = "day" }\n'
    presets = load(tmp_path, text).inspection_presets
    assert presets["动态要闻"] == Span(12, "day") and presets["人事"] == Span(12, "month")
    with pytest.raises(CatalogError, match="inspection"):
        load(tmp_path, WORDED + '\n[inspection.presets]\n"动态" = { n = 12, unit = "day" }\n')
