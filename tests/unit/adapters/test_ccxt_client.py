"""Building the ccxt exchange from settings."""
from __future__ import annotations

import ccxt
import pytest

from trading.adapters.ccxt_client import create_exchange
from trading.domain.errors import ConfigurationError


def test_options_are_merged_into_the_config_and_rate_limiting_stays_on() -> None:
    exchange = create_exchange("binanceusdm", {"enableRateLimit": False, "timeout": 1234,
                                               "urls": {"api": {"fapiPublic": "http://127.0.0.1:1/fapi/v1"}}})

    assert (exchange.id, exchange.enableRateLimit, exchange.timeout) == ("binanceusdm", True, 1234)
    assert exchange.urls["api"]["fapiPublic"] == "http://127.0.0.1:1/fapi/v1"
    assert exchange.urls["api"]["public"] == "https://api.binance.com/api/v3"     # others kept


def test_sandbox_switches_to_the_test_urls() -> None:
    exchange = create_exchange("binance", sandbox=True)

    assert exchange.urls["api"]["public"] == "https://testnet.binance.vision/api/v3"


def test_unknown_exchange_id_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="EXCHANGE='binanse'"):
        create_exchange("binanse")


def test_truncated_json_body_is_a_bad_response_not_text() -> None:
    exchange = create_exchange("binance")

    with pytest.raises(ccxt.BadResponse):
        exchange.parse_json('[[1747699200000,"105573.73000000","1055')
    assert exchange.parse_json('{"serverTime": 1}') == {"serverTime": 1}
    assert exchange.parse_json("<html>503</html>") is None


_WITHOUT_ZAIF = """
import importlib.abc, sys
class Stripped(importlib.abc.MetaPathFinder):   # ccxt's kraken modules removed, as deploy/slim-venv does in the image
    def find_spec(self, name, path, target=None):
        if name in ("ccxt.async_support.kraken", "ccxt.pro.kraken"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Stripped())
from trading.adapters.ccxt_client import create_exchange
from trading.domain.errors import ConfigurationError
for streaming in (False, True):
    try:
        create_exchange("kraken", streaming=streaming)
    except ConfigurationError as exc:
        print(exc)
"""


def test_an_exchange_stripped_from_the_image_is_a_configuration_error_naming_the_build_arg() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", _WITHOUT_ZAIF], capture_output=True, text=True, timeout=60,
                            check=True)

    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout + result.stderr
    assert all(line.startswith("EXCHANGE='kraken'") and "CCXT_EXCHANGES" in line for line in lines)
    assert "ccxt.async_support.kraken is missing" in lines[0] and "ccxt.pro.kraken is missing" in lines[1]
