"""/show_config shows what the process runs with: the demo's replay and local server, and a stored change that
waits for the next restart marked as such."""
from trading.services.about import effective_settings, running_values
from trading.settings import Settings

DEMO_URL = "http://127.0.0.1:40123/bot"
SAMPLE = "replay: bundled sample (Binance 1m, July 2025)"


def shown(rows: list[tuple[str, str]], name: str) -> str:
    return dict(rows)[name]


def test_the_offline_demo_shows_its_replay_and_its_local_server_not_the_configured_ones():
    # before: "MARKET_DATA = live" and "TELEGRAM_BASE_URL = https://api.telegram.org/bot" in the demo
    settings = Settings(_env_file=None)
    running = running_values(settings, SAMPLE, DEMO_URL, ("BTC/USDT", "ETH/USDT"), "UTC")
    rows = effective_settings(settings, running)
    assert shown(rows, "MARKET_DATA") == f"{SAMPLE} (configured: live; this process replays recorded candles)"
    assert shown(rows, "TELEGRAM_BASE_URL") == (f"{DEMO_URL} (configured: https://api.telegram.org/bot; the "
                                                f"offline demo talks to its own local server)")
    assert shown(rows, "SYMBOLS") == "BTC/USDT,ETH/USDT" and shown(rows, "TIMEZONE") == "UTC"


def test_a_symbol_removed_from_the_chat_is_traded_until_the_restart_and_says_so():
    # before: "SYMBOLS = ETH/USDT" after /symbols remove BTC/USDT, while BTC/USDT was still traded
    settings = Settings(_env_file=None, symbols="ETH/USDT", timezone="Europe/Berlin", market_data="live")
    running = running_values(settings, "binance (live)", "https://api.telegram.org/bot", ("BTC/USDT", "ETH/USDT"),
                             "UTC")
    rows = effective_settings(settings, running)
    assert shown(rows, "SYMBOLS") == "BTC/USDT,ETH/USDT (ETH/USDT from the next restart)"
    assert shown(rows, "TIMEZONE") == "UTC (Europe/Berlin from the next restart)"
    assert shown(rows, "MARKET_DATA") == "live" and shown(rows, "TELEGRAM_BASE_URL") == "https://api.telegram.org/bot"


def test_without_running_values_every_setting_reads_as_set():
    rows = effective_settings(Settings(_env_file=None))
    assert shown(rows, "MARKET_DATA") == "live" and shown(rows, "SYMBOLS") == "BTC/USDT,ETH/USDT"
