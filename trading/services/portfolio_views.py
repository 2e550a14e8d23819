"""What the account views show: the balance against the start, and open positions marked to the last price."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.instruments import Instrument
from trading.domain.positions import Position
from trading.engine.account import AccountSummary
from trading.services.guard_levels import GuardLevels


@dataclass(frozen=True, slots=True)
class BalanceReport:
    """What /balance shows."""

    mode: str
    market_type: str
    summary: AccountSummary
    assets: dict[str, Decimal]
    starting_balance: Decimal

    @property
    def pnl(self) -> Decimal:
        """Return equity minus the starting balance."""
        return self.summary.equity - self.starting_balance


@dataclass(frozen=True, slots=True)
class PositionView:
    """An open position marked to the last price."""

    position: Position
    mark: Decimal
    tick: Decimal | None = None        # the market's price tick: every price is shown on it
    step: Decimal | None = None        # the market's amount step: the amount is shown on it
    # the stop and target the engine guards it with; None when no engine runs (the broker's own then)
    guard: GuardLevels | None = None
    guarded: bool = False              # an engine runs and was asked (guard None then: it guards none)

    @property
    def unrealized(self) -> Decimal:
        """Return the PnL if closed at the mark, before fees."""
        return self.position.unrealized_pnl(self.mark)

    @property
    def unrealized_pct(self) -> Decimal:
        """Return the PnL as a percentage of the margin (of the cost for spot)."""
        return self.position.unrealized_pct(self.mark) * self.position.leverage


def price_tick(instrument: Instrument | None) -> Decimal | None:
    """Return the market's price tick (None: market unknown)."""
    return instrument.price_tick if instrument is not None else None


def amount_step(instrument: Instrument | None) -> Decimal | None:
    """Return the market's amount step (None: market unknown)."""
    return instrument.amount_step if instrument is not None else None
