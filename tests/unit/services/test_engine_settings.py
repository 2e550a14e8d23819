"""Risk settings from the environment: defaults, 0 switching optional rules off, one-line errors."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from trading.domain.candles import MINUTE_MS
from trading.domain.errors import ConfigurationError
from trading.services.engine_settings import engine_settings, loop_settings, rules_settings
from trading.settings import load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    # settings read the process environment and ./.env; isolate both
    monkeypatch.chdir(tmp_path)


def test_the_defaults_are_the_risk_rules_of_the_issue():
    built = engine_settings(load_settings())
    assert (built.sizing.risk_per_trade_pct, built.sizing.futures_leverage, built.sizing.max_leverage) == (
        D(2), 5, 10)
    assert (built.limits.daily_loss_pct, built.limits.max_drawdown_pct, built.limits.loss_cooldown_ms) == (
        D(6), D(20), 120 * MINUTE_MS)
    assert (built.protection.hard_stop_pct, built.protection.soft_stop_pct, built.protection.break_even_r) == (
        D(10), D(5), D(1))
    assert (built.breaker.move_pct, built.breaker.cooldown_ms) == (D(3), 30 * MINUTE_MS)
    assert built.sizing.atr_stop_multiple is None and built.sizing.kelly_multiplier is None
    assert rules_settings(load_settings()).min_reward_risk == D("1.5")


def test_zero_switches_an_optional_rule_off(monkeypatch):
    monkeypatch.setenv("TRAILING_ACTIVATION_PCT", "0")
    monkeypatch.setenv("TAKE_PROFIT_ZONE_PCT", "0")
    protection = engine_settings(load_settings()).protection
    assert protection.trailing_activation_pct is None and protection.take_profit_zone_pct is None


def test_the_time_zone_and_the_timeout_reach_the_limits_and_the_loop(monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("DECISION_TIMEOUT_SECONDS", "2.5")
    settings = load_settings()
    assert engine_settings(settings).limits.timezone == "Europe/Berlin"
    assert loop_settings(settings, ("BTC/USDT",)).decision_timeout_s == 2.5


@pytest.mark.parametrize("name, value, expected", [
    ("RISK_PER_TRADE_PCT", "two", "Invalid setting RISK_PER_TRADE_PCT: expected a percentage above 0"),
    ("DAILY_LOSS_LIMIT_PCT", "0", "Invalid setting DAILY_LOSS_LIMIT_PCT: expected a percentage above 0"),
    ("FUTURES_LEVERAGE", "200", "Invalid setting FUTURES_LEVERAGE: expected a whole number from 1 to 125"),
    ("MAX_OPEN_POSITIONS", "0", "Invalid setting MAX_OPEN_POSITIONS: expected a whole number of 1 or more"),
    ("PARTIAL_TAKE_PROFIT_FRACTION", "1.5", "Invalid setting PARTIAL_TAKE_PROFIT_FRACTION: expected a fraction"),
    ("SOFT_STOP_PCT", "12", "Invalid setting SOFT_STOP_PCT: expected a loss below HARD_STOP_PCT (10)"),
    ("BREAK_EVEN_R", "-1", "Invalid setting BREAK_EVEN_R: expected a number of 0 or more"),
])
def test_a_bad_risk_setting_stops_with_one_line_naming_it(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    assert str(info.value).startswith(expected)
    assert "\n" not in str(info.value)
