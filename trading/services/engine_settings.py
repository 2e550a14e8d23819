"""The engine's, the rules decider's and the loop's settings, built once from the process Settings."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from trading.domain.candles import MINUTE_MS
from trading.engine.engine_state import EngineSettings
from trading.engine.rules_decider import RulesSettings
from trading.risk.circuit_breaker import BreakerSettings
from trading.risk.limits import LimitSettings
from trading.risk.protective_stops import ProtectionSettings
from trading.risk.sizing import SizingSettings
from trading.engine.slippage import SlippageModel
from trading.settings import Settings
from trading.strategies.book import default_book
from trading.strategies.exit_rules import declared_exits, strategy_protection

if TYPE_CHECKING:     # the loop's and the LLM's settings load where they are built: a backtest needs neither
    from trading.engine.llm_settings import LlmSettings
    from trading.services.trading_loop import LoopSettings


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
        trailing_callback_pct=s.trailing_callback_pct, trailing_activation_r=_off_when_zero(s.trailing_activation_r),
        trailing_callback_r=s.trailing_callback_r, partial_take_profit_r=_off_when_zero(s.partial_take_profit_r),
        partial_take_profit_fraction=s.partial_take_profit_fraction, break_even_r=_off_when_zero(s.break_even_r))
    breaker = BreakerSettings(
        move_pct=s.breaker_move_pct, move_window_ms=s.breaker_move_window_minutes * MINUTE_MS,
        max_spread_bps=s.breaker_max_spread_bps, cooldown_ms=s.breaker_cooldown_minutes * MINUTE_MS)
    return EngineSettings(sizing, limits, protection, breaker,
                          max_fee_to_risk_pct=s.max_fee_to_risk_pct, slippage=slippage_model(s),
                          min_reward_risk=_off_when_zero(s.min_reward_risk),
                          entry_timeout_ms=s.limit_order_timeout_minutes * MINUTE_MS,
                          strategy_protection=strategy_protection(protection, declared_exits(default_book().strategies),
                                                                  s.model_fields_set))


def slippage_model(settings: Settings) -> SlippageModel:
    """Return the slippage every simulated fill pays, in backtests and in paper trading alike."""
    return SlippageModel(fixed_bps=settings.slippage_bps, depth_quote=_off_when_zero(settings.slippage_depth))


def rules_settings(settings: Settings) -> RulesSettings:
    """Return the thresholds of the rules decision maker."""
    return RulesSettings(min_reward_risk=settings.min_reward_risk,
                         min_confidence=float(settings.min_signal_confidence))


def loop_settings(settings: Settings, symbols: tuple[str, ...]) -> LoopSettings:
    """Return the loop's settings for the symbols actually traded (the profile's, after replay filtering)."""
    from trading.services.symbol_reviews import ReviewSettings
    from trading.services.trading_loop import LoopSettings

    if not settings.llm_on:
        return LoopSettings(symbols=symbols, decision_timeout_s=float(settings.decision_timeout_seconds),
                            mode=settings.mode)
    # the LLM has its own timeout and one retry; the loop's deadline is only the last resort behind it
    deadline = float(settings.llm_timeout_seconds) * 2 + LLM_RETRY_WAIT_MAX_S + 5
    quote = symbols[0].split("/")[1].split(":")[0] if symbols else "USDT"
    reviews = ReviewSettings(max_size_pct=settings.llm_max_size_pct, regime_symbol=f"BTC/{quote}", quote=quote)
    return LoopSettings(symbols=symbols, decision_timeout_s=deadline, reviews=reviews, mode=settings.mode)


LLM_RETRY_WAIT_MAX_S = 10.0


def llm_settings(settings: Settings, *, read_cache: bool = False, cache_only: bool = False) -> LlmSettings:
    """Return the LLM decision maker's thresholds, schedule, budget and prices."""
    from trading.engine.decision_checks import CheckSettings
    from trading.engine.decision_prompt import PromptSettings
    from trading.engine.decision_schedule import ScheduleSettings
    from trading.engine.llm_budget import BudgetSettings, Prices
    from trading.engine.llm_settings import LlmSettings

    s = settings
    checks = CheckSettings(min_confidence=float(s.llm_min_confidence),
                           limit_max_distance_pct=s.llm_limit_max_distance_pct)
    prompt = PromptSettings(min_confidence=float(s.llm_min_confidence),
                            limit_max_distance_pct=s.llm_limit_max_distance_pct)
    return LlmSettings(
        model=s.llm_model, fallback=s.llm_fallback, checks=checks,
        schedule=ScheduleSettings(s.llm_min_move_pct, s.llm_max_age_minutes * MINUTE_MS),
        budget=BudgetSettings(s.llm_daily_budget_usd, s.llm_daily_token_cap, s.timezone),
        prices=Prices(s.llm_price_per_1m_input, s.llm_price_per_1m_output), prompt=prompt,
        rules=rules_settings(s), max_size_pct=s.llm_max_size_pct, read_cache=read_cache, cache_only=cache_only)
