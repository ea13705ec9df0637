"""Small inline SVG plots for the HTML session report: scores over the turns, and a reply's loudness
envelope with its evidence stretches and trainer comments. Plain strings, no plotting library."""

from __future__ import annotations

from html import escape

import numpy as np

DIMENSION_COLOURS = {"empathy": "#d9480f", "clarity": "#1971c2", "pace": "#2f9e44", "calm": "#7048e8"}
MOOD_COLOUR = "#868e96"


def scores_chart(turns: list[dict], width: int = 680, height: int = 220) -> str:
    """Each dimension's 0–100 score per turn as a line, the customer's mood (0–1, as 0–100) dashed."""
    left, right, top, bottom = 40, 150, 12, 30
    inner_w, inner_h = width - left - right, height - top - bottom
    count = max(len(turns), 1)

    def x(i: int) -> float:
        return left + (inner_w * (i + 0.5) / count)

    def y(value: float) -> float:
        return top + inner_h * (1 - value / 100)

    parts = [_svg_open(width, height, "Scores per turn")]
    for level in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" x2="{left + inner_w}" y1="{y(level):.1f}" y2="{y(level):.1f}" stroke="#dee2e6"/>'
        )
        parts.append(_text(left - 6, y(level) + 4, str(level), anchor="end"))
    every = max(1, len(turns) // 12)  # at most ~12 labels, so that 20 turns do not overlap
    for i, turn in enumerate(turns):
        if i % every == 0:
            parts.append(_text(x(i), height - 12, str(turn["index"]), anchor="middle"))
    parts.append(_text(left + inner_w / 2, height - 1, "turn", anchor="middle"))
    series = {name: [(t["feedback"].get("scores") or {}).get(name) for t in turns] for name in DIMENSION_COLOURS}
    series["customer mood"] = [100 * t["customer_mood"] for t in turns]
    for row, (name, values) in enumerate(series.items()):
        colour = DIMENSION_COLOURS.get(name, MOOD_COLOUR)
        dash = ' stroke-dasharray="5 4"' if name == "customer mood" else ""
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>' for px, py in points]
        legend_y = top + 14 + 18 * row
        parts.append(
            f'<line x1="{width - right + 12}" x2="{width - right + 30}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        parts.append(_text(width - right + 34, legend_y, name))
    parts.append("</svg>")
    return "".join(parts)


def reply_envelope(
    samples: np.ndarray,
    rate: int,
    highlights: list[tuple[float, float]],
    pins: list[tuple[float, str]],
    width: int = 640,
    height: int = 90,
) -> str:
    """The reply's loudness envelope over time; `highlights`: evidence stretches (s) shaded; `pins`: trainer
    comments (s, text) as numbered markers, their text in the marker's tooltip."""
    left, bottom = 8, 18
    duration = max(samples.size / rate, 0.01)
    inner_w, inner_h = width - 2 * left, height - bottom - 4
    columns = min(inner_w, max(samples.size, 1))
    chunks = np.array_split(np.abs(samples.astype(np.float32)), columns) if samples.size else [np.zeros(1)]
    peak = np.array([c.max() if c.size else 0.0 for c in chunks])
    peak = peak / max(float(peak.max()), 1e-6)
    mid = 4 + inner_h / 2

    def x(seconds: float) -> float:
        return left + inner_w * min(max(seconds / duration, 0.0), 1.0)

    parts = [_svg_open(width, height, "The reply's loudness over time")]
    for start, end in highlights:
        parts.append(
            f'<rect x="{x(start):.1f}" y="2" width="{max(x(end) - x(start), 1):.1f}" height="{inner_h + 4}" '
            f'fill="#ffe066" opacity="0.6"/>'
        )
    step = inner_w / len(peak)
    top_edge = " ".join(f"{left + i * step:.1f},{mid - p * inner_h / 2:.1f}" for i, p in enumerate(peak))
    bottom_edge = " ".join(
        f"{left + i * step:.1f},{mid + p * inner_h / 2:.1f}" for i, p in reversed(list(enumerate(peak)))
    )
    parts.append(f'<polygon points="{top_edge} {bottom_edge}" fill="#1971c2" opacity="0.75"/>')
    for number, (seconds, text) in enumerate(pins, start=1):
        px = x(seconds)
        parts.append(
            f'<g><title>{escape(text)}</title><line x1="{px:.1f}" x2="{px:.1f}" y1="2" y2="{inner_h + 4}" '
            f'stroke="#c92a2a" stroke-width="2"/><circle cx="{px:.1f}" cy="9" r="7" fill="#c92a2a"/>'
            f"{_text(px, 13, str(number), anchor='middle', fill='#fff')}</g>"
        )
    for second in range(0, int(duration) + 1, max(1, int(duration // 8) or 1)):
        parts.append(_text(x(second), height - 4, f"{second} s", anchor="middle"))
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" font-family="sans-serif" font-size="11"><title>{escape(title)}</title>'
    )


def _text(x: float, y: float, text: str, anchor: str = "start", fill: str = "#495057") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'
