"""Importing only the ccxt exchanges in use."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from trading.adapters.ccxt_loading import without_exchanges

ROOT = Path(__file__).resolve().parents[3]


def test_only_the_exchange_imports_of_the_package_itself_are_left_out() -> None:
    source = ("from ccxt.base.errors import NetworkError  # noqa: F401\n"
              "from ccxt.async_support.binance import binance  # noqa: F401\n"
              "from ccxt.async_support.okx import okx\n"
              "from ccxt.pro.binance import binance  # noqa: F401\n"
              "exchanges = ['binance', 'okx']\n")

    kept, left_out = without_exchanges(source, "ccxt.async_support")

    assert left_out == {"binance", "okx"}
    assert kept == ("from ccxt.base.errors import NetworkError  # noqa: F401\n"
                    "from ccxt.pro.binance import binance  # noqa: F401\n"
                    "exchanges = ['binance', 'okx']\n")


def test_a_process_of_the_bot_imports_the_exchange_it_uses_and_no_other() -> None:
    probe = """
import json, sys
import trading.adapters
import ccxt, ccxt.async_support as ccxt_async, ccxt.pro as ccxt_pro
before = sorted(m for m in sys.modules if m.startswith(("ccxt.async_support.", "ccxt.pro.")) and "base" not in m)
pro_class = ccxt_pro.binanceusdm
exchange = pro_class({})          # its describe() builds ccxt.async_support.binanceusdm: the class, not the module
after = sorted(m for m in sys.modules if m.startswith(("ccxt.async_support.", "ccxt.pro.")) and "base" not in m)
print(json.dumps({"before": before, "after": after, "subclass": issubclass(pro_class, ccxt_async.binance),
                  "is_class": all(isinstance(c, type) for c in (ccxt_async.binance, ccxt_async.binanceusdm)),
                  "id": exchange.id, "exchanges": len(ccxt.exchanges),
                  "errors": ccxt.NetworkError.__name__, "pro_ids": "binanceusdm" in ccxt_pro.exchanges}))
"""
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}).stdout
    found = json.loads(out.splitlines()[-1])

    assert found["before"] == []
    assert found["after"] == ["ccxt.async_support.binance", "ccxt.async_support.binanceusdm", "ccxt.pro.binance",
                              "ccxt.pro.binanceusdm"]
    assert found["subclass"] and found["is_class"] and found["pro_ids"] and found["id"] == "binanceusdm"
    assert found["exchanges"] > 100 and found["errors"] == "NetworkError"
