"""The switches a phone user flips: /live on (with a code), /live off, /pause, /resume, /mode.

Which switch needs a two-factor code is decided here, not in the chat: switching live trading on, and lifting a
kill switch or a drawdown halt while live. Pausing never needs one: stopping must always be one tap away.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from trading.domain.figures import counted
from trading.domain.actors import in_words
from trading.services.code_requests import CodeRequest, CodeRequests
from trading.services.entry_holds import EntryHolds, Mode
from trading.services.trading_loop import TradingLoop


class SwitchOutcome(StrEnum):
    """What a switch request came to."""

    DONE = "done"
    UNCHANGED = "unchanged"        # it was already so
    NOT_LIVE = "not_live"          # /live in a paper process
    LOCKED = "locked"              # codes are locked out after wrong ones
    CODE_ASKED = "code_asked"      # the next code in the private chat carries it out


@dataclass(frozen=True, slots=True)
class Switch:
    """The outcome of a switch, with what was lifted, the lockout's end, or the code request."""

    outcome: SwitchOutcome
    lifted: tuple[str, ...] = ()
    locked_until_ms: int = 0
    request: CodeRequest | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class LiveSwitched:
    """What a code for /live on did."""

    on: bool


@dataclass(frozen=True, slots=True)
class Resumed:
    """What /resume lifted."""

    lifted: tuple[str, ...]


class LiveControl:
    """Live on/off, pause and resume, each asking for a code where the rules say so."""

    def __init__(self, holds: EntryHolds, codes: CodeRequests, loop: TradingLoop, autonomy: str = "") -> None:
        """autonomy: LIVE_AUTONOMY in a live process (approve or autonomous), empty in paper."""
        self.holds = holds
        self.codes = codes
        self._loop = loop
        self._autonomy = autonomy

    def mode(self) -> Mode:
        """Return paper, live paused or live on, and whether the bot's own live entries wait for approval."""
        return replace(self.holds.mode(), autonomy=self._autonomy)

    def live_on(self, user_id: int) -> Switch:
        """Ask for the code that switches live trading on."""
        if not self.holds.live:
            return Switch(SwitchOutcome.NOT_LIVE)
        if self.holds.mode().live_on:
            return Switch(SwitchOutcome.UNCHANGED)
        return self._ask(user_id, "switch live trading on", self._switch_on(user_id))

    async def live_off(self, user_id: int) -> Switch:
        """Pause new live entries at once."""
        if not self.holds.live:
            return Switch(SwitchOutcome.NOT_LIVE)
        changed = await self.holds.live_off(f"user:{user_id}")
        if changed:          # the resting entry orders meet the hold now, not at the next tick
            await self._loop.enforce_entry_gate()
        return Switch(SwitchOutcome.DONE if changed else SwitchOutcome.UNCHANGED)

    async def pause(self, user_id: int) -> Switch:
        """Hold new entries until /resume."""
        changed = await self.holds.pause(f"user:{user_id}", notify=False)     # the reply tells it, once
        if changed:
            await self._loop.enforce_entry_gate()
        return Switch(SwitchOutcome.DONE if changed else SwitchOutcome.UNCHANGED)

    async def resume(self, user_id: int) -> Switch:
        """Lift the pause; lift a kill switch or drawdown halt too (live: after a code)."""
        status = self._loop.risk_status()
        stopped = status.kill_switch.engaged or status.halted
        if stopped and self.holds.live:
            return self._ask(user_id, "lift the kill switch / drawdown halt", self._resume(user_id))
        # pushed: to the other chats (the reply tells this one), and it withdraws the lifted brakes' alerts not sent
        lifted = (await self._resume(user_id, notify=True)()).lifted
        return Switch(SwitchOutcome.DONE if lifted else SwitchOutcome.UNCHANGED, lifted)

    def locks(self) -> list[Lock]:
        """Return what blocks new entries now, with how long and how to lift each."""
        return entry_locks(self.holds, self._loop)

    async def unlock(self, user_id: int) -> bool:
        """Lift a loss-streak cooldown (audited); return False when none was running."""
        return await self._loop.lift_cooldown(f"user:{user_id}")

    def _ask(self, user_id: int, purpose: str, action) -> Switch:
        locked = self.codes.locked_until_ms()
        if locked:
            return Switch(SwitchOutcome.LOCKED, locked_until_ms=locked)
        return Switch(SwitchOutcome.CODE_ASKED, request=self.codes.ask(user_id, purpose, action))

    def _switch_on(self, user_id: int):
        async def switch_on() -> LiveSwitched:
            await self.holds.live_on(f"user:{user_id}, code verified")
            return LiveSwitched(True)
        return switch_on

    def _resume(self, user_id: int, notify: bool = False):
        async def resume() -> Resumed:
            lifted = await self._loop.resume(f"user:{user_id}", notify)     # after a code: its reply tells it, once
            if await self.holds.unpause(f"user:{user_id}", notify=False):
                lifted = [*lifted, "pause"]
            return Resumed(tuple(lifted))
        return resume


@dataclass(frozen=True, slots=True)
class Lock:
    """One thing that blocks new entries now: what, for how long (0: until lifted), and how to lift it."""

    name: str
    detail: str
    minutes_left: int
    lift: str


def entry_locks(holds: EntryHolds, loop: TradingLoop) -> list[Lock]:
    """Return every lock on new entries now, holds first, then the engine's risk rules."""
    found: list[Lock] = []
    mode = holds.mode()
    if mode.live and not mode.live_on:
        found.append(Lock("live paused", "a live process starts paused", 0, "/live on with a code"))
    if mode.paused_by:
        found.append(Lock("pause", f"paused by {in_words(mode.paused_by)}", 0, "/resume"))
    s = loop.risk_status()
    if s.kill_switch.engaged:
        found.append(Lock("kill switch", f"{s.kill_switch.reason} (by {in_words(s.kill_switch.by)})", 0, "/resume"))
    if s.halted:
        found.append(Lock("drawdown halt", s.halt_reason, 0, "/resume"))
    if s.daily_limit_hit:
        found.append(Lock("daily loss limit", f"today's loss reached the limit then in force, "
                          f"{s.daily_limit_hit_at:,.2f}", 0,
                          "the next trading day, or a DAILY_LOSS_LIMIT_PCT above today's loss"))
    if s.breaker_tripped:
        found.append(Lock("circuit breaker", s.breaker_reason, s.breaker_minutes_left, "waits out its cooldown"))
    if s.cooldown_minutes_left:
        found.append(Lock("loss-streak cooldown", f"{counted(s.cooldown_streak, 'loss', 'losses')} in a row",
                          s.cooldown_minutes_left, "/unlock"))
    if s.open_positions + s.pending_entries >= s.settings.limits.max_open_positions:
        found.append(Lock("open positions", f"{s.open_positions} of {s.settings.limits.max_open_positions}", 0,
                          "close one, or /set MAX_OPEN_POSITIONS"))
    return found
