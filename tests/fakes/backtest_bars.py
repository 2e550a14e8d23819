"""Builders for backtest tests: a plain market, rules with every optional exit off, hand-made signals.

Hand-made bars come from tests.fakes.market_views.bars, starting at START_MS.
"""
from __future__ import annotations

from decimal import Decimal

from trading.backtest.config import BacktestConfig
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.engine.engine_state import EngineSettings
from trading.engine.slippage import NO_SLIPPAGE
from trading.risk.limits import LimitSettings
from trading.risk.protective_stops import ProtectionSettings

START_MS = 1_750_000_000_000 - 1_750_000_000_000 % 86_400_000   # a UTC midnight
SPOT = Instrument("BTC/USDT", "BTC", "USDT", amount_step=Decimal("0.001"), min_notional=Decimal("5"))
PERP = Instrument("BTC/USDT:USDT", "BTC", "USDT", MarketKind.PERP, amount_step=Decimal("0.001"),
                  min_notional=Decimal("5"), max_leverage=20)
# only the hard stop (far away) and the signal's own stop and target: exits a hand can compute
PLAIN_EXITS = ProtectionSettings(hard_stop_pct=Decimal("50"), soft_stop_pct=Decimal("40"), take_profit_zone_pct=None,
                                 trailing_activation_pct=None, trailing_activation_r=None,
                                 partial_take_profit_r=None, break_even_r=None)
NO_LIMITS = LimitSettings(daily_loss_pct=Decimal("100"), max_drawdown_pct=Decimal("100"), loss_streak=1000)


def plain_config(instrument: Instrument = SPOT, protection: ProtectionSettings = PLAIN_EXITS,
                 **engine: object) -> BacktestConfig:
    """Return a 10,000 USDT account without slippage, with only the plain exits and no account limits.

    The reward:risk after costs is not checked unless min_reward_risk is given: the scenarios test mechanics.
    """
    engine.setdefault("slippage", NO_SLIPPAGE)
    engine.setdefault("min_reward_risk", None)
    settings = EngineSettings(protection=protection, limits=NO_LIMITS, **engine)   # type: ignore[arg-type]
    return BacktestConfig(instrument, Decimal("10000"), settings)


def long_signal(known_at_ms: int, entry: str, stop: str, target: str | None, symbol: str = "BTC/USDT",
                side: PositionSide = PositionSide.LONG, timeframe: str = "15m") -> Signal:
    """Return a confident signal known at known_at_ms (a bar's close)."""
    return Signal(symbol, "A", side, Decimal(entry), Decimal(stop), None if target is None else Decimal(target),
                  0.9, known_at_ms, timeframe, "hand-made setup", f"A:{symbol}:{known_at_ms}:{side}")
