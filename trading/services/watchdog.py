"""The watchdog: says when the trading loop stops ticking, the decision maker keeps failing or the exchange
connection is degraded, and says again when each recovers. It only reads; it never trades."""
from __future__ import annotations

import asyncio
from typing import Mapping

from trading.domain.decisions import Decision, DecisionRequest
from trading.domain.events import Event, EventKind, Severity
from trading.domain.health import EndpointStats
from trading.ports import Clock, DecisionMaker
from trading.services.event_bus import EventBus

DECISION_FAILURES = 3        # in a row: the LLM (or whatever decides) keeps failing
EXCHANGE_ERRORS = 3          # in a row on one endpoint: the exchange adapter is degraded


class WatchedDecisions:
    """A decision maker that counts its failures in a row (errors, and answers cut off by the deadline)."""

    def __init__(self, decider: DecisionMaker) -> None:
        self._decider = decider
        self.failures = 0
        self.last_error = ""

    async def decide(self, request: DecisionRequest) -> Decision:
        """Return the decider's answer, counting a failure or a timeout against it."""
        try:
            decision = await self._decider.decide(request)
        except asyncio.CancelledError:
            self.failures, self.last_error = self.failures + 1, "no answer in time"
            raise
        except Exception as exc:
            self.failures, self.last_error = self.failures + 1, type(exc).__name__
            raise
        self.failures = 0
        return decision


class Watchdog:
    """Checks the loop's heartbeat, the decision maker and the exchange endpoints; alerts on each change."""

    def __init__(self, last_tick_ms, endpoints, decisions: WatchedDecisions, events: EventBus, clock: Clock,
                 stall_ms: int) -> None:
        self._last_tick_ms = last_tick_ms          # () -> wall ms of the loop's last market refresh, or None
        self._endpoints = endpoints                # () -> {endpoint: EndpointStats}
        self._decisions = decisions
        self._events = events
        self._clock = clock
        self.stall_ms = stall_ms
        self._started_ms = clock.now_ms()
        self.troubles: dict[str, str] = {}        # what is wrong now, by part

    async def check(self) -> None:
        """Compare each part with the last check and announce what went wrong or recovered."""
        now = self._clock.now_ms()
        found = {part: problem for part, problem in (("loop", self._loop(now)), ("decisions", self._deciding()),
                                                     ("exchange", self._exchange(self._endpoints())))
                 if problem}
        for part, problem in found.items():
            if part not in self.troubles:
                await self._say(f"⚠️ Watchdog: {problem}", {"part": part, "ok": False}, Severity.WARNING, now)
        for part in set(self.troubles) - set(found):
            await self._say(f"✅ Watchdog: {_RECOVERED[part]}", {"part": part, "ok": True}, Severity.INFO, now)
        self.troubles = found

    def _loop(self, now: int) -> str:
        last = self._last_tick_ms()
        since = now - (last if last is not None else self._started_ms)
        if since < self.stall_ms:
            return ""
        return f"the trading loop has not ticked for {since // 1000} s (market refresh stuck or failing)"

    def _deciding(self) -> str:
        d = self._decisions
        if d.failures < DECISION_FAILURES:
            return ""
        return f"the decision maker failed {d.failures} times in a row ({d.last_error}); the rules' fallback stands"

    def _exchange(self, endpoints: Mapping[str, EndpointStats]) -> str:
        bad = {name: s for name, s in endpoints.items() if s.consecutive_errors >= EXCHANGE_ERRORS}
        if not bad:
            return ""
        name, stats = next(iter(bad.items()))
        return f"the exchange connection is degraded: {name} failed {stats.consecutive_errors} times in a row " \
               f"({stats.last_error or 'error'})"

    async def _say(self, message: str, data: dict, severity: Severity, now: int) -> None:
        await self._events.emit(Event(EventKind.ERROR if severity is not Severity.INFO else EventKind.MARKET_DATA,
                                      now, message, data, severity))


_RECOVERED = {"loop": "the trading loop is ticking again.", "decisions": "the decision maker answers again.",
              "exchange": "the exchange connection has recovered."}
