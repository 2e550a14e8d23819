"""Shape checks that catch garbled exchange answers ccxt lets through."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from trading.adapters.exchange_responses import (candles_from_ohlcv, check_book, check_funding, check_markets,
                                                 check_ohlcv, check_ticker)
from trading.domain.errors import VenueUnavailable

GOOD_ROW = [1751328000000, 107135.34, 107200.0, 107100.0, 107150.5, 12.5]


@pytest.mark.parametrize(("check", "good"), [
    (check_ohlcv, [GOOD_ROW]),
    (check_ohlcv, []),
    (check_ticker, {"last": 107150.5}),
    (check_book, {"bids": [[107150.4, 1.0]], "asks": [[107150.6, 1.0]]}),
    (check_funding, {"fundingRate": -0.0001}),
    (check_markets, {"BTC/USDT": {"symbol": "BTC/USDT"}}),
])
def test_well_formed_answers_pass(check: Callable[[Any], None], good: Any) -> None:
    check(good)


@pytest.mark.parametrize(("check", "bad"), [
    (check_ohlcv, '[[1747699200000,"105573.73000000","1055'),          # ccxt hands back the raw text
    (check_ohlcv, [[7, None, None, None, None, None]]),                  # ...or parses it into this
    (check_ohlcv, [[1751328000000, 1.0, 1.0, 1.0]]),
    (check_ohlcv, [[1751328000000.0, 1.0, 1.0, 1.0, 1.0, 1.0]]),
    (check_ohlcv, [[1751328000000, 1.0, 1.0, 1.0, 1.0, "12"]]),
    (check_ticker, {"last": None}),
    (check_ticker, "garbled"),
    (check_book, {"bids": None, "asks": []}),
    (check_funding, {"fundingRate": None}),
    (check_markets, {}),
])
def test_garbled_answers_are_a_retryable_venue_failure(check: Callable[[Any], None], bad: Any) -> None:
    with pytest.raises(VenueUnavailable, match="malformed"):
        check(bad)


def test_missing_volume_counts_as_zero() -> None:
    candles = candles_from_ohlcv([GOOD_ROW[:5] + [None]])

    assert candles.volume.tolist() == [0.0] and candles.open_ms.tolist() == [1751328000000]
