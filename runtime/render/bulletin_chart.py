"""The bulletin's chart: section scores as a bar chart, a PNG for the Word document.

A Word document carries pictures, not SVG an office's WPS can be trusted with,
so the chart is drawn to PNG without a browser by matplotlib (Agg backend):
one bar per section in rank order, its score printed on it, the average as a
dashed line, and a y-axis starting near the lowest score so differences of a
few points show.  Chinese names need a CJK font from the system (Debian's
``fonts-wqy-microhei`` is enough); the first of ``CJK_FONTS`` found is used.

The same scores give the same bytes: no date or software version in the PNG.
"""

from __future__ import annotations

import io
from decimal import Decimal

CJK_FONTS = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


def cjk_font() -> str | None:
    """The first CJK font matplotlib finds on this system, or None."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def score_chart(
    names: list[str], scores: list[Decimal], average: Decimal, title: str, average_label: str
) -> bytes:
    """A PNG bar chart (about 16 x 9 cm at 200 dpi) of ``scores`` by ``names``."""
    import matplotlib
    from matplotlib.figure import Figure  # a bare Figure draws with Agg, no GUI, no pyplot

    font = cjk_font()
    family = [font] if font else ["DejaVu Sans"]
    values = [float(s) for s in scores]  # drawing only: every figure printed comes from Decimal
    figure = Figure(figsize=(6.3, 3.6), dpi=200)
    axes = figure.add_subplot()
    with matplotlib.rc_context({"font.family": family}):
        bars = axes.bar(range(len(values)), values, color="#4472C4", width=0.7)
        for bar, score in zip(bars, scores, strict=True):
            axes.annotate(
                f"{score}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center", va="bottom", fontsize=5, family=family,
            )  # fmt: skip
        low = min(values, default=0.0)
        axes.set_ylim(max(0.0, (low // 5) * 5 - 5), max(values, default=100.0) + 3)
        axes.axhline(float(average), color="#C00000", linestyle="--", linewidth=0.8)
        axes.text(
            len(values) - 0.5, float(average), f"{average_label} {average}",
            ha="right", va="bottom", fontsize=6, color="#C00000", family=family,
        )  # fmt: skip
        axes.set_xticks(range(len(values)))
        axes.set_xticklabels(names, rotation=45, ha="right", fontsize=6, family=family)
        axes.tick_params(axis="y", labelsize=6)
        axes.set_title(title, fontsize=9, family=family)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
