"""The /status view shows how the machine's clock stands against the exchange's."""
from __future__ import annotations

from bot.views.status import status_text
from trading.domain.health import ClockSync
from trading.services.assistant import Profile, StatusReport

NOW_MS = 1_751_328_030_000          # 2025-07-01 00:00:30 UTC


def report(sync: ClockSync | None) -> StatusReport:
    return StatusReport(Profile("live", "binance", "spot", ("BTC/USDT",)), "binance (live)", NOW_MS, 61.0,
                        None, 0, False, 0, sync)


def test_a_machine_three_minutes_behind_is_shown_with_the_offset_and_what_to_do() -> None:
    text = status_text(report(ClockSync(180_000, 40, NOW_MS - 180_000)))

    assert ("⚠️ Machine clock vs exchange: 3 min 0 s behind (+180,000 ms, ±20 ms, measured 2025-06-30 23:57 UTC);"
            " the bot uses the exchange's time") in text
    assert "turn on automatic time sync (NTP)" in text


def test_a_machine_in_step_shows_no_warning() -> None:
    text = status_text(report(ClockSync(-12, 8, NOW_MS)))

    assert "Machine clock vs exchange: in step (-12 ms, ±4 ms" in text and "⚠️" not in text and "NTP" not in text


def test_a_machine_ahead_and_failing_measurements_are_shown_escaped() -> None:
    text = status_text(report(ClockSync(-2_500, 10, NOW_MS, failures=2, last_error="<html> 503")))

    assert "2.5 s ahead (-2,500 ms" in text
    assert "last 2 measurement(s) failed, retrying: &lt;html&gt; 503" in text


def test_an_unmeasured_clock_says_so_and_replayed_data_shows_no_line() -> None:
    assert "not measured yet" in status_text(report(ClockSync(failures=1, last_error="timeout")))
    assert "Machine clock" not in status_text(report(None))
