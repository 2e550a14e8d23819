"""EXCHANGE_STOPS switches the live futures stops on the exchange on or off; the live start notice says which."""
import pytest

from trading.bootstrap_controls import LIVE_START, live_start_text
from trading.domain.errors import ConfigurationError
from trading.settings import load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("EXCHANGE_STOPS", "EXCHANGE_STOP_REPLACE_S", "MARKET_TYPE"):
        monkeypatch.delenv(name, raising=False)


def test_exchange_stops_are_on_by_default_and_replaced_at_most_every_30_seconds():
    settings = load_settings()
    assert (settings.exchange_stops, settings.exchange_stop_replace_s) == ("on", 30)


def test_exchange_stops_read_on_or_off_in_any_case(monkeypatch):
    monkeypatch.setenv("EXCHANGE_STOPS", " OFF ")
    assert load_settings().exchange_stops == "off"


@pytest.mark.parametrize("name, value, expected", [
    ("EXCHANGE_STOPS", "maybe", "Invalid setting EXCHANGE_STOPS: expected on (live futures stops and targets rest "
                                "on the exchange too) or off (the bot's own stops only)"),
    ("EXCHANGE_STOP_REPLACE_S", "0", "Invalid setting EXCHANGE_STOP_REPLACE_S: expected a whole number of "
                                     "seconds from 1 to 3600, like 30, got '0'"),
])
def test_a_bad_exchange_stop_setting_stops_start_up_naming_it(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    assert str(info.value) == expected


def test_the_live_start_notice_says_where_futures_stops_are_kept():
    on = live_start_text(load_settings(market_type="futures"))
    off = live_start_text(load_settings(market_type="futures", exchange_stops="off"))
    assert on == LIVE_START + (" Stops and targets also rest on the exchange (EXCHANGE_STOPS=on), so they hold "
                               "while the bot is down.")
    assert off == LIVE_START + (" Stops and targets are the bot's own only (EXCHANGE_STOPS=off): while the bot is "
                                "down nothing closes a position. Set EXCHANGE_STOPS=on and restart to keep them "
                                "on the exchange too.")
    assert live_start_text(load_settings(market_type="spot")) == LIVE_START
