"""/positions, /balance and /profit write an amount and its percent with the same minus sign."""
from decimal import Decimal as D

from bot.views.performance import table_text
from bot.views.portfolio import balance_text, positions_text
from trading.domain.positions import Position, PositionSide
from trading.engine.account import AccountSummary
from trading.services.performance import ResultsTable, TradeStats
from trading.services.portfolio import BalanceReport, PositionView


def line(text: str, start: str) -> str:
    return next(row for row in text.splitlines() if row.startswith(start))


def test_a_losing_short_s_amount_and_percent_both_carry_a_hyphen_minus():
    # (117,380.36 - 117,356.88) x 0.0017 = 0.039916 lost; 23.48 / 117,356.88 = 0.0200 % x 5 = 0.100 % of the margin
    short = Position("BTC/USDT", PositionSide.SHORT, D("0.0017"), D("117356.88"), 0, leverage=5)
    text = positions_text([PositionView(short, D("117380.36"), D("0.01"))])
    assert line(text, "Unrealised") == "Unrealised: -0.04 (-0.10%)"


def test_the_balance_writes_a_loss_since_start_and_its_percent_alike():
    # 9,997.61 - 10,000 = -2.39, -0.0239 % of the start
    summary = AccountSummary("USDT", D("9000"), D("0"), D("997.61"), D("-1.5"))
    text = balance_text(BalanceReport("paper", "spot", summary, {}, D("10000")))
    assert line(text, "Positions") == "Positions: 997.61 (unrealised -1.50)"
    assert line(text, "PnL since start") == "PnL since start: -2.39 (-0.02%) from 10,000.00"


def test_a_small_loss_keeps_its_minus_on_a_percent_that_rounds_to_zero():
    # 9,999.88 - 10,000 = -0.12, -0.0012 % of the start: before, "-0.12 (+0.00%)" (seen in the futures demo)
    summary = AccountSummary("USDT", D("9979.95"), D("0"), D("19.93"), D("-0.02"))
    text = balance_text(BalanceReport("paper", "futures", summary, {}, D("10000")))
    assert line(text, "PnL since start") == "PnL since start: -0.12 (-0.00%) from 10,000.00"


def test_a_losing_day_is_written_with_a_hyphen_minus():
    day = TradeStats("2026-12-07", 3, 1, D("-12.5"), D("5"), D("17.5"), D("5"), D("-10"))
    assert table_text("Daily", ResultsTable((day,), D(0))).splitlines()[1] == \
        "<code>2026-12-07</code> -12.50 · 3 trades · 33% won"


def test_profit_over_days_says_which_open_positions_its_realised_counts():
    # /profit 7 counts the open positions opened in those 7 days (an older one's fees are not this week's)
    from bot.views.performance import profit_text
    from trading.services.performance import ProfitReport, trade_stats
    text = profit_text(ProfitReport(7, D("-1"), D("0"), D("-1"), trade_stats("all", []), ()))
    assert line(text, "Realised includes") == ("Realised includes the open positions' fees and partial exits "
                                               "(those opened in the last 7 days): -1.00")
