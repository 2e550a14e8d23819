"""The divergence fill by fill: every actual fill against the simulated price of its leg, slippage by hand."""
from decimal import Decimal as D

from bot.replies import split_message
from trading.backtest.divergence import ActualFill, ActualTrade, divergence, gap_bps
from trading.backtest.divergence_fills import fill_table, fills_text
from trading.backtest.trades import ClosedTrade
from trading.domain.positions import PositionSide

MIN = 60_000
T0 = 1_752_000_000_000            # 2025-07-08 18:40 UTC


def simulated(entry_ms, entry, exit_, pnl, side=PositionSide.LONG):
    return ClosedTrade("BTC/USDT", side, entry_ms, entry_ms + 60 * MIN, D(entry), D(exit_), D("0.1"), D(pnl),
                       strategy="A")


def test_each_fill_is_set_against_its_simulated_leg_with_the_slippage_worse_positive():
    # entry 100,200 against 100,000: 20 bps worse; two exits at 101,000 and 100,900 against a simulated
    # 101,200 exit: a long that gets less on the way out did worse, by 200/101,200 = 19.76 and 29.64 bps
    fills = (ActualFill(T0, True, D("0.1"), D("100200")), ActualFill(T0 + 30 * MIN, False, D("0.05"), D("101000")),
             ActualFill(T0 + 40 * MIN, False, D("0.05"), D("100900")))
    actual = ActualTrade("A", "BTC/USDT", "long", T0 + 2 * MIN, D("100200"), D("70"), fills)
    report = divergence("A", [actual], [simulated(T0, "100000", "101200", "110")])

    (trade,) = fill_table(report)

    assert trade.taken_by == "both" and (trade.actual_pnl, trade.simulated_pnl) == (D(70), D(110))
    assert [(x.entry, x.actual, x.simulated) for x in trade.lines] == [
        (True, D("100200"), D("100000")), (False, D("101000"), D("101200")), (False, D("100900"), D("101200"))]
    assert [round(x.slippage_bps, 2) for x in trade.lines] == [D("20.00"), D("19.76"), D("29.64")]
    assert fills_text([trade]).splitlines() == [
        "07-08 18:42 long BTC/USDT (both)",
        "         actual   backtest    bps",
        "in   100,200.00 100,000.00  +20.0",
        "out  101,000.00 101,200.00  +19.8",
        "out  100,900.00 101,200.00  +29.6",
        "PnL      +70.00    +110.00"]


def test_a_short_that_bought_back_higher_did_worse_and_trades_of_one_side_only_show_dashes():
    assert gap_bps("short", False, D("100100"), D("100000")) == D(10)
    assert gap_bps("short", True, D("99900"), D("100000")) == D(10)
    alone = ActualTrade("A", "BTC/USDT", "long", T0 + 500 * MIN, D("99000"), D("-5"))
    report = divergence("A", [alone], [simulated(T0, "100000", "100500", "40")])

    missed, taken = fill_table(report)

    assert missed.taken_by == "backtest only" and taken.taken_by == "account only"
    assert fills_text([taken]).splitlines()[2:] == ["in    99,000.00          -      -", "PnL       -5.00          -"]
    assert fills_text([missed]).splitlines()[2:4] == ["in            - 100,000.00      -",
                                                      "out           - 100,500.00      -"]


def test_a_long_report_fits_a_phone_in_parts_under_telegrams_limit():
    trades = [simulated(T0 + k * 90 * MIN, "100000", "100100", "1") for k in range(200)]
    actual = [ActualTrade("A", "BTC/USDT", "long", T0 + k * 90 * MIN, D("100010"), D("0.5")) for k in range(200)]

    text = fills_text(fill_table(divergence("A", actual, trades)))
    parts = split_message(f"<pre>{text}</pre>")

    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert all(p.startswith("<pre>") and p.endswith("</pre>") for p in parts)
    assert max(len(line) for line in text.splitlines() if not line[:1].isdigit()) <= 36, "the table's rows"
