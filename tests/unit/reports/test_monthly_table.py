from trading.backtest.monthly_returns import MonthlyReturn
from trading.reports.monthly_table import MAX_ROWS, table_rows


def test_months_fill_half_year_rows_and_months_outside_the_run_get_no_tile():
    months = [MonthlyReturn(2025, m, r) for m, r in ((5, -2.1), (6, 0.2), (7, -2.0), (8, 0.5))]

    rows = table_rows(months)

    assert rows[0] == [None, None, None, None, ("May '25", -2.1), ("Jun '25", 0.2)]
    assert rows[1] == [("Jul '25", -2.0), ("Aug '25", 0.5), None, None, None, None]


def test_a_month_inside_the_run_keeps_its_tile():
    rows = table_rows([MonthlyReturn(2025, 1, 1.0), MonthlyReturn(2025, 3, -1.0)])

    assert rows == [[("Jan '25", 1.0), ("Feb '25", None), ("Mar '25", -1.0), None, None, None]]


def test_only_the_newest_rows_are_kept():
    months = [MonthlyReturn(year, month, 1.0) for year in range(2015, 2026) for month in range(1, 13)]

    rows = table_rows(months)

    assert len(rows) == MAX_ROWS
    assert rows[-1][-1] == ("Dec '25", 1.0)


def test_no_months_give_no_rows():
    assert table_rows([]) == []
