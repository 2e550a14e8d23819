"""Builders for engine and loop tests: markets, signals, decisions, accounts, positions and price bars."""
from __future__ import annotations

from decimal import Decimal as D

from trading.domain.decisions import Action, Decision
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.positions import Position, PositionSide
from trading.domain.signals import Signal
from trading.engine.entry_pipeline import AccountView
from trading.engine.simulator import PriceBar

SPOT = "BTC/USDT"
PERP = "BTC/USDT:USDT"
# Binance spot BTCUSDT: tick 0.01, step 0.00001, min notional 5, 0.1% taker.
SPOT_BTC = Instrument(SPOT, "BTC", "USDT", MarketKind.SPOT, price_tick=D("0.01"), amount_step=D("0.00001"),
                      min_notional=D("5"), maker_fee=D("0.001"), taker_fee=D("0.001"))
# Binance USDT-M BTCUSDT: tick 0.1, step 0.001, min notional 100, 0.05% taker.
PERP_BTC = Instrument(PERP, "BTC", "USDT", MarketKind.PERP, price_tick=D("0.1"), amount_step=D("0.001"),
                      min_amount=D("0.001"), min_notional=D("100"), maker_fee=D("0.0002"),
                      taker_fee=D("0.0005"), max_leverage=125)
MARKETS = {SPOT: SPOT_BTC, PERP: PERP_BTC}
DAY_MS = 86_400_000
T0 = 1_754_006_400_000      # 2025-08-01 00:00 UTC


def signal(symbol: str = SPOT, side: PositionSide = PositionSide.LONG, entry: str = "50000",
           stop: str = "48000", take_profit: str | None = "56000", confidence: float = 0.7,
           known_at_ms: int = T0, setup: str = "s1", strategy: str = "A") -> Signal:
    """Return a signal with hand-picked levels."""
    return Signal(symbol, strategy, side, D(entry), D(stop), None if take_profit is None else D(take_profit),
                  confidence, known_at_ms, "1m", f"test setup {setup}", f"{strategy}:{symbol}:{setup}")


ENTER = Decision(Action.ENTER, 0.7, "test says enter", "test")
SKIP = Decision(Action.SKIP, 0.7, "test says skip", "test")
EXIT = Decision(Action.EXIT, 0.7, "test says exit", "test")
HOLD = Decision(Action.HOLD, 0.7, "test says hold", "test")


def account(equity: str = "10000", cash: str | None = None, open_notional: dict[str, D] | None = None
            ) -> AccountView:
    """Return an account of equity (all of it free cash unless told otherwise)."""
    return AccountView(D(equity), D(cash if cash is not None else equity), open_notional or {}, MARKETS)


def position(symbol: str = SPOT, side: PositionSide = PositionSide.LONG, amount: str = "0.1",
             entry: str = "50000", leverage: int = 1, opened_ms: int = T0, fees: str = "0") -> Position:
    """Return a broker position."""
    return Position(symbol, side, D(amount), D(entry), opened_ms, leverage, fees_paid=D(fees))


def bar(o: str, h: str, low: str, c: str, ts_ms: int = T0) -> PriceBar:
    """Return a price bar from text prices."""
    return PriceBar(ts_ms, D(o), D(h), D(low), D(c))
