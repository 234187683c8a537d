"""A water-level chart as plain SVG, readable without JavaScript: one day's readings as a line, the
gauge's thresholds as labelled dashed lines, with a title and a text description for screen readers."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from broker.clock import as_jst

__all__ = ["day_chart"]

W, H, LEFT, RIGHT, TOP, BOTTOM = 640, 260, 56, 120, 16, 36


def day_chart(chart_id: str, title: str, points: list[tuple[datetime, float]], thresholds: dict[str, float],
              unit: str = "m") -> str:
    values = [v for _, v in points] + list(thresholds.values())
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 0.1:
        low, high = low - 0.05, high + 0.05
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad

    def x(t: datetime) -> float:
        local = as_jst(t)
        return LEFT + (local.hour * 3600 + local.minute * 60 + local.second) / 86400 * (W - LEFT - RIGHT)

    def y(v: float) -> float:
        return TOP + (high - v) / (high - low) * (H - TOP - BOTTOM)

    if points:
        latest = max(points)
        summary = (f"{len(points)} 件の観測。最新 {as_jst(latest[0]):%H:%M} に {latest[1]:.2f}{unit}、"
                   f"最高 {max(v for _, v in points):.2f}{unit}、最低 {min(v for _, v in points):.2f}{unit}。")
    else:
        summary = "この日の観測はありません。"
    summary += "".join(f" {name} {value:.2f}{unit}。" for name, value in thresholds.items())
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
             f'aria-labelledby="{chart_id}-t {chart_id}-d">',
             f'<title id="{chart_id}-t">{escape(title)}</title>', f'<desc id="{chart_id}-d">{escape(summary)}</desc>',
             f'<rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" fill="#ffffff" '
             'stroke="#595959"/>']
    for hour in range(0, 25, 6):
        px = LEFT + hour / 24 * (W - LEFT - RIGHT)
        parts.append(f'<text x="{px:.1f}" y="{H - 14}" font-size="12" text-anchor="middle" '
                     f'fill="#1a1a1a">{hour}時</text>')
    for k in range(5):
        v = low + (high - low) * k / 4
        parts.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" font-size="12" text-anchor="end" '
                     f'fill="#1a1a1a">{v:.2f}</text>')
    for name, value in thresholds.items():
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#8a3b00" '
                     'stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{W - RIGHT + 4}" y="{y(value) + 4:.1f}" font-size="11" fill="#8a3b00">'
                     f'{escape(name)}</text>')
    if points:
        coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in sorted(points))
        parts.append(f'<polyline points="{coords}" fill="none" stroke="#0b4f9c" stroke-width="2"/>')
    parts.append(f'<text x="12" y="{TOP + 10}" font-size="12" fill="#1a1a1a">{unit}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
