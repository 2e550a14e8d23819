import ccxt
import pytest

from trading.adapters.order_errors import DuplicateClientOrderId, exchange_code, translate_order_error
from trading.domain import errors


def test_the_code_and_message_are_read_from_binances_body():
    assert exchange_code(ccxt.ExchangeError('binanceusdm {"code": -4164, "msg": "notional too small"}')) == (
        -4164, "notional too small")
    assert exchange_code(ccxt.NetworkError("connection reset"))[0] is None


@pytest.mark.parametrize("exc, expected", [
    (ccxt.ExchangeError('binanceusdm {"code":-2019,"msg":"Margin is insufficient."}'), errors.InsufficientFunds),
    (ccxt.OperationFailed('binance {"code":-2019,"msg":"Margin is insufficient."}'), errors.InsufficientFunds),
    (ccxt.ExchangeError('binanceusdm {"code":-2022,"msg":"ReduceOnly Order is rejected."}'), errors.InvalidOrder),
    (ccxt.ExchangeError('binanceusdm {"code":-4116,"msg":"ClientOrderId is duplicated."}'), DuplicateClientOrderId),
    (ccxt.InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}'), DuplicateClientOrderId),
    (ccxt.InvalidOrder('binance {"code":-2010,"msg":"Account has insufficient balance."}'), errors.InsufficientFunds),
    (ccxt.ExchangeError('binance {"code":-2011,"msg":"Unknown order sent."}'), errors.OrderNotFound),
    (ccxt.DDoSProtection('binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions."}'),
     errors.AuthenticationFailed),
    (ccxt.DDoSProtection('binance 429 Too Many Requests {"code":-1003,"msg":"Too many requests"}'),
     errors.RateLimited),
    (ccxt.RequestTimeout("binance GET timed out"), errors.RequestTimedOut),
    (ccxt.InvalidNonce('binance {"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}'),
     errors.ClockSkew),
    (ccxt.ExchangeError('binanceusdm {"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the '
                        'server\'s time."}'), errors.ClockSkew),
])
def test_errors_are_classified_by_code_before_ccxt_class(exc, expected):
    assert type(translate_order_error(exc)) is expected


def test_the_translated_message_names_the_code():
    error = translate_order_error(ccxt.ExchangeError('binanceusdm {"code":-2019,"msg":"Margin is insufficient."}'))
    assert str(error) == "Margin is insufficient. (code -2019)"


@pytest.mark.parametrize("text", [
    'binance POST https://api.binance.com/api/v3/order?symbol=BTCUSDT&signature=5e1f {"code":-1013}',
    'binance POST https://api.binance.com/api/v3/order?symbol=BTCUSDT&signature=5e1f {"code":-1013,"msg":',
    'binance POST https://api.binance.com/api/v3/order?symbol=BTCUSDT&signature=5e1f not json at all',
])
def test_an_error_without_a_readable_message_never_carries_the_signed_request(text):
    # before: a body with no msg, or one that did not parse, gave ccxt's whole text (the signed URL) to the chat
    for shown in (exchange_code(ccxt.InvalidOrder(text))[1], str(translate_order_error(ccxt.InvalidOrder(text)))):
        assert "signature" not in shown and "5e1f" not in shown and "api/v3/order?…" in shown
