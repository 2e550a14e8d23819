"""The candlestick chart: candles with volume, ICT zones, liquidity levels and the bot's trades.

Candles sit at bar positions (0, 1, 2...) rather than at times, so weekends and exchange outages leave
no gaps; the time labels are read back from the bars' open times. Bodies, wicks and volume bars are
each one collection, which keeps 1,000 candles well under a second to render.
"""
from __future__ import annotations

import threading
from typing import Sequence, cast

import numpy as np
from numpy.typing import ArrayLike
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from trading.domain.candles import Candles
from trading.domain.figures import signed
from trading.domain.positions import PositionSide
from trading.reports.chart_theme import DARK, SMALL_FONT, ChartTheme, new_figure, set_title, style_axes, to_png
from trading.reports.overlays import Level, LevelKind, MarkerAction, TradeMarker, Zone, ZoneKind
from trading.reports.time_axis import bar_axis, utc_span

CANDLE_CHART_HEIGHT_PX = 1400
HEADER_PX = 215            # title, subtitle and the legend of the overlays above the candles
LEGEND_TOP_PX = 100
BODY_HALF_WIDTH = 0.35
MARKER_SIZE = 260


def candlestick_chart(candles: Candles, *, title: str = "", theme: ChartTheme = DARK,
                      zones: Sequence[Zone] = (), levels: Sequence[Level] = (),
                      markers: Sequence[TradeMarker] = ()) -> bytes:
    """Return a PNG of candles over volume with optional zones, liquidity levels and trade markers."""
    if len(candles) == 0:
        raise ValueError("a candlestick chart needs at least one candle")
    canvas = _CANVASES.take(theme)
    try:
        return canvas.render(candles, title, zones, levels, markers)
    finally:
        _CANVASES.give_back(canvas)


class CandleCanvas:
    """The candlestick figure with its two axes built and styled once, then redrawn for each chart.

    Building the figure, its axes and their ticks is a quarter of a chart's time; each render removes what the
    previous one drew and sets every limit, locator and formatter again, so a chart is the same pixels as on
    a new figure (tests/unit/reports/test_charts.py compares them).
    """

    def __init__(self, theme: ChartTheme) -> None:
        self.theme = theme
        self.figure = new_figure(theme, CANDLE_CHART_HEIGHT_PX)
        grid = self.figure.add_gridspec(2, 1, height_ratios=(4, 1), hspace=0.04, left=0.06, right=0.84,
                                        top=1 - HEADER_PX / CANDLE_CHART_HEIGHT_PX, bottom=0.075)
        self.price = self.figure.add_subplot(grid[0])
        self.volume = self.figure.add_subplot(grid[1], sharex=self.price)
        for axes in (self.price, self.volume):
            style_axes(axes, theme)
        self.price.tick_params(labelbottom=False)

    def render(self, candles: Candles, title: str, zones: Sequence[Zone], levels: Sequence[Level],
               markers: Sequence[TradeMarker]) -> bytes:
        """Return the PNG of candles with the overlays, drawn over nothing left from the previous chart."""
        self._clear()
        price, volume, theme = self.price, self.volume, self.theme
        draw_candles(price, candles, theme)
        draw_zones(price, candles.open_ms, zones, theme)
        draw_levels(price, candles.open_ms, levels, theme)
        draw_markers(price, bar_positions(candles.open_ms, [m.ts_ms for m in markers]), markers, theme)
        draw_volume(volume, candles, theme)
        bar_axis(volume, candles.open_ms)
        last = float(candles.close[-1])
        change = (last / float(candles.open[0]) - 1) * 100
        set_title(self.figure, theme, title or "Price", f"last {format_price(last)}   {signed(change, 2, '%')}   "
                  f"{len(candles)} bars   {utc_span(int(candles.open_ms[0]), int(candles.open_ms[-1]))}")
        draw_legend(self.figure, zones, levels, markers, theme, 1 - LEGEND_TOP_PX / CANDLE_CHART_HEIGHT_PX)
        return to_png(self.figure)

    def _clear(self) -> None:
        for axes in (self.price, self.volume):
            for artist in (*axes.collections, *axes.patches, *axes.texts, *axes.lines, *axes.images):
                artist.remove()
        for artist in (*self.figure.texts, *self.figure.legends):
            artist.remove()


class _CanvasPool:
    """One idle CandleCanvas per theme, handed to one render at a time (renders run in worker threads)."""

    def __init__(self) -> None:
        self._idle: dict[str, CandleCanvas] = {}
        self._lock = threading.Lock()

    def take(self, theme: ChartTheme) -> CandleCanvas:
        """Return the theme's idle canvas, or a new one while it is in use."""
        with self._lock:
            idle = self._idle.pop(theme.name, None)
        return idle if idle is not None and idle.theme == theme else CandleCanvas(theme)

    def give_back(self, canvas: CandleCanvas) -> None:
        """Keep canvas for the next render of its theme (one per theme; a second is dropped)."""
        with self._lock:
            self._idle.setdefault(canvas.theme.name, canvas)


_CANVASES = _CanvasPool()


def draw_legend(figure: Figure, zones: Sequence[Zone], levels: Sequence[Level], markers: Sequence[TradeMarker],
                theme: ChartTheme, top: float) -> None:
    """Say under the title what the drawn overlays are: zone colours, FVG, OB, BSL, SSL, entries and exits."""
    handles: list[Artist] = []
    for bullish, colour in ((True, theme.bullish_zone), (False, theme.bearish_zone)):
        if any(z.bullish is bullish for z in zones):
            handles.append(Patch(facecolor=colour, alpha=0.35, edgecolor=colour,
                                 label=f"{'bullish' if bullish else 'bearish'} zone"))
    kinds = {z.kind for z in zones}
    words = " · ".join(name for kind, name in ((ZoneKind.FAIR_VALUE_GAP, "FVG fair value gap"),
                                               (ZoneKind.ORDER_BLOCK, "OB order block")) if kind in kinds)
    if words:
        handles.append(Line2D([], [], linestyle="none", label=words))
    for kind, colour, name in ((LevelKind.BUY_SIDE, theme.buy_side, "BSL buy-side liquidity"),
                               (LevelKind.SELL_SIDE, theme.sell_side, "SSL sell-side liquidity")):
        if any(level.kind is kind for level in levels):
            handles.append(Line2D([], [], color=colour, linestyle="--", linewidth=2, label=name))
    for action, shape, colour in ((MarkerAction.ENTRY, "^", theme.entry), (MarkerAction.EXIT, "X", theme.exit)):
        if any(m.action is action for m in markers):
            handles.append(Line2D([], [], color=colour, marker=shape, linestyle="none", markersize=12,
                                  label=f"bot's {action.value}"))
    if handles:
        legend = figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.03, top), ncol=2,
                               frameon=False, fontsize=SMALL_FONT, handlelength=1.6, columnspacing=1.2)
        for text in legend.get_texts():
            text.set_color(theme.text)


def _shapes(points: np.ndarray) -> Sequence[ArrayLike]:
    """Return an array of shapes (shapes x points x 2) as matplotlib's collections are typed to take it."""
    # the stubs ask a Sequence, which an ndarray is not to numpy's stubs, but the collections take the 3-d array
    # itself (PolyCollection.set_verts has a fast path for it): the cast only bridges the two sets of stubs
    return cast(Sequence[ArrayLike], points)


def draw_candles(axes: Axes, candles: Candles, theme: ChartTheme) -> None:
    """Draw wicks and bodies at bar positions, rising candles in the up colour, falling in the down one."""
    x = np.arange(len(candles), dtype=np.float64)
    rising = candles.close >= candles.open
    colours = np.where(rising, theme.up, theme.down)
    wicks = np.stack([np.column_stack([x, candles.low]), np.column_stack([x, candles.high])], axis=1)
    axes.add_collection(LineCollection(_shapes(wicks), colors=colours, linewidths=1.2))
    bottom, top = np.minimum(candles.open, candles.close), np.maximum(candles.open, candles.close)
    # a doji still gets a visible sliver of body
    top = np.maximum(top, bottom + (candles.high.max() - candles.low.min()) * 0.0015)
    left, right = x - BODY_HALF_WIDTH, x + BODY_HALF_WIDTH
    bodies = np.stack([np.column_stack(p) for p in ((left, bottom), (left, top), (right, top), (right, bottom))],
                      axis=1)
    axes.add_collection(PolyCollection(_shapes(bodies), facecolors=colours, edgecolors=colours, linewidths=0.5))
    pad = (candles.high.max() - candles.low.min()) * 0.06 or abs(candles.high.max()) * 0.01 or 1.0
    axes.set_xlim(-1, len(candles) + max(2, len(candles) // 40))
    axes.set_ylim(candles.low.min() - pad, candles.high.max() + pad)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_price(v)))
    axes.yaxis.set_major_locator(MaxNLocator(7))


def draw_volume(axes: Axes, candles: Candles, theme: ChartTheme) -> None:
    """Draw volume bars under the candles, coloured like their candle."""
    x = np.arange(len(candles), dtype=np.float64)
    colours = np.where(candles.close >= candles.open, theme.up, theme.down)
    left, right, zero = x - BODY_HALF_WIDTH, x + BODY_HALF_WIDTH, np.zeros(len(candles))
    bars = np.stack([np.column_stack(p) for p in ((left, zero), (left, candles.volume),
                                                   (right, candles.volume), (right, zero))], axis=1)
    axes.add_collection(PolyCollection(_shapes(bars), facecolors=colours, edgecolors="none", alpha=0.55))
    axes.set_ylim(0, max(float(candles.volume.max()), 1e-12) * 1.1)
    axes.yaxis.set_major_locator(MaxNLocator(2))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_volume(v)))


def draw_zones(axes: Axes, open_ms: np.ndarray, zones: Sequence[Zone], theme: ChartTheme) -> None:
    """Shade each zone from the bar it became known at to its end, or to the right edge if still open."""
    right_edge = axes.get_xlim()[1]
    for zone in zones:
        if zone.end_ms is not None and zone.end_ms < open_ms[0]:
            continue
        start = np.nan_to_num(bar_positions(open_ms, [zone.start_ms])[0], nan=-0.5)
        end = right_edge if zone.end_ms is None else bar_positions(open_ms, [zone.end_ms])[0]
        colour = theme.bullish_zone if zone.bullish else theme.bearish_zone
        low, high = float(zone.low), float(zone.high)
        axes.add_patch(Rectangle((start, low), end - start, high - low, facecolor=colour, alpha=0.2,
                                 edgecolor=colour, linewidth=1.2))
        text = zone.label or f"{'bull' if zone.bullish else 'bear'} {zone.kind.value.upper()}"
        axes.text(start + 0.5, high, text, color=colour, fontsize=SMALL_FONT, va="bottom", clip_on=True)


def draw_levels(axes: Axes, open_ms: np.ndarray, levels: Sequence[Level], theme: ChartTheme) -> None:
    """Draw each liquidity level as a dashed line to the right edge, labelled at its right end."""
    right_edge = axes.get_xlim()[1]
    for level in levels:
        start = -0.5 if level.start_ms is None else bar_positions(open_ms, [level.start_ms])[0]
        colour = theme.buy_side if level.kind is LevelKind.BUY_SIDE else theme.sell_side
        price = float(level.price)
        axes.hlines(price, np.nan_to_num(start, nan=-0.5), right_edge, colors=colour, linestyles="--", linewidth=2)
        text = level.label or ("BSL" if level.kind is LevelKind.BUY_SIDE else "SSL")
        axes.text(right_edge, price, text, color=colour, fontsize=SMALL_FONT, ha="right",
                  va="bottom" if level.kind is LevelKind.BUY_SIDE else "top", clip_on=True)


def draw_markers(axes: Axes, x: np.ndarray, markers: Sequence[TradeMarker], theme: ChartTheme) -> None:
    """Mark entries with a triangle pointing the trade's way and exits with a cross, at x positions."""
    styles = (("^", theme.entry, MarkerAction.ENTRY, PositionSide.LONG),
              ("v", theme.entry, MarkerAction.ENTRY, PositionSide.SHORT),
              ("X", theme.exit, MarkerAction.EXIT, None))
    for shape, colour, action, side in styles:
        chosen = [i for i, m in enumerate(markers)
                  if m.action is action and (side is None or m.side is side) and not np.isnan(x[i])]
        if chosen:
            axes.scatter(x[chosen], [float(markers[i].price) for i in chosen], marker=shape, s=MARKER_SIZE,
                         c=colour, edgecolors=theme.background, linewidths=1.5, zorder=5)


def bar_positions(open_ms: np.ndarray, times_ms: Sequence[int]) -> np.ndarray:
    """Return the position of the bar holding each time, NaN for times before the first bar."""
    index = np.searchsorted(open_ms, np.asarray(times_ms, dtype=np.int64), side="right") - 1
    return np.where(index >= 0, index, np.nan).astype(np.float64)


def format_volume(value: float) -> str:
    """Return a volume compactly: 0, 0.5, 60, 1.2k, 3.4M."""
    for scale, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def format_price(value: float) -> str:
    """Return a price with thousands separators and as many decimals as its size needs."""
    size = abs(value)
    decimals = 0 if size >= 1000 or size == 0 else 2 if size >= 1 else 4 if size >= 0.01 else 6
    return f"{value:,.{decimals}f}"
