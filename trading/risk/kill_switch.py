"""Kill switch: stop every new order at once, optionally close everything, until a human resumes.

Engaged by /kill, /kill flat, a KILL file or a risk rule (a SIGTERM is a clean stop and leaves it as it was);
the engine reads it before every order. Closing orders always pass, so protective exits and the flattening
itself are never blocked.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trading.risk.limits import local_clock
from trading.risk.snapshots import Restorable
from trading.risk.verdicts import ALLOWED, RiskRule, Verdict


class KillMode(StrEnum):
    """Off, active (no new orders) or active-flat (no new orders and close every position)."""

    OFF = "off"
    ACTIVE = "active"
    ACTIVE_FLAT = "active_flat"


_STRENGTH = {KillMode.OFF: 0, KillMode.ACTIVE: 1, KillMode.ACTIVE_FLAT: 2}


@dataclass(frozen=True, slots=True)
class KillSwitch(Restorable):
    """The switch's mode and who set it, why and when."""

    mode: KillMode = KillMode.OFF
    by: str = ""             # "chat:<id>", "signal:SIGTERM", "file:KILL", ...
    reason: str = ""
    since_ms: int = 0

    @property
    def engaged(self) -> bool:
        """Return True while new orders are stopped."""
        return self.mode is not KillMode.OFF

    @property
    def closes_positions(self) -> bool:
        """Return True when every open position must be closed at market."""
        return self.mode is KillMode.ACTIVE_FLAT

    @property
    def cause(self) -> str:
        """Return who or what set the switch in the user's words ('/kill', 'the KILL file'), never an internal id."""
        source, _, name = self.by.partition(":")
        if source == "chat":
            return self.reason or "/kill"
        if source == "file":
            return f"the {name} file"
        if source == "signal":
            return f"a {name} stop of the process"
        return self.reason or self.by or "unknown"

    def vet_order(self, closing: bool, timezone: str = "UTC") -> Verdict:
        """Return whether an order may go out: closing orders always, new ones only when off."""
        if closing or not self.engaged:
            return ALLOWED
        flat = " and every position is being closed" if self.closes_positions else ""
        return Verdict(RiskRule.KILL_SWITCH, f"Kill switch is on (by {self.cause} at "
                                             f"{local_clock(self.since_ms, timezone)}){flat}. New positions are "
                                             f"refused; /resume lifts it.")


def engage(switch: KillSwitch, flat: bool, by: str, reason: str,
           ts_ms: int) -> tuple[KillSwitch, bool]:
    """Engage the switch (flat: also close everything); return it and whether anything changed.

    Engaging never weakens it: /kill after /kill flat stays flat, and a repeat keeps the first who/why/when.
    """
    mode = KillMode.ACTIVE_FLAT if flat else KillMode.ACTIVE
    if _STRENGTH[mode] <= _STRENGTH[switch.mode]:
        return switch, False
    return KillSwitch(mode, by, reason, ts_ms), True


def release(switch: KillSwitch, by: str, ts_ms: int) -> tuple[KillSwitch, bool]:
    """Turn the switch off (on /resume); return it and whether anything changed."""
    if not switch.engaged:
        return switch, False
    return KillSwitch(KillMode.OFF, by, f"resumed after {switch.mode} by {switch.by}", ts_ms), True
