"""Manual exit sizes on the step: a spot holding worth under the minimum order cannot be sold alone, a futures
position (reduce-only) can be closed whatever its value; by hand."""
from decimal import Decimal as D

import pytest

from trading.domain.instruments import Instrument
from trading.services.exit_sizes import DustHolding, exit_on_step

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
