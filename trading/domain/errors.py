"""One tree of errors: retryable ones (try again later) and rejected ones (will never succeed as sent)."""
from __future__ import annotations

import re


class TradingError(Exception):
    """Base of every error the core raises on purpose."""


class RetryableError(TradingError):
    """A transient failure: the same request may succeed later."""


class NetworkFailure(RetryableError):
    """The venue could not be reached."""


class RateLimited(RetryableError):
    """The venue asked us to slow down."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class RequestTimedOut(RetryableError):
    """The venue did not answer in time; the request may or may not have been applied."""


class VenueUnavailable(RetryableError):
    """The venue is up but not serving (maintenance, 5xx)."""


class ClockSkew(RetryableError):
    """The venue refused a signed request whose timestamp is outside its window (Binance -1021)."""


class RejectedError(TradingError):
    """The request is wrong or not allowed; repeating it will not help."""


class AuthenticationFailed(RejectedError):
    """Keys missing, wrong, or lacking permission."""


class InsufficientFunds(RejectedError):
    """Not enough balance or margin."""


class InvalidOrder(RejectedError):
    """The order breaks a market rule (precision, minimum, reduce-only...)."""


class BadSymbol(RejectedError):
    """The symbol is not traded on this venue."""


class OrderNotFound(RejectedError):
    """The venue knows no order with that id."""


class InvalidInput(TradingError):
    """A user request that cannot be carried out as typed; the message says what to type instead."""


class ConfigurationError(TradingError):
    """A setting is missing or invalid; start-up stops with this message."""


class AlreadyRunning(TradingError):
    """Another process holds the data directory."""


ECHO_LIMIT = 40   # a reply repeats at most this much of what the user typed, so junk never makes it huge


def shortened(typed: str, limit: int = ECHO_LIMIT) -> str:
    """Return the user's text cut to limit characters, marked with an ellipsis when cut."""
    text = typed.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def echoed(typed: str, limit: int = ECHO_LIMIT) -> str:
    """Return the user's text quoted for a reply ('BTCUSD'), at most limit characters of it."""
    return repr(shortened(typed, limit))


def typed_whole(typed: str) -> int | None:
    """Return the user's text as a whole number of ASCII digits that fits a database integer, else None."""
    # str.isdigit() admits '²' (int() then raises) and numbers past SQLite's 64-bit integers
    text = typed.strip()
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


class EntryRefused(InvalidInput):
    """The entry gate refused a new or bigger position; the message names the rule and how to lift it."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule
