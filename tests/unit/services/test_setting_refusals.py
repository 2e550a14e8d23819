"""What /set says when it refuses a value: which setting, why, the range and an example that works."""
import pytest

from bot.views.tuning import change_text, settings_text
from trading.domain.errors import InvalidInput
from trading.services.chat_settings import ChangeOutcome, SettingChange, SettingRow, _validated
from trading.settings import Settings


def refusal(name: str, value: str, **settings: object) -> str:
    with pytest.raises(InvalidInput) as refused:
        _validated(Settings(_env_file=None, **settings), name, value)
    return str(refused.value)


def test_a_hard_stop_at_the_soft_one_says_to_lower_the_soft_stop_first():
    # before: "... invalid): expected a loss below HARD_STOP_PCT (5), like 5." (5 is not below 5)
    assert refusal("hard_stop_pct", "5") == (
        "HARD_STOP_PCT not changed: the soft stop must stay below the hard stop, and SOFT_STOP_PCT is 5. Lower "
        "SOFT_STOP_PCT first, e.g. /set SOFT_STOP_PCT 2.5, then /set HARD_STOP_PCT 5.")


def test_a_soft_stop_at_the_hard_one_suggests_a_value_below_it():
    assert refusal("soft_stop_pct", "10") == (
        "SOFT_STOP_PCT not changed: expected a loss below HARD_STOP_PCT (10), like 5, got 10.")
    assert refusal("soft_stop_pct", "3", hard_stop_pct="3", soft_stop_pct="1") == (
        "SOFT_STOP_PCT not changed: expected a loss below HARD_STOP_PCT (3), like 1.5, got 3.")


@pytest.mark.parametrize("market_type, why", [
    ("spot", "a long's stop sits at price 0 and never triggers"),
    ("futures", "the exchange liquidates the position before it loses all of its margin")])
def test_a_hard_stop_of_100_percent_is_refused_saying_why_it_could_never_act(market_type, why):
    # before: accepted, and /positions showed "Stop 0.00 (hard stop)" on spot
    assert refusal("hard_stop_pct", "100", market_type=market_type) == (
        f"HARD_STOP_PCT not changed: expected a loss below 100%, like 10: at 100% {why}, got '100'.")
    assert _validated(Settings(_env_file=None), "hard_stop_pct", "99.5").hard_stop_pct == 99.5


def test_an_approval_timeout_out_of_range_names_the_range_and_an_example():
    # before: "APPROVAL_TIMEOUT_SECONDS not changed: Input should be greater than or equal to 5."
    assert refusal("approval_timeout_seconds", "0") == (
        "APPROVAL_TIMEOUT_SECONDS not changed: expected a whole number of seconds from 5 to 3600, like 120, got '0'.")


def test_a_slippage_out_of_range_names_the_setting_and_its_range():
    # a sibling: pydantic's own words for a Field bound
    assert refusal("approval_max_slippage_bps", "0") == (
        "APPROVAL_MAX_SLIPPAGE_BPS not changed: expected a number above 0, got '0'.")
    assert refusal("approval_max_slippage_bps", "5000") == (
        "APPROVAL_MAX_SLIPPAGE_BPS not changed: expected a number of at most 1000, got '5000'.")


def test_max_entries_per_window_has_a_sane_upper_bound():
    # before: 100000000000 was accepted
    assert refusal("max_entries_per_window", "100000000000") == (
        "MAX_ENTRIES_PER_WINDOW not changed: expected a whole number from 1 to 1000, like 6, "
        "got '100000000000'.")
    assert _validated(Settings(_env_file=None), "max_entries_per_window", "1000").max_entries_per_window == 1000


def test_quiet_hours_off_reads_off_not_an_empty_value():
    # before: "QUIET_HOURS is already ; nothing changed." and "(default )" in /settings
    assert change_text(SettingChange(ChangeOutcome.UNCHANGED, "quiet_hours", "", "")) == \
        "QUIET_HOURS is already off; nothing changed."
    row = SettingRow("quiet_hours", "23:00-07:00", "", False, True)
    assert settings_text([row]).splitlines()[1] == "<code>QUIET_HOURS</code> = 23:00-07:00 (default off) ✏️"
