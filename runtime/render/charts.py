"""Small inline-SVG charts for printed reports: a histogram with axes and grade
thresholds, and a sorted bar chart of score changes with names.

Reports are read on paper and must open offline, so charts are SVG strings
drawn here (no script, no charting library, nothing fetched).  Every chart
has a ``viewBox`` so print CSS can scale it to the page width; text inherits
the page's CJK fonts.  Scores arrive as ``Decimal``; only pixel positions
are floats.  The elements tests look for carry classes: ``axis-label``,
``tick``, ``threshold`` (with ``data-grade``), ``count`` and ``bar-label``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from semantics.rounding import unsigned

BEFORE, AFTER = "#1f77b4", "#ff7f0e"
GAIN, LOSS, STILL = "#0a7a2f", "#b3261e", "#999999"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _signed(value: Decimal) -> str:
    shown = unsigned(value)
    return ("+" if shown > 0 else "") + str(shown)


def _step(top: int) -> int:
    """A tick step of 1, 2 or 5 times a power of ten giving at most six ticks."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if top / (step * factor) <= 6:
                return step * factor
        step *= 10


@dataclass(frozen=True, slots=True)
class HistogramWords:
    before: str  # legend of the baseline's bars
    after: str
    x_label: str  # what the horizontal axis measures (the total)
    y_label: str  # what the bars count (subjects)


def histogram(
    before: Sequence[Decimal],
    after: Sequence[Decimal],
    thresholds: Sequence[tuple[str, Decimal]],
    words: HistogramWords,
    width: int = 2,
) -> str:
    """Two bars per bin of ``width`` points (baseline, candidate), the count
    printed on each bar, y ticks, axis labels, and a dashed line at each
    grade's minimum that falls in the range, labelled with the grade."""
    values = [*before, *after]
    if not values:
        return ""
    low = int(min(values)) // width * width
    high = int(max(values)) // width * width + width
    starts = list(range(low, high, width))
    counts = [
        (
            start,
            sum(1 for v in before if start <= v < start + width),
            sum(1 for v in after if start <= v < start + width),
        )
        for start in starts
    ]
    top = max(max(b, a) for _, b, a in counts) or 1
    step = _step(top)
    top = -(-top // step) * step
    left, right, upper, plot_h = 56, 16, 52, 200
    slot = max(24, min(48, 600 // len(starts)))
    plot_w = slot * len(starts)
    total_w, total_h = left + plot_w + right, upper + plot_h + 48
    base = upper + plot_h

    def x_of(score: float) -> float:
        return left + (score - low) / (high - low) * plot_w

    def y_of(count: int) -> float:
        return base - count * plot_h / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" '
        f'viewBox="0 0 {total_w} {total_h}" role="img" font-size="11">'
    ]
    for tick in range(0, top + 1, step):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e5e5e5"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    bar = (slot - 6) / 2
    for index, (start, b, a) in enumerate(counts):
        x = left + index * slot + 3
        for offset, count, color in ((0.0, b, BEFORE), (bar, a, AFTER)):
            if not count:
                continue
            y = y_of(count)
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{base - y:.1f}" '
                f'fill="{color}"><title>{start}–{start + width}: {count}</title></rect>'
                f'<text class="count" x="{x + offset + bar / 2:.1f}" y="{y - 3:.1f}" '
                f'text-anchor="middle" font-size="10">{count}</text>'
            )
    for index in range(len(starts) + 1):
        x = left + index * slot
        parts.append(
            f'<line x1="{x}" y1="{base}" x2="{x}" y2="{base + 4}" stroke="#555"/>'
            f'<text class="tick" x="{x}" y="{base + 16}" text-anchor="middle">{low + index * width}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#555"/>'
        f'<line x1="{left}" y1="{upper}" x2="{left}" y2="{base}" stroke="#555"/>'
    )
    for grade, minimum in thresholds:
        if not low < minimum < high:
            continue
        at = x_of(float(minimum))
        parts.append(
            f'<g class="threshold" data-grade="{_esc(grade)}">'
            f'<line x1="{at:.1f}" y1="{upper - 18}" x2="{at:.1f}" y2="{base}" stroke="#6a3d9a" '
            f'stroke-dasharray="4 3" stroke-width="1.5"/>'
            f'<text x="{at + 3:.1f}" y="{upper - 20}" fill="#6a3d9a">{_esc(grade)} ≥ {minimum}</text></g>'
        )
    parts.append(
        f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{base + 36}" '
        f'text-anchor="middle" font-size="12">{_esc(words.x_label)}</text>'
        f'<text class="axis-label" transform="translate(14 {upper + plot_h / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle" font-size="12">{_esc(words.y_label)}</text>'
        f'<g font-size="12"><rect x="{left}" y="4" width="10" height="10" fill="{BEFORE}"/>'
        f'<text x="{left + 14}" y="13">{_esc(words.before)}</text>'
        f'<rect x="{left + 110}" y="4" width="10" height="10" fill="{AFTER}"/>'
        f'<text x="{left + 124}" y="13">{_esc(words.after)}</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Bar:
    """One subject's change: its name, score delta and a note (its rank change)."""

    name: str
    delta: Decimal
    note: str


def delta_bars(bars: Sequence[Bar], x_label: str) -> str:
    """One horizontal bar per subject, largest gain first, each labelled with
    its name on the left and its delta and note at the bar's end; an x axis
    with ticks and ``x_label`` below."""
    if not bars:
        return ""
    ordered = sorted(bars, key=lambda b: (-b.delta, b.name))
    low = min(Decimal(0), *(b.delta for b in ordered))
    high = max(Decimal(0), *(b.delta for b in ordered))
    span = int(max(-low, high)) + 1
    step = _step(span)
    lo = -(-int(-low) // step) * step if low < 0 else 0
    hi = -(-int(high) // step) * step if high > 0 else 0
    if lo == hi:
        hi = step
    left, plot_w, right, row, upper = 150, 360, 110, 18, 8
    total_w = left + plot_w + right
    plot_h = row * len(ordered)
    base = upper + plot_h
    total_h = base + 40

    def x_of(value: Decimal | int) -> float:
        return left + float(Decimal(value) + lo) / float(hi + lo) * plot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" '
        f'viewBox="0 0 {total_w} {total_h}" role="img" font-size="11">'
    ]
    for tick in range(-lo, hi + 1, step):
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{upper}" x2="{x:.1f}" y2="{base}" stroke="#e5e5e5"/>'
            f'<text class="tick" x="{x:.1f}" y="{base + 14}" text-anchor="middle">{tick}</text>'
        )
    zero = x_of(0)
    for index, b in enumerate(ordered):
        y = upper + index * row
        end = x_of(b.delta)
        color = GAIN if b.delta > 0 else LOSS if b.delta < 0 else STILL
        parts.append(
            f'<text class="bar-label" x="{left - 6}" y="{y + 13}" text-anchor="end">{_esc(b.name)}</text>'
            f'<rect x="{min(zero, end):.1f}" y="{y + 3}" width="{abs(end - zero):.1f}" '
            f'height="{row - 6}" fill="{color}"><title>{_esc(b.name)}: {_signed(b.delta)}</title></rect>'
            f'<text x="{max(zero, end) + 4:.1f}" y="{y + 13}">{_signed(b.delta)} {_esc(b.note)}</text>'
        )
    parts.append(
        f'<line x1="{zero:.1f}" y1="{upper}" x2="{zero:.1f}" y2="{base}" stroke="#555"/>'
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#555"/>'
        f'<text class="axis-label" x="{left + plot_w / 2}" y="{base + 32}" text-anchor="middle" '
        f'font-size="12">{_esc(x_label)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
