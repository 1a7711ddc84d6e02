"""A line chart as inline SVG (no JavaScript, no dependency): expected vs realised over time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape

WIDTH, HEIGHT, PAD = 640, 240, 48
COLOURS = {"expected": "#8a8f98", "realised": "#1a7f37", "obligation": "#b54708"}


def line_chart(points: list[tuple[date, dict[str, Decimal]]], title: str) -> str:
    """`points`: (as_of, {"expected": ..., "realised": ...}) in date order. Empty input: no chart."""
    if len(points) < 2:
        return ""
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    top = max((v for _, values in points for v in values.values()), default=Decimal(0)) or Decimal(1)

    def x(day: date) -> float:
        return PAD + (day.toordinal() - first) / max(last - first, 1) * (WIDTH - 2 * PAD)

    def y(value: Decimal) -> float:
        return HEIGHT - PAD + float(-value / top) * (HEIGHT - 2 * PAD)

    series = sorted({name for _, values in points for name in values})
    lines = []
    for name in series:
        coords = " ".join(f"{x(day):.1f},{y(values[name]):.1f}" for day, values in points if name in values)
        lines.append(f'<polyline fill="none" stroke="{COLOURS.get(name, "#333")}" stroke-width="2" points="{coords}"/>')
    legend = "".join(
        f'<text x="{PAD + 120 * i}" y="{HEIGHT - 12}" fill="{COLOURS.get(name, "#333")}" font-size="12">{escape(name)}</text>'
        for i, name in enumerate(series))
    axis = (f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#ccc"/>'
            f'<text x="{PAD}" y="{HEIGHT - PAD + 16}" font-size="11">{points[0][0]}</text>'
            f'<text x="{WIDTH - PAD}" y="{HEIGHT - PAD + 16}" font-size="11" text-anchor="end">{points[-1][0]}</text>'
            f'<text x="4" y="{PAD - 8}" font-size="11">EUR {top:,.0f}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>{axis}{"".join(lines)}{legend}</svg>')
