"""Time axes read like a clock or a calendar, never as bare numbers, and say which day an hour belongs to."""
from trading.reports.chart_theme import DARK, new_figure
from trading.reports.time_axis import bar_axis, time_labels, utc_span

MS = 1_752_000_000_000                                  # 2025-07-08 18:40 UTC
HOUR, DAY = 3_600_000, 86_400_000


def test_an_hour_reads_as_clock_times_with_the_date_under_the_first():
    ticks = [MS + 5 * 60_000, MS + 20 * 60_000, MS + 35 * 60_000]

    assert time_labels(ticks, HOUR) == ["18:45\n08 Jul", "19:00", "19:15"]


def test_a_37_hour_chart_shows_the_date_where_the_day_changes():
    ticks = [MS, MS + 10 * HOUR, MS + 20 * HOUR, MS + 30 * HOUR]

    assert time_labels(ticks, 37 * HOUR) == ["18:40\n08 Jul", "04:40\n09 Jul", "14:40", "00:40\n10 Jul"]


def test_days_read_as_dates_with_the_year_under_the_first_and_beyond_a_year_as_months():
    assert time_labels([MS, MS + 2 * DAY, None], 10 * DAY) == ["08 Jul\n2025", "10 Jul", ""]
    assert time_labels([MS, MS + 200 * DAY], 800 * DAY) == ["Jul 2025", "Jan 2026"]


def test_a_subtitle_span_names_its_day_once_or_both_days():
    assert utc_span(MS, MS + HOUR) == "08 Jul 2025 18:40 – 19:40 UTC"
    assert utc_span(MS, MS + 10 * HOUR) == "08 Jul 18:40 – 09 Jul 2025 04:40 UTC"
    assert utc_span(MS, MS + 10 * DAY) == "08 Jul 2025 – 18 Jul 2025 UTC"


def test_bar_positions_are_labelled_with_their_bars_open_times():
    figure = new_figure(DARK, 800)
    axes = figure.add_subplot()
    open_ms = [MS + i * 15 * 60_000 for i in range(150)]          # 37.5 hours of 15m bars
    axes.set_xlim(0, 149)
    bar_axis(axes, open_ms)
    figure.canvas.draw()

    labels = [t.get_text() for t in axes.get_xticklabels() if t.get_text()]
    assert labels[0].endswith("\n08 Jul") and any(label.endswith("\n09 Jul") for label in labels)
    assert all(":" in label.split("\n")[0] for label in labels)
