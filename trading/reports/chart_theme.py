"""Colours, fonts and the figure canvas shared by every chart: phone-sized PNGs in a dark or light theme.

Figures are built with matplotlib.figure.Figure on an Agg canvas, never through pyplot, so rendering
touches no global state and works in a worker process or thread without a display.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

WIDTH_PX = 1080            # a phone screen's width in pixels: Telegram shows the photo at full width
DPI = 100
FONT = 20                  # ticks and labels: about 2 mm tall on a phone held at reading distance
TITLE_FONT = 26
SMALL_FONT = 16


class ThemeName(StrEnum):
    """The chart themes a user can pick in settings."""

    DARK = "dark"
    LIGHT = "light"


@dataclass(frozen=True, slots=True)
class ChartTheme:
    """The colours of one theme."""

    name: ThemeName
    background: str
    text: str
    muted: str
    grid: str
    up: str
    down: str
    line: str
    benchmark: str
    drawdown: str
    bullish_zone: str
    bearish_zone: str
    buy_side: str
    sell_side: str
    entry: str
    exit: str


DARK = ChartTheme(ThemeName.DARK, background="#0f1419", text="#e6e6e6", muted="#9aa4ad", grid="#2a323a",
                  up="#26a69a", down="#ef5350", line="#4fc3f7", benchmark="#ffb74d", drawdown="#ef5350",
                  bullish_zone="#26a69a", bearish_zone="#ef5350", buy_side="#ffd54f", sell_side="#ba68c8",
                  entry="#00e676", exit="#ff9100")
LIGHT = ChartTheme(ThemeName.LIGHT, background="#ffffff", text="#1a1a1a", muted="#5f6b76", grid="#dde3e8",
                   up="#089981", down="#d32f2f", line="#1565c0", benchmark="#ef6c00", drawdown="#d32f2f",
                   bullish_zone="#089981", bearish_zone="#d32f2f", buy_side="#b58900", sell_side="#8e24aa",
                   entry="#00a152", exit="#e65100")
THEMES = {DARK.name: DARK, LIGHT.name: LIGHT}


def theme_named(name: str | ThemeName) -> ChartTheme:
    """Return the theme called name, or raise ValueError naming the ones there are."""
    try:
        return THEMES[ThemeName(str(name).strip().lower())]
    except ValueError:
        raise ValueError(f"unknown chart theme {name!r}; use one of {', '.join(THEMES)}") from None


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
    """Return the figure rendered as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor=figure.get_facecolor())
    return buffer.getvalue()
