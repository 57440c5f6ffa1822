"""Small SVG charts for reports, as data URIs: credence histories and calibration."""

from __future__ import annotations

import base64
from datetime import datetime

WIDTH, HEIGHT, PAD = 240, 72, 8


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _frame(width: int, height: int, body: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f'<rect width="{width}" height="{height}" fill="#fff" stroke="#ccc"/>{body}</svg>'
    )


def credence_chart(points: list[tuple[datetime, float]]) -> str:
    """A step chart of credence (0 to 1) over time, one dot per change."""
    if not points:
        return ""
    times = [t.timestamp() for t, _ in points]
    start, span = times[0], max(times[-1] - times[0], 1e-9)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def xy(t: float, c: float) -> tuple[float, float]:
        x = PAD + (inner_w * (t - start) / span if len(points) > 1 else inner_w / 2)
        return round(x, 1), round(PAD + inner_h * (1 - c), 1)

    coords = [xy(t, c) for t, (_, c) in zip(times, points)]
    path = []
    for i, (x, y) in enumerate(coords):
        if i == 0:
            path.append(f"M{x},{y}")
        else:
            path.append(f"H{x}V{y}")
    grid = "".join(
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{PAD + inner_h * (1 - g)}" y2="{PAD + inner_h * (1 - g)}" '
        f'stroke="#eee"/>'
        for g in (0.0, 0.5, 1.0)
    )
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="3" fill="#1f77b4"/>' for x, y in coords)
    body = grid + f'<path d="{"".join(path)}" fill="none" stroke="#1f77b4" stroke-width="2"/>' + dots
    return _data_uri(_frame(WIDTH, HEIGHT, body, "credence over time"))


def calibration_chart(bands: list[tuple[float, float, int]]) -> str:
    """Stated credence (x) against how often predictions came true (y); dot size by count."""
    size = 160
    inner = size - 2 * PAD
    body = f'<line x1="{PAD}" y1="{size - PAD}" x2="{size - PAD}" y2="{PAD}" stroke="#bbb" stroke-dasharray="4 3"/>'
    for stated, observed, count in bands:
        x = PAD + inner * stated
        y = PAD + inner * (1 - observed)
        radius = min(3 + count, 10)
        body += f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="#d62728" fill-opacity="0.7"/>'
    return _data_uri(_frame(size, size, body, "calibration: stated credence against frequency true"))
