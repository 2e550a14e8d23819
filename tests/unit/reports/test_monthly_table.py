from trading.backtest.monthly_returns import MonthlyReturn
from trading.reports.monthly_table import MAX_ROWS, table_rows


def test_months_fill_half_year_rows_with_blanks_where_there_is_no_data():
    months = [MonthlyReturn(2025, m, r) for m, r in ((5, -2.1), (6, 0.2), (7, -2.0), (8, 0.5))]

    rows = table_rows(months)

    assert [label for label, _ in rows[0]] == ["Jan '25", "Feb '25", "Mar '25", "Apr '25", "May '25", "Jun '25"]
    assert [value for _, value in rows[0]] == [None, None, None, None, -2.1, 0.2]
    assert [value for _, value in rows[1]] == [-2.0, 0.5, None, None, None, None]


def test_only_the_newest_rows_are_kept():
    months = [MonthlyReturn(year, month, 1.0) for year in range(2015, 2026) for month in range(1, 13)]

    rows = table_rows(months)

    assert len(rows) == MAX_ROWS
    assert rows[-1][-1] == ("Dec '25", 1.0)


def test_no_months_give_no_rows():
    assert table_rows([]) == []
