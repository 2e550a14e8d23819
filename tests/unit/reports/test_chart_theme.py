import pytest

from trading.reports.chart_theme import DARK, LIGHT, theme_named, utc_label


def test_themes_are_found_by_name_whatever_the_case():
    assert theme_named("Light") is LIGHT
    assert theme_named(" dark ") is DARK


def test_an_unknown_theme_names_the_ones_there_are():
    with pytest.raises(ValueError, match="dark, light"):
        theme_named("sepia")


def test_time_labels_show_hours_within_two_days_and_dates_beyond():
    ms = 1_752_000_000_000                                  # 2025-07-08 18:40 UTC
    assert utc_label(ms, 86_400_000) == "18:40"
    assert utc_label(ms, 10 * 86_400_000) == "08 Jul"
