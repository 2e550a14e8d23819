"""A partial exit never leaves a rest no order could close, and is never smaller than the market's smallest order.

Binance spot BTCUSDT: step 0.00001, min notional 5; at 100,000 the smallest sell is 5 / 100,000 = 0.00005 BTC.
Binance USDT-M BTCUSDT: step 0.001, min amount 0.001; a reduce-only exit may be under the 100 USDT min notional.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from tests.unit.engine.markets import PERP_BTC, SPOT_BTC
from trading.domain.exit_parts import exit_part

PRICE = D(100_000)


def test_a_spot_sell_of_90_percent_of_0_0002_btc_takes_it_all_rather_than_strand_0_00002():
    part = exit_part(SPOT_BTC, D("0.0002") * D("0.9"), D("0.0002"), PRICE)
    # 0.00018 leaves 0.00002 BTC = 2 USDT, below the 0.00005 BTC (5 USDT) smallest sell: the whole 0.0002 goes
    assert part.amount == D("0.0002")
    assert part.why == ("the rest, 0.00002 BTC, would be below the smallest order 0.00005 BTC: the whole "
                        "position exits")


def test_a_spot_part_below_the_smallest_order_is_skipped_saying_why():
    part = exit_part(SPOT_BTC, D("0.0002") * D("0.1"), D("0.0002"), PRICE)
    assert part.amount == 0
    assert part.why == "0.00002 BTC is below the smallest order 0.00005 BTC: nothing was sent"


def test_a_part_that_leaves_enough_is_sent_on_the_step():
    part = exit_part(SPOT_BTC, D("0.0002") * D("0.555"), D("0.0002"), PRICE)
    assert (part.amount, part.why) == (D("0.00011"), "")       # 0.000111 down on the step; 0.00009 left


def test_a_futures_reduce_only_part_needs_only_the_minimum_amount():
    # 0.005 x 0.5 = 0.0025 -> 0.002 on the 0.001 step (200 USDT), 0.003 left: both above 0.001 BTC
    assert exit_part(PERP_BTC, D("0.0025"), D("0.005"), PRICE).amount == D("0.002")
    # 0.002 x 0.6 = 0.0012 -> 0.001 (100 USDT, fine reduce-only); 0.001 left is still closable
    assert exit_part(PERP_BTC, D("0.0012"), D("0.002"), PRICE).amount == D("0.001")
    # 0.0015 held (off the step): 0.0015 x 0.9 -> 0.001; what is under the step is no rest (no order takes it)
    assert exit_part(PERP_BTC, D("0.00135"), D("0.0015"), PRICE).amount == D("0.001")
    # a market whose minimum amount is two steps: 0.004 x 0.6 -> 0.002 would leave 0.002 -> fine; 0.003 leaves
    # 0.001, below 0.002: the whole 0.004
    two_steps = replace(PERP_BTC, min_amount=D("0.002"))
    assert exit_part(two_steps, D("0.0024"), D("0.004"), PRICE).amount == D("0.002")
    assert exit_part(two_steps, D("0.003"), D("0.004"), PRICE).amount == D("0.004")
