"""Colours, fonts and the figure canvas shared by every chart: phone-sized PNGs in a dark or light theme.

Figures are built with matplotlib.figure.Figure on an Agg canvas, never through pyplot, so rendering
touches no global state and works in a worker process or thread without a display.
"""
from __future__ import annotations

import io
from datetime import datetime, timezone

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from trading.reports.themes import DARK, LIGHT, THEMES, ChartTheme, ThemeName, theme_named  # noqa: F401

WIDTH_PX = 1080            # a phone screen's width in pixels: Telegram shows the photo at full width
DPI = 100
FONT = 20                  # ticks and labels: about 2 mm tall on a phone held at reading distance
TITLE_FONT = 26
SMALL_FONT = 16
PNG_COMPRESS_LEVEL = 1


def new_figure(theme: ChartTheme, height_px: int) -> Figure:
    """Return an empty phone-width figure on its own Agg canvas, painted in the theme's background."""
    figure = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI, facecolor=theme.background)
    FigureCanvasAgg(figure)
    return figure


def style_axes(axes: Axes, theme: ChartTheme) -> None:
    """Paint axes in the theme: background, grid, spines and large tick labels on the right."""
    axes.set_facecolor(theme.background)
    axes.grid(True, color=theme.grid, linewidth=1.0)
    axes.set_axisbelow(True)
    axes.tick_params(colors=theme.muted, labelsize=FONT, length=0, pad=6)
    axes.yaxis.tick_right()
    for spine in axes.spines.values():
        spine.set_visible(False)


def set_title(figure: Figure, theme: ChartTheme, title: str, subtitle: str = "") -> None:
    """Write the chart's title, and a smaller line under it, at the top left."""
    figure.text(0.03, 0.995, title, color=theme.text, fontsize=TITLE_FONT, fontweight="bold", va="top")
    if subtitle:
        figure.text(0.03, 0.995 - 1.6 * TITLE_FONT / 72 * DPI / figure.bbox.height, subtitle,
                    color=theme.muted, fontsize=SMALL_FONT + 2, va="top")


def utc_label(ms: int, span_ms: int) -> str:
    """Return a short UTC time label: hours within two days, day and month beyond."""
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%H:%M" if span_ms <= 2 * 86_400_000 else "%d %b")


def to_png(figure: Figure) -> bytes:
    """Return the figure rendered as PNG bytes (opaque RGB, fast zlib level)."""
    canvas = figure.canvas
    if not isinstance(canvas, FigureCanvasAgg):      # a figure not made by new_figure: give it a raster canvas
        canvas = FigureCanvasAgg(figure)
    canvas.draw()
    width, height = canvas.get_width_height()
    # the figures are opaque: RGB is a quarter less to compress than savefig's RGBA, and zlib level 1 encodes in
    # a third of the default level's time for a file about 20% larger (~110 KB for /chart), which Telegram re-encodes
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()
