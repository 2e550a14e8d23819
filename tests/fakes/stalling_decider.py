"""A decision maker that answers signals by the rules but never answers about a position (a hung LLM)."""
from __future__ import annotations

import asyncio

from trading.domain.decisions import Decision, DecisionRequest
from trading.engine.rules_decider import RulesDecider


class StallingDecider:
    """Rules for signals; questions about positions hang until cancelled."""

    def __init__(self) -> None:
        self.rules = RulesDecider()
        self.stalled = 0

    async def decide(self, request: DecisionRequest) -> Decision:
        """Return the rules' answer to a signal; wait forever on a position."""
        if request.signal is not None:
            return await self.rules.decide(request)
        self.stalled += 1
        await asyncio.Event().wait()
        raise AssertionError("unreachable")
