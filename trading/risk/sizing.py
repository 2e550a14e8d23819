"""Position sizing: risk a fixed share of equity between entry and stop, within leverage and exposure caps."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping, Sequence

from trading.domain.figures import counted
from trading.domain.frozen import quick_init
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.risk.verdicts import RiskRule, Verdict

HUNDRED = Decimal(100)


@quick_init
@dataclass(frozen=True, slots=True)
class SizingSettings:
    """How much to risk per trade and how far exposure may go; percentages are of equity."""

    risk_per_trade_pct: Decimal = Decimal("2")
    futures_leverage: int = 5
    max_leverage: int = 10                   # cap on futures_leverage, whatever it is set to
    max_symbol_exposure_pct: Decimal = Decimal("200")  # notional in one symbol
    max_total_exposure_pct: Decimal = Decimal("400")   # notional across all symbols
    atr_stop_multiple: Decimal | None = None           # None: no volatility sizing
    kelly_multiplier: Decimal | None = None            # e.g. 0.5 for half Kelly; None: no Kelly cap
    kelly_min_trades: int = 20                          # fewer recorded trades: Kelly cap not applied
    all_in: bool = False     # size every entry at the most the caps allow, whatever its stop (the yardstick's)


@quick_init
@dataclass(frozen=True, slots=True)
class SizingRequest:
    """An entry to size: where it enters, where it is wrong, and the account around it."""

    instrument: Instrument
    side: PositionSide
    entry: Decimal
    stop: Decimal | None
    equity: Decimal
    open_notional: Mapping[str, Decimal] = field(default_factory=dict)  # symbol -> notional at mark
    atr: Decimal | None = None
    r_multiples: Sequence[Decimal] = ()      # the strategy's recent closed trades, in R

    @classmethod
    def for_signal(cls, signal: Signal, instrument: Instrument, equity: Decimal,
                   open_notional: Mapping[str, Decimal], atr: Decimal | None = None,
                   r_multiples: Sequence[Decimal] = ()) -> "SizingRequest":
        """Build the request for a strategy's signal."""
        return cls(instrument, signal.side, signal.entry, signal.stop, equity, open_notional, atr,
                   r_multiples)


@quick_init
@dataclass(frozen=True, slots=True)
class PositionSize:
    """A sized entry: amount rounded to the market's step, and which limit set it."""

    amount: Decimal
    notional: Decimal
    leverage: int
    margin: Decimal
    risk: Decimal          # quote lost if the stop is hit (amount x risk distance; the notional without a stop)
    limited_by: str        # "risk", "leverage", "symbol exposure", "total exposure" (or "cash", see entries)
    quote_budget: Decimal | None = None   # all-in spot buys: quote to spend, the amount set at the fill price


def size_entry(request: SizingRequest, settings: SizingSettings) -> PositionSize | Verdict:
    """Return the position size for an entry, or the Verdict saying why the trade is skipped."""
    if request.equity <= 0:
        return Verdict(RiskRule.EXPOSURE, f"no equity to trade with ({request.equity})")
    invalid = _invalid_stop(request, settings)
    if invalid:
        return Verdict(RiskRule.INVALID_STOP, invalid)
    leverage = trade_leverage(request.instrument, settings)
    caps = _amount_caps(request, leverage, settings)
    risk_units = None if settings.all_in else _risk_units(request, settings)
    if isinstance(risk_units, Verdict):
        return risk_units
    if risk_units is not None:
        caps = {"risk": risk_units} | caps
    limited_by, raw_amount = min(caps.items(), key=lambda kv: kv[1])
    if raw_amount <= 0:
        return Verdict(RiskRule.EXPOSURE, f"{limited_by} is already full; no room for "
                                          f"{request.instrument.symbol}")
    amount = request.instrument.round_amount(raw_amount)
    below = request.instrument.check_order(amount, request.entry)
    if below:
        return Verdict(RiskRule.MARKET_MINIMUM, f"{request.instrument.symbol} skipped: {below} "
                                                f"(sized by {limited_by})")
    notional = amount * request.entry
    risk = amount * _risk_distance(request, settings) if request.stop is not None else notional
    return PositionSize(amount, notional, leverage, notional / leverage, risk, limited_by,
                        _quote_budget(request, raw_amount, settings))


def trade_leverage(instrument: Instrument, settings: SizingSettings) -> int:
    """Return the leverage for a new position: 1 on spot, the capped futures leverage on perpetuals.

    A perpetual listing no maximum above 1x has an unknown one (ccxt lists none for Binance's; see
    trading/adapters/leverage_limits.py): MAX_LEVERAGE alone caps it, and the exchange refuses beyond its own.
    """
    if instrument.kind is MarketKind.SPOT:
        return 1
    known = instrument.max_leverage if instrument.max_leverage > 1 else settings.max_leverage
    return max(1, min(settings.futures_leverage, settings.max_leverage, known))


def kelly_fraction(r_multiples: Sequence[Decimal]) -> Decimal:
    """Return the Kelly fraction W - (1 - W) / B from trades in R (B: average win over average loss)."""
    wins = [r for r in r_multiples if r > 0]
    losses = [-r for r in r_multiples if r < 0]
    if not r_multiples or not wins:
        return Decimal(0)
    win_rate = Decimal(len(wins)) / len(r_multiples)
    if not losses:
        return win_rate
    payoff = (sum(wins, Decimal(0)) / len(wins)) / (sum(losses, Decimal(0)) / len(losses))
    return win_rate - (1 - win_rate) / payoff


def _invalid_stop(request: SizingRequest, settings: SizingSettings) -> str | None:
    if request.stop is None:
        return None if settings.all_in and request.entry > 0 else (
            f"the {request.instrument.symbol} signal has no stop, and risk sizing needs one to size by "
            f"(stopless signals, like the ema_cross yardstick's, are sized all-in in its backtests)")
    if request.entry <= 0 or request.stop <= 0:
        return f"entry {request.entry} and stop {request.stop} must be positive"
    wrong_side = (request.stop >= request.entry if request.side is PositionSide.LONG
                  else request.stop <= request.entry)
    if wrong_side:
        return f"a {request.side} stop at {request.stop} is on the wrong side of entry {request.entry}"
    return None


def _risk_pct(r_multiples: Sequence[Decimal], settings: SizingSettings) -> Decimal | Verdict:
    if settings.kelly_multiplier is None or len(r_multiples) < settings.kelly_min_trades:
        return settings.risk_per_trade_pct
    kelly = kelly_fraction(r_multiples)
    if kelly <= 0:
        return Verdict(RiskRule.NO_EDGE, f"the strategy's last {counted(len(r_multiples), 'trade')} show no edge "
                                         f"(Kelly {kelly:.3f})")
    return min(settings.risk_per_trade_pct, kelly * settings.kelly_multiplier * HUNDRED)


def _risk_units(request: SizingRequest, settings: SizingSettings) -> Decimal | Verdict:
    """Return the amount whose loss at the stop is the risk share of equity (or the Kelly verdict)."""
    risk_pct = _risk_pct(request.r_multiples, settings)
    if isinstance(risk_pct, Verdict):
        return risk_pct
    return risk_pct * request.equity / HUNDRED / _risk_distance(request, settings)


def _quote_budget(request: SizingRequest, raw_amount: Decimal, settings: SizingSettings) -> Decimal | None:
    # All in on spot: spend the quote, as an exchange's quote-amount market buy does, so that the amount
    # is set at the fill price and a gap up from the signal's close never makes the order unaffordable.
    buys_spot = request.instrument.kind is MarketKind.SPOT and request.side is PositionSide.LONG
    if not (settings.all_in and buys_spot):
        return None
    return raw_amount * request.entry * (1 + request.instrument.taker_fee)


def _risk_distance(request: SizingRequest, settings: SizingSettings) -> Decimal:
    # A stop tighter than the market's usual noise would size too big: ATR x multiple is the floor.
    assert request.stop is not None
    distance = abs(request.entry - request.stop)
    if settings.atr_stop_multiple is not None and request.atr is not None:
        distance = max(distance, request.atr * settings.atr_stop_multiple)
    return distance


def _amount_caps(request: SizingRequest, leverage: int, settings: SizingSettings) -> dict[str, Decimal]:
    total_open = sum(request.open_notional.values(), Decimal(0))
    symbol_open = request.open_notional.get(request.instrument.symbol, Decimal(0))
    equity = request.equity
    room = {
        "leverage": equity * leverage - total_open,   # buying power left across the book
        "symbol exposure": equity * settings.max_symbol_exposure_pct / HUNDRED - symbol_open,
        "total exposure": equity * settings.max_total_exposure_pct / HUNDRED - total_open,
    }
    return {name: notional / request.entry for name, notional in room.items()}
