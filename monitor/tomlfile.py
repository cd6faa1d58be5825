"""Reading the TOML files people edit (the catalog, the calendar file) with errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from monitor.errors import CatalogError


def read_toml(path: Path, what: str) -> tuple[bytes, str, dict[str, Any]]:
    """The file's bytes, its text and its parsed tables; ``CatalogError`` naming the file otherwise."""
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: the file is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    try:
        return raw_bytes, text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: not valid TOML: {exc}") from None
