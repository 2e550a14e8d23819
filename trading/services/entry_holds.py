"""Holds on new entries, kept in the one entry gate: live trading paused, and the user's /pause.

A live process starts paused: it reconciles and protects what is open, but opens nothing, neither the bot's
entries nor the user's, until `/live on` with a two-factor code. `/live off` and `/pause` hold new entries at
once; exits are never held. Each switch is announced and written to the audit log. The pause survives a
restart; being live-on never does.

The hold is enforced by the engine's entry gate (trading.engine.entry_gate.vet_new_position): every change
here is handed to TradingEngine.hold_entries, so /buy and /short, approval cards at the press and at the
code, the loop's entries (rules or LLM) and resting fills are all refused by name while a hold is in force.
"""
from __future__ import annotations

from dataclasses import dataclass

from trading.domain.actors import in_words
from trading.domain.decisions import Action, Decision, DecisionRequest
from trading.domain.events import Event, EventKind, Severity
from trading.engine.trading_engine import TradingEngine
from trading.ports import Clock, DecisionMaker, StateStore
from trading.services.event_bus import EventBus

PAUSE_KEY = "entries_paused"
LIVE_PAUSED = "Live trading is paused (a live process always starts paused). /live on and a code lift it."
USER_PAUSED = "New entries are paused by {by}. /resume lifts it."


@dataclass(frozen=True, slots=True)
class Mode:
    """What /mode shows."""

    live: bool
    live_on: bool
    paused_by: str
    autonomy: str = ""       # live: approve (the bot's own entries wait for a card) or autonomous

    @property
    def label(self) -> str:
        """Return 'paper', 'live, paused' or 'live, on' (with the user's pause when set)."""
        base = "paper" if not self.live else "live, on" if self.live_on else "live, paused"
        return f"{base}; new entries paused by {in_words(self.paused_by)}" if self.paused_by else base


class EntryHolds:
    """Whether new entries are held, and why; every change is an audited, announced event."""

    def __init__(self, live: bool, store: StateStore, events: EventBus, clock: Clock,
                 engine: TradingEngine | None = None) -> None:
        self.live = live
        self._live_on = False
        self._paused_by = ""
        self._store = store
        self._events = events
        self._clock = clock
        self._engine = engine          # whose entry gate enforces the hold
        self._enforce()

    async def load(self) -> None:
        """Read the user's pause saved before a restart (live trading starts paused whatever was saved)."""
        saved = await self._store.load_state(PAUSE_KEY)
        self._paused_by = str(saved.get("by", "")) if isinstance(saved, dict) else ""
        self._enforce()

    def mode(self) -> Mode:
        """Return the mode as /mode shows it."""
        return Mode(self.live, self._live_on, self._paused_by)

    def held_because(self) -> str:
        """Return why a new entry may not open now (empty when nothing here holds it)."""
        if self.live and not self._live_on:
            return LIVE_PAUSED
        return USER_PAUSED.format(by=in_words(self._paused_by)) if self._paused_by else ""

    async def live_on(self, by: str) -> bool:
        """Let new live entries open (after a verified code); return True when it changed."""
        if not self.live or self._live_on:
            return False
        self._live_on = True
        await self._announce(f"🟢 Live trading ON ({in_words(by)}): new positions may open on the exchange. "
                             f"/live off pauses new entries at once.", by, Severity.WARNING)
        return True

    async def live_off(self, by: str) -> bool:
        """Hold new live entries at once; return True when it changed."""
        if not self.live or not self._live_on:
            return False
        self._live_on = False
        await self._announce(f"⏸ Live trading paused ({in_words(by)}): no new position opens; open ones stay protected "
                             f"and can be closed. /live on resumes.", by, Severity.WARNING)
        return True

    async def pause(self, by: str, notify: bool = True) -> bool:
        """Hold new entries (paper or live) until /resume; return True when it changed.

        notify: push the news; a chat command answers in its own reply instead (pushed too, it came twice).
        """
        if self._paused_by:
            return False
        self._paused_by = by
        self._enforce()
        await self._store.save_state(PAUSE_KEY, {"by": by})
        await self._announce(f"⏸ New entries paused by {in_words(by)}. Exits and protective stops still run. "
                             f"/resume lifts it.", by, Severity.INFO, notify)
        return True

    async def unpause(self, by: str, notify: bool = True) -> bool:
        """Lift the user's pause; return True when there was one (notify: as pause)."""
        if not self._paused_by:
            return False
        self._paused_by = ""
        self._enforce()
        await self._store.save_state(PAUSE_KEY, {})
        await self._announce(f"▶️ New entries allowed again ({in_words(by)}).", by, Severity.INFO, notify)
        return True

    def _enforce(self) -> None:
        if self._engine is not None:
            self._engine.hold_entries(self.held_because())

    async def _announce(self, message: str, by: str, severity: Severity, notify: bool = True) -> None:
        self._enforce()                # before the news goes out: the gate holds (or lets go) at once
        await self._events.emit(Event(EventKind.MODE, self._clock.now_ms(), message,
                                      {"by": by, **self._state()}, severity, notify=notify))

    def _state(self) -> dict[str, object]:
        return {"live": self.live, "live_on": self._live_on, "paused_by": self._paused_by}


class HeldDecisions:
    """A decision maker that skips every new entry while entries are held; zone decisions on open positions pass.

    For the audit trail and to save a decider's call: the gate refuses a held entry anyway, but a held signal
    arrives here as a skip that names the hold, so the decision log explains the trade not taken.
    """

    def __init__(self, decider: DecisionMaker, holds: EntryHolds) -> None:
        self._decider = decider
        self._holds = holds

    async def decide(self, request: DecisionRequest) -> Decision:
        """Return a skip naming the hold for an entry while one is in force; else ask the decider."""
        held = self._holds.held_because() if request.signal is not None and request.position is None else ""
        if held:
            return Decision(Action.SKIP, 1.0, held, "entry hold")
        return await self._decider.decide(request)
