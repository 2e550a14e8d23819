"""Errors of order calls, classified by the exchange's own code first (Binance -2019, -4116...).

ccxt picks its table of Binance futures error codes by the API host name, so against a testnet proxy or a
local test server futures errors arrive as a plain ExchangeError carrying Binance's body; and some codes
are filed under a retryable ccxt class (-2019 "Margin is insufficient" as OperationFailed) although
repeating the order can never help. The code, when there is one, decides.
"""
from __future__ import annotations

import json
import re
from typing import Mapping

from trading.adapters.ccxt_errors import exchange_text, translate_ccxt_error
from trading.domain import errors

_CODE = re.compile(r'\{.*"code"\s*:\s*"?(-?\d+)"?.*\}', re.DOTALL)
_BY_CODE: Mapping[int, type[errors.TradingError]] = {
    -1013: errors.InvalidOrder,          # filter failure (lot size, notional)
    -1021: errors.ClockSkew,             # timestamp outside the recvWindow: re-sync the clock, then retry
    -1022: errors.AuthenticationFailed,  # bad signature
    -1111: errors.InvalidOrder,          # precision over the maximum
    -1121: errors.BadSymbol,
    -2011: errors.OrderNotFound,         # cancel: unknown or already final order
    -2013: errors.OrderNotFound,
    -2014: errors.AuthenticationFailed,
    -2015: errors.AuthenticationFailed,  # ccxt raises it as DDoSProtection once a private call has succeeded
    -2019: errors.InsufficientFunds,     # futures margin
    -2021: errors.InvalidOrder,          # the stop would trigger at once
    -2022: errors.InvalidOrder,          # reduce-only refused
    -4164: errors.InvalidOrder,          # futures minimum notional
}
_DUPLICATE_CODES = (-4116,)


class DuplicateClientOrderId(errors.InvalidOrder):
    """The venue already holds an open order with this client id."""


def exchange_code(exc: BaseException) -> tuple[int | None, str]:
    """Return the exchange's error code and message found in a ccxt exception's text, if any."""
    text = exchange_text(str(exc))      # ccxt's text carries the signed request URL: never shown as it is
    match = _CODE.search(text)
    if match is None:
        return None, text
    try:
        body = json.loads(match.group(0))
        return int(body.get("code")), exchange_text(str(body.get("msg") or text))
    except (ValueError, TypeError, AttributeError):
        return int(match.group(1)), text


def translate_order_error(exc: BaseException, retry_after_s: float | None = None) -> errors.TradingError:
    """Return the domain error for a failed order or account call, by exchange code, else by ccxt class."""
    code, message = exchange_code(exc)
    if code is None:
        return translate_ccxt_error(exc, retry_after_s)
    text = f"{message} (code {code})"
    if code in _DUPLICATE_CODES or (code == -2010 and "duplicate" in message.lower()):
        return DuplicateClientOrderId(text)
    if code == -2010 and "insufficient" in message.lower():
        return errors.InsufficientFunds(text)
    if code in _BY_CODE:
        return _BY_CODE[code](text)
    return translate_ccxt_error(exc, retry_after_s)
