"""The catalog file's schema (pydantic): what ``monitor.config`` validates a catalog against.

Every model forbids unknown fields, so a typo is an error naming the field. ``monitor.config`` turns a
validated catalog into the frozen dataclasses the rest of the monitor sees; docs/catalog.md documents
every field (a test checks it).
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from urllib.parse import urlsplit

from lxml.cssselect import CSSSelector
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, field_validator

COLUMN_TYPES = ("首页", "动态要闻", "通知公告", "政策文件", "人事", "规划计划", "财政预决算", "其他")
RULE_KINDS = ("max_gap", "periodic", "item_lag", "standing", "min_rate", "phased")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpanSpec(_Strict):
    n: StrictInt = Field(ge=1, le=3650)
    unit: Literal["day", "workday", "week", "month", "year"]


class DueDateSpec(_Strict):
    month: StrictInt = Field(ge=1, le=12)
    day: StrictInt = Field(ge=1, le=31)


class RuleSpec(_Strict):
    text: str | None = None  # 公开时限 wording, read by monitor.cadence instead of the fields below
    kind: Literal[RULE_KINDS] | None = None  # type: ignore[valid-type]
    template: str | None = None
    within: SpanSpec | None = None
    period: Literal["month", "quarter", "half_year", "year"] | None = None
    due: SpanSpec | None = None
    due_date: DueDateSpec | None = None
    lookback_days: StrictInt | None = Field(default=None, ge=1, le=3660)
    count: StrictInt | None = Field(default=None, ge=1, le=1000)  # min_rate
    per: Literal["workday", "day", "week", "month", "quarter", "half_year", "year"] | None = None  # min_rate
    until: date | None = None  # phased: the project's end


class ExtractSpec(_Strict):
    encoding: str | None = None
    browser: StrictBool = False
    browser_fallback: StrictBool = True
    endpoint: str | None = None
    items: str | None = None
    link: str | None = None
    date: str | None = None

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_http(cls, v: str | None) -> str | None:
        return None if v is None else _http_url(v)

    @field_validator("items", "link", "date")
    @classmethod
    def _css_selector(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                CSSSelector(v, translator="html")
            except Exception as exc:  # cssselect's SelectorError and its kin
                raise ValueError(f"not a CSS selector: {v!r} ({exc})") from None
        return v

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str | None) -> str | None:
        if v is not None:
            import codecs

            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"unknown encoding {v!r}") from None
        return v


class ColumnSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]{0,39}$")
    name: str = Field(min_length=1)
    url: str
    type: Literal[COLUMN_TYPES] = "其他"  # type: ignore[valid-type]
    focus: StrictBool = False
    rule: str | RuleSpec
    extract: ExtractSpec = ExtractSpec()

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, v: str) -> str:
        return _http_url(v)


class UnitSpec(_Strict):
    slug: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str = Field(min_length=1)
    site: str
    contacts: list[str] = []  # apprise URLs (mailto://, dingtalk://, wecom://, json://) told of its notices
    columns: list[ColumnSpec] = Field(min_length=1)

    @field_validator("site")
    @classmethod
    def _site_is_http(cls, v: str) -> str:
        return _http_url(v)


class SettingsSpec(_Strict):
    download_timeout: StrictFloat = Field(default=15.0, gt=0, le=300)
    retries: StrictInt = Field(default=2, ge=0, le=10)
    download_delay: StrictFloat = Field(default=1.0, ge=0, le=60)
    concurrency_per_host: StrictInt = Field(default=2, ge=1, le=8)
    max_page_mb: StrictFloat = Field(default=16.0, ge=0.1, le=256)  # a page past this is not read (nor a bomb inflated)
    conditional_requests: StrictBool = True  # ETag / Last-Modified on list pages; a 304 reads the stored copy
    warn_days: StrictInt = Field(default=3, ge=0, le=60)
    rectify_workdays: StrictInt = Field(default=5, ge=1, le=60)
    backdate_tolerance_days: StrictInt = Field(default=2, ge=0, le=60)
    timely_workdays: StrictInt = Field(default=20, ge=1, le=365)  # 及时 / 即时 with no number
    phased_gap_months: StrictInt = Field(default=3, ge=1, le=36)  # 逐段 with no gap
    # faked and hollow disclosure (monitor.signals, docs/supervision.md)
    burst_min_items: StrictInt = Field(default=5, ge=2, le=100)  # 一阵风: this many items ...
    burst_within_days: StrictInt = Field(default=3, ge=1, le=30)  # ... appearing within this many days ...
    burst_silence_days: StrictInt = Field(default=30, ge=7, le=366)  # ... after this long without any
    empty_body_chars: StrictInt = Field(default=30, ge=1, le=2000)  # a body with fewer letters is empty (no attachment)
    inspection_days: tuple[date, ...] = ()  # announced inspections: a burst in the 14 days before one is named so
    contact: str = ""


class CalendarSpec(_Strict):
    file: str | None = None  # a calendar file (monitor.calendar_file), relative to the catalog's folder
    overrides: dict[date, Literal["workday", "holiday"]] = {}


class NoticesSpec(_Strict):
    auto_issue: list[str] = []  # rule template names whose lateness notices issue without review; "*": all
    remind_days: StrictInt = Field(default=2, ge=0, le=30)  # tell the unit this many days before its deadline
    office: list[str] = []  # apprise URLs of the disclosure office, told of every issued / overdue notice
    board_url: str | None = None  # where board.html is published (monitor.notify links each message to it)

    @field_validator("board_url")
    @classmethod
    def _board_url_is_http(cls, v: str | None) -> str | None:
        return _http_url(v) if v is not None else None


class InspectionSpec(_Strict):
    # silence allowed per column type before the national check counts a column as not updated
    presets: dict[Literal[COLUMN_TYPES], SpanSpec] = {}  # type: ignore[valid-type]


class CatalogSpec(_Strict):
    monitor: SettingsSpec = SettingsSpec()
    calendar: CalendarSpec = CalendarSpec()
    inspection: InspectionSpec = InspectionSpec()
    notices: NoticesSpec = NoticesSpec()
    rules: dict[str, RuleSpec] = {}
    units: list[UnitSpec] = Field(min_length=1)


def netloc(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL, with the scheme's default port; the host as sent on the wire
    (lower case, no trailing dot, an internationalised name in its punycode form)."""
    parts = urlsplit(url)
    return host_key(parts.hostname or ""), parts.port or (443 if parts.scheme == "https" else 80)


def host_key(host: str) -> str:
    """A host name as requests carry it: ``中国政府.政务`` and ``xn--...`` alike."""
    host = host.lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    try:
        parts.port  # noqa: B018 - raises on a port out of range or not a number
    except ValueError as exc:
        raise ValueError(f"not an http(s) URL: {value!r} ({exc})") from None
    return value
