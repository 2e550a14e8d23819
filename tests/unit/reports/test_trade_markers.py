from decimal import Decimal

from tests.fakes.shared_data import load_candles
from trading.backtest.trades import close_trade
from trading.domain.orders import Side
from trading.domain.positions import PositionSide
from trading.indicators.ict import compute_ict
from trading.reports.ict_zones import ict_overlays
from trading.reports.overlays import LevelKind, MarkerAction
from trading.reports.trade_markers import closed_trade_markers, fill_markers

D = Decimal


def test_fills_that_open_or_add_are_entries_and_fills_that_reduce_or_flip_are_exits():
    fills = [(1, Side.BUY, D("1"), D("100")), (2, Side.BUY, D("1"), D("101")), (3, Side.SELL, D("2"), D("105")),
             (4, Side.SELL, D("1"), D("104")), (5, Side.BUY, D("1"), D("99"))]

    markers = [(m.ts_ms, m.side, m.action) for m in fill_markers(fills)]

    assert markers == [(1, PositionSide.LONG, MarkerAction.ENTRY), (2, PositionSide.LONG, MarkerAction.ENTRY),
                       (3, PositionSide.LONG, MarkerAction.EXIT), (4, PositionSide.SHORT, MarkerAction.ENTRY),
                       (5, PositionSide.SHORT, MarkerAction.EXIT)]


def test_a_closed_trade_gives_its_entry_and_its_exit():
    trade = close_trade("BTC/USDT", PositionSide.SHORT, (10, D("100")), (20, D("90")), D("1"))

    entry, exit_ = closed_trade_markers([trade])

    assert (entry.ts_ms, entry.price, entry.action) == (10, D("100"), MarkerAction.ENTRY)
    assert (exit_.ts_ms, exit_.price, exit_.side, exit_.action) == (20, D("90"), PositionSide.SHORT, MarkerAction.EXIT)


def test_the_ict_overlays_are_the_live_zones_nearest_price_and_the_liquidity_either_side():
    candles = load_candles("BTCUSDT-15m.csv.gz")[:500]
    last = float(candles.close[-1])

    zones, levels = ict_overlays(compute_ict(candles), candles)

    distances = [0.0 if z.low <= last <= z.high else min(abs(z.low - last), abs(z.high - last)) for z in zones]
    assert 0 < len(zones) <= 6 and distances == sorted(distances)
    assert all(lv.price > last for lv in levels if lv.kind is LevelKind.BUY_SIDE)
    assert all(lv.price < last for lv in levels if lv.kind is LevelKind.SELL_SIDE)
    assert 0 < len(levels) <= 4
