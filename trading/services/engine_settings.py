"""The engine's, the rules decider's and the loop's settings, built once from the process Settings."""
from __future__ import annotations

from decimal import Decimal

from trading.domain.candles import MINUTE_MS
from trading.engine.engine_state import EngineSettings
from trading.engine.rules_decider import RulesSettings
from trading.risk.circuit_breaker import BreakerSettings
from trading.risk.limits import LimitSettings
from trading.risk.protective_stops import ProtectionSettings
from trading.risk.sizing import SizingSettings
from trading.services.trading_loop import LoopSettings
from trading.settings import Settings


def _off_when_zero(value: Decimal) -> Decimal | None:
    # In the environment 0 switches an optional rule off; the rules themselves take None for off.
    return value if value > 0 else None


def engine_settings(settings: Settings) -> EngineSettings:
    """Return the risk rules as the settings configure them."""
    s = settings
    sizing = SizingSettings(
        risk_per_trade_pct=s.risk_per_trade_pct, futures_leverage=s.futures_leverage, max_leverage=s.max_leverage,
        max_symbol_exposure_pct=s.max_symbol_exposure_pct, max_total_exposure_pct=s.max_total_exposure_pct,
        atr_stop_multiple=_off_when_zero(s.atr_stop_multiple), kelly_multiplier=_off_when_zero(s.kelly_multiplier))
    limits = LimitSettings(
        daily_loss_pct=s.daily_loss_limit_pct, timezone=s.timezone, close_on_daily_loss=s.close_on_daily_loss,
        max_drawdown_pct=s.max_drawdown_pct, loss_streak=s.loss_streak,
        loss_cooldown_ms=s.loss_cooldown_minutes * MINUTE_MS, max_open_positions=s.max_open_positions,
        max_entries=s.max_entries_per_window, entry_window_ms=s.entry_window_minutes * MINUTE_MS)
    protection = ProtectionSettings(
        hard_stop_pct=s.hard_stop_pct, soft_stop_pct=s.soft_stop_pct,
        take_profit_zone_pct=_off_when_zero(s.take_profit_zone_pct),
        trailing_activation_pct=_off_when_zero(s.trailing_activation_pct),
        trailing_callback_pct=s.trailing_callback_pct, partial_take_profit_r=_off_when_zero(s.partial_take_profit_r),
        partial_take_profit_fraction=s.partial_take_profit_fraction, break_even_r=_off_when_zero(s.break_even_r))
    breaker = BreakerSettings(
        move_pct=s.breaker_move_pct, move_window_ms=s.breaker_move_window_minutes * MINUTE_MS,
        max_spread_bps=s.breaker_max_spread_bps, cooldown_ms=s.breaker_cooldown_minutes * MINUTE_MS)
    return EngineSettings(sizing, limits, protection, breaker,
                          max_fee_to_risk_pct=s.max_fee_to_risk_pct)


def rules_settings(settings: Settings) -> RulesSettings:
    """Return the thresholds of the rules decision maker."""
    return RulesSettings(min_reward_risk=settings.min_reward_risk,
                         min_confidence=float(settings.min_signal_confidence))


def loop_settings(settings: Settings, symbols: tuple[str, ...]) -> LoopSettings:
    """Return the loop's settings for the symbols actually traded (the profile's, after replay filtering)."""
    return LoopSettings(symbols=symbols, decision_timeout_s=float(settings.decision_timeout_seconds))
