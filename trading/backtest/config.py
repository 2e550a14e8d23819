"""The account, rules and costs of a backtest, and the paper broker they describe."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.adapters.paper_broker import PaperBroker
from trading.backtest.history import DEFAULT_FUNDING_RATE
from trading.domain.candles import Timeframe
from trading.domain.instruments import Instrument, MarketKind
from trading.engine.engine_state import EngineSettings
from trading.engine.rules_decider import RulesSettings
from trading.engine.slippage import SlippageModel
from trading.risk.sizing import trade_leverage


@dataclass(frozen=True, slots=True)
class BacktestConfig:
    """The account, the rules and the costs of a backtest."""

    instrument: Instrument
    starting_balance: Decimal = Decimal("10000")
    engine: EngineSettings = EngineSettings()
    rules: RulesSettings = RulesSettings()
    slippage: SlippageModel = SlippageModel()
    funding_rate: Decimal = DEFAULT_FUNDING_RATE     # per 8 h, when the history carries no rates
    decision_timeframe: Timeframe = Timeframe.M15    # candles the rules read in a zone, as the loop does
    decision_bars: int = 50

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
