"""Charts as inline SVG, made at build time: no script, no external asset, legible printed in black and white.

Pure functions from figures to SVG text. Meaning never rests on colour alone: the trend line carries its
values as labels and markers, the calendar's shades go from white to black in four steps with a legend,
and every mark has a ``<title>`` (shown on hover, read by screen readers). Every text is XML-escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class Point:
    label: str          # e.g. "第48周"
    detail: str         # e.g. "11月23日—11月29日"
    value: float | None  # 0..1, None when nothing was judged


def trend_svg(points: Sequence[Point], title: str, width: int = 720, height: int = 220) -> str:
    """A line of rates (0-100 %) over weeks, each point marked and labelled with its value."""
    left, right, top, bottom = 44, 16, 18, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return left + i * step

    def y(v: float) -> float:
        return top + (1 - v) * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
             f'role="img" aria-label={quoteattr(title)} class="chart trend">', f"<title>{escape(title)}</title>"]
    for pct in (0, 25, 50, 75, 100):
        yy = y(pct / 100)
        dash = "" if pct in (0, 100) else ' stroke-dasharray="3 3"'
        parts.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" stroke="#999"{dash}/>')
        parts.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11">{pct}%</text>')
    segment: list[str] = []
    for i, p in enumerate(points):
        if p.value is None:
            if len(segment) > 1:
                parts.append(f'<polyline fill="none" stroke="#000" stroke-width="2" points="{" ".join(segment)}"/>')
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(p.value):.1f}")
    if len(segment) > 1:
        parts.append(f'<polyline fill="none" stroke="#000" stroke-width="2" points="{" ".join(segment)}"/>')
    for i, p in enumerate(points):
        parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">'
                     f"{escape(p.label)}</text>")
        if p.value is None:
            parts.append(f'<text x="{x(i):.1f}" y="{y(0.5):.1f}" text-anchor="middle" font-size="11" fill="#555">'
                         f"<title>{escape(p.label)}（{escape(p.detail)}）：无评判</title>—</text>")
            continue
        last = i == len(points) - 1
        words = f"{p.value * 100:.1f}%"
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="{5 if last else 3.5}" '
                     f'fill="{"#000" if last else "#fff"}" stroke="#000" stroke-width="1.5">'
                     f"<title>{escape(p.label)}（{escape(p.detail)}）：按时率 {words}</title></circle>")
        weight = ' font-weight="bold"' if last else ""
        parts.append(f'<text x="{x(i):.1f}" y="{y(p.value) - 9:.1f}" text-anchor="middle" font-size="10"{weight}>'
                     f"{p.value * 100:.0f}</text>")
    parts.append("</svg>")
    return "".join(parts)


SHADES = ((0, "#ffffff", "无"), (1, "#c8c8c8", "1条"), (2, "#7a7a7a", "2—3条"), (4, "#1a1a1a", "4条及以上"))


def _shade(n: int) -> str:
    colour = SHADES[0][1]
    for least, fill, _ in SHADES:
        if n >= least:
            colour = fill
    return colour


def calendar_svg(counts: Mapping[date, int], first: date, end: date, title: str, cell: int = 12,
                 detailed: bool = True) -> str:
    """A year of publication days, one square a day in weeks (columns) of Monday to Sunday (rows), darker
    for more items; months along the top, a legend below. Bursts (一阵风) and silences show at a glance.
    `detailed` adds each day's date and count (a hover title, data attributes); without it the drawing is
    a third of the size (the print view of a province)."""
    first -= timedelta(days=first.weekday())  # whole weeks: from a Monday
    weeks = (end - first).days // 7 + 1
    left, top = 26, 18
    width, height = left + weeks * (cell + 2) + 4, top + 7 * (cell + 2) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
             f'role="img" aria-label={quoteattr(title)} class="chart calendar">', f"<title>{escape(title)}</title>",
             '<g stroke="#888" stroke-width="0.5">']
    for row, name in ((0, "一"), (2, "三"), (4, "五")):
        parts.append(f'<text x="{left - 6}" y="{top + row * (cell + 2) + cell - 2}" text-anchor="end" font-size="10">{name}</text>')
    shown_month = None
    day = first
    while day <= end:
        col, row = (day - first).days // 7, day.weekday()
        xx, yy = left + col * (cell + 2), top + row * (cell + 2)
        if day.day <= 7 and row == 0 and day.month != shown_month:
            parts.append(f'<text x="{xx}" y="{top - 6}" font-size="10">{day.month}月</text>')
            shown_month = day.month
        n = counts.get(day, 0)
        if detailed:
            parts.append(f'<rect x="{xx}" y="{yy}" width="{cell}" height="{cell}" fill="{_shade(n)}" '
                         f'data-day="{day.isoformat()}" data-count="{n}"><title>{day.isoformat()}：{n} 条</title></rect>')
        else:
            parts.append(f'<rect x="{xx}" y="{yy}" width="{cell}" height="{cell}" fill="{_shade(n)}"/>')
        day += timedelta(days=1)
    parts.append("</g>")
    ly = top + 7 * (cell + 2) + 12
    lx = left
    parts.append(f'<text x="{lx}" y="{ly + 9}" font-size="10">发布条数：</text>')
    lx += 58
    for _, fill, words in SHADES:
        parts.append(f'<rect x="{lx}" y="{ly}" width="{cell}" height="{cell}" fill="{fill}" stroke="#888" stroke-width="0.5"/>')
        parts.append(f'<text x="{lx + cell + 3}" y="{ly + 10}" font-size="10">{escape(words)}</text>')
        lx += cell + 10 + 11 * len(words)
    parts.append("</svg>")
    return "".join(parts)
