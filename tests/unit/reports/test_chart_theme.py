import pytest

from trading.reports.chart_theme import DARK, LIGHT, theme_named


def test_themes_are_found_by_name_whatever_the_case():
    assert theme_named("Light") is LIGHT
    assert theme_named(" dark ") is DARK


def test_an_unknown_theme_names_the_ones_there_are():
    with pytest.raises(ValueError, match="dark, light"):
        theme_named("sepia")
