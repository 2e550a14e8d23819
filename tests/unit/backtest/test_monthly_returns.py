import numpy as np
import pytest

from trading.backtest.monthly_returns import MonthlyReturn, monthly_returns


def utc_ms(day: str) -> int:
    return int(np.datetime64(day, "ms").astype(np.int64))


def test_each_month_is_measured_from_the_previous_month_end():
    times = [utc_ms(d) for d in ("2025-01-15", "2025-01-31", "2025-02-10", "2025-02-28", "2025-03-01")]
    equity = [100.0, 110.0, 99.0, 121.0, 133.1]

    months = monthly_returns(times, equity)

    # Jan 110/100, Feb 121/110, Mar 133.1/121: ten percent each
    assert [(m.year, m.month) for m in months] == [(2025, 1), (2025, 2), (2025, 3)]
    assert [m.return_pct for m in months] == pytest.approx([10.0, 10.0, 10.0])


def test_a_curve_inside_one_month_gives_one_row():
    months = monthly_returns([utc_ms("2024-12-01"), utc_ms("2024-12-31")], [200.0, 150.0])

    assert months == [MonthlyReturn(2024, 12, -25.0)]


def test_an_empty_curve_has_no_months():
    assert monthly_returns([], []) == []
