"""Build the ccxt async exchange from the settings, with a JSON parser that refuses garbled answers."""
from __future__ import annotations

from typing import Any, Mapping

import ccxt
import ccxt.async_support as ccxt_async

from trading.domain.errors import ConfigurationError


def _strict_parse_json(self: Any, http_response: str) -> Any:
    """Parse a JSON body; raise BadResponse when it looks like JSON but is not (ccxt would return the text)."""
    if not self.is_json_encoded_object(http_response):
        return None
    try:
        return self.on_json_response(http_response)
    except ValueError as exc:
        raise ccxt.BadResponse(f"{self.id} answered with malformed JSON: {http_response[:60]!r}") from exc


def create_exchange(exchange_id: str, options: Mapping[str, Any] | None = None, sandbox: bool = False) -> Any:
    """Return a ccxt async exchange built from EXCHANGE, EXCHANGE_OPTIONS and EXCHANGE_TESTNET.

    ccxt, given a truncated JSON body with status 200, hands the raw text to the parsers, which turn it
    into empty or partial results (load_markets silently drops a market type). The subclass raises
    BadResponse instead, which the adapters retry.
    """
    base = getattr(ccxt_async, exchange_id, None) if exchange_id in ccxt_async.exchanges else None
    if base is None:
        raise ConfigurationError(f"EXCHANGE={exchange_id!r} is not a ccxt exchange id (e.g. binance, binanceusdm)")
    strict = type(base.__name__, (base,), {"parse_json": _strict_parse_json})
    exchange = strict({**(options or {}), "enableRateLimit": True})
    if sandbox:
        try:
            exchange.set_sandbox_mode(True)   # replaces urls['api'] with the exchange's test urls
        except ccxt.NotSupported as exc:
            raise ConfigurationError(f"EXCHANGE_TESTNET=true but {exchange_id} has no sandbox: {exc}") from exc
    return exchange
