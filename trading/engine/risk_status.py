"""What /risk shows: the limits in force, today's PnL and the drawdown against them, cooldowns, breaker, kill switch."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from trading.domain.candles import MINUTE_MS
from trading.domain.frozen import changed
from trading.engine.engine_state import EngineSettings, EngineState
from trading.engine.entry_gate import EntryOrigin, vet_new_position
from trading.risk.kill_switch import KillSwitch
from trading.risk.limits import LimitSettings, RiskState, daily_limit_hit, local_day, mark_equity

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class RiskStatus:
    """The risk state at ts_ms, with the settings it is measured against."""

    ts_ms: int
    settings: EngineSettings
    equity: Decimal
    day: str
    day_start_equity: Decimal
    daily_pnl: Decimal
    daily_loss_limit: Decimal           # in quote: the day's starting equity x the limit percentage
    daily_limit_hit: bool
    daily_limit_hit_at: Decimal         # in quote: the limit in force when it was hit today (0: not hit)
    peak_equity: Decimal
    drawdown_pct: Decimal
    halted: bool                        # drawdown halt: until /resume
    halt_reason: str
    consecutive_losses: int
    cooldown_minutes_left: int
    cooldown_streak: int                # the losing streak that started the running cooldown (0: none)
    open_positions: int
    pending_entries: int
    entries_in_window: int
    breaker_tripped: bool
    breaker_reason: str
    breaker_minutes_left: int
    kill_switch: KillSwitch
    entries_allowed: bool
    blocked_because: str                # the first rule that blocks a new entry now, empty when allowed
    # perpetuals traded whose exchange maximum holds a new position below the leverage setting: symbol -> leverage
    leverage_capped: Mapping[str, int] = field(default_factory=dict)

    @property
    def daily_loss_used_pct(self) -> Decimal:
        """Return today's loss as a share of the daily limit, in percent (0 when the day is up)."""
        if self.daily_loss_limit <= 0 or self.daily_pnl >= 0:
            return Decimal(0)
        return -self.daily_pnl / self.daily_loss_limit * HUNDRED


def risk_status(state: EngineState, settings: EngineSettings, ts_ms: int) -> RiskStatus:
    """Return the risk state at ts_ms for /risk."""
    risk, limits, breaker = state.risk, settings.limits, state.breaker
    verdict = vet_new_position(state, settings, ts_ms, EntryOrigin.ENGINE)
    breaker_on = breaker.tripped and ts_ms < breaker.until_ms
    hit, cooling = daily_limit_hit(risk, ts_ms, limits), _minutes_until(risk.cooldown_until_ms, ts_ms)
    hit_pct = max(risk.daily_limit_pct, limits.daily_loss_pct) if risk.daily_limit_pct > 0 else limits.daily_loss_pct
    return RiskStatus(
        ts_ms=ts_ms, settings=settings, equity=risk.equity, day=risk.day,
        day_start_equity=risk.day_start_equity, daily_pnl=risk.daily_pnl,
        daily_loss_limit=risk.day_start_equity * limits.daily_loss_pct / HUNDRED,
        daily_limit_hit=hit, daily_limit_hit_at=risk.day_start_equity * hit_pct / HUNDRED if hit else Decimal(0),
        peak_equity=risk.peak_equity, drawdown_pct=risk.drawdown_pct, halted=risk.halted,
        halt_reason=risk.halt_reason, consecutive_losses=risk.consecutive_losses,
        cooldown_minutes_left=cooling, cooldown_streak=(risk.cooldown_streak or limits.loss_streak) if cooling else 0,
        open_positions=len(state.positions), pending_entries=len(state.pending),
        entries_in_window=sum(1 for t in risk.entry_times_ms if t > ts_ms - limits.entry_window_ms),
        breaker_tripped=breaker_on, breaker_reason=breaker.reason if breaker_on else "",
        breaker_minutes_left=_minutes_until(breaker.until_ms, ts_ms) if breaker_on else 0,
        kill_switch=state.kill_switch, entries_allowed=verdict.allowed, blocked_because=verdict.reason)


def marked_now(risk: RiskState, equity: Decimal, ts_ms: int, limits: LimitSettings,
               reset: tuple[int, Decimal] | None = None) -> RiskState:
    """Return the risk state's equity figures at equity and ts_ms, as the next tick will mark them.

    What the limits decided (daily limit hit, halt) stays as the engine left it: only the figures move. After a
    paper reset made today the day starts at the reset balance, as the account's day does (the engine's own
    first mark may come after the first order's fee).
    """
    today = local_day(ts_ms, limits.timezone)
    if reset is not None and local_day(reset[0], limits.timezone) == today:
        risk = changed(risk, day=today, day_start_equity=reset[1], peak_equity=max(risk.peak_equity, reset[1]))
    fresh = mark_equity(risk, equity, ts_ms, limits)[0]
    return changed(risk, day=fresh.day, day_start_equity=fresh.day_start_equity, equity=fresh.equity,
                   peak_equity=fresh.peak_equity, unconfirmed_loss=fresh.unconfirmed_loss)


def risk_status_at(state: EngineState, settings: EngineSettings, equity: Decimal, ts_ms: int,
                   reset: tuple[int, Decimal] | None = None) -> RiskStatus:
    """Return what /risk shows at ts_ms with the equity figures marked at equity, as the next tick will."""
    marked = changed(state, risk=marked_now(state.risk, equity, ts_ms, settings.limits, reset))
    return risk_status(marked, settings, ts_ms)


def _minutes_until(until_ms: int, ts_ms: int) -> int:
    return max(0, -(-(until_ms - ts_ms) // MINUTE_MS))
