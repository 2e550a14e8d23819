"""Switching a strategy on or off from the chat: switching one on in live mode takes a two-factor code.

A strategy switched on opens positions by itself, so in live mode it is a change of risk like raising a limit:
the switch waits for the user's next code. Switching one off reduces risk and is done at once, in every mode.
"""
from __future__ import annotations

from dataclasses import dataclass

from trading.domain.errors import InvalidInput
from trading.services.chat_settings import ChangeOutcome
from trading.services.code_requests import CodeRequest, CodeRequests
from trading.services.signals import SignalsService


@dataclass(frozen=True, slots=True)
class StrategySwitch:
    """What a switch came to: applied, already so, waiting for a code (the request) or refused by the lockout."""

    outcome: ChangeOutcome
    strategy: str
    on: bool
    request: CodeRequest | None = None
    locked_until_ms: int = 0


class StrategySwitches:
    """Switches the strategies of the shared book; asks for a code before one goes on in live mode."""

    def __init__(self, signals: SignalsService, codes: CodeRequests, live: bool) -> None:
        self._signals, self._codes, self._live = signals, codes, live

    def strategies(self) -> list[tuple[str, bool]]:
        """Return every strategy with whether it is switched on."""
        return self._signals.strategies()

    def asks_code(self, on: bool) -> bool:
        """Return True when switching a strategy on (on) or off may ask for a code: a prompt and a request."""
        return on and self._live

    async def switch(self, name: str, on: bool, user_id: int) -> StrategySwitch:
        """Switch a strategy on or off now, or (on, live) ask user_id for a code first."""
        known = self._name(name)
        if (known in self._signals.book.enabled) == on:
            return StrategySwitch(ChangeOutcome.UNCHANGED, known, on)
        if not (on and self._live):
            return await self._set(known, on)
        locked = self._codes.locked_until_ms()
        if locked:
            return StrategySwitch(ChangeOutcome.LOCKED, known, on, locked_until_ms=locked)
        request = self._codes.ask(user_id, f"switch strategy {known} on", lambda: self._set(known, True))
        return StrategySwitch(ChangeOutcome.CODE_ASKED, known, on, request=request)

    async def _set(self, name: str, on: bool) -> StrategySwitch:
        already = (name in self._signals.book.enabled) == on      # a code may come after a switch by hand
        await self._signals.switch(name, on)
        return StrategySwitch(ChangeOutcome.UNCHANGED if already else ChangeOutcome.APPLIED, name, on)

    def _name(self, name: str) -> str:
        try:
            return self._signals.book.resolve(name)
        except ValueError as exc:
            message = str(exc)
            raise InvalidInput(f"{message[:1].upper()}{message[1:]}. Usage: /strategies NAME on|off") from None
