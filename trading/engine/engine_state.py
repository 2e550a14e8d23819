"""What the trading engine remembers across ticks and restarts: limits, switches, guarded positions, entries."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from trading.domain.frozen import changed, quick_init
from trading.domain.positions import Position, PositionSide
from trading.engine.slippage import SlippageModel
from trading.risk.circuit_breaker import BreakerSettings, BreakerState
from trading.risk.kill_switch import KillSwitch
from trading.risk.limits import LimitSettings, RiskState
from trading.risk.protective_stops import ProtectionSettings, StopState
from trading.risk.sizing import SizingSettings
from trading.risk.snapshots import Restorable

ZERO = Decimal(0)
SNAPSHOT_VERSION = 1


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Every rule the engine enforces, in one bundle (built from Settings at the composition root)."""

    sizing: SizingSettings = SizingSettings()
    limits: LimitSettings = LimitSettings()
    protection: ProtectionSettings = ProtectionSettings()
    breaker: BreakerSettings = BreakerSettings()
    cash_buffer_pct: Decimal = Decimal("1")   # cash kept back for fees and slippage when cash caps a size
    max_fee_to_risk_pct: Decimal = Decimal("30")   # skip a trade whose round-trip costs exceed this share of its risk
    slippage: SlippageModel = SlippageModel()      # what a market fill is expected to cost (the paper broker's too)
    min_reward_risk: Decimal | None = Decimal("1.5")   # reward:risk after fees and slippage at the expected fill
    strategy_protection: Mapping[str, ProtectionSettings] = field(default_factory=dict)   # a strategy's own exits
    remembered_signals: int = 1000            # setup ids kept to never act on one signal twice
    kelly_window: int = 50                    # closed trades per strategy kept for the Kelly cap
    entry_timeout_ms: int = 10 * 60_000       # an entry unfilled this long is cancelled (0: it waits for ever)

    def protection_for(self, strategy: str) -> ProtectionSettings:
        """Return the exit rules of a strategy's positions: its own when it declares them, else the shared ones."""
        return self.strategy_protection.get(strategy, self.protection)


@quick_init
@dataclass(frozen=True, slots=True)
class PendingEntry(Restorable):
    """An entry order sent to the broker and not yet filled, with the levels to arm once it is."""

    client_order_id: str
    symbol: str
    side: PositionSide
    stop: Decimal | None             # None: the strategy exits on its own signal (the yardstick)
    take_profit: Decimal | None
    strategy: str
    reason: str
    amount_step: Decimal
    placed_ms: int
    exit_cost_rate: Decimal = ZERO   # what closing flat costs as a fraction of the entry: break-even's offset
    price_tick: Decimal = ZERO       # the market's price tick: break-even's stop sits on it


@quick_init
@dataclass(frozen=True, slots=True)
class GuardedPosition(Restorable):
    """An open position under the engine's protection, with the broker's figures last seen for it."""

    symbol: str
    key: str                     # client-id stem of its orders, derived from the setup
    strategy: str
    reason: str                  # why it was entered
    stops: StopState
    amount_step: Decimal
    opened_ms: int
    initial_risk: Decimal        # quote lost at the initial stop: 1R of this trade
    amount: Decimal
    entry_price: Decimal
    realized_pnl: Decimal = ZERO
    fees_paid: Decimal = ZERO
    funding_paid: Decimal = ZERO
    exits_sent: int = 0
    exit_in_flight: str = ""     # client id of an exit order not final yet; no new exit meanwhile
    exit_reason: str = ""        # what that exit is for, for its notification
    exit_by_user: bool = False   # the exit in flight is the user's own (/sell, /close): the reply tells it
    # the user's exits (/sell, /close, approved legs) already counted in amount: never taken later for the order
    # that closed the position (the engine's own are told by their number, exits_sent)
    user_exits: tuple[str, ...] = ()

    @property
    def side(self) -> PositionSide:
        """Return long or short."""
        return self.stops.side

    def seen(self, position: Position) -> "GuardedPosition":
        """Return this guard with the broker's latest amount, entry and running PnL figures."""
        if (self.amount is position.amount and self.entry_price is position.entry_price
                and self.realized_pnl is position.realized_pnl and self.fees_paid is position.fees_paid
                and self.funding_paid is position.funding_paid):
            return self          # the very same figures (equal Decimals may differ in their digits: 1.0, 1.00)
        return changed(self, amount=position.amount, entry_price=position.entry_price,
                       realized_pnl=position.realized_pnl, fees_paid=position.fees_paid,
                       funding_paid=position.funding_paid)

    def net_result(self, closing_pnl: Decimal) -> Decimal:
        """Return the trade's result net of fees and funding, given the PnL of its closing fill."""
        return self.realized_pnl - self.fees_paid - self.funding_paid + closing_pnl


@quick_init
@dataclass(frozen=True, slots=True)
class EngineState(Restorable):
    """The whole engine state; snapshot() is JSON-able and restore() rebuilds it after a restart."""

    risk: RiskState = RiskState()
    kill_switch: KillSwitch = KillSwitch()
    breaker: BreakerState = BreakerState()
    positions: dict[str, GuardedPosition] = field(default_factory=dict)     # by symbol
    pending: dict[str, PendingEntry] = field(default_factory=dict)          # by client order id
    signal_ids: tuple[str, ...] = ()
    r_multiples: dict[str, tuple[Decimal, ...]] = field(default_factory=dict)   # by strategy
    # why new entries are held (live trading paused, the user's /pause), empty when not; set by EntryHolds and
    # never saved here: the holds keep their own state (a live process always starts paused)
    entry_hold: str = ""

    def busy(self, symbol: str) -> bool:
        """Return True when symbol has an open position or an entry on its way."""
        return symbol in self.positions or any(p.symbol == symbol for p in self.pending.values())

    def snapshot(self) -> dict[str, Any]:
        """Return the state as JSON-able data; the breaker's short price windows are not kept."""
        calm = changed(self.breaker, prices={}, error_times_ms=())
        return Restorable.snapshot(changed(self, breaker=calm, entry_hold="")) | {"version": SNAPSHOT_VERSION}
