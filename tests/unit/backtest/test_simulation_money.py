"""The backtest keeps the paper account's books: whatever it trades, equity is wallet plus unrealised, exactly."""
from dataclasses import replace
from decimal import Decimal

from hypothesis import event, given
from hypothesis import strategies as st

from tests.fakes.backtest_bars import PERP, SPOT, START_MS, long_signal, plain_config
from tests.fakes.market_views import bars
from tests.fakes.money_properties import MONEY_PROPERTY
from trading.backtest.history import MarketHistory
from trading.backtest.simulation import TradeSimulation
from trading.domain.candles import Timeframe
from trading.domain.positions import PositionSide
from trading.risk.sizing import SizingSettings

M15 = Timeframe.M15
moves = st.lists(st.integers(-30, 30), min_size=8, max_size=40)        # tenths of a percent per bar
entries = st.lists(st.tuples(st.integers(0, 20), st.booleans(), st.integers(5, 40), st.integers(5, 80)),
                   min_size=1, max_size=6)


def _rows(steps: list[int]) -> list[tuple[float, float, float, float]]:
    rows, price = [], 30_000.0
    for step in steps:
        close = round(price * (1 + step / 1000), 1)
        rows.append((price, max(price, close) * 1.002, min(price, close) * 0.998, close))
        price = close
    return rows


@MONEY_PROPERTY
@given(moves, entries, st.booleans(), st.integers(1, 7))
def test_the_backtest_books_add_up_exactly_for_spot_and_futures(steps, wanted, futures, leverage):
    rows = _rows(steps)
    config = plain_config(PERP if futures else SPOT)
    config = replace(config, engine=replace(config.engine, sizing=SizingSettings(futures_leverage=leverage)))
    symbol = config.instrument.symbol
    history = MarketHistory(symbol, M15, bars(M15, rows, START_MS), None)
    run = TradeSimulation(history, config, 0, len(rows))

    run.run(_signals(rows, wanted, symbol, futures))

    exchange = run.broker.exchange
    balances, mark = exchange.balances(), Decimal(repr(rows[-1][3]))
    wallet = balances["USDT"]
    assert all(amount >= 0 for amount in balances.values()) and wallet == wallet.quantize(Decimal("1e-8"))
    if futures:
        expected = wallet + sum((p.unrealized_pnl(mark) for p in exchange.positions()), Decimal(0))
    else:
        expected = wallet + balances.get("BTC", Decimal(0)) * mark
    assert run.broker.equity({symbol: mark}) == expected
    assert all(t.fees == t.fees.quantize(Decimal("1e-8")) for t in run.trades)
    event(f"trades: {min(len(run.trades), 2)}")


def _signals(rows: list[tuple[float, float, float, float]], wanted: list[tuple[int, bool, int, int]], symbol: str,
             futures: bool) -> list:
    found = []
    for bar, long, stop_tenths, target_tenths in sorted(wanted):
        if bar >= len(rows) - 1 or (not long and not futures):
            continue
        close, sign = Decimal(repr(rows[bar][3])), 1 if long else -1
        stop = (close * (1 - sign * Decimal(stop_tenths) / 1000)).quantize(Decimal("0.1"))
        target = (close * (1 + sign * Decimal(target_tenths) / 1000)).quantize(Decimal("0.1"))
        found.append(long_signal(START_MS + (bar + 1) * M15.ms, str(close), str(stop), str(target), symbol=symbol,
                                 side=PositionSide.LONG if long else PositionSide.SHORT))
    return found
