import numpy as np
import pytest

from tests.fakes.shared_data import load_candles
from tests.unit.reports.png_checks import assert_phone_png
from trading.domain.candles import Candles
from trading.domain.positions import PositionSide
from trading.reports.chart_theme import DARK, LIGHT, new_figure
from trading.reports.charts import (CandleCanvas, bar_positions, candlestick_chart, draw_candles, draw_legend,
                                    draw_levels, draw_markers, draw_zones, format_price)
from trading.reports.overlays import Level, LevelKind, MarkerAction, TradeMarker, Zone, ZoneKind

MINUTE = 60_000


def ten_candles() -> Candles:
    return Candles.from_rows([(i * MINUTE, 100 + i, 102 + i, 99 + i, 101 + i, 5.0) for i in range(10)])


def price_axes(candles: Candles):
    axes = new_figure(DARK, 900).add_subplot()
    draw_candles(axes, candles, DARK)
    return axes


def test_thousand_real_candles_with_every_overlay_render_to_a_phone_png_in_both_themes():
    candles = load_candles("BTCUSDT-1m.csv.gz")[:1000]
    t, low, high = candles.open_ms, float(candles.low.min()), float(candles.high.max())
    zones = [Zone(ZoneKind.FAIR_VALUE_GAP, True, low + 50, low + 90, int(t[200])),
             Zone(ZoneKind.ORDER_BLOCK, False, high - 60, high - 20, int(t[500]), int(t[700]))]
    levels = [Level(LevelKind.BUY_SIDE, high, int(t[100])), Level(LevelKind.SELL_SIDE, low)]
    markers = [TradeMarker(int(t[300]), candles.open[300], PositionSide.LONG, MarkerAction.ENTRY),
               TradeMarker(int(t[450]), candles.open[450], PositionSide.LONG, MarkerAction.EXIT)]

    for theme in (DARK, LIGHT):
        png = candlestick_chart(candles, title="BTC/USDT 1m", theme=theme, zones=zones, levels=levels,
                                markers=markers)
        assert_phone_png(png)


def test_a_chart_drawn_on_the_reused_figure_is_the_same_png_as_on_a_new_one():
    candles = load_candles("BTCUSDT-1m.csv.gz")
    busy, quiet = candles[:400], candles[5000:5150]
    t, high = busy.open_ms, float(busy.high.max())
    overlays = dict(zones=[Zone(ZoneKind.ORDER_BLOCK, False, high - 60, high - 20, int(t[50]), int(t[90]))],
                    levels=[Level(LevelKind.BUY_SIDE, high, int(t[10]))],
                    markers=[TradeMarker(int(t[30]), busy.open[30], PositionSide.SHORT, MarkerAction.ENTRY)])
    candlestick_chart(busy, title="busy", theme=LIGHT, **overlays)     # leaves the pooled figure full of artists

    reused = candlestick_chart(quiet, title="quiet", theme=LIGHT)

    assert reused == CandleCanvas(LIGHT).render(quiet, "quiet", (), (), ())
    assert candlestick_chart(busy, title="busy", theme=LIGHT, **overlays) == \
        CandleCanvas(LIGHT).render(busy, "busy", overlays["zones"], overlays["levels"], overlays["markers"])


def test_an_empty_candle_run_is_refused():
    with pytest.raises(ValueError):
        candlestick_chart(Candles.empty())


def test_times_map_to_the_bar_that_holds_them():
    positions = bar_positions(ten_candles().open_ms, [-1, 0, 90_000, 9 * MINUTE + 1, 50 * MINUTE])

    assert np.isnan(positions[0])
    assert positions[1:].tolist() == [0, 1, 9, 9]


def test_an_open_zone_stretches_from_its_bar_to_the_right_edge():
    axes = price_axes(ten_candles())

    draw_zones(axes, ten_candles().open_ms, [Zone(ZoneKind.FAIR_VALUE_GAP, True, 103, 105, 3 * MINUTE)], DARK)

    (box,) = axes.patches
    assert (box.get_x(), box.get_y(), box.get_height()) == (3, 103, 2)
    assert box.get_x() + box.get_width() == axes.get_xlim()[1]


def test_a_closed_zone_ends_at_its_end_bar_and_one_from_before_the_chart_starts_at_the_left():
    axes = price_axes(ten_candles())
    zones = [Zone(ZoneKind.ORDER_BLOCK, False, 104, 106, -5 * MINUTE, 6 * MINUTE),
             Zone(ZoneKind.ORDER_BLOCK, False, 104, 106, -5 * MINUTE, -MINUTE)]      # over before bar 0

    draw_zones(axes, ten_candles().open_ms, zones, DARK)

    (box,) = axes.patches
    assert (box.get_x(), box.get_x() + box.get_width()) == (-0.5, 6)


def test_liquidity_levels_are_lines_from_their_bar_to_the_right_edge():
    axes = price_axes(ten_candles())

    draw_levels(axes, ten_candles().open_ms, [Level(LevelKind.SELL_SIDE, 99, 2 * MINUTE)], DARK)

    segment = axes.collections[-1].get_segments()[0]
    assert segment.tolist() == [[2, 99], [axes.get_xlim()[1], 99]]


def test_entries_and_exits_are_marked_at_their_bar_and_price():
    axes = price_axes(ten_candles())
    markers = [TradeMarker(2 * MINUTE, 102, PositionSide.LONG, MarkerAction.ENTRY),
               TradeMarker(5 * MINUTE, 105, PositionSide.LONG, MarkerAction.EXIT)]
    before = len(axes.collections)

    draw_markers(axes, bar_positions(ten_candles().open_ms, [m.ts_ms for m in markers]), markers, DARK)

    entry, exit_ = axes.collections[before:]
    assert entry.get_offsets().tolist() == [[2, 102]]
    assert exit_.get_offsets().tolist() == [[5, 105]]


def test_prices_keep_the_decimals_their_size_needs():
    assert [format_price(118234.5), format_price(12.345), format_price(0.01234), format_price(0)] == [
        "118,234", "12.35", "0.0123", "0"]


def test_the_legend_names_every_overlay_drawn_and_only_those():
    figure = new_figure(DARK, 900)
    zones = [Zone(ZoneKind.FAIR_VALUE_GAP, True, 100, 101, 0), Zone(ZoneKind.ORDER_BLOCK, False, 103, 104, 0)]
    levels = [Level(LevelKind.BUY_SIDE, 105.0), Level(LevelKind.SELL_SIDE, 98.0)]

    draw_legend(figure, zones, levels, [], DARK, 0.95)

    texts = [t.get_text() for t in figure.legends[0].get_texts()]
    assert texts == ["bullish zone", "bearish zone", "FVG fair value gap · OB order block",
                     "BSL buy-side liquidity", "SSL sell-side liquidity"]


def test_a_chart_without_overlays_has_no_legend():
    figure = new_figure(DARK, 900)
    draw_legend(figure, [], [], [], DARK, 0.95)
    assert figure.legends == []
