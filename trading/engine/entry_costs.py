"""What a round trip costs before it starts: fees and modelled slippage, weighed against the stop and the target.

Two gates use it, both before any order is sent. The fee gate refuses a stop so tight that the round
trip's costs eat more than max_fee_to_risk_pct of the risk. The cost gate re-prices the entry where it
would really fill (the last price, moved by the modelled slippage) and refuses it when that fill is
already past the target or the stop, or when the reward:risk left after both fees and both slippages
falls below the minimum: a 2R signal whose fill and costs make it 1.3R is not a 2R trade.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.instruments import Instrument
from trading.domain.signals import Signal
from trading.engine.slippage import SlippageModel

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class NetReward:
    """A planned round trip after costs, per unit: where it fills, what the target and the stop leave."""

    fill: Decimal
    reward: Decimal          # at the target, after both fees and the exit's slippage
    risk: Decimal            # at the stop, after both fees and the exit's slippage

    @property
    def ratio(self) -> Decimal:
        """Return the reward:risk after costs (0 when the target leaves nothing)."""
        return self.reward / self.risk if self.risk > 0 and self.reward > 0 else Decimal(0)


def round_trip_rate(instrument: Instrument, slippage: SlippageModel, amount: Decimal, price: Decimal) -> Decimal:
    """Return what a round trip costs as a fraction of the price: two taker fees and two slippages."""
    return 2 * instrument.taker_fee + 2 * slippage.fraction(amount, price)


def exit_cost_rate(instrument: Instrument, slippage: SlippageModel, amount: Decimal, price: Decimal) -> Decimal:
    """Return how far beyond the entry, as a fraction of it, a stop must sit to close flat after costs.

    Exact, not the sum of the entry fee, the exit fee and the exit's slippage (2f + s), which falls short by
    their products (about 2.4e-6 of the price at 0.1% and 2 bps: 0.24 a BTC at 100,000): a long stopped at
    entry x (1 + rate) sells at that less the slippage, and after both fees nets zero when
    (1 + rate) (1 - s) (1 - f) = 1 + f. The long's rate also covers a short, whose flat rate is smaller.
    """
    fee, slip = instrument.taker_fee, slippage.fraction(amount, price)
    return (1 + fee) / ((1 - fee) * (1 - slip)) - 1


def net_reward(signal: Signal, instrument: Instrument, slippage: SlippageModel, reference: Decimal,
               amount: Decimal) -> NetReward | None:
    """Return the round trip of signal filled from reference after costs (None without a stop and a target)."""
    if signal.stop is None or signal.take_profit is None:
        return None
    sign, fee = signal.side.sign, instrument.taker_fee
    fill = reference * (1 + sign * slippage.fraction(amount, reference))
    at_target = signal.take_profit * (1 - sign * slippage.fraction(amount, signal.take_profit))
    at_stop = signal.stop * (1 - sign * slippage.fraction(amount, signal.stop))
    reward = sign * (at_target - fill) - fee * (fill + at_target)
    risk = sign * (fill - at_stop) + fee * (fill + at_stop)
    return NetReward(fill, reward, risk)


def fee_problem(signal: Signal, instrument: Instrument, slippage: SlippageModel, max_pct: Decimal) -> str | None:
    """Return why the round trip's costs are too large a share of the risk to the stop, or None."""
    # a stop closer than the costs of the round trip loses more to the exchange than to the market: no edge
    risk = signal.risk_per_unit
    if max_pct <= 0 or not risk:
        return None
    costs = round_trip_rate(instrument, slippage, Decimal(0), signal.entry) * signal.entry
    share = costs / risk * HUNDRED
    if share <= max_pct:
        return None
    return (f"round-trip fees and slippage {costs:.4f} per unit would be {share:.0f}% of the risk to the stop "
            f"({risk}), above MAX_FEE_TO_RISK_PCT={max_pct}; the stop is too tight to pay for them")


def cost_problem(signal: Signal, instrument: Instrument, slippage: SlippageModel, reference: Decimal,
                 amount: Decimal, minimum: Decimal | None) -> str | None:
    """Return why the entry would not pay at its expected fill, or None when it clears the minimum."""
    trip = net_reward(signal, instrument, slippage, reference, amount)
    if trip is None:
        return None
    sign = signal.side.sign
    assert signal.take_profit is not None and signal.stop is not None
    if sign * (signal.take_profit - trip.fill) <= 0:
        return (f"the expected fill {trip.fill:.2f} ({slippage.describe()} from {reference}) is already past the "
                f"target {signal.take_profit}")
    if sign * (trip.fill - signal.stop) <= 0:
        return f"the expected fill {trip.fill:.2f} is already past the stop {signal.stop}"
    if minimum is None or trip.ratio >= minimum:
        return None
    gross = signal.reward_risk or Decimal(0)
    return (f"reward:risk {trip.ratio:.2f} after fees and slippage (filled near {trip.fill:.2f}) is below "
            f"MIN_REWARD_RISK={minimum}; {gross:.2f} at the signal's own price")
