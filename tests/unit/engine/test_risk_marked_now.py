"""The risk figures a report shows are marked at the report's equity, not left at the last tick's."""
from datetime import datetime, timezone
from decimal import Decimal

from trading.engine.risk_status import marked_now
from trading.risk.limits import LimitSettings, RiskState

LIMITS = LimitSettings(daily_loss_pct=Decimal("6"))


def utc_ms(day: int, hour: int) -> int:
    return int(datetime(2026, 3, day, hour, tzinfo=timezone.utc).timestamp() * 1000)


def ticked(equity: str, peak: str = "10000", **more: object) -> RiskState:
    """The state as the engine's last tick on 2026-03-02 left it, the day having started at 10,000."""
    return RiskState(day="2026-03-02", day_start_equity=Decimal(10000), equity=Decimal(equity),
                     peak_equity=Decimal(peak), **more)


def test_a_fill_since_the_last_tick_shows_in_the_day_pnl():
    # the tick saw 10,000; a /buy's fee and spread since then left 9,998.76: today -1.24, not +0.00
    risk = marked_now(ticked("10000"), Decimal("9998.76"), utc_ms(2, 15), LIMITS)
    assert risk.daily_pnl == Decimal("-1.24") and risk.equity == Decimal("9998.76")
    assert risk.drawdown_pct == Decimal("1.24") / Decimal(10000) * 100


def test_the_figures_move_but_what_the_limits_decided_stays_the_engines():
    # -700 is past the 600 daily limit: the engine blocks at its next tick; the report does not decide it first
    risk = marked_now(ticked("10000", halted=True, halt_reason="x"), Decimal(9300), utc_ms(2, 15), LIMITS)
    assert risk.daily_pnl == Decimal(-700) and risk.daily_limit_day == "" and risk.halted


def test_a_new_day_starts_at_the_equity_of_the_first_mark_as_on_a_tick():
    risk = marked_now(ticked("9500", unconfirmed_loss=Decimal(50)), Decimal(9400), utc_ms(3, 1), LIMITS)
    assert (risk.day, risk.day_start_equity, risk.daily_pnl) == ("2026-03-03", Decimal(9400), Decimal(0))


def test_after_a_reset_today_the_day_starts_at_the_reset_balance():
    # the engine's first mark after the reset came after a buy's 0.12 fee: its day started at 9,999.88
    engine_marked = RiskState(day="2026-03-02", day_start_equity=Decimal("9999.88"), equity=Decimal("9999.88"),
                              peak_equity=Decimal("9999.88"))
    risk = marked_now(engine_marked, Decimal("9999.88"), utc_ms(2, 15), LIMITS, (utc_ms(2, 14), Decimal(10000)))
    assert risk.daily_pnl == Decimal("-0.12") and risk.peak_equity == Decimal(10000)
    blank = marked_now(RiskState(), Decimal("9999.88"), utc_ms(2, 15), LIMITS, (utc_ms(2, 14), Decimal(10000)))
    assert blank.daily_pnl == Decimal("-0.12")


def test_a_reset_on_an_earlier_day_is_no_longer_the_days_start():
    risk = marked_now(ticked("9990"), Decimal(9980), utc_ms(2, 15), LIMITS, (utc_ms(1, 9), Decimal(5000)))
    assert risk.daily_pnl == Decimal(-20)
