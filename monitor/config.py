"""The catalog: units, their columns and the rules they must meet, loaded from one TOML file.

``load_catalog(path)`` parses and validates the file (pydantic, ``monitor.catalog_schema``), resolves rule templates and
returns plain frozen dataclasses. Any problem raises ``CatalogError`` whose message names the
file, the unit, the column and the field; nothing downstream runs on a catalog that failed.
See docs/catalog.md for the format.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitor.cadence import parse_cadence
from monitor.cadence_rules import CadenceError, Defaults, rule_from_cadence
from monitor.calendar_file import load_calendar_file
from monitor.catalog_schema import RULE_KINDS, CalendarSpec, CatalogSpec, RuleSpec, SpanSpec, netloc
from monitor.errors import CatalogError
from monitor.tomlfile import read_toml
from monitor.inspection import PRESETS
from monitor.rules import ItemLag, MaxGap, MinRate, Periodic, Phased, Rule, Span, Standing
from monitor.workdays import YearDays

DEMO_CATALOG = Path(__file__).parent / "demo" / "catalog.toml"


# ---------------------------------------------------------------- what the rest of the monitor sees


@dataclass(frozen=True)
class ExtractHints:
    encoding: str | None = None
    browser: bool = False
    browser_fallback: bool = True  # render in Chromium when the plain page is empty or a firewall challenge
    endpoint: str | None = None
    items: str | None = None
    link: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Column:
    unit: str
    id: str
    name: str
    url: str
    type: str
    focus: bool
    rule: Rule
    rule_name: str  # the template's name, or "" for a rule of the column's own
    extract: ExtractHints = ExtractHints()
    wording: str = ""  # the 公开时限 wording the rule was read from, if any
    retention: Span | None = None  # 公开满5年后撤下: items may vanish after this long
    display_window: Span | None = None  # 公示7个工作日: how long an item stays up; not a deadline


@dataclass(frozen=True)
class Unit:
    slug: str
    name: str
    site: str
    columns: tuple[Column, ...]
    contacts: tuple[str, ...] = ()  # apprise URLs told of the unit's notices

    def column(self, column_id: str) -> Column:
        for col in self.columns:
            if col.id == column_id:
                return col
        raise KeyError(column_id)

    def hosts(self) -> frozenset[str]:
        return frozenset(host for host, _ in self.netlocs())

    def netlocs(self) -> frozenset[tuple[str, int]]:
        """(host, port) of every URL the catalog gives the unit: the only places its spider may go."""
        urls = [self.site] + [c.url for c in self.columns] + [c.extract.endpoint for c in self.columns if c.extract.endpoint]
        return frozenset(netloc(u) for u in urls)


@dataclass(frozen=True)
class Settings:
    download_timeout: float = 15.0
    retries: int = 2
    download_delay: float = 1.0
    concurrency_per_host: int = 2
    max_page_mb: float = 16.0
    conditional_requests: bool = True  # list pages asked for with ETag / Last-Modified (spiders.cache)
    warn_days: int = 3
    rectify_workdays: int = 5
    backdate_tolerance_days: int = 2
    timely_workdays: int = 20
    phased_gap_months: int = 3
    burst_min_items: int = 5
    burst_within_days: int = 3
    burst_silence_days: int = 30
    empty_body_chars: int = 30
    inspection_days: tuple[date, ...] = ()
    contact: str = ""


@dataclass(frozen=True)
class NoticeSettings:
    auto_issue: tuple[str, ...] = ()
    remind_days: int = 2
    office: tuple[str, ...] = ()
    board_url: str | None = None  # the published board.html (reports.board), linked from messages and the feed


@dataclass(frozen=True)
class Catalog:
    path: Path
    digest: str  # SHA-256 of the file's bytes: the catalog version
    text: str
    settings: Settings
    units: tuple[Unit, ...]
    calendar_overrides: dict[date, bool] = field(default_factory=dict)
    calendar_years: dict[int, YearDays] = field(default_factory=dict)  # the calendar file's years
    calendar_file: Path | None = None
    inspection_presets: dict[str, Span] = field(default_factory=lambda: dict(PRESETS))
    notices: NoticeSettings = field(default_factory=lambda: NoticeSettings())

    def unit(self, slug: str) -> Unit:
        for unit in self.units:
            if unit.slug == slug:
                return unit
        raise KeyError(slug)


# ---------------------------------------------------------------- loading


def default_catalog_path() -> Path:
    """`$MONITOR_CONFIG`, else ./catalog.toml, else the bundled demo catalog."""
    env = os.environ.get("MONITOR_CONFIG")
    if env:
        return Path(env)
    local = Path("catalog.toml")
    return local if local.exists() else DEMO_CATALOG


def load_catalog(path: str | os.PathLike[str] | None = None) -> Catalog:
    path = Path(path) if path else default_catalog_path()
    raw_bytes, text, raw = read_toml(path, "catalog")
    try:
        spec = CatalogSpec.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(_describe(path, raw, exc)) from None
    return _build(path, raw_bytes, text, spec)


def _describe(path: Path, raw: dict[str, Any], exc: ValidationError) -> str:
    """The first error, located by unit slug and column id rather than list indexes."""
    # the deepest error is the most specific (a union reports each branch; the right one goes deeper)
    err = max(exc.errors(), key=lambda e: len(e["loc"]))
    loc = list(err["loc"])
    where: list[str] = []
    if loc[:1] == ["units"] and len(loc) > 1 and isinstance(loc[1], int):
        units = raw.get("units") or []
        unit = units[loc[1]] if loc[1] < len(units) and isinstance(units[loc[1]], dict) else {}
        where.append(f"unit {unit.get('slug', f'#{loc[1] + 1}')!r}")
        loc = loc[2:]
        if loc[:1] == ["columns"] and len(loc) > 1 and isinstance(loc[1], int):
            cols = unit.get("columns") or []
            col = cols[loc[1]] if loc[1] < len(cols) and isinstance(cols[loc[1]], dict) else {}
            where.append(f"column {col.get('id', f'#{loc[1] + 1}')!r}")
            loc = loc[2:]
    elif loc[:1] == ["rules"] and len(loc) > 1:
        where.append(f"rule template {loc[1]!r}")
        loc = loc[2:]
    # drop pydantic's union-branch labels such as 'str' / 'RuleSpec'
    fields = [str(p) for p in loc if not (isinstance(p, str) and (p in ("str",) or p[:1].isupper()))]
    if fields:
        where.append(f"field {'.'.join(fields)!r}")
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
    return f"{path}: {', '.join(where) or 'top level'}: {msg}"


@dataclass(frozen=True)
class _Reading:
    """A rule as the catalog gave it: the rule, and what its wording added."""

    rule: Rule
    name: str = ""
    wording: str = ""
    retention: Span | None = None
    display_window: Span | None = None


class _Unreadable(Exception):
    """Wording that could not be read; collected so that every one is reported at once."""

    def __init__(self, field: str, text: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.text, self.reason = field, text, reason


class _AlreadyReported(Exception):
    """The column uses a template whose wording could not be read: reported with the template."""


def _build(path: Path, raw_bytes: bytes, text: str, spec: CatalogSpec) -> Catalog:
    def fail(where: str, msg: str) -> CatalogError:
        return CatalogError(f"{path}: {where}: {msg}")

    settings = Settings(**spec.monitor.model_dump())
    reader = _RuleReader(spec.rules, settings)
    unreadable: list[str] = []

    def unread(where: str, err: _Unreadable, anchor: str) -> None:
        line = _line_of(text, err.text, anchor)
        unreadable.append(f"  line {line}, {where}, field {err.field!r}: “{' '.join(err.text.split())}” — {err.reason}")

    templates: dict[str, _Reading] = {}
    above: Rule | None = None
    for name, rspec in spec.rules.items():
        if rspec.template:
            raise fail(f"rule template {name!r}, field 'template'", "a template cannot extend another template")
        try:
            templates[name] = reader.read(rspec, above, lambda f, m, n=name: fail(f"rule template {n!r}, field {f!r}", m))
            above = templates[name].rule
        except _Unreadable as err:
            unread(f"rule template {name!r}", err, f"[rules.{name}]")
            above = None
    reader.templates = templates

    units: list[Unit] = []
    seen_slugs: set[str] = set()
    for uspec in spec.units:
        if uspec.slug in seen_slugs:
            raise fail(f"unit {uspec.slug!r}, field 'slug'", "duplicate slug: each unit needs its own")
        seen_slugs.add(uspec.slug)
        columns: list[Column] = []
        seen_ids: set[str] = set()
        above = None
        for cspec in uspec.columns:
            where = f"unit {uspec.slug!r}, column {cspec.id!r}"
            if cspec.id in seen_ids:
                raise fail(f"{where}, field 'id'", "duplicate column id within the unit")
            seen_ids.add(cspec.id)
            try:
                reading = reader.column(cspec.rule, above, lambda f, m, w=where: fail(f"{w}, field {f!r}", m))
            except _Unreadable as err:
                unread(where, err, f'"{uspec.slug}"')
                above = None
                continue
            except _AlreadyReported:
                above = None
                continue
            above = reading.rule
            hints = ExtractHints(**cspec.extract.model_dump())
            columns.append(Column(uspec.slug, cspec.id, cspec.name, cspec.url, cspec.type, cspec.focus, reading.rule,
                                  reading.name, hints, reading.wording, reading.retention, reading.display_window))
        units.append(Unit(uspec.slug, uspec.name, uspec.site, tuple(columns), tuple(uspec.contacts)))
    kinds = {*RULE_KINDS, "compound"}
    for name in spec.notices.auto_issue:
        if name != "*" and name not in spec.rules and name not in kinds:
            raise fail("[notices], field 'auto_issue'", f"{name!r} is neither a rule template nor a rule kind "
                       f"({', '.join(sorted(kinds))}) nor \"*\"")
    if unreadable:
        raise CatalogError(f"{path}: {len(unreadable)} 公开时限 wording(s) could not be read; fix or rephrase them "
                           "(python -m monitor cadence \"TEXT\" shows how a phrase is read):\n" + "\n".join(unreadable))

    overrides = {d: kind == "workday" for d, kind in spec.calendar.overrides.items()}
    calendar_file = calendar_path(path, spec.calendar)
    return Catalog(
        path=path,
        digest=hashlib.sha256(raw_bytes).hexdigest(),
        text=text,
        settings=settings,
        units=tuple(units),
        calendar_overrides=overrides,
        calendar_years=load_calendar_file(calendar_file) if calendar_file else {},
        calendar_file=calendar_file,
        inspection_presets={**PRESETS, **{t: Span(s.n, s.unit) for t, s in spec.inspection.presets.items()}},
        notices=NoticeSettings(tuple(spec.notices.auto_issue), spec.notices.remind_days, tuple(spec.notices.office),
                               spec.notices.board_url),
    )


def calendar_path(catalog_path: Path, spec: CalendarSpec) -> Path | None:
    """The calendar file: the catalog's ``[calendar] file`` (relative to its folder), else ``$MONITOR_CALENDAR``."""
    if spec.file:
        return catalog_path.parent / spec.file
    env = os.environ.get("MONITOR_CALENDAR")
    return Path(env) if env else None


def _line_of(text: str, phrase: str, anchor: str) -> int:
    """The 1-based line of ``phrase`` (its first line) after ``anchor`` in the catalog's text; 0 if not found."""
    first = phrase.strip().splitlines()[0].strip() if phrase.strip() else phrase
    start = max(text.find(anchor), 0)
    at = text.find(first, start)
    if at < 0:
        at = text.find(first)
    return text.count("\n", 0, at) + 1 if at >= 0 else 0


class _RuleReader:
    """Turns the catalog's rule values (template names, wording, structured fields) into rules."""

    def __init__(self, specs: dict[str, RuleSpec], settings: Settings) -> None:
        self.specs = specs
        self.templates: dict[str, _Reading] = {}
        self.defaults = Defaults(timely_workdays=settings.timely_workdays,
                                 phased_gap=Span(settings.phased_gap_months, "month"))

    def column(self, value: str | RuleSpec, above: Rule | None, fail) -> _Reading:
        if isinstance(value, str):
            if value in self.templates:
                return replace(self.templates[value], name=value)
            if value in self.specs:  # a template whose own wording could not be read: reported already
                raise _AlreadyReported
            if value.isascii() and value.replace("_", "").isalnum():
                known = ", ".join(sorted(self.templates)) or "none"
                raise fail("rule", f"unknown rule template {value!r} (known: {known})")
            return self.read(RuleSpec(text=value), above, fail, field="rule")
        if value.template:
            if value.template not in self.specs:
                raise fail("rule.template", f"unknown rule template {value.template!r}")
            if value.template not in self.templates:
                raise _AlreadyReported
            base = self.specs[value.template].model_dump(exclude_none=True)
            override = value.model_dump(exclude_unset=True)
            if "text" in override:
                base = {k: v for k, v in base.items() if k in ("lookback_days", "until")}
            elif "kind" in override:
                base.pop("text", None)
            merged = RuleSpec.model_validate({**base, **override, "template": None})
            return replace(self.read(merged, above, fail, field="rule.text"), name=value.template)
        return self.read(value, above, fail, field="rule.text")

    def read(self, spec: RuleSpec, above: Rule | None, fail, field: str = "text") -> _Reading:
        prefix = field.rsplit(".", 1)[0] + "." if "." in field else ""
        if spec.text is None:
            return _Reading(_make_rule(spec, lambda f, m: fail(f"{prefix}{f}", m)))
        if spec.kind is not None:
            raise fail(f"{prefix}kind", "give either text (公开时限 wording) or kind, not both")
        cadence = parse_cadence(spec.text)
        try:
            rule = rule_from_cadence(cadence, self.defaults, above=above, lookback_days=spec.lookback_days,
                                     until=spec.until)
        except CadenceError as exc:
            raise _Unreadable(field, spec.text, str(exc)) from None
        span = lambda d: Span(d["n"], d["unit"]) if d else None  # noqa: E731
        return _Reading(rule, "", spec.text, span(cadence.retention), span(cadence.display_window))


_RULE_FIELDS = ("within", "period", "due", "due_date", "lookback_days", "count", "per", "until")
_RULE_FIELDS_OF = {"max_gap": {"within"}, "item_lag": {"within", "lookback_days"}, "min_rate": {"count", "per"},
                   "phased": {"within", "until"}, "periodic": {"period", "due", "due_date"}, "standing": set()}


def _make_rule(spec: RuleSpec, fail) -> Rule:
    def need(name: str):
        value = getattr(spec, name)
        if value is None:
            raise fail(name, f"required for a {spec.kind} rule")
        return value

    def span(s: SpanSpec) -> Span:
        return Span(s.n, s.unit)

    if spec.kind is None:
        raise fail("kind", f"missing: one of {', '.join(RULE_KINDS)} (or text = the 公开时限 wording)")
    unused = [f for f in _RULE_FIELDS if getattr(spec, f) is not None and f not in _RULE_FIELDS_OF[spec.kind]]
    if unused:  # a field the kind never reads is a mistake: its author meant something the rule will not do
        raise fail(unused[0], f"does not apply to a {spec.kind} rule (it reads: "
                              f"{', '.join(sorted(_RULE_FIELDS_OF[spec.kind])) or 'no field'})")
    if spec.kind == "max_gap":
        return MaxGap(span(need("within")))
    if spec.kind == "item_lag":
        return ItemLag(span(need("within")), spec.lookback_days or 30)
    if spec.kind == "min_rate":
        return MinRate(need("count"), need("per"))
    if spec.kind == "phased":
        return Phased(span(need("within")), spec.until)
    if spec.kind == "periodic":
        if spec.due and spec.due_date:
            raise fail("due_date", "give either due or due_date, not both")
        if spec.due_date and spec.period != "year":
            raise fail("due_date", "a fixed due date needs period = \"year\"")
        due_date = (spec.due_date.month, spec.due_date.day) if spec.due_date else None
        return Periodic(need("period"), span(spec.due) if spec.due else None, due_date)
    return Standing()
