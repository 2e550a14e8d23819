"""Account limits checked before every entry: daily loss, drawdown, loss streak, open positions, entry rate.

Exits are never vetted here: closing risk must always be possible.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from trading.domain.candles import MINUTE_MS
from trading.domain.figures import counted
from trading.domain.frozen import changed, quick_init
from trading.risk.snapshots import Restorable
from trading.risk.verdicts import ALLOWED, RiskRule, Verdict

HUNDRED = Decimal(100)
DAY_MS = 86_400_000
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """The account limits; percentages are of equity, durations in milliseconds."""

    daily_loss_pct: Decimal = Decimal("6")       # of the day's starting equity
    timezone: str = "UTC"                         # IANA name; the trading day starts at its midnight
    close_on_daily_loss: bool = False            # also close open positions when the daily limit hits
    max_drawdown_pct: Decimal = Decimal("20")    # from the equity peak; halts until resumed
    loss_streak: int = 3                          # consecutive losing trades that start a cooldown
    loss_cooldown_ms: int = 120 * MINUTE_MS
    max_open_positions: int = 3
    max_entries: int = 6                          # entries allowed per entry window
    entry_window_ms: int = 60 * MINUTE_MS


@quick_init
@dataclass(frozen=True, slots=True)
class RiskState(Restorable):
    """What the limits remember between ticks and across restarts."""

    day: str = ""                                 # local ISO date of the current trading day
    day_start_equity: Decimal = Decimal(0)
    equity: Decimal = Decimal(0)
    peak_equity: Decimal = Decimal(0)
    daily_limit_day: str = ""                     # local ISO date on which the daily limit was hit
    halted: bool = False                          # drawdown halt, cleared only by resume_trading
    halt_reason: str = ""
    consecutive_losses: int = 0
    cooldown_until_ms: int = 0
    entry_times_ms: tuple[int, ...] = ()
    # the worst case of positions closed outside the bot whose result could not be found: counted as lost
    # today until the user confirms (/resume) or the day ends
    unconfirmed_loss: Decimal = Decimal(0)
    daily_limit_pct: Decimal = Decimal(0)         # the daily limit in force when it was hit (raising it lifts it)
    cooldown_streak: int = 0                      # the losing streak that started the cooldown (its setting then)

    @property
    def daily_pnl(self) -> Decimal:
        """Return today's change in equity (negative is a loss), less any unconfirmed worst case."""
        return self.equity - self.day_start_equity - self.unconfirmed_loss

    @property
    def drawdown_pct(self) -> Decimal:
        """Return how far equity is below its peak, in percent of the peak."""
        if self.peak_equity <= 0:
            return Decimal(0)
        return (self.peak_equity - self.equity) / self.peak_equity * HUNDRED


@quick_init
@dataclass(frozen=True, slots=True)
class LimitBreach:
    """A limit that has just been hit: report it once, and close positions if asked."""

    rule: RiskRule
    ts_ms: int
    reason: str
    close_positions: bool = False


def local_day(ts_ms: int, timezone: str) -> str:
    """Return the local ISO date of ts_ms in an IANA timezone."""
    if timezone == "UTC":       # the default, asked on every equity mark and entry: whole days since 1970
        return _utc_day(ts_ms // DAY_MS)
    return datetime.fromtimestamp(ts_ms / 1000, ZoneInfo(timezone)).date().isoformat()


@lru_cache(maxsize=1024)
def _utc_day(days: int) -> str:
    return (EPOCH + timedelta(days=days)).isoformat()


def next_local_midnight_ms(ts_ms: int, timezone: str) -> int:
    """Return the epoch ms of the first local midnight after ts_ms (DST days are 23 or 25 hours)."""
    zone = ZoneInfo(timezone)
    tomorrow = date.fromisoformat(local_day(ts_ms, timezone)) + timedelta(days=1)
    return int(datetime.combine(tomorrow, time(0), tzinfo=zone).timestamp() * 1000)


def mark_equity(state: RiskState, equity: Decimal, ts_ms: int,
                settings: LimitSettings) -> tuple[RiskState, tuple[LimitBreach, ...]]:
    """Record the account's equity at ts_ms; return the new state and the limits it has just hit."""
    day = local_day(ts_ms, settings.timezone)
    if day != state.day:
        state = changed(state, day=day, day_start_equity=equity, equity=equity,
                        peak_equity=max(state.peak_equity, equity), unconfirmed_loss=Decimal(0))
    else:
        state = changed(state, equity=equity, peak_equity=max(state.peak_equity, equity))
    breaches: list[LimitBreach] = []
    loss_limit = state.day_start_equity * settings.daily_loss_pct / HUNDRED
    if not (state.daily_limit_day == day and _latched(state, settings)) and -state.daily_pnl >= loss_limit > 0:
        state = changed(state, daily_limit_day=day, daily_limit_pct=settings.daily_loss_pct)
        breaches.append(LimitBreach(
            RiskRule.DAILY_LOSS, ts_ms,
            f"daily loss limit hit: {state.daily_pnl:,.2f} today, limit {settings.daily_loss_pct}% "
            f"of {state.day_start_equity:,.2f} = {loss_limit:,.2f}; new positions are refused until midnight "
            f"{settings.timezone} (or a higher DAILY_LOSS_LIMIT_PCT)",
            settings.close_on_daily_loss))
    if not state.halted and state.drawdown_pct >= settings.max_drawdown_pct:
        reason = (f"equity {state.equity:,.2f} is {state.drawdown_pct:.2f}% below its peak {state.peak_equity:,.2f}, "
                  f"the limit is {settings.max_drawdown_pct}%")
        state = changed(state, halted=True, halt_reason=reason)
        breaches.append(LimitBreach(RiskRule.MAX_DRAWDOWN, ts_ms, f"drawdown halt: {reason}; new positions are "
                                                                  f"refused until /resume"))
    return state, tuple(breaches)


def record_trade_result(state: RiskState, pnl: Decimal, ts_ms: int,
                        settings: LimitSettings) -> tuple[RiskState, tuple[LimitBreach, ...]]:
    """Record a closed trade's profit; a losing streak of settings.loss_streak starts a cooldown."""
    if pnl >= 0:
        return changed(state, consecutive_losses=0), ()
    losses = state.consecutive_losses + 1
    if losses < settings.loss_streak:
        return changed(state, consecutive_losses=losses), ()
    until = ts_ms + settings.loss_cooldown_ms
    # The streak restarts from zero so the next cooldown needs another full streak.
    state = changed(state, consecutive_losses=0, cooldown_until_ms=until, cooldown_streak=losses)
    reason = (f"{counted(losses, 'losing trade')} in a row: new positions are refused for "
              f"{settings.loss_cooldown_ms // MINUTE_MS} min (/unlock or /resume lifts it sooner)")
    return state, (LimitBreach(RiskRule.LOSS_STREAK, ts_ms, reason),)


def record_unknown_result(state: RiskState, worst_loss: Decimal, ts_ms: int,
                          settings: LimitSettings) -> tuple[RiskState, tuple[LimitBreach, ...]]:
    """Count a trade's worst case against today's loss (its result is unknown); return the limits it hits."""
    state = changed(state, unconfirmed_loss=state.unconfirmed_loss + max(worst_loss, Decimal(0)))
    if not state.day:
        return state, ()
    return mark_equity(state, state.equity, ts_ms, settings)


def confirm_unknown_results(state: RiskState, ts_ms: int, settings: LimitSettings) -> RiskState:
    """Stop counting the unconfirmed worst cases; lift today's daily limit if the equity alone is within it."""
    state = changed(state, unconfirmed_loss=Decimal(0))
    limit = state.day_start_equity * settings.daily_loss_pct / HUNDRED
    if state.daily_limit_day == local_day(ts_ms, settings.timezone) and -state.daily_pnl < limit:
        state = changed(state, daily_limit_day="", daily_limit_pct=Decimal(0))
    return state


def record_entry(state: RiskState, ts_ms: int, settings: LimitSettings) -> RiskState:
    """Record that an entry order was sent at ts_ms (for the entry-rate limit)."""
    recent = _entries_in_window(state, ts_ms, settings)
    return changed(state, entry_times_ms=recent + (ts_ms,))


def resume_trading(state: RiskState) -> RiskState:
    """Clear a drawdown halt; the peak restarts at the current equity so the halt does not refire at once."""
    return changed(state, halted=False, halt_reason="", peak_equity=state.equity)


def end_cooldown(state: RiskState) -> RiskState:
    """Lift a loss-streak cooldown now (on /resume)."""
    return changed(state, cooldown_until_ms=0, consecutive_losses=0, cooldown_streak=0)


def daily_limit_hit(state: RiskState, ts_ms: int, settings: LimitSettings) -> bool:
    """Return whether today's daily loss limit is hit and still holds at ts_ms.

    It holds until the local midnight, unless the limit was raised since above today's loss: the user who
    raises it means to trade on within the new limit (a loss past the new one hits it again).
    """
    if state.daily_limit_day != local_day(ts_ms, settings.timezone):
        return False
    return _latched(state, settings) or -state.daily_pnl >= state.day_start_equity * settings.daily_loss_pct / HUNDRED


def _latched(state: RiskState, settings: LimitSettings) -> bool:
    """Return whether the limit hit today holds whatever the loss: it was not raised since (call on its day)."""
    return state.daily_limit_pct <= 0 or settings.daily_loss_pct <= state.daily_limit_pct


def vet_entry(state: RiskState, ts_ms: int, open_positions: int, settings: LimitSettings) -> Verdict:
    """Return whether a new entry at ts_ms is allowed, or the rule that blocks it and why."""
    verdict = vet_account(state, ts_ms, settings)
    return verdict if not verdict.allowed else vet_pace(state, ts_ms, open_positions, settings)


def vet_account(state: RiskState, ts_ms: int, settings: LimitSettings) -> Verdict:
    """Return whether the account may take on risk: no drawdown halt, daily loss limit or loss-streak cooldown."""
    if state.halted:
        return Verdict(RiskRule.MAX_DRAWDOWN, f"Drawdown halt: {state.halt_reason}. New positions are refused; "
                                              f"/resume lifts it.")
    if daily_limit_hit(state, ts_ms, settings):
        # the limit it was hit at, not today's setting: a limit since lowered or raised too little still holds
        pct = max(state.daily_limit_pct, settings.daily_loss_pct) if state.daily_limit_pct > 0 \
            else settings.daily_loss_pct
        limit = state.day_start_equity * pct / HUNDRED
        return Verdict(RiskRule.DAILY_LOSS, f"Daily loss limit hit: {state.daily_pnl:,.2f} today, the limit is "
                                            f"{limit:,.2f} ({pct}% of {state.day_start_equity:,.2f}). New "
                                            f"positions are refused until midnight {settings.timezone}, in "
                                            f"{_duration(next_local_midnight_ms(ts_ms, settings.timezone) - ts_ms)}"
                                            f"{_raise_hint(state)}.")
    if ts_ms < state.cooldown_until_ms:
        minutes = -(-(state.cooldown_until_ms - ts_ms) // MINUTE_MS)
        streak = state.cooldown_streak or settings.loss_streak      # a state saved before the streak was kept
        return Verdict(RiskRule.LOSS_STREAK, f"Cooling down after {counted(streak, 'losing trade')} in a row: "
                                             f"{minutes} min left. New positions are refused until then; /unlock "
                                             f"or /resume lifts it now.")
    return ALLOWED


def vet_pace(state: RiskState, ts_ms: int, open_positions: int | None, settings: LimitSettings,
             entry_rate: bool = True) -> Verdict:
    """Return whether one more position fits (None: not a new one) and, if asked, the entry rate allows it."""
    if open_positions is not None and open_positions >= settings.max_open_positions:
        return Verdict(RiskRule.MAX_OPEN_POSITIONS,
                       f"{counted(open_positions, 'position')} open, the maximum is "
                       f"{settings.max_open_positions} (MAX_OPEN_POSITIONS). Close one to open another.")
    recent = _entries_in_window(state, ts_ms, settings)
    if entry_rate and len(recent) >= settings.max_entries:
        wait = -(-(recent[0] + settings.entry_window_ms - ts_ms) // MINUTE_MS)
        return Verdict(RiskRule.ENTRY_RATE, f"{counted(len(recent), 'entry', 'entries')} in the last "
                                            f"{settings.entry_window_ms // MINUTE_MS} min, the maximum is "
                                            f"{settings.max_entries}; the next one is allowed in {wait} min.")
    return ALLOWED


def local_clock(ts_ms: int, timezone: str) -> str:
    """Return the local time of ts_ms as '12:03 UTC' (the zone's name, so the user knows which clock)."""
    return f"{datetime.fromtimestamp(ts_ms / 1000, ZoneInfo(timezone)):%H:%M} {timezone}"


def _raise_hint(state: RiskState) -> str:
    """Return how the user lifts a daily limit hit today before midnight: a limit above today's loss."""
    if state.day_start_equity <= 0:
        return ""
    lost = max(-state.daily_pnl, Decimal(0)) / state.day_start_equity * HUNDRED
    above = lost.quantize(Decimal("0.01"), rounding=ROUND_FLOOR) + Decimal("0.01")
    return f", or at once by a limit above today's loss (/set DAILY_LOSS_LIMIT_PCT {above} or more)"


def _duration(ms: int) -> str:
    minutes = -(-ms // MINUTE_MS)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _entries_in_window(state: RiskState, ts_ms: int, settings: LimitSettings) -> tuple[int, ...]:
    return tuple(t for t in state.entry_times_ms if t > ts_ms - settings.entry_window_ms)
