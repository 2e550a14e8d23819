"""ccxt exceptions translated into the domain's retryable and rejected errors."""
from __future__ import annotations

import ccxt
import pytest

from trading.adapters.ccxt_errors import retry_after_seconds, translate_ccxt_error
from trading.domain import errors


@pytest.mark.parametrize(("raised", "expected"), [
    (ccxt.RequestTimeout, errors.RequestTimedOut),
    (ccxt.ExchangeNotAvailable, errors.VenueUnavailable),
    (ccxt.OnMaintenance, errors.VenueUnavailable),
    (ccxt.BadResponse, errors.VenueUnavailable),
    (ccxt.NetworkError, errors.NetworkFailure),
    (ccxt.InvalidNonce, errors.ClockSkew),
    (ccxt.AuthenticationError, errors.AuthenticationFailed),
    (ccxt.PermissionDenied, errors.AuthenticationFailed),
    (ccxt.BadSymbol, errors.BadSymbol),
    (ccxt.InsufficientFunds, errors.InsufficientFunds),
    (ccxt.OrderNotFound, errors.OrderNotFound),
    (ccxt.InvalidOrder, errors.InvalidOrder),
    (ccxt.ExchangeError, errors.RejectedError),
])
def test_ccxt_error_maps_to_its_domain_error(raised: type[Exception], expected: type[Exception]) -> None:
    translated = translate_ccxt_error(raised("binance says no"))

    assert type(translated) is expected and str(translated) == "binance says no"


@pytest.mark.parametrize("raised", [ccxt.DDoSProtection, ccxt.RateLimitExceeded])
def test_rate_limits_carry_the_venues_retry_after(raised: type[Exception]) -> None:
    translated = translate_ccxt_error(raised("429"), retry_after_s=12.0)

    assert isinstance(translated, errors.RateLimited) and translated.retry_after_s == 12.0


def test_transient_errors_are_retryable_and_refusals_are_not() -> None:
    assert isinstance(translate_ccxt_error(ccxt.RequestTimeout("t")), errors.RetryableError)
    assert isinstance(translate_ccxt_error(ccxt.BadSymbol("s")), errors.RejectedError)


def test_retry_after_header_is_read_in_any_case() -> None:
    assert retry_after_seconds({"retry-after": "30"}) == 30.0
    assert retry_after_seconds({"Retry-After": "0.5", "Content-Type": "application/json"}) == 0.5


def test_missing_or_dated_retry_after_gives_none() -> None:
    assert retry_after_seconds(None) is None
    assert retry_after_seconds({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}) is None


def test_an_exchange_error_text_carries_no_signed_request_nor_known_secret():
    # before: ccxt's whole request reached the chat ('the exchange refused the order: binance GET
    # https://fapi.binance.com/fapi/v2/positionRisk?timestamp=..&signature=..'), a signed query included
    from trading.logs import REDACTOR

    REDACTOR.add_secret("live-secret-key-123456")
    raw = ("binance GET https://fapi.binance.com/fapi/v2/positionRisk?timestamp=1733600000000&recvWindow=5000&"
           "signature=9f86d081884c7d659a2feaa0c55ad015 503 Service Unavailable live-secret-key-123456")
    error = translate_ccxt_error(ccxt.ExchangeNotAvailable(raw))
    assert str(error) == ("binance GET https://fapi.binance.com/fapi/v2/positionRisk?… 503 Service Unavailable ***")
    assert "signature" not in str(translate_ccxt_error(ccxt.ExchangeError(raw)))
