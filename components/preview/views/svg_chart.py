"""A time-series chart as inline SVG: axes, lines, reference lines and their labels.

Sizes are in pixels of the view's fixed grid, so text is drawn at its real size, never stretched.
Without data (the offline preview) the frame, the time axis and the threshold lines are still
drawn, with the y range chosen to show them; with data (live mode) the range covers both.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf")
SEVERITY_COLORS = {"warning": "#e07b00", "critical": "#d62728"}
LEFT, RIGHT, TOP, BOTTOM = 46, 10, 8, 20
# A white outline behind text keeps labels readable where they cross lines or each other.
HALO = 'stroke="#fff" stroke-width="3" paint-order="stroke"'


@dataclass(frozen=True)
class Series:
    label: str
    color: str
    points: tuple[tuple[float, float], ...]  # (epoch seconds, value), in time order


@dataclass(frozen=True)
class ReferenceLine:
    """A horizontal line: a threshold of an alarm or an annotation of the widget."""

    value: float
    label: str
    color: str
    dashed: bool = True


@dataclass(frozen=True)
class TimeWindow:
    start: float
    end: float
    live: bool  # False: relative labels ("-6h" ... "now") for a view that has no clock


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten apart)."""
    if not math.isfinite(low) or not math.isfinite(high):
        low, high = 0.0, 1.0
    if high - low <= 1e-9 * max(1.0, abs(low), abs(high)):  # flat (or inverted): open a visible band
        high = low + max(abs(low) * 0.1, 1.0)
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = [round(first, 10)]
    while len(ticks) < 2 or ticks[-1] < high - step * 1e-9:
        ticks.append(round(first + len(ticks) * step, 10))
    return ticks


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 10_000:
        return f"{value / 1000:g}k"
    return f"{value:.6g}"


def _relative(seconds: float) -> str:
    if seconds <= 0:
        return "now"
    hours = seconds / 3600
    return f"-{hours:g}h" if hours >= 1 else f"-{seconds / 60:g}m"


def _clock(epoch: float) -> str:
    import time
    return time.strftime("%H:%M", time.gmtime(epoch))


def _label_positions(lines: Sequence[tuple[float, str]], plot_w: float, gap: float = 11.0) -> list[tuple[float, float, str]]:
    """Where each reference line's label goes (x, y, text-anchor): above its line at the right, else at the
    left, else a text line lower; a label never overlaps another (widths estimated from 10 px text)."""
    boxes: list[tuple[float, float, float]] = []
    placed: list[tuple[float, float, str]] = []
    for line_y, text in lines:
        width = min(len(text) * 5.6, plot_w - 6)
        for attempt in range(12):
            side = ("end", "start")[attempt % 2]
            label_y = line_y - 3 + gap * (attempt // 2)
            x0 = LEFT + plot_w - 3 - width if side == "end" else LEFT + 3
            if all(abs(label_y - y) >= gap or x0 + width <= b0 or b1 <= x0 for b0, b1, y in boxes):
                break
        boxes.append((x0, x0 + width, label_y))
        placed.append((LEFT + plot_w - 3 if side == "end" else LEFT + 3, label_y, side))
    return placed


def y_range(series: Sequence[Series], references: Sequence[ReferenceLine], y_min: float | None,
            y_max: float | None) -> tuple[float, float]:
    values = [v for s in series for _, v in s.points] + [r.value for r in references]
    low = min(values, default=0.0)
    high = max(values, default=1.0)
    low = min(low, 0.0) if y_min is None else y_min
    high = high * 1.1 if y_max is None and high > 0 else (high if y_max is None else y_max)
    if high <= low:
        high = low + 1.0
    return low, high


def chart_svg(width: int, height: int, window: TimeWindow, series: Sequence[Series],
              references: Sequence[ReferenceLine], *, y_min: float | None = None, y_max: float | None = None,
              y_label: str | None = None, empty_note: str | None = None) -> str:
    plot_w, plot_h = max(width - LEFT - RIGHT, 10), max(height - TOP - BOTTOM, 10)
    ticks = nice_ticks(*y_range(series, references, y_min, y_max))
    low, high = ticks[0], ticks[-1]
    if y_min is not None:
        low = y_min
    if y_max is not None:
        high = y_max
    span_t = max(window.end - window.start, 1.0)

    def x(t: float) -> float:
        return LEFT + (t - window.start) / span_t * plot_w

    def y(v: float) -> float:
        return TOP + (high - v) / (high - low) * plot_h

    out = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'xmlns="http://www.w3.org/2000/svg" role="img">']
    out.append(f'<rect class="plot" x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#ccc"/>')
    for tick in ticks:
        if low <= tick <= high:
            ty = y(tick)
            out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#eee"/>')
            out.append(f'<text x="{LEFT - 4}" y="{ty + 3:.1f}" font-size="10" text-anchor="end" fill="#555">'
                       f'{escape(_fmt(tick))}</text>')
    for fraction in (0, 1 / 3, 2 / 3, 1):
        t = window.start + fraction * span_t
        label = _clock(t) if window.live else _relative(window.end - t)
        anchor = "start" if fraction == 0 else ("end" if fraction == 1 else "middle")
        out.append(f'<text x="{x(t):.1f}" y="{TOP + plot_h + 14}" font-size="10" text-anchor="{anchor}" '
                   f'fill="#555">{escape(label)}</text>')
    if y_label:
        out.append(f'<text x="10" y="{TOP + plot_h / 2:.1f}" font-size="10" fill="#555" text-anchor="middle" '
                   f'transform="rotate(-90 10 {TOP + plot_h / 2:.1f})">{escape(y_label)}</text>')
    shown = [ref for ref in references if low <= ref.value <= high]
    for ref, (label_x, label_y, anchor) in zip(shown, _label_positions([(y(r.value), r.label) for r in shown], plot_w)):
        ry = y(ref.value)
        dash = ' stroke-dasharray="5 3"' if ref.dashed else ""
        out.append(f'<line class="reference" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ry:.1f}" y2="{ry:.1f}" '
                   f'stroke="{ref.color}" stroke-width="1.5"{dash}><title>{escape(ref.label)}</title></line>')
        out.append(f'<text x="{label_x:.1f}" y="{label_y:.1f}" font-size="10" text-anchor="{anchor}" '
                   f'fill="{ref.color}" {HALO}>{escape(ref.label)}</text>')
    for s in series:
        if not s.points:
            continue
        coords = " ".join(f"{x(t):.1f},{y(min(max(v, low), high)):.1f}" for t, v in s.points)
        out.append(f'<polyline class="series" data-points="{len(s.points)}" fill="none" stroke="{s.color}" '
                   f'stroke-width="1.5" points="{coords}"><title>{escape(s.label)}</title></polyline>')
    if empty_note and not any(s.points for s in series):
        out.append(f'<text class="empty" x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" font-size="11" '
                   f'text-anchor="middle" fill="#888" {HALO}>{escape(empty_note)}</text>')
    out.append("</svg>")
    return "".join(out)
