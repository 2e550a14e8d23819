"""Manual exit sizes on the step: a spot holding worth under the minimum order cannot be sold alone, a futures
position (reduce-only) can be closed whatever its value; by hand."""
from decimal import Decimal as D

import pytest

from trading.domain.errors import InvalidInput
from trading.domain.instruments import Instrument
from trading.domain.manual_orders import Size, SizeKind
from trading.services.exit_sizes import DustHolding, exit_amount, exit_on_step

BTC = Instrument("BTC/USDT", "BTC", "USDT", amount_step=D("0.00001"), min_notional=D("5"))


def test_spot_dust_is_refused_with_what_to_do():
    # 0.00003 BTC at 100,000 is worth 3 USDT, under the 5 USDT minimum: the smallest sell is 0.00005
    with pytest.raises(DustHolding, match=r"You hold 0.00003 BTC, below the smallest order 0.00005 BTC \(5 USDT\)"):
        exit_on_step(BTC, D("0.00003"), D("0.00003"), D("0.00005"), "/sell", D("100000"), reduce_only=False)


def test_a_reduce_only_exit_of_the_same_size_goes_through_at_any_price():
    # before, "futures" was told by a price of 0; the price is now the mark and reduce_only says it
    assert exit_on_step(BTC, D("0.00003"), D("0.00003"), D("0.00005"), "/cover", D("100000"),
                        reduce_only=True) == D("0.00003")
    assert exit_on_step(BTC, D("0.000034"), D("0.000034"), D("0.00005"), "/cover", D("100000"),
                        reduce_only=True) == D("0.00003")


def test_more_than_held_says_the_amount_is_in_the_coin_not_usdt():
    # before: "You hold 0.08509; /sell at most that, or say all." (no unit, while /buy takes USDT)
    with pytest.raises(InvalidInput) as refused:
        exit_amount(D("0.08509"), Size(SizeKind.AMOUNT, D(5)), "/sell", "BTC")
    assert str(refused.value) == ("You hold 0.08509 BTC; the amount of /sell is in BTC, not USDT: /sell at most "
                                  "0.08509, a share like 50%, or all.")


def test_without_the_coin_named_the_refusal_still_says_coins_not_usdt():
    with pytest.raises(InvalidInput) as refused:
        exit_amount(D("0.5"), Size(SizeKind.AMOUNT, D(5)), "/cover")
    assert str(refused.value) == ("You hold 0.5 of the coin; the amount of /cover is in the coin, not USDT: /cover "
                                  "at most 0.5, a share like 50%, or all.")
