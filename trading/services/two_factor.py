"""Two-factor codes (TOTP): checked in constant time, each accepted once, five wrong ones lock them out.

pyotp's own verify() accepts the same code again for the rest of its 30 s window, so a code seen over a
shoulder or in a notification preview could be replayed. Here the last accepted time step is kept in the
database and only a later step is accepted. Wrong codes are counted across restarts; the fifth locks every
code out for a while and tells every allowed chat. Codes and the secret never reach a log or an event.
"""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

import pyotp

from trading.domain.actors import in_words
from trading.domain.events import Event, EventKind, Severity
from trading.ports import Clock, StateStore
from trading.services.event_bus import EventBus

STATE_KEY = "two_factor"
STEP_S = 30
DRIFT_STEPS = 1                 # a phone clock 30 s off still works
MAX_FAILURES = 5
LOCKOUT_MS = 15 * 60_000
_CODE = re.compile(r"[0-9]{6}")


class CodeVerdict(StrEnum):
    """What a typed code got."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    REUSED = "reused"          # right, but its time step was already used: a replay
    LOCKED = "locked"          # too many wrong codes: none is checked until the lockout ends
    MALFORMED = "malformed"    # not six digits


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """The verdict on one code, with what the user needs to know next."""

    verdict: CodeVerdict
    tries_left: int = MAX_FAILURES
    locked_until_ms: int = 0

    @property
    def accepted(self) -> bool:
        """Return True when the code may authorise what it was asked for."""
        return self.verdict is CodeVerdict.ACCEPTED


def looks_like_code(text: str) -> bool:
    """Return True for a message that is a six-digit code (spaces allowed, as phones group them)."""
    return bool(_CODE.fullmatch(text.replace(" ", "").strip()))


def new_totp_secret() -> str:
    """Return a fresh random TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str = "trading-assistant") -> str:
    """Return the otpauth:// URI an authenticator app reads (from a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name="Trading Assistant")


class TwoFactor:
    """Checks codes against the TOTP secret; remembers the last step used and the wrong tries in the store."""

    def __init__(self, secret: str, store: StateStore, events: EventBus, clock: Clock) -> None:
        self._totp = pyotp.TOTP(secret)
        self._store = store
        self._events = events
        self._clock = clock
        self._last_step = -1
        self._failures = 0
        self._locked_until_ms = 0

    async def load(self) -> None:
        """Read the last step used, the wrong tries and a lockout saved before a restart."""
        saved = await self._store.load_state(STATE_KEY)
        if isinstance(saved, dict):
            self._last_step = int(saved.get("last_step", -1))
            self._failures = int(saved.get("failures", 0))
            self._locked_until_ms = int(saved.get("locked_until_ms", 0))

    def locked_until_ms(self) -> int:
        """Return when the lockout ends (0 when codes are accepted now)."""
        return self._locked_until_ms if self._locked_until_ms > self._clock.now_ms() else 0

    async def check(self, code: str, by: str) -> CodeCheck:
        """Return the verdict on code; a wrong one counts towards the lockout, a right one is used up."""
        now = self._clock.now_ms()
        if self.locked_until_ms():
            return CodeCheck(CodeVerdict.LOCKED, 0, self._locked_until_ms)
        typed = code.replace(" ", "").strip()
        if not _CODE.fullmatch(typed):
            return CodeCheck(CodeVerdict.MALFORMED, MAX_FAILURES - self._failures)
        step = self._matching_step(typed, now // 1000 // STEP_S)
        if step is not None and step > self._last_step:
            self._last_step, self._failures = step, 0
            await self._save()
            return CodeCheck(CodeVerdict.ACCEPTED)
        if step is not None:
            return CodeCheck(CodeVerdict.REUSED, MAX_FAILURES - self._failures)
        return await self._wrong(now, by)

    def _matching_step(self, typed: str, current: int) -> int | None:
        # every candidate is compared, in constant time each, so timing tells nothing about which was close
        found = None
        for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
            if hmac.compare_digest(self._totp.generate_otp(step), typed):
                found = step
        return found

    async def _wrong(self, now: int, by: str) -> CodeCheck:
        self._failures += 1
        if self._failures < MAX_FAILURES:
            await self._save()
            return CodeCheck(CodeVerdict.WRONG, MAX_FAILURES - self._failures)
        self._failures, self._locked_until_ms = 0, now + LOCKOUT_MS
        await self._save()
        minutes = LOCKOUT_MS // 60_000
        await self._events.emit(Event(
            EventKind.SECURITY, now, f"🔒 {MAX_FAILURES} wrong two-factor codes in a row (last from {in_words(by)}): "
            f"approvals and /live on are locked for {minutes} minutes. If that was not you, send /kill and "
            f"run `trading-assistant totp reset`.", {"by": by, "locked_until_ms": self._locked_until_ms},
            Severity.CRITICAL))
        return CodeCheck(CodeVerdict.LOCKED, 0, self._locked_until_ms)

    async def _save(self) -> None:
        await self._store.save_state(STATE_KEY, {"last_step": self._last_step, "failures": self._failures,
                                                 "locked_until_ms": self._locked_until_ms})
