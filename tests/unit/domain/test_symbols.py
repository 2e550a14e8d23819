import pytest

from trading.domain.errors import BadSymbol
from trading.domain.symbols import normalize_symbol, resolve_symbol

KNOWN = ["BTC/USDT", "ETH/USDT", "SOL/USDT", "BTC/USDT:USDT"]


@pytest.mark.parametrize("typed, unified", [
    ("btc", "BTC/USDT"), ("BTCUSDT", "BTC/USDT"), ("eth-usdt", "ETH/USDT"),
    (" sol/usdt ", "SOL/USDT"), ("ethbtc", "ETH/BTC"), ("BTC/USDT:USDT", "BTC/USDT:USDT"),
])
def test_normalize_symbol_accepts_the_usual_spellings(typed, unified):
    assert normalize_symbol(typed) == unified


def test_resolve_symbol_returns_the_known_market():
    assert resolve_symbol("btcusdt", KNOWN) == "BTC/USDT"


def test_resolve_symbol_suggests_the_closest_market_for_a_typo():
    with pytest.raises(BadSymbol, match="Did you mean BTC/USDT"):
        resolve_symbol("BTCUSD", KNOWN)


def test_resolve_symbol_lists_markets_when_nothing_is_close():
    with pytest.raises(BadSymbol, match="Try one of: BTC/USDT"):
        resolve_symbol("DOGE", KNOWN)
