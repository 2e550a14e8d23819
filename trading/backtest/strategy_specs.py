"""The strategies a backtest can run, built with parameter overrides, and the small grids walk-forward tries.

A grid key is either a field of the strategy's own parameters (a rescan, sharing the indicators) or
RULES_MIN_REWARD_RISK, the rules decider's threshold (no rescan: only the decisions change).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Callable, Mapping

from trading.backtest.config import BacktestConfig, yardstick_config
from trading.domain.errors import echoed
from trading.strategies.ema_cross import EmaCrossParams, EmaCrossStrategy
from trading.strategies.ict_a import ConservativeParams, StructureZoneStrategy
from trading.strategies.ict_b import SweepEntryParams, SweepReversalStrategy
from trading.strategies.ict_c import RetestParams, TrendRetestStrategy
from trading.strategies.market_analysis import TunableStrategy
from trading.strategies.parameter_space import Parameter, broken_pair, parameter_space
from trading.strategies.trend import TrendParams, TrendStrategy

RULES_MIN_REWARD_RISK = "rules_min_rr"
RULES_RANGE = (0.5, 10.0)          # the rules decider's minimum reward:risk that may be tuned per strategy
Params = Mapping[str, float]


@dataclass(frozen=True, slots=True)
class StrategySpec:
    """How to build one strategy from its parameters, and which parameters walk-forward varies."""

    name: str
    defaults: Any                                  # the strategy's params dataclass with its defaults
    build: Callable[[Any], TunableStrategy]
    grid: Mapping[str, tuple[float, ...]]
    configure: Callable[[BacktestConfig], BacktestConfig] | None = None   # a yardstick's own account rules

    def config(self, config: BacktestConfig) -> BacktestConfig:
        """Return the account, rules and costs this strategy is backtested with."""
        return config if self.configure is None else self.configure(config)

    def tunable(self, rules_default: float = 0.0) -> dict[str, Parameter]:
        """Return the parameters that may be tuned or swept (its own, then the rules' threshold), with ranges."""
        low, high = RULES_RANGE
        rules = Parameter(RULES_MIN_REWARD_RISK, False, rules_default, low, high)
        return {**parameter_space(self.defaults), RULES_MIN_REWARD_RISK: rules}

    def broken(self, params: Params) -> tuple[str, str] | None:
        """Return the declared relation (lower, upper) params break, judged with the defaults they leave."""
        space = self.tunable()
        return broken_pair(space, {name: p.default for name, p in space.items()} | dict(params))

    def strategy(self, params: Params | None = None) -> TunableStrategy:
        """Return the strategy with the overrides in params that name its own parameter fields."""
        own = {f.name for f in fields(self.defaults)}
        overrides = {k: type(getattr(self.defaults, k))(v) for k, v in (params or {}).items() if k in own}
        return self.build(replace(self.defaults, **overrides))


SPECS: tuple[StrategySpec, ...] = (
    StrategySpec("A", ConservativeParams(), StructureZoneStrategy,
                 {"max_zone_age": (48, 96), RULES_MIN_REWARD_RISK: (1.5, 2.5)}),
    StrategySpec("B", SweepEntryParams(), SweepReversalStrategy,
                 {"max_wait": (8, 16), RULES_MIN_REWARD_RISK: (1.5, 2.5)}),
    StrategySpec("C", RetestParams(), TrendRetestStrategy,
                 {"sweep_lookback": (8, 16), RULES_MIN_REWARD_RISK: (1.5, 2.5)}),
    StrategySpec("trend", TrendParams(), lambda p: TrendStrategy(params=p),
                 {"atr_stop": (1.5, 2.0, 3.0), "reward_risk": (2.0, 3.0)}),
    StrategySpec("ema_cross", EmaCrossParams(), lambda p: EmaCrossStrategy(params=p),
                 {"fast": (9, 12), "slow": (21, 26)}, yardstick_config),
)
NAMES = tuple(spec.name for spec in SPECS)
TRADED_NAMES = tuple(spec.name for spec in SPECS if spec.configure is None)   # compared side by side


def spec_named(name: str) -> StrategySpec:
    """Return the spec of a strategy name (case-insensitive), or raise ValueError listing the names."""
    for spec in SPECS:
        if spec.name.lower() == name.strip().lower():
            return spec
    raise ValueError(f"unknown strategy {echoed(name)}; use one of {', '.join(NAMES)}")


def config_for(strategy: str, config: BacktestConfig) -> BacktestConfig:
    """Return the config a named strategy is backtested with (unchanged for an unnamed or unknown one)."""
    spec = next((s for s in SPECS if s.name.lower() == strategy.strip().lower()), None)
    return config if spec is None else spec.config(config)


def strategy_params(spec: StrategySpec, params: Params) -> dict[str, float]:
    """Return the part of params that changes the strategy's scan (the rest changes only the decisions)."""
    own = {f.name for f in fields(spec.defaults)}
    return {k: v for k, v in params.items() if k in own}
