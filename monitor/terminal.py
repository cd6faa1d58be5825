"""Text for a terminal: scraped strings lose their control characters (no ANSI escapes from a page)."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str | None) -> str:
    return _CONTROL.sub("�", text or "")
