"""Paper or live trading against the backtest of the same period: where they part, per strategy.

Each position the account really closed is matched with the simulated trade of the same strategy, symbol
and side whose entry lies within a tolerance of it (the nearest one; each simulated trade matched once).
For a match: the entry price gap (actual against simulated, in basis points, positive when the account
paid more for a long or got less for a short: the slippage the backtest did not see) and the result gap.
Unmatched positions are trades the account took that the backtest would not have, and unmatched simulated
trades the ones the account missed (down time, a refusal, a different decision).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

from trading.backtest.trades import ClosedTrade

BPS = Decimal(10_000)
DEFAULT_TOLERANCE_MS = 15 * 60_000
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ActualFill:
    """One fill of a position the account closed: when, whether it entered or exited, how much, at what price."""

    ts_ms: int
    entry: bool
    amount: Decimal
    price: Decimal


@dataclass(frozen=True, slots=True)
class ActualTrade:
    """A position the account closed, as the ledger keeps it."""

    strategy: str
    symbol: str
    side: str                    # "long" or "short"
    opened_ms: int
    entry_price: Decimal
    pnl: Decimal                 # realised, net of fees and funding
    fills: tuple[ActualFill, ...] = ()     # empty when the ledger kept only the position


def gap_bps(side: str, entry: bool, actual: Decimal, simulated: Decimal) -> Decimal:
    """Return how much worse an actual fill was than the simulated one, in basis points (positive: worse).

    Worse is paying more to open a long or close a short, and getting less to close a long or open a short.
    """
    sign = (1 if side == "long" else -1) * (1 if entry else -1)
    return sign * (actual - simulated) / simulated * BPS


@dataclass(frozen=True, slots=True)
class TradePair:
    """An actual trade and its simulated twin."""

    actual: ActualTrade
    simulated: ClosedTrade

    @property
    def entry_gap_bps(self) -> Decimal:
        """Return how much worse the actual entry was than the simulated one, in basis points."""
        return gap_bps(self.actual.side, True, self.actual.entry_price, self.simulated.entry_price)

    @property
    def pnl_gap(self) -> Decimal:
        """Return the actual result minus the simulated one."""
        return self.actual.pnl - self.simulated.pnl


@dataclass(frozen=True, slots=True)
class Divergence:
    """One strategy's actual trades against its backtest over the same period."""

    strategy: str
    pairs: tuple[TradePair, ...]
    only_actual: tuple[ActualTrade, ...]
    only_simulated: tuple[ClosedTrade, ...]

    @property
    def actual_pnl(self) -> Decimal:
        """Return the account's result over all its trades of this strategy."""
        return sum((p.actual.pnl for p in self.pairs), ZERO) + sum((t.pnl for t in self.only_actual), ZERO)

    @property
    def simulated_pnl(self) -> Decimal:
        """Return the backtest's result over all its trades of this strategy."""
        return sum((p.simulated.pnl for p in self.pairs), ZERO) + sum((t.pnl for t in self.only_simulated), ZERO)

    @property
    def average_entry_gap_bps(self) -> Decimal | None:
        """Return the mean entry gap of the matched trades (None without any)."""
        return sum((p.entry_gap_bps for p in self.pairs), ZERO) / len(self.pairs) if self.pairs else None


def divergence(strategy: str, actual: Sequence[ActualTrade], simulated: Sequence[ClosedTrade],
               tolerance_ms: int = DEFAULT_TOLERANCE_MS) -> Divergence:
    """Return the strategy's actual trades matched with its simulated ones (nearest entry within tolerance)."""
    free = list(simulated)
    pairs, alone = [], []
    for trade in sorted(actual, key=lambda t: t.opened_ms):
        near = [s for s in free if s.symbol == trade.symbol and str(s.side) == trade.side
                and abs(s.entry_ms - trade.opened_ms) <= tolerance_ms]
        if not near:
            alone.append(trade)
            continue
        twin = min(near, key=lambda s: abs(s.entry_ms - trade.opened_ms))
        free.remove(twin)
        pairs.append(TradePair(trade, twin))
    return Divergence(strategy, tuple(pairs), tuple(alone), tuple(free))


def divergence_text(report: Divergence) -> str:
    """Return one strategy's divergence in a few lines."""
    gap = report.average_entry_gap_bps
    lines = [f"{report.strategy}: actual {report.actual_pnl:+,.2f} against the backtest's "
             f"{report.simulated_pnl:+,.2f} over the same period",
             f"  {len(report.pairs)} trades in both"
             + (f", entries {gap:+.1f} bps worse than simulated on average" if gap is not None else ""),
             f"  {len(report.only_actual)} taken only by the account, {len(report.only_simulated)} only by the "
             f"backtest"]
    return "\n".join(lines)
