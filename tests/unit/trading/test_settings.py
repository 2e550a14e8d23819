import pytest

from trading.domain.errors import ConfigurationError
from trading.settings import load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    # settings read the process environment and ./.env; isolate both
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_ALLOWED_CHAT_IDS", "TELEGRAM_ALLOWED_USER_IDS", "TRADING_MODE",
                 "EXCHANGE_OPTIONS", "MARKET_DATA", "SYMBOLS", "TIMEZONE", "MARKET_TYPE", "MARKET_STREAMS",
                 "STREAM_STALL_SECONDS"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_match_the_settings_contract():
    settings = load_settings()
    assert settings.mode == "paper"
    assert settings.exchange == "binance"
    assert settings.market_data == "live"
    assert (settings.market_streams, settings.stream_stall_seconds) == ("ws", 30.0)
    assert settings.symbol_list == ("BTC/USDT", "ETH/USDT")
    assert settings.allowed_chat_ids == frozenset()
    assert settings.telegram_base_url == "https://api.telegram.org/bot"
    assert settings.demo is True


def test_allowed_chat_ids_are_parsed_from_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("TELEGRAM_ALLOWED_CHAT_IDS", "123, -100987")
    monkeypatch.setenv("TELEGRAM_ALLOWED_USER_IDS", "123,456")
    settings = load_settings()
    assert settings.allowed_chat_ids == {123, -100987}
    assert settings.allowed_user_ids == {123, 456}


def test_allowed_users_default_to_the_owner_and_are_required_with_a_group_chat(monkeypatch):
    monkeypatch.setenv("TELEGRAM_ALLOWED_CHAT_IDS", "123")
    assert load_settings().allowed_user_ids == frozenset()       # the owner, learned at /start
    monkeypatch.setenv("TELEGRAM_ALLOWED_CHAT_IDS", "123,-100987")
    with pytest.raises(ConfigurationError, match=r"^Invalid setting TELEGRAM_ALLOWED_USER_IDS: required when "
                                                 r"TELEGRAM_ALLOWED_CHAT_IDS has a group chat \(-100987\)"):
        load_settings()


@pytest.mark.parametrize("name, value, expected", [
    ("TELEGRAM_ALLOWED_CHAT_IDS", "123,abc", "Invalid setting TELEGRAM_ALLOWED_CHAT_IDS: expected comma-separated"),
    ("TELEGRAM_ALLOWED_USER_IDS", "123,-5", "Invalid setting TELEGRAM_ALLOWED_USER_IDS: expected comma-separated"),
    ("TELEGRAM_ALLOWED_USER_IDS", "123,\u00b2", "Invalid setting TELEGRAM_ALLOWED_USER_IDS: expected comma-separated"),
    ("EXCHANGE_OPTIONS", "{not json", "Invalid setting EXCHANGE_OPTIONS: expected a JSON object"),
    ("MARKET_DATA", "csv", "Invalid setting MARKET_DATA: expected live, replay or replay:<path"),
    ("SYMBOLS", "BTCUSDT", "Invalid setting SYMBOLS: expected comma-separated ccxt symbols"),
    ("TIMEZONE", "Mars/Olympus", "Invalid setting TIMEZONE: expected an IANA time zone"),
    ("MARKET_TYPE", "options", "Invalid setting MARKET_TYPE: expected spot or futures"),
    ("MARKET_STREAMS", "websocket", "Invalid setting MARKET_STREAMS: expected ws (WebSocket streams, REST as the "
                                    "fallback) or rest"),
    ("STREAM_STALL_SECONDS", "0", "Invalid setting STREAM_STALL_SECONDS:"),
])
def test_a_bad_value_stops_with_one_line_naming_the_setting(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    assert str(info.value).startswith(expected)
    assert "\n" not in str(info.value)


def test_an_unexpected_trading_mode_falls_back_to_paper_with_a_warning(monkeypatch):
    monkeypatch.setenv("TRADING_MODE", "yolo")
    settings = load_settings()
    assert settings.mode == "paper"
    assert "TRADING_MODE='yolo'" in settings.mode_warning


def test_settings_are_read_from_a_dotenv_file(tmp_path):
    (tmp_path / ".env").write_text("SYMBOLS=SOL/USDT\nTRADING_MODE=live\n")
    settings = load_settings()
    assert settings.symbol_list == ("SOL/USDT",)
    assert settings.mode == "live"
