"""Firewall challenge pages: being blocked is recorded apart, never read as "site down" or "not updated".

- ``'ruishu_412'``: 瑞数 (Riversecurity) answers HTTP 412 with a page that is a script challenge
  (``$_ts`` and an obfuscated script); a real browser runs it and gets through.
- ``'jiasule_521'``: 加速乐 (Jiasule / Knownsec) answers HTTP 521 with a script that sets a cookie
  (``__jsl_clearance``) and reloads.
- ``'wzws'``: 网站卫士 (WZWS) redirects to ``/WZWSREL...`` or serves a ``wzwschallenge`` page.
"""

from __future__ import annotations

import re

__all__ = ["detect_challenge"]

_SCRIPT = re.compile(rb"<script", re.I)
_RUISHU = re.compile(rb"\$_ts\s*=|\$_ts\[|<meta[^>]{40,}\br=['\"]m['\"]", re.I)
_JSL = re.compile(rb"__jsl_clearance|__jsluid|document\.cookie|jsl_", re.I)
_WZWS = re.compile(rb"/WZWSREL|wzwschallenge|wzwstemplate|wzwsconfusion|WZWS_", re.I)
_SCRIPT_BLOCK = re.compile(rb"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(rb"<[^>]*>")
BLANK_BYTES = 200
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _as_bytes(body: bytes | str | None) -> bytes:
    if body is None:
        return b""
    return body if isinstance(body, bytes) else body.encode("utf-8", "replace")


def _blank(data: bytes) -> bool:
    """No readable text once scripts, styles and tags are gone (a challenge page; a real page has text)."""
    text = _TAG.sub(b" ", _SCRIPT_BLOCK.sub(b" ", data))
    return len(re.sub(rb"\s+|&nbsp;", b"", text)) < BLANK_BYTES


def detect_challenge(status: int, body: bytes | str, headers: dict[str, str] | None = None) -> str | None:
    """The firewall whose challenge this answer is, or None for an ordinary answer."""
    data = _as_bytes(body)[:200_000]
    h = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    location = h.get("location", "")
    if "wzwsrel" in location.lower() or _WZWS.search(data):
        return "wzws"
    if status == 412 and (_SCRIPT.search(data) or _RUISHU.search(data)):
        return "ruishu_412"
    if status in (200, 202) and _RUISHU.search(data) and _SCRIPT.search(data) and _blank(data):
        return "ruishu_412"  # the same challenge sent with another status: a page with nothing to read
    cookie = h.get("set-cookie", "").lower()
    if status == 521 and (_JSL.search(data) or _SCRIPT.search(data) or "__jsluid" in cookie):
        return "jiasule_521"
    if status in _REDIRECTS and "wzws" in location.lower():
        return "wzws"
    return None
