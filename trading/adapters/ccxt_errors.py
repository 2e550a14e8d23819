"""Translate ccxt's exceptions into trading.domain.errors, once, at the edge of the exchange adapters."""
from __future__ import annotations

import re
from typing import Mapping

import ccxt

from trading.domain import errors
from trading.logs import REDACTOR

# most specific first: ccxt's tree nests e.g. BadSymbol under BadRequest under ExchangeError
_REJECTED: tuple[tuple[type[Exception], type[errors.RejectedError]], ...] = (
    (ccxt.AuthenticationError, errors.AuthenticationFailed),
    (ccxt.BadSymbol, errors.BadSymbol),
    (ccxt.InsufficientFunds, errors.InsufficientFunds),
    (ccxt.OrderNotFound, errors.OrderNotFound),
    (ccxt.InvalidOrder, errors.InvalidOrder),
)
_RETRYABLE: tuple[tuple[type[Exception], type[errors.RetryableError]], ...] = (
    (ccxt.InvalidNonce, errors.ClockSkew),          # Binance -1021: our timestamp is outside its window
    (ccxt.RequestTimeout, errors.RequestTimedOut),
    (ccxt.ExchangeNotAvailable, errors.VenueUnavailable),
    (ccxt.BadResponse, errors.VenueUnavailable),
    (ccxt.NetworkError, errors.NetworkFailure),
    (ccxt.OperationFailed, errors.NetworkFailure),
)


def translate_ccxt_error(exc: BaseException, retry_after_s: float | None = None) -> errors.TradingError:
    """Return the domain error for a ccxt exception (rate limits carry retry_after_s)."""
    message = exchange_text(str(exc) or type(exc).__name__)
    if isinstance(exc, (ccxt.DDoSProtection, ccxt.RateLimitExceeded)):
        return errors.RateLimited(message, retry_after_s)
    for ccxt_type, domain_type in _RETRYABLE:
        if isinstance(exc, ccxt_type):
            return domain_type(message)
    for ccxt_type, rejected_type in _REJECTED:
        if isinstance(exc, ccxt_type):
            return rejected_type(message)
    if isinstance(exc, ccxt.BaseError):
        return errors.RejectedError(message)
    return errors.VenueUnavailable(f"unexpected {type(exc).__name__} from the exchange client: {message}")


# ccxt's messages carry the whole request: "binance GET https://...?timestamp=..&signature=.. 503 ...". The
# signed query (and a listen key in a path) is no business of a chat message, an approval record or a log
_QUERY = re.compile(r"(https?://[^\s?]+)\?\S*")


def exchange_text(message: str) -> str:
    """Return an exchange error's text without request queries and with every known secret masked."""
    return REDACTOR.mask_text(_QUERY.sub(r"\1?…", message))


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Return the Retry-After header in seconds, or None when absent or not a number of seconds."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None   # an HTTP date; Binance sends seconds, so fall back to our own backoff
    return None
