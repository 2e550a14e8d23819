import pytest

from trading.backtest.periods import DAY_MS, date_range, parse_period

JULY_1 = 1_751_328_000_000          # 2025-07-01 00:00 UTC


def test_dates_are_whole_utc_days_and_the_end_day_is_included():
    assert date_range("2025-07-01", "2025-07-01") == (JULY_1, JULY_1 + DAY_MS)
    assert date_range(None, None) == (None, None)


@pytest.mark.parametrize("text, span", [("30d", 30 * DAY_MS), ("4W", 28 * DAY_MS), (" 1d ", DAY_MS)])
def test_a_span_counts_back_from_now(text, span):
    assert parse_period(text, JULY_1 + 5) == (JULY_1 + 5 - span, JULY_1 + 5)


def test_a_range_of_dates_stops_at_now():
    assert parse_period("2025-06-30..2025-07-31", JULY_1 + 5) == (JULY_1 - DAY_MS, JULY_1 + 5)


@pytest.mark.parametrize("text, message", [
    ("soon", "period 'soon' is not like 30d, 4w or 2025-06-01..2025-07-31"),
    ("0d", "a period needs at least one day, e.g. 30d"),
    ("2025-07-02..2025-07-01", "the end 2025-07-01 is before the start 2025-07-02"),
    ("2025-02-30..2025-03-01", "the start '2025-02-30' is not a date like 2025-06-01"),
    # before: "the end '' is not a date like 2025-06-01"
    ("2025-06-01..", "a range needs both days, got '2025-06-01..'; e.g. 2025-06-01..2025-07-31"),
    ("..2025-06-01", "a range needs both days, got '..2025-06-01'"),
])
def test_bad_periods_say_what_to_type(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_period(text, JULY_1)


def test_a_range_that_starts_after_now_is_refused_with_today():
    # before: the run loaded the two newest candles and answered that the data covered only their day
    with pytest.raises(ValueError, match=r"the start 2025-07-02 is not before today \(2025-07-01\)"):
        parse_period("2025-07-02..2025-08-01", JULY_1 + 5)


def test_a_long_span_is_read_as_a_span_and_a_huge_one_names_the_limit():
    assert parse_period("36500d", JULY_1) == (JULY_1 - 36_500 * DAY_MS, JULY_1)
    # before: five digits were "not like 30d", which they are
    with pytest.raises(ValueError, match=r"a period reaches back at most 36500d, got '99999d'"):
        parse_period("99999d", JULY_1)
