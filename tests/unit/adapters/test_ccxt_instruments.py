"""ccxt market structures mapped to Instruments with Decimal precision."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from ccxt.base.decimal_to_precision import DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE

from trading.adapters.ccxt_instruments import instrument_from_market, precision_step, to_decimal
from trading.domain.errors import InvalidInput
from trading.domain.instruments import MarketKind
from trading.services.entry_rules import check_limit_band


def market(**overrides: Any) -> dict[str, Any]:
    """Return a ccxt spot market structure as binance's load_markets builds it."""
    base = {"symbol": "ETH/USDT", "base": "ETH", "quote": "USDT", "spot": True, "swap": False, "linear": None,
            "active": True, "maker": 0.001, "taker": 0.001,
            "precision": {"price": 0.01, "amount": 0.0001},
            "limits": {"amount": {"min": 0.0001, "max": 9000.0}, "cost": {"min": 5.0, "max": None},
                       "leverage": {"min": None, "max": None}}}
    return {**base, **overrides}


def test_float_precision_becomes_the_decimal_it_was_written_as() -> None:
    assert to_decimal(1e-05) == Decimal("0.00001") and str(to_decimal(0.1)) == "0.1"


def test_tick_size_mode_takes_the_precision_as_the_step() -> None:
    assert precision_step(0.05, TICK_SIZE) == Decimal("0.05")


def test_decimal_places_mode_turns_digits_into_a_step() -> None:
    assert precision_step(3, DECIMAL_PLACES) == Decimal("0.001")


def test_significant_digits_give_no_fixed_step() -> None:
    assert precision_step(5, SIGNIFICANT_DIGITS) is None


def test_spot_market_maps_precision_minimums_and_fees() -> None:
    instrument = instrument_from_market(market(), TICK_SIZE)

    assert instrument is not None and instrument.kind is MarketKind.SPOT
    assert (instrument.price_tick, instrument.amount_step) == (Decimal("0.01"), Decimal("0.0001"))
    assert (instrument.min_amount, instrument.min_notional) == (Decimal("0.0001"), Decimal("5"))
    assert (instrument.maker_fee, instrument.taker_fee, instrument.max_leverage) == (
        Decimal("0.001"), Decimal("0.001"), 1)


def test_decimal_places_exchange_maps_to_the_same_steps() -> None:
    instrument = instrument_from_market(market(precision={"price": 2, "amount": 4}), DECIMAL_PLACES)

    assert instrument is not None
    assert (instrument.price_tick, instrument.amount_step) == (Decimal("0.01"), Decimal("0.0001"))


def test_linear_swap_is_a_perp_with_its_leverage_limit() -> None:
    swap = market(symbol="ETH/USDT:USDT", spot=False, swap=True, linear=True,
                  limits={"amount": {"min": 0.001}, "cost": {"min": 20}, "leverage": {"max": 100}})

    instrument = instrument_from_market(swap, TICK_SIZE)

    assert instrument is not None
    assert (instrument.kind, instrument.min_notional, instrument.max_leverage) == (MarketKind.PERP,
                                                                                   Decimal("20"), 100)


def test_missing_minimums_mean_no_minimum() -> None:
    instrument = instrument_from_market(market(limits={}), TICK_SIZE)

    assert instrument is not None and (instrument.min_amount, instrument.min_notional) == (0, 0)


def test_inverse_futures_and_inactive_markets_are_left_out() -> None:
    inverse = market(symbol="BTC/USD:BTC", spot=False, swap=True, linear=False, inverse=True)
    dated = market(symbol="BTC/USDT:USDT-250926", spot=False, swap=False, future=True, linear=True)

    assert [instrument_from_market(m, TICK_SIZE) for m in (inverse, dated, market(active=False))] == [
        None, None, None]


def with_filters(*filters: dict[str, Any]) -> dict[str, Any]:
    return market(info={"symbol": "ETHUSDT", "filters": [{"filterType": "PRICE_FILTER", "tickSize": "0.01"},
                                                         *filters]})


def test_binance_price_band_filters_become_the_instruments_band() -> None:
    spot = with_filters({"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "5", "bidMultiplierDown": "0.2",
                         "askMultiplierUp": "4", "askMultiplierDown": "0.5", "avgPriceMins": 5})
    perp = with_filters({"filterType": "PERCENT_PRICE", "multiplierUp": "1.0500", "multiplierDown": "0.9500",
                         "multiplierDecimal": "4"})
    # by side: bids bound buy limits (0.2x-5x), asks sell limits (0.5x-4x); PERCENT_PRICE binds both
    listed = instrument_from_market(spot, TICK_SIZE)
    assert listed is not None and listed.band_for(buy=True) == (Decimal("0.2"), Decimal("5"))
    assert listed.band_for(buy=False) == (Decimal("0.5"), Decimal("4"))
    perp_listed = instrument_from_market(perp, TICK_SIZE)
    assert perp_listed is not None and perp_listed.band_for(True) == perp_listed.band_for(False) == (
        Decimal("0.95"), Decimal("1.05"))


def test_a_buy_limit_binance_takes_by_its_bid_band_is_not_refused_by_the_ask_band() -> None:
    # the review's case: bids 0.2x-1.2x, asks 0.8x-5x; the band both accept (0.8x-1.2x) refused a buy at 0.5x
    spot = with_filters({"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "1.2", "bidMultiplierDown": "0.2",
                         "askMultiplierUp": "5", "askMultiplierDown": "0.8", "avgPriceMins": 5})
    listed = instrument_from_market(spot, TICK_SIZE)
    assert listed is not None
    check_limit_band(Decimal("50"), Decimal("100"), listed, futures=False, buy=True)       # 0.5x: a bid Binance takes
    with pytest.raises(InvalidInput, match=r"from 80.00 to 500.00 \(0.8x to 5x of the last price: ETH/USDT's "
                                           r"PERCENT_PRICE filter for sells\)"):
        check_limit_band(Decimal("50"), Decimal("100"), listed, futures=False, buy=False)


def test_a_market_listing_both_band_filters_is_held_to_both() -> None:
    both = with_filters({"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "5", "bidMultiplierDown": "0.2",
                         "askMultiplierUp": "5", "askMultiplierDown": "0.2", "avgPriceMins": 5},
                        {"filterType": "PERCENT_PRICE", "multiplierUp": "1.1", "multiplierDown": "0.9"})
    listed = instrument_from_market(both, TICK_SIZE)
    assert listed is not None and listed.band_for(True) == listed.band_for(False) == (Decimal("0.9"), Decimal("1.1"))


def test_a_market_without_a_usable_band_filter_has_none() -> None:
    broken = with_filters({"filterType": "PERCENT_PRICE", "multiplierUp": "", "multiplierDown": "0.95"})
    inverted = with_filters({"filterType": "PERCENT_PRICE", "multiplierUp": "0.9", "multiplierDown": "1.1"})
    for listed in (market(), with_filters(), broken, inverted):
        assert instrument_from_market(listed, TICK_SIZE).price_band is None  # type: ignore[union-attr]
