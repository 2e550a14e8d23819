"""Time at the fake Binance: its server clock (the machine's plus a configurable offset) and Binance's
timestamp check on signed requests (recvWindow), answered with -1021 like the real exchange."""
from __future__ import annotations

from typing import Mapping

from tests.fakes.exchange_market_routes import BinanceError
from trading.ports import Clock

DEFAULT_RECV_WINDOW_MS = 5_000
MAX_AHEAD_MS = 1_000          # Binance refuses a timestamp more than 1 s ahead of its own time


class ServerClock:
    """The fake exchange's clock: the given clock plus offset_ms, which a test may change at any time."""

    def __init__(self, base: Clock, offset_ms: int = 0) -> None:
        self.base = base
        self.offset_ms = offset_ms

    def now_ms(self) -> int:
        """Return the server's time in epoch ms."""
        return self.base.now_ms() + self.offset_ms


def check_timestamp(params: Mapping[str, str], server_ms: int) -> None:
    """Raise Binance's -1021 unless the request's timestamp lies within its recvWindow of server_ms."""
    try:
        stamp = int(params["timestamp"])
        window = int(params.get("recvWindow", DEFAULT_RECV_WINDOW_MS))
    except (KeyError, ValueError):
        raise BinanceError(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.") \
            from None
    if stamp - server_ms > MAX_AHEAD_MS:
        raise BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if server_ms - stamp > window:
        raise BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")
