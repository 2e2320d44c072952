"""Server-side charts as inline SVG strings (no JavaScript, no CDN).

Every label is XML-escaped; the functions return markup ready to mark safe in a template.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

PALETTE = ["#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6", "#dd4477", "#66aa00", "#b82e2e"]


def _esc(text: object) -> str:
    return escape(str(text), {'"': "&quot;"})


def _fit(text: str, width_px: int, font_px: int = 12) -> str:
    """Shorten ``text`` with an ellipsis to about ``width_px`` (CJK characters count as one em, others as half)."""
    used, out = 0.0, []
    for ch in text:
        used += font_px if ord(ch) > 0x2E80 else font_px * 0.55
        if used > width_px:
            return "".join(out).rstrip() + "…"
        out.append(ch)
    return text


def bar_chart(
    items: Sequence[tuple[str, float]], *, title: str = "", width: int = 560, bar_height: int = 22
) -> str:
    """Horizontal bar chart of ``(label, value)`` pairs."""
    label_w = 220
    top = 28 if title else 6
    height = top + max(1, len(items)) * (bar_height + 6) + 6
    peak = max((v for _, v in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{_esc(title)}">'
    ]
    if title:
        parts.append(f'<text x="4" y="18" font-size="14" font-weight="bold">{_esc(title)}</text>')
    if not items:
        parts.append(f'<text x="4" y="{top + 16}" font-size="12" fill="#777">无数据 No data</text>')
    for i, (lab, value) in enumerate(items):
        y = top + i * (bar_height + 6)
        w = int((width - label_w - 60) * (value / peak))
        color = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_height - 6}" font-size="12" text-anchor="end">'
            f"{_esc(_fit(str(lab), label_w - 10))}<title>{_esc(lab)}</title></text>"
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_height}" fill="{color}">'
            f"<title>{_esc(lab)}: {value:g}</title></rect>"
            f'<text x="{label_w + max(w, 1) + 4}" y="{y + bar_height - 6}" font-size="12">{value:g}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    points: Sequence[tuple[str, float]], *, title: str = "", width: int = 560, height: int = 220
) -> str:
    """Line chart of ``(x label, value)`` points in order (e.g. findings per day or per batch)."""
    left, right, top, bottom = 40, 12, 28 if title else 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for _, v in points), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{_esc(title)}">'
    ]
    if title:
        parts.append(f'<text x="4" y="18" font-size="14" font-weight="bold">{_esc(title)}</text>')
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>'
        f'<text x="{left - 4}" y="{top + 10}" font-size="11" text-anchor="end">{peak:g}</text>'
        f'<text x="{left - 4}" y="{top + plot_h}" font-size="11" text-anchor="end">0</text>'
    )
    if not points:
        parts.append(f'<text x="{left + 8}" y="{top + 20}" font-size="12" fill="#777">无数据 No data</text>')
    n = len(points)
    coords = []
    for i, (lab, value) in enumerate(points):
        x = left + (plot_w * (i / (n - 1)) if n > 1 else plot_w / 2)
        y = top + plot_h - plot_h * (value / peak)
        coords.append((x, y))
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[0]}"><title>{_esc(lab)}: {value:g}</title></circle>'
        )
        if n <= 12 or i % max(1, n // 12) == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="middle">{_esc(lab)}</text>'
            )
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="2" points="{path}"/>')
    parts.append("</svg>")
    return "".join(parts)
