"""Docs are tests: every command, catalog setting and table is documented."""

import sqlite3
from pathlib import Path

from monitor.cli import build_parser
from monitor.catalog_schema import ColumnSpec, ExtractSpec, RuleSpec, SettingsSpec, UnitSpec
from monitor.store import Store

REPO = Path(__file__).resolve().parents[1]


def test_every_cli_command_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"python -m monitor {name}" in readme, name


def test_every_catalog_field_is_in_docs_catalog():
    doc = (REPO / "docs" / "catalog.md").read_text(encoding="utf-8")
    for model in (SettingsSpec, UnitSpec, ColumnSpec, ExtractSpec, RuleSpec):
        for field in model.model_fields:
            assert f"{field} =" in doc or f".{field}]" in doc, f"{model.__name__}.{field}"


def test_every_table_is_in_docs_schema(tmp_path):
    Store(tmp_path / "m.db").close()
    doc = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")
    tables = [r[0] for r in sqlite3.connect(tmp_path / "m.db").execute(
        "select name from sqlite_master where type = 'table' and name not like '\\_%' escape '\\'")]
    assert tables
    for table in tables:
        assert f"`{table}`" in doc, table
