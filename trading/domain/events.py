"""Events the core emits: for notifications, for the audit log, and for tests to observe."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping


class EventKind(StrEnum):
    """What happened."""

    STARTED = "started"
    STOPPING = "stopping"
    CANDLE_CLOSED = "candle_closed"
    SIGNAL = "signal"
    DECISION = "decision"
    ORDER_PLACED = "order_placed"
    ORDER_FILLED = "order_filled"
    ORDER_FAILED = "order_failed"
    ORDER_CANCELLED = "order_cancelled"
    POSITION_OPENED = "position_opened"
    POSITION_UPDATED = "position_updated"
    POSITION_CLOSED = "position_closed"
    RISK_LIMIT = "risk_limit"
    CIRCUIT_BREAKER = "circuit_breaker"
    KILL_SWITCH = "kill_switch"
    ACCESS_DENIED = "access_denied"
    COMMAND = "command"
    MARKET_DATA = "market_data"
    CONNECTION = "connection"      # a live stream dropped or came back
    CLOCK = "clock"
    REPORT = "report"
    ERROR = "error"
    SECURITY = "security"      # two-factor codes: lockouts, secret changes
    MODE = "mode"              # live trading switched on or paused, entries paused or resumed
    APPROVAL = "approval"      # a live order card: asked, approved, rejected, expired
    SETTING = "setting"        # a setting changed from the chat (old and new value)


# data key: True on the news of a chat command (/resume, /unlock, /set) that its own reply tells in the chat it was
# typed in; the notifier leaves that chat out of this event's push only, never of other news the command's step made
TOLD_IN_REPLY = "told_in_reply"


class Severity(StrEnum):
    """How loudly to tell the user."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened at ts_ms; `message` is the human line, `data` the machine-readable details."""

    kind: EventKind
    ts_ms: int
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = Severity.INFO
    notify: bool = True      # False: audit log only, not pushed to the chat
    image: bytes | None = None   # a PNG pushed with the message as its caption (a report's chart)
