from decimal import Decimal

from trading.domain.positions import PositionSide
from trading.engine.funding import FUNDING_INTERVAL_MS, funding_payment, funding_times_between

HOUR = 3_600_000


def test_long_pays_and_short_receives_when_the_rate_is_positive():
    # 0.1 BTC at mark 60,000 = 6,000 notional; * 0.0001 = 0.6
    assert funding_payment(PositionSide.LONG, Decimal("0.1"), Decimal(60_000), Decimal("0.0001")) == Decimal("0.6")
    assert funding_payment(PositionSide.SHORT, Decimal("0.1"), Decimal(60_000), Decimal("0.0001")) == Decimal("-0.6")


def test_the_sign_flips_when_the_rate_is_negative():
    assert funding_payment(PositionSide.LONG, Decimal("0.1"), Decimal(60_000), Decimal("-0.0002")) == Decimal("-1.2")
    assert funding_payment(PositionSide.SHORT, Decimal("0.1"), Decimal(60_000), Decimal("-0.0002")) == Decimal("1.2")


def test_funding_times_are_every_eight_hours_after_the_start_up_to_the_end_included():
    assert FUNDING_INTERVAL_MS == 8 * HOUR
    assert funding_times_between(0, 24 * HOUR) == [8 * HOUR, 16 * HOUR, 24 * HOUR]
    assert funding_times_between(8 * HOUR, 8 * HOUR + 1) == []
    assert funding_times_between(8 * HOUR - 1, 8 * HOUR) == [8 * HOUR]
