"""Build the ccxt async exchange from the settings, with a JSON parser that refuses garbled answers.

With streaming, the class is ccxt.pro's (REST and WebSocket on one instance): its dial backoff is left to
our stream supervisor (stream_supervisor.py), its ping is the supervisor's heartbeat, and on Binance every
final kline ("x": true) is handed to on_closed_kline, the exchange's own word that a candle has closed.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import ccxt
import ccxt.async_support as ccxt_async

from trading.domain.errors import ConfigurationError

ClosedKline = Callable[[str, str, list], None]      # (unified symbol, timeframe, [open_ms, o, h, l, c, v])
# ccxt keeps this many candles, trades and orders per stream: we keep our own (closed candles, followed orders)
STREAM_CACHE = {"OHLCVLimit": 3, "tradesLimit": 50, "ordersLimit": 200, "myTradesLimit": 50}


def _strict_parse_json(self: Any, http_response: str) -> Any:
    """Parse a JSON body; raise BadResponse when it looks like JSON but is not (ccxt would return the text)."""
    if not self.is_json_encoded_object(http_response):
        return None
    try:
        return self.on_json_response(http_response)
    except ValueError as exc:
        raise ccxt.BadResponse(f"{self.id} answered with malformed JSON: {http_response[:60]!r}") from exc


def _no_dial_delay(self: Any, url: str) -> float:
    """Dial at once: the stream supervisor owns the backoff (ccxt's own grows to 30 s, too slow to come back)."""
    return 0


def _handle_kline(self: Any, client: Any, message: dict) -> None:
    """Let ccxt parse the kline, then hand a final one ("x": true) to on_closed_kline."""
    super(type(self), self).handle_ohlcv(client, message)      # type(self) is the class create_exchange made
    kline = message.get("k") or {}
    listener: ClosedKline | None = getattr(self, "on_closed_kline", None)
    if listener is None or message.get("e") != "kline" or kline.get("x") is not True:
        return
    # ccxt tells a spot connection from a futures one by its url; the same id names both markets
    market_type = "spot" if self.is_spot_url(client) else "contract"
    symbol = self.safe_symbol(kline.get("s"), None, None, market_type)
    row = [int(kline["t"]), float(kline["o"]), float(kline["h"]), float(kline["l"]), float(kline["c"]),
           float(kline["v"])]
    listener(symbol, self.find_timeframe(kline.get("i")), row)


def exchange_class(exchange_id: str, streaming: bool = False) -> type:
    """Return the ccxt class for EXCHANGE (ccxt.pro's when streaming), or raise ConfigurationError."""
    if exchange_id not in ccxt_async.exchanges:
        raise ConfigurationError(f"EXCHANGE={exchange_id!r} is not a ccxt exchange id (e.g. binance, binanceusdm)")
    module = f"ccxt.{'pro' if streaming else 'async_support'}.{exchange_id}"
    try:
        if streaming:
            import ccxt.pro as ccxt_pro     # only a streaming process pays for ccxt.pro's classes

            return getattr(ccxt_pro, exchange_id)
        return getattr(ccxt_async, exchange_id)
    # the Docker image keeps only CCXT_EXCHANGES (deploy/slim-venv): the module is gone (ModuleNotFoundError),
    # and so is its import in the package's __init__ (AttributeError)
    except (ModuleNotFoundError, AttributeError) as exc:
        raise ConfigurationError(
            f"EXCHANGE={exchange_id!r}: ccxt's {exchange_id} classes are not installed here ({module} is missing); "
            f"the Docker image ships only the exchanges in CCXT_EXCHANGES: rebuild it with "
            f"--build-arg CCXT_EXCHANGES=\"... {exchange_id}\" (or all)") from exc


def streams_supported(exchange_id: str) -> bool:
    """Return True when ccxt.pro streams EXCHANGE (so MARKET_STREAMS=ws can be honoured)."""
    import ccxt.pro as ccxt_pro

    return exchange_id in ccxt_pro.exchanges


def create_exchange(exchange_id: str, options: Mapping[str, Any] | None = None, sandbox: bool = False, *,
                    streaming: bool = False, heartbeat_ms: int = 10_000) -> Any:
    """Return a ccxt async exchange built from EXCHANGE, EXCHANGE_OPTIONS and EXCHANGE_TESTNET.

    ccxt, given a truncated JSON body with status 200, hands the raw text to the parsers, which turn it
    into empty or partial results (load_markets silently drops a market type). The subclass raises
    BadResponse instead, which the adapters retry. With streaming, the WebSocket connections are pinged
    every heartbeat_ms (a connection that misses two pongs is closed by ccxt and reopened by us).
    """
    base = exchange_class(exchange_id, streaming)
    methods: dict[str, Any] = {"parse_json": _strict_parse_json}
    config: dict[str, Any] = {**(options or {}), "enableRateLimit": True}
    if streaming:
        methods["ws_dial_delay"] = _no_dial_delay
        if any(c.__name__ == "binance" for c in base.__mro__) and hasattr(base, "handle_ohlcv"):
            methods.update(handle_ohlcv=_handle_kline, on_closed_kline=None)
        config["streaming"] = {**config.get("streaming", {}), "keepAlive": heartbeat_ms}
        config["options"] = {**STREAM_CACHE, **config.get("options", {})}
    strict = type(base.__name__, (base,), methods)
    exchange = strict(config)
    if sandbox:
        try:
            exchange.set_sandbox_mode(True)   # replaces urls['api'] with the exchange's test urls
        except ccxt.NotSupported as exc:
            raise ConfigurationError(f"EXCHANGE_TESTNET=true but {exchange_id} has no sandbox: {exc}") from exc
    return exchange
