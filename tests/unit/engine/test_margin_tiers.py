from decimal import Decimal

import pytest

from trading.domain.errors import InvalidOrder
from trading.engine.margin_tiers import (BTCUSDT_TIERS, ETHUSDT_TIERS, FALLBACK_TIERS, max_notional_at,
                                         tier_for, tiers_for)


@pytest.mark.parametrize("tiers", [BTCUSDT_TIERS, ETHUSDT_TIERS], ids=["BTCUSDT", "ETHUSDT"])
def test_each_maintenance_amount_follows_binance_recursion(tiers):
    # cum[n] = cum[n-1] + floor[n] * (MMR[n] - MMR[n-1]); e.g. BTC tier 3: 50 + 600,000 * 0.0015 = 950
    for previous, tier in zip(tiers, tiers[1:]):
        assert tier.floor == previous.cap
        assert tier.maintenance_amount == previous.maintenance_amount + tier.floor * (
            tier.maintenance_rate - previous.maintenance_rate)


def test_tier_for_puts_the_cap_itself_in_the_lower_bracket():
    assert tier_for(BTCUSDT_TIERS, Decimal(50_000)).maintenance_rate == Decimal("0.004")
    assert tier_for(BTCUSDT_TIERS, Decimal("50000.01")).maintenance_rate == Decimal("0.005")


def test_tier_for_refuses_a_position_above_the_last_cap():
    with pytest.raises(InvalidOrder, match="above the largest bracket"):
        tier_for(BTCUSDT_TIERS, Decimal(1_800_000_001))


@pytest.mark.parametrize("symbol", ["BTC/USDT:USDT", "BTC/USDT", "BTCUSDT", "btcusdt"])
def test_tiers_for_accepts_unified_and_exchange_spellings(symbol):
    assert tiers_for(symbol) is BTCUSDT_TIERS


def test_tiers_for_an_unlisted_symbol_is_the_stricter_fallback():
    assert tiers_for("DOGE/USDT:USDT") is FALLBACK_TIERS


def test_max_notional_at_leverage_is_the_cap_of_the_last_bracket_allowing_it():
    # BTC: 125x only up to 50,000; 100x up to 600,000; 20x up to 100,000,000
    assert max_notional_at(BTCUSDT_TIERS, 125) == Decimal(50_000)
    assert max_notional_at(BTCUSDT_TIERS, 100) == Decimal(600_000)
    assert max_notional_at(BTCUSDT_TIERS, 20) == Decimal(100_000_000)
