"""A signed figure is written one way everywhere: ASCII sign always shown, the sign of the value it writes."""
from decimal import Decimal as D

import pytest

from trading.domain.figures import signed


@pytest.mark.parametrize(("value", "places", "unit", "text"), [
    (D("-0.02"), 2, "", "-0.02"),
    (D("1234.5"), 2, "", "+1,234.50"),
    (D("-1234567.891"), 2, "", "-1,234,567.89"),
    (D("-0.0200074"), 2, "%", "-0.02%"),
    (D("0"), 2, "", "+0.00"),
    # rounds to zero, still below it: -0.12 beside (+0.00%) read as a contradiction on /balance
    (D("-0.004"), 2, "", "-0.00"),
    (-0.04, 1, "%", "-0.0%"),
    (D("0.004"), 2, "", "+0.00"),
    (-0.06, 1, "%", "-0.1%"),
    (-150.0, 0, "%", "-150%"),
    (-1200, 0, "", "-1,200"),
    (0, 0, "", "+0"),
])
def test_a_figure_is_written_with_its_sign(value, places, unit, text):
    assert signed(value, places, unit) == text
