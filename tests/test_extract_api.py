"""The public face of monitor.extract: a short deliberate API, pure (no Scrapy, no network)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import monitor.extract as extract

PUBLIC = {
    "ArticleBody", "ArticleDates", "ListHints", "ListPage", "ListedItem", "date_from_url", "declared_encoding_fix", "encoding_override",
    "detect_challenge", "parse_date", "read_article", "read_body", "read_hanweb_xml", "read_list", "trs_page_count",
    "trs_page_url",
}


def test_all_is_the_public_api() -> None:
    assert set(extract.__all__) == PUBLIC
    assert all(callable(getattr(extract, name)) for name in PUBLIC)


def test_every_module_says_what_it_does() -> None:
    for path in Path(extract.__file__).parent.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert source.lstrip().startswith('"""'), f"{path.name} has no module docstring"


def test_importing_pulls_in_neither_scrapy_nor_a_network_client() -> None:
    code = ("import sys, monitor.extract; "
            "print(sorted(m for m in ('scrapy', 'twisted', 'httpx', 'requests') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(extract.__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"
