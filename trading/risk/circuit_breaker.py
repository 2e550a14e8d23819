"""Circuit breaker: pause new entries while the market or the venue misbehaves, and resume by itself.

Every observation returns the new state and the transitions it caused (tripped, resumed), so the loop
notifies exactly once per transition. A trigger while already tripped extends the pause silently: the
breaker resumes only after a whole cooldown without triggers.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Mapping

from trading.domain.candles import MINUTE_MS
from trading.domain.instruments import price_text
from trading.domain.market import Ticker
from trading.risk.verdicts import ALLOWED, RiskRule, Verdict

HUNDRED = Decimal(100)

PriceWindow = tuple[tuple[int, Decimal], ...]


class BreakerTrigger(StrEnum):
    """What tripped the breaker."""

    PRICE_MOVE = "price_move"
    SPREAD = "spread"
    LATENCY = "latency"
    ERROR_BURST = "error_burst"
    PROTECTION_FAILING = "protection_failing"


class BreakerChange(StrEnum):
    """A transition to report."""

    TRIPPED = "tripped"
    RESUMED = "resumed"


@dataclass(frozen=True, slots=True)
class BreakerSettings:
    """When to trip and how long to stay tripped."""

    move_pct: Decimal = Decimal("3")          # trip when price moves more than this...
    move_window_ms: int = 15 * MINUTE_MS      # ...within this window
    max_spread_bps: Decimal = Decimal("50")
    max_latency_ms: int = 5_000
    error_burst: int = 5                      # errors within error_window_ms that trip
    error_window_ms: int = MINUTE_MS
    cooldown_ms: int = 30 * MINUTE_MS         # calm time needed before entries resume


@dataclass(frozen=True, slots=True)
class BreakerTransition:
    """The breaker tripped or resumed at ts_ms."""

    change: BreakerChange
    ts_ms: int
    trigger: BreakerTrigger
    reason: str


@dataclass(frozen=True, slots=True)
class BreakerState:
    """Whether entries are paused, until when and why, plus the recent observations."""

    trigger: BreakerTrigger | None = None     # None: not tripped
    reason: str = ""
    tripped_ms: int = 0
    until_ms: int = 0
    prices: Mapping[str, PriceWindow] = field(default_factory=dict)
    error_times_ms: tuple[int, ...] = ()

    @property
    def tripped(self) -> bool:
        """Return True while entries are paused (until advance() resumes it)."""
        return self.trigger is not None

    def vet_entry(self, ts_ms: int) -> Verdict:
        """Return whether a new entry at ts_ms is allowed by the breaker."""
        if self.trigger is None or ts_ms >= self.until_ms:
            return ALLOWED
        minutes = -(-(self.until_ms - ts_ms) // MINUTE_MS)
        return Verdict(RiskRule.CIRCUIT_BREAKER, f"Circuit breaker is on: {self.reason}. New positions are "
                                                 f"refused; it lifts by itself in {minutes} min if no new "
                                                 f"trigger comes.")


Update = tuple[BreakerState, tuple[BreakerTransition, ...]]


def advance(state: BreakerState, ts_ms: int) -> Update:
    """Resume if the cooldown has passed by ts_ms."""
    if state.trigger is None or ts_ms < state.until_ms:
        return state, ()
    calm = (state.until_ms - state.tripped_ms) // MINUTE_MS
    transition = BreakerTransition(BreakerChange.RESUMED, ts_ms, state.trigger,
                                   f"resumed after {state.reason} (paused {calm} min)")
    return replace(state, trigger=None, reason="", tripped_ms=0, until_ms=0), (transition,)


def observe_price(state: BreakerState, symbol: str, ts_ms: int, price: Decimal,
                  settings: BreakerSettings) -> Update:
    """Record a price; trip when it moved more than move_pct from the window's high or low."""
    start = ts_ms - settings.move_window_ms
    window = tuple(s for s in state.prices.get(symbol, ()) if s[0] >= start) + ((ts_ms, price),)
    state = replace(state, prices={**state.prices, symbol: window})
    high = max(p for _, p in window)
    low = min(p for _, p in window)
    drop = (high - price) / high * HUNDRED
    rise = (price - low) / low * HUNDRED
    if max(drop, rise) <= settings.move_pct:
        return advance(state, ts_ms)
    word, move, since = ("fell", drop, high) if drop >= rise else ("rose", rise, low)
    minutes = settings.move_window_ms // MINUTE_MS
    return _trip(state, ts_ms, BreakerTrigger.PRICE_MOVE,
                 f"{symbol} {word} {move:.2f}% within {minutes} min ({price_text(since)} -> {price_text(price)})",
                 settings)


def observe_ticker(state: BreakerState, ticker: Ticker, settings: BreakerSettings) -> Update:
    """Record a ticker's last price and spread."""
    state, moved = observe_price(state, ticker.symbol, ticker.ts_ms, ticker.last, settings)
    spread = ticker.spread_bps
    if spread is None or spread <= settings.max_spread_bps:
        return state, moved
    state, wide = _trip(state, ticker.ts_ms, BreakerTrigger.SPREAD,
                        f"{ticker.symbol} spread {spread:.1f} bps above {settings.max_spread_bps} bps",
                        settings)
    return state, moved + wide


def observe_latency(state: BreakerState, ts_ms: int, latency_ms: int,
                    settings: BreakerSettings) -> Update:
    """Record how long the exchange took to answer."""
    if latency_ms <= settings.max_latency_ms:
        return advance(state, ts_ms)
    return _trip(state, ts_ms, BreakerTrigger.LATENCY,
                 f"exchange latency {latency_ms} ms above {settings.max_latency_ms} ms", settings)


def observe_error(state: BreakerState, ts_ms: int, settings: BreakerSettings) -> Update:
    """Record an exchange error; a burst of them trips the breaker."""
    start = ts_ms - settings.error_window_ms
    errors = tuple(t for t in state.error_times_ms if t > start) + (ts_ms,)
    state = replace(state, error_times_ms=errors)
    if len(errors) < settings.error_burst:
        return advance(state, ts_ms)
    seconds = settings.error_window_ms // 1000
    return _trip(state, ts_ms, BreakerTrigger.ERROR_BURST,
                 f"{len(errors)} exchange errors within {seconds} s", settings)


def observe_protection_failure(state: BreakerState, ts_ms: int, reason: str, settings: BreakerSettings) -> Update:
    """Trip on a streak of failed protective-exit runs: positions may sit unguarded, so no new ones."""
    return _trip(state, ts_ms, BreakerTrigger.PROTECTION_FAILING, reason, settings)


def _trip(state: BreakerState, ts_ms: int, trigger: BreakerTrigger, reason: str,
          settings: BreakerSettings) -> Update:
    state, resumed = advance(state, ts_ms)
    until = ts_ms + settings.cooldown_ms
    if state.trigger is not None:
        return replace(state, until_ms=max(state.until_ms, until)), resumed
    tripped = replace(state, trigger=trigger, reason=reason, tripped_ms=ts_ms, until_ms=until)
    return tripped, resumed + (BreakerTransition(BreakerChange.TRIPPED, ts_ms, trigger, reason),)
