"""Faults a fake exchange injects on command: latency, 5xx, 429, hangs, broken JSON, auth errors."""
from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from enum import StrEnum

from aiohttp import web


class FaultKind(StrEnum):
    """What goes wrong with a request."""

    LATENCY = "latency"              # answer correctly, but late
    SERVER_ERROR = "server_error"    # HTTP 5xx
    RATE_LIMIT = "rate_limit"        # HTTP 429 with Retry-After
    HANG = "hang"                    # answer only after the client has given up
    MALFORMED_JSON = "malformed_json"
    AUTH_ERROR = "auth_error"        # HTTP 401 with a Binance -2015 / -2014 body
    LOST_RESPONSE = "lost_response"  # the request takes effect, the answer comes late as a 504 (or never)


@dataclass
class Fault:
    """One armed fault: applies to the next `count` requests whose path starts with `path` (None: any)."""

    kind: FaultKind
    count: int = 1
    path: str | None = None
    seconds: float = 0.0             # latency, hang time or Retry-After
    status: int = 503
    code: int = -2015
    method: str | None = None        # None: any method
    release: asyncio.Event | None = None   # latency: answer as soon as this is set (seconds is the longest wait)

    def matches(self, path: str, method: str = "GET") -> bool:
        """Return True when this fault applies to a request for path with method."""
        return self.count > 0 and (self.path is None or path.startswith(self.path)) and \
            self.method in (None, method)


AUTH_MESSAGES = {
    -2015: "Invalid API-key, IP, or permissions for action.",
    -2014: "API-key format invalid.",
}


@dataclass
class FaultPlan:
    """The faults armed on a fake exchange, consumed in the order they were armed."""

    armed: list[Fault] = field(default_factory=list)

    def arm(self, fault: Fault) -> None:
        """Arm a fault."""
        self.armed.append(fault)

    def clear(self) -> None:
        """Disarm every fault."""
        self.armed.clear()

    def take(self, path: str, method: str = "GET") -> Fault | None:
        """Return the first armed fault for path and method, counting one use of it."""
        for fault in self.armed:
            if fault.matches(path, method):
                fault.count -= 1
                if fault.count == 0:
                    self.armed.remove(fault)
                return fault
        return None


async def fault_response(fault: Fault) -> web.StreamResponse | None:
    """Return the response a fault replaces the real one with, or None to serve normally (after any delay)."""
    if fault.kind is FaultKind.LATENCY:
        if fault.release is None:
            await asyncio.sleep(fault.seconds)
        else:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(fault.release.wait(), fault.seconds)
        return None
    if fault.kind in (FaultKind.HANG, FaultKind.LOST_RESPONSE):
        await asyncio.sleep(fault.seconds)
        if fault.kind is FaultKind.LOST_RESPONSE:
            return web.Response(status=504, text="<html><body>Gateway Time-out</body></html>",
                                content_type="text/html")
        return web.json_response({"code": -1007, "msg": "Timeout waiting for response from backend server."},
                                 status=408)
    if fault.kind is FaultKind.SERVER_ERROR:
        return web.Response(status=fault.status, text="<html><body>Service Unavailable</body></html>",
                            content_type="text/html")
    if fault.kind is FaultKind.RATE_LIMIT:
        body = {"code": -1003, "msg": "Too many requests; current limit of IP is 6000 requests per minute."}
        return web.json_response(body, status=429, headers={"Retry-After": _retry_after(fault.seconds)})
    if fault.kind is FaultKind.MALFORMED_JSON:
        return web.Response(status=200, text='[[1747699200000,"105573.73000000","1055', content_type="application/json")
    body = {"code": fault.code, "msg": AUTH_MESSAGES.get(fault.code, "Unauthorized.")}
    return web.Response(status=401, text=json.dumps(body), content_type="application/json")


def _retry_after(seconds: float) -> str:
    # Retry-After is whole seconds in HTTP; fractions are kept only so tests can stay fast
    return str(int(seconds)) if seconds == int(seconds) else str(seconds)
