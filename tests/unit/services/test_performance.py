"""Trade statistics by hand: win rate, profit factor, best and worst, and the period tables."""
from datetime import datetime, timezone
from decimal import Decimal

from trading.adapters.sqlite_ledger import ClosedPositionRow
from trading.services.performance import Period, grouped, period_label, period_table, trade_stats


def closed(pnl: str, fees: str = "1", strategy: str = "A", symbol: str = "BTC/USDT", day: int = 2) -> ClosedPositionRow:
    ts = int(datetime(2026, 3, day, 12, tzinfo=timezone.utc).timestamp() * 1000)
    return ClosedPositionRow(symbol, "long", Decimal(1), Decimal(100), Decimal(pnl), Decimal(fees), Decimal(0),
                             strategy, ts - 3_600_000, ts)


def test_stats_are_net_of_fees_with_win_rate_profit_factor_best_and_worst():
    stats = trade_stats("A", [closed("11"), closed("21"), closed("-9")])     # nets 10, 20, -10
    assert (stats.trades, stats.wins, stats.net) == (3, 2, Decimal(20))
    assert stats.profit_factor == Decimal(3) and stats.best == Decimal(20) and stats.worst == Decimal(-10)
    assert round(stats.win_rate, 2) == Decimal("66.67")


def test_groups_are_sorted_best_first_and_an_unnamed_strategy_reads_manual():
    groups = grouped([closed("5", strategy=""), closed("50", strategy="B")], lambda r: r.strategy)
    assert [g.label for g in groups] == ["B", "manual"]


def test_period_tables_cover_empty_periods_newest_first_in_the_time_zone():
    now = int(datetime(2026, 3, 4, 23, 30, tzinfo=timezone.utc).timestamp() * 1000)
    days = period_table([closed("11", day=2), closed("6", day=4)], Period.DAY, 3, now, "UTC")
    assert [(d.label, d.net) for d in days] == [("2026-03-04", Decimal(5)), ("2026-03-03", Decimal(0)),
                                                ("2026-03-02", Decimal(10))]
    assert period_label(now, Period.DAY, "Asia/Tokyo") == "2026-03-05"
    assert period_label(now, Period.WEEK, "UTC") == "W10 2026-03-02"
    assert period_label(now, Period.MONTH, "UTC") == "2026-03"
