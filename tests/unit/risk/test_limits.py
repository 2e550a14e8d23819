"""Account limits: daily loss in a local timezone, drawdown halt, loss streak, open positions, entry rate."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from trading.domain.figures import counted
from trading.risk.limits import (LimitSettings, RiskState, confirm_unknown_results, local_day, mark_equity,
                                 next_local_midnight_ms, record_entry, record_trade_result, record_unknown_result,
                                 resume_trading, vet_entry)
from trading.risk.verdicts import RiskRule

MIN = 60_000
SEOUL = LimitSettings(timezone="Asia/Seoul")     # UTC+9 all year: local midnight is 15:00 UTC


def utc_ms(*when: int) -> int:
    return int(datetime(*when, tzinfo=timezone.utc).timestamp() * 1000)


def marked(state: RiskState, equity: int, ts_ms: int, settings: LimitSettings = SEOUL):
    return mark_equity(state, D(equity), ts_ms, settings)


def test_local_day_follows_the_configured_timezone():
    # 14:59 UTC = 23:59 KST on the 14th; 15:00 UTC = 00:00 KST on the 15th
    assert local_day(utc_ms(2025, 8, 14, 14, 59), "Asia/Seoul") == "2025-08-14"
    assert local_day(utc_ms(2025, 8, 14, 15, 0), "Asia/Seoul") == "2025-08-15"
    assert local_day(utc_ms(2025, 8, 14, 15, 0), "UTC") == "2025-08-14"


@given(st.integers(-2_000_000_000_000, 4_000_000_000_000))
def test_the_utc_day_by_whole_days_is_the_calendar_day(ts_ms):
    assert local_day(ts_ms, "UTC") == datetime.fromtimestamp(ts_ms / 1000, timezone.utc).date().isoformat()
    midnight = ts_ms - ts_ms % 86_400_000
    assert local_day(midnight - 1, "UTC") != local_day(midnight, "UTC") == local_day(midnight + 86_399_999, "UTC")


def test_next_local_midnight_in_seoul_is_15_utc():
    assert next_local_midnight_ms(utc_ms(2025, 8, 14, 1, 0), "Asia/Seoul") == utc_ms(2025, 8, 14, 15, 0)


def test_next_local_midnight_on_a_23_hour_dst_day():
    # New York, 2025-03-09 01:00 EST = 06:00 UTC; clocks jump to EDT (UTC-4), so the next midnight,
    # 2025-03-10 00:00 EDT, is 04:00 UTC: 22 hours later, not 23
    assert next_local_midnight_ms(utc_ms(2025, 3, 9, 6, 0), "America/New_York") == utc_ms(2025, 3, 10, 4, 0)


def test_daily_loss_of_600_blocks_the_next_entry_until_local_midnight():
    start = utc_ms(2025, 8, 14, 1, 0)                           # 10:00 KST
    state, _ = marked(RiskState(), 10_000, start)
    state, breaches = marked(state, 9_500, start + 60 * MIN)     # -500 < 600 (6% of 10,000)
    assert breaches == () and vet_entry(state, start + 60 * MIN, 0, SEOUL).allowed
    state, breaches = marked(state, 9_400, start + 120 * MIN)    # -600: the limit
    assert [b.rule for b in breaches] == [RiskRule.DAILY_LOSS]
    assert "-600.00" in breaches[0].reason and not breaches[0].close_positions
    assert vet_entry(state, start + 121 * MIN, 0, SEOUL).rule is RiskRule.DAILY_LOSS
    state, breaches = marked(state, 9_800, start + 180 * MIN)    # recovering does not lift the block
    assert breaches == ()                                        # and the breach is reported once
    assert vet_entry(state, utc_ms(2025, 8, 14, 14, 59), 0, SEOUL).rule is RiskRule.DAILY_LOSS
    assert vet_entry(state, utc_ms(2025, 8, 14, 15, 0), 0, SEOUL).allowed   # 00:00 KST


def test_daily_limit_keeps_blocking_past_utc_midnight_within_the_same_local_day():
    # hit at 23:00 UTC on the 14th = 08:00 KST on the 15th; 00:30 UTC on the 15th is still 09:30 KST
    state, _ = marked(RiskState(), 10_000, utc_ms(2025, 8, 14, 22, 0))
    state, _ = marked(state, 9_300, utc_ms(2025, 8, 14, 23, 0))
    assert vet_entry(state, utc_ms(2025, 8, 15, 0, 30), 0, SEOUL).rule is RiskRule.DAILY_LOSS
    assert vet_entry(state, utc_ms(2025, 8, 15, 15, 0), 0, SEOUL).allowed


def test_new_local_day_starts_from_the_equity_marked_after_midnight():
    state, _ = marked(RiskState(), 10_000, utc_ms(2025, 8, 14, 1, 0))
    state, _ = marked(state, 9_400, utc_ms(2025, 8, 14, 2, 0))
    state, _ = marked(state, 9_450, utc_ms(2025, 8, 14, 15, 1))  # 00:01 KST on the 15th
    assert (state.day, state.day_start_equity, state.daily_pnl) == ("2025-08-15", D(9_450), D(0))


def test_daily_limit_asks_to_close_positions_when_set():
    settings = LimitSettings(close_on_daily_loss=True)
    state, _ = marked(RiskState(), 10_000, 0, settings)
    _, breaches = marked(state, 9_000, MIN, settings)
    assert breaches[0].close_positions


def test_drawdown_from_the_peak_halts_until_resumed():
    # peak 12,000; 9,601 is 19.99% down; 9,600 is (12,000 - 9,600) / 12,000 = 20%: halt
    settings = LimitSettings(max_drawdown_pct=D(20), daily_loss_pct=D(50))
    state, _ = marked(RiskState(), 12_000, 0, settings)
    state, breaches = marked(state, 9_601, MIN, settings)
    assert breaches == ()
    state, breaches = marked(state, 9_600, 2 * MIN, settings)
    assert [b.rule for b in breaches] == [RiskRule.MAX_DRAWDOWN]
    assert state.drawdown_pct == D(20)
    next_week = 7 * 24 * 60 * MIN
    assert vet_entry(state, next_week, 0, settings).rule is RiskRule.MAX_DRAWDOWN
    resumed = resume_trading(state)
    assert vet_entry(resumed, next_week, 0, settings).allowed
    assert resumed.peak_equity == D(9_600)


def test_three_losses_in_a_row_start_a_two_hour_cooldown():
    state, t = RiskState(), 1_000 * MIN
    state, first = record_trade_result(state, D(-10), t, SEOUL)
    state, second = record_trade_result(state, D(-10), t, SEOUL)
    state, third = record_trade_result(state, D(-10), t, SEOUL)
    assert first == second == () and [b.rule for b in third] == [RiskRule.LOSS_STREAK]
    assert vet_entry(state, t + 119 * MIN, 0, SEOUL).rule is RiskRule.LOSS_STREAK
    assert "1 min left" in vet_entry(state, t + 119 * MIN, 0, SEOUL).reason
    assert vet_entry(state, t + 120 * MIN, 0, SEOUL).allowed


def test_a_win_resets_the_losing_streak():
    state = RiskState()
    for pnl in (-10, -10, 5, -10, -10):
        state, breaches = record_trade_result(state, D(pnl), 0, SEOUL)
        assert breaches == ()
    assert state.consecutive_losses == 2


def test_maximum_open_positions_blocks_the_next_entry():
    assert vet_entry(RiskState(), 0, 2, SEOUL).allowed
    verdict = vet_entry(RiskState(), 0, 3, SEOUL)
    assert verdict.rule is RiskRule.MAX_OPEN_POSITIONS and "maximum is 3" in verdict.reason


def test_entry_rate_allows_six_entries_per_rolling_hour():
    state = RiskState()
    for minute in range(6):                                    # entries at 0, 1, ... 5 min
        state = record_entry(state, minute * MIN, SEOUL)
    assert vet_entry(state, 10 * MIN, 0, SEOUL).rule is RiskRule.ENTRY_RATE
    assert vet_entry(state, 60 * MIN - 1, 0, SEOUL).rule is RiskRule.ENTRY_RATE
    assert vet_entry(state, 60 * MIN, 0, SEOUL).allowed        # the entry at 0 left the window (0, 60]


def test_drawdown_halt_is_reported_before_other_blocks():
    state = RiskState(halted=True, halt_reason="drawdown", cooldown_until_ms=10 * MIN)
    assert vet_entry(state, 0, 99, SEOUL).rule is RiskRule.MAX_DRAWDOWN


def test_state_survives_a_json_round_trip_with_decimals_as_strings():
    state = RiskState("2025-08-14", D("10000.5"), D("9400.25"), D("10100"), "2025-08-14", False, "",
                      2, 123, (1, 2))
    text = json.dumps(state.snapshot())
    assert '"equity": "9400.25"' in text
    assert RiskState.restore(json.loads(text)) == state


def test_restore_ignores_unknown_fields_and_defaults_missing_ones():
    restored = RiskState.restore({"equity": "5", "from_a_newer_version": 1})
    assert restored == RiskState(equity=D(5))


def test_an_unknown_result_counts_its_worst_case_against_the_day_until_confirmed_or_midnight():
    start = utc_ms(2025, 8, 14, 1, 0)                           # 10:00 KST
    state, _ = marked(RiskState(), 10_000, start)
    state, _ = marked(state, 9_700, start + 60 * MIN)            # -300 seen in the equity
    state, breaches = record_unknown_result(state, D("350"), start + 61 * MIN, SEOUL)
    # -300 - 350 = -650 <= -600 (6% of 10,000): the limit, at once; the streak is left alone
    assert state.daily_pnl == D("-650") and [b.rule for b in breaches] == [RiskRule.DAILY_LOSS]
    assert state.consecutive_losses == 0 and vet_entry(state, start + 62 * MIN, 0, SEOUL).rule is RiskRule.DAILY_LOSS
    confirmed = confirm_unknown_results(state, start + 63 * MIN, SEOUL)    # -300 alone is within the limit
    assert confirmed.daily_pnl == D("-300") and vet_entry(confirmed, start + 63 * MIN, 0, SEOUL).allowed
    next_day, _ = marked(state, 9_700, utc_ms(2025, 8, 14, 15, 0))          # 00:00 KST: the day ends
    assert next_day.unconfirmed_loss == 0 and next_day.daily_pnl == 0


def test_confirming_keeps_the_daily_limit_the_equity_alone_hit():
    start = utc_ms(2025, 8, 14, 1, 0)
    state, _ = marked(RiskState(), 10_000, start)
    state, _ = record_unknown_result(state, D("100"), start + MIN, SEOUL)
    state, breaches = marked(state, 9_350, start + 2 * MIN)      # -650 in the equity alone
    assert [b.rule for b in breaches] == [RiskRule.DAILY_LOSS]
    confirmed = confirm_unknown_results(state, start + 3 * MIN, SEOUL)
    assert vet_entry(confirmed, start + 3 * MIN, 0, SEOUL).rule is RiskRule.DAILY_LOSS


def test_a_daily_limit_raised_above_todays_loss_lifts_at_once_and_a_loss_past_the_new_one_hits_it_again():
    # hit at 0.01% of 10,000 = 1.00 by a 3.00 fee; the default 6% (600.00) is above the 3.00 lost
    tight, default = LimitSettings(daily_loss_pct=D("0.01")), LimitSettings()
    state, _ = marked(RiskState(), 10_000, 0, tight)
    state, (hit,) = mark_equity(state, D("9997"), MIN, tight)
    refusal = vet_entry(state, 2 * MIN, 0, tight)
    assert refusal.reason == ("Daily loss limit hit: -3.00 today, the limit is 1.00 (0.01% of 10,000.00). New "
                              "positions are refused until midnight UTC, in 23 h 58 min, or at once by a limit above "
                              "today's loss (/set DAILY_LOSS_LIMIT_PCT 0.04 or more).")
    # raised too little (0.02% = 2.00 < 3.00 lost): still refused, quoting the limit in force
    assert vet_entry(state, 2 * MIN, 0, LimitSettings(daily_loss_pct=D("0.02"))).reason.startswith(
        "Daily loss limit hit: -3.00 today, the limit is 2.00 (0.02% of 10,000.00).")
    assert vet_entry(state, 2 * MIN, 0, default).allowed
    # the same day, 600.00 lost under the raised limit: hit again, told again
    state, (again,) = mark_equity(state, D("9400"), 3 * MIN, default)
    assert again.rule is RiskRule.DAILY_LOSS and "-600.00" in again.reason
    assert vet_entry(state, 4 * MIN, 0, default).rule is RiskRule.DAILY_LOSS


def test_a_daily_limit_lowered_after_it_was_hit_quotes_the_limit_it_was_hit_at():
    state, _ = marked(RiskState(), 10_000, 0, LimitSettings())
    state, _ = mark_equity(state, D("9400"), MIN, LimitSettings())
    lowered = vet_entry(state, 2 * MIN, 0, LimitSettings(daily_loss_pct=D("1")))
    assert lowered.reason.startswith("Daily loss limit hit: -600.00 today, the limit is 600.00 (6% of 10,000.00).")


def test_a_cooldown_names_the_streak_that_started_it_not_todays_setting():
    one = LimitSettings(loss_streak=1)
    state, (breach,) = record_trade_result(RiskState(), D(-1), 0, one)
    assert breach.reason.startswith("1 losing trade in a row: new positions are refused for 120 min")
    refusal = vet_entry(state, MIN, 0, LimitSettings(loss_streak=3))      # the setting raised since
    assert refusal.reason == ("Cooling down after 1 losing trade in a row: 119 min left. New positions are refused "
                              "until then; /unlock or /resume lifts it now.")


def test_a_count_takes_its_noun_in_the_right_number():
    assert [counted(n, "losing trade") for n in (0, 1, 2)] == ["0 losing trades", "1 losing trade",
                                                              "2 losing trades"]
    assert counted(1_200, "entry", "entries") == "1,200 entries" and counted(1, "entry", "entries") == "1 entry"
