"""The account, rules and costs of a backtest, and the paper broker they describe."""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from trading.adapters.paper_broker import PaperBroker
from trading.backtest.history import DEFAULT_FUNDING_RATE
from trading.domain.candles import Timeframe
from trading.domain.instruments import Instrument, MarketKind
from trading.engine.engine_state import EngineSettings
from trading.engine.rules_decider import RulesSettings
from trading.engine.slippage import NO_SLIPPAGE, SlippageModel
from trading.risk.circuit_breaker import BreakerSettings
from trading.risk.limits import LimitSettings
from trading.risk.protective_stops import ProtectionSettings
from trading.risk.sizing import trade_leverage

# what "off" means for each account limit and for the breaker: a level no account or market reaches
NO_LIMITS = LimitSettings(daily_loss_pct=Decimal(100), max_drawdown_pct=Decimal(100), loss_streak=1_000_000,
                          max_entries=1_000_000)
NO_PROTECTION = ProtectionSettings(hard_stop_pct=None, soft_stop_pct=None, take_profit_zone_pct=None,
                                   trailing_activation_pct=None, trailing_activation_r=None,
                                   partial_take_profit_r=None, break_even_r=None)
NO_BREAKER = BreakerSettings(move_pct=Decimal(1_000_000))


@dataclass(frozen=True, slots=True)
class BacktestConfig:
    """The account, the rules and the costs of a backtest."""

    instrument: Instrument
    starting_balance: Decimal = Decimal("10000")
    engine: EngineSettings = EngineSettings()
    rules: RulesSettings = RulesSettings()
    funding_rate: Decimal = DEFAULT_FUNDING_RATE     # per 8 h, when the history carries no rates
    decision_timeframe: Timeframe = Timeframe.M15    # candles the rules read in a zone, as the loop does
    decision_bars: int = 50

    @property
    def slippage(self) -> SlippageModel:
        """Return the slippage model: the engine's, so its cost checks and the broker's fills agree."""
        return self.engine.slippage

    @property
    def futures(self) -> bool:
        """Return True for a perpetual (leverage, funding, liquidation)."""
        return self.instrument.kind is MarketKind.PERP


def paper_broker(config: BacktestConfig) -> PaperBroker:
    """Return the paper broker of the backtest's market, with no automatic funding (the walk applies it)."""
    instruments = {config.instrument.symbol: config.instrument}
    if config.futures:
        leverage = trade_leverage(config.instrument, config.engine.sizing)
        return PaperBroker.futures(instruments, config.starting_balance, default_leverage=leverage,
                                   leverage_cap=max(leverage, config.instrument.max_leverage),
                                   slippage=config.slippage)
    return PaperBroker.spot(instruments, config.starting_balance, slippage=config.slippage)


def yardstick_config(config: BacktestConfig) -> BacktestConfig:
    """Return config as the EMA-cross yardstick trades it: all in, no stops, no account limits or breaker.

    The market's fees, price tick and lot step stay as they are, and its fills come from the same paper
    broker; only slippage is left out, as the other backtesters it is compared with leave it out.
    """
    engine = config.engine
    engine = replace(engine, sizing=replace(engine.sizing, all_in=True, kelly_multiplier=None, atr_stop_multiple=None),
                     limits=replace(NO_LIMITS, timezone=engine.limits.timezone), protection=NO_PROTECTION,
                     breaker=NO_BREAKER, cash_buffer_pct=Decimal(0), max_fee_to_risk_pct=Decimal(0),
                     slippage=NO_SLIPPAGE, min_reward_risk=None, strategy_protection={})
    return replace(config, engine=engine, rules=replace(config.rules, min_confidence=0.0))
