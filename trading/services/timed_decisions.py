"""The decision maker behind a deadline: a late or failing answer falls back, and every answer is audited."""
from __future__ import annotations

import asyncio

from trading.domain.decisions import Action, Decision, DecisionRequest, DecisionSource
from trading.logs import get_logger
from trading.ports import DecisionMaker
from trading.services import loop_notices as notices
from trading.services.event_bus import EventBus
from trading.services.job_watch import describe

log = get_logger(__name__)


class TimedDecisions:
    """Asks a DecisionMaker and waits at most timeout_s; then the fallback stands (skip a signal, hold a position)."""

    def __init__(self, decider: DecisionMaker, timeout_s: float, events: EventBus) -> None:
        self.decider = decider
        self.timeout_s = timeout_s
        self.events = events

    async def decide(self, request: DecisionRequest, fallback: Action, subject: str) -> Decision:
        """Return the decision on subject, or the fallback when none came in time; record it in the audit log."""
        try:
            decision = await asyncio.wait_for(self.decider.decide(request), self.timeout_s)
        except asyncio.TimeoutError:
            decision = Decision(fallback, 0.0, "the decision maker did not answer in time", "timeout")
        except Exception as exc:  # noqa: BLE001 - any decider failure (LLM SDKs raise their own types) falls back
            # the reason is stored and shown: our own errors say what happened (masked), others only their type;
            # the log (secrets masked) keeps the whole failure
            log.warning("the decision maker failed; the fallback stands", subject=subject, exc_info=exc)
            decision = Decision(fallback, 0.0, f"the decision maker failed: {describe(exc)}", "fallback")
        if decision.source is not DecisionSource.SKIPPED:    # a HOLD without a call each minute is only logged
            await self.events.emit(notices.decided(subject, decision, request.ts_ms))
        return decision
