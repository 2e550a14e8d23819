from decimal import Decimal

from trading.domain.money import booked, booked_price, share


def test_quote_money_is_booked_at_8_decimals_half_to_even():
    assert booked(Decimal(1) / 3) == Decimal("0.33333333")
    assert booked(Decimal("2") / 3) == Decimal("0.66666667")
    assert booked(Decimal("0.000000005")) == Decimal("0.00000000")        # half to even: down to the even 0
    assert booked(Decimal("0.000000015")) == Decimal("0.00000002")        # and up to the even 2
    assert booked(Decimal("-0.452914119")) == Decimal("-0.45291412")


def test_an_average_entry_is_booked_at_8_decimals():
    assert booked_price((Decimal("900") + Decimal("0.02") * Decimal("89990")) / Decimal("0.03")) == \
        Decimal("89993.33333333")


def test_a_share_of_a_whole_is_the_whole_and_a_part_is_booked():
    assert share(Decimal("10.00000001"), Decimal(3), Decimal(3)) == Decimal("10.00000001")
    assert share(Decimal(10), Decimal(1), Decimal(3)) == Decimal("3.33333333")
    part = share(Decimal(10), Decimal(1), Decimal(3))
    assert part + (Decimal(10) - part) == Decimal(10)
