"""Actual trades against the backtest of the same period: matched by entry time, gaps by hand."""
from decimal import Decimal as D

from trading.backtest.divergence import ActualTrade, divergence, divergence_text
from trading.backtest.trades import ClosedTrade
from trading.domain.positions import PositionSide

MIN = 60_000


def simulated(entry_ms: int, entry: str, pnl: str, side: PositionSide = PositionSide.LONG) -> ClosedTrade:
    return ClosedTrade("BTC/USDT", side, entry_ms, entry_ms + 60 * MIN, D(entry), D(entry), D("0.1"), D(pnl),
                       strategy="A")


def test_trades_are_matched_to_the_nearest_simulated_entry_and_the_gaps_computed_by_hand():
    backtest = [simulated(0, "100000", "50"), simulated(100 * MIN, "101000", "-20"),
                simulated(500 * MIN, "99000", "30")]
    # the first entry 3 minutes late and 20 bps dearer (100,200 vs 100,000), the second on time and 10 bps
    # dearer (101,101 vs 101,000), a third the backtest never took; the backtest's 500-minute trade was missed
    actual = [ActualTrade("A", "BTC/USDT", "long", 3 * MIN, D("100200"), D("31")),
              ActualTrade("A", "BTC/USDT", "long", 100 * MIN, D("101101"), D("-25")),
              ActualTrade("A", "BTC/USDT", "long", 300 * MIN, D("100500"), D("5"))]

    report = divergence("A", actual, backtest)

    assert [(p.entry_gap_bps, p.pnl_gap) for p in report.pairs] == [(D(20), D(-19)), (D(10), D(-5))]
    assert [t.opened_ms for t in report.only_actual] == [300 * MIN]
    assert [t.entry_ms for t in report.only_simulated] == [500 * MIN]
    assert (report.actual_pnl, report.simulated_pnl, report.average_entry_gap_bps) == (D(11), D(60), D(15))
    assert divergence_text(report).splitlines() == [
        "A: actual +11.00 against the backtest's +60.00 over the same period",
        "  2 trades in both, entries +15.0 bps worse than simulated on average",
        "  1 taken only by the account, 1 only by the backtest"]


def test_a_short_that_sold_lower_than_simulated_paid_a_positive_gap_and_sides_never_mix():
    backtest = [simulated(0, "100000", "10", PositionSide.SHORT)]
    short = ActualTrade("A", "BTC/USDT", "short", 0, D("99950"), D("5"))
    long = ActualTrade("A", "BTC/USDT", "long", 0, D("100000"), D("5"))

    assert divergence("A", [short], backtest).pairs[0].entry_gap_bps == D(5)
    assert divergence("A", [long], backtest).pairs == ()
