"""GBK pages served with a wrong HTTP charset: which encoding to decode with instead.

Scrapy trusts the HTTP header over the page's own ``<meta charset>``; many older sites are GB2312/GBK and
some servers still say ``utf-8`` or ``iso-8859-1``, which garbles every Chinese character. When the page
declares a GB encoding and the header says something else, decode as ``gb18030`` (a superset of GB2312 and
GBK). A body that is valid UTF-8 despite its GB meta (a template migrated to UTF-8) is left alone.
"""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

__all__ = ["declared_encoding_fix", "encoding_override"]

GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "cp936", "euc-cn", "hz"})


def _is_gb(name: str | None) -> bool:
    if not name:
        return False
    resolved = resolve_encoding(name) or name
    return name.lower() in GB_FAMILY or resolved.lower() in GB_FAMILY


def _valid_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def declared_encoding_fix(body: bytes, header_encoding: str | None) -> str | None:
    """``'gb18030'`` when the page declares GB2312/GBK/GB18030 and the header names another encoding."""
    if not header_encoding or _is_gb(header_encoding):
        return None
    declared = html_body_declared_encoding(body)
    if not _is_gb(declared):
        return None
    if body.startswith(b"\xef\xbb\xbf") or (not body.isascii() and _valid_utf8(body)):
        return None
    return "gb18030"


def encoding_override(body: bytes, content_type: str | None, forced: str | None = None) -> str | None:
    """The encoding to decode with instead of the usual choice (header, then meta): the column's
    configured one, else the GB fix for a lying header; None when the usual choice is right.
    The spider and ``monitor extract`` both decide through this one function."""
    header = http_content_type_encoding(content_type) if content_type else None
    return forced or declared_encoding_fix(body, header)
