"""/performance and /daily say what the open positions realised so far, the figure /profit counts in its realised."""
from decimal import Decimal as D

from bot.views.performance import performance_text, table_text
from trading.services.performance import ResultsTable, TradeStats

# a /buy BTC/USDT 1000 then /sell BTC/USDT 50% (the demo): the half sold lost (117,356.88 - 117,403.84) x 0.00425
# = -0.19958 on the price, and paid fees 0.99793264 + 0.49876674: -1.69627938 (/profit: "Realised: -1.70")
SO_FAR = D("-1.69627938")
STILL_OPEN = "Still open: -1.70 realised so far (fees and partial exits), as /profit counts it"


def test_performance_with_no_closed_trade_says_what_the_open_position_realised():
    # before: "No closed trades yet." while /profit said "Realised: -1.70"
    assert performance_text(ResultsTable((), SO_FAR)) == f"No closed trades yet.\n{STILL_OPEN}."
    assert performance_text(ResultsTable((), D(0))) == "No closed trades yet."


def test_performance_adds_the_open_positions_under_the_symbols():
    btc = TradeStats("BTC/USDT", 1, 1, D("5"), D("5"), D("0"), D("5"), D("5"))
    assert performance_text(ResultsTable((btc,), SO_FAR)).splitlines()[-1] == f"{STILL_OPEN}."


def test_a_daily_table_says_its_rows_are_closed_trades_and_what_the_open_ones_realised():
    # before: "(net of fees)" over "+0.00 · 0 trades" with the day's fees and partial exit nowhere
    today = TradeStats("2026-12-08", 0, 0, D(0), D(0), D(0), D(0), D(0))
    assert table_text("Daily", ResultsTable((today,), SO_FAR)).splitlines() == [
        "<b>Daily</b> (closed trades, net of fees)", "<code>2026-12-08</code> +0.00 · 0 trades",
        f"{STILL_OPEN}; it lands in these rows on the day the position closes."]
