"""A live bot (TRADING_MODE=live) on the fake Binance and the fake Bot API, with a TOTP secret set up."""
from __future__ import annotations

import asyncio
import json
import re
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import pyotp

from tests.e2e.test_exchange_feed import markets_ending_today
from tests.fakes.bot_process import bot_settings
from tests.fakes.exchange_api import FakeExchange
from tests.fakes.live_broker import signed_options
from tests.fakes.telegram_api import FakeTelegram
from trading.adapters.clocks import WallClock
from trading.secrets import SecretVault, key_file_path
from trading.settings import Settings

MASTER = "master key of the live e2e tests"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def fake_binance() -> FakeExchange:
    """Return the fake Binance (spot BTC and ETH, candles ending today) on the wall clock; enter it to start."""
    return FakeExchange(markets_ending_today(), WallClock())


def live_settings(data_dir: Path, telegram: FakeTelegram, exchange: FakeExchange, *, totp: bool = True,
                  **overrides: object) -> Settings:
    """Return settings of a live spot bot on the fake exchange; store the TOTP secret unless totp is False."""
    if totp:
        SecretVault(key_file_path(data_dir), MASTER).set_totp_secret(TOTP_SECRET)
    options = {**signed_options(exchange, timeout_ms=2_000), "timeout_on_exit": 0}
    values: dict[str, object] = dict(trading_mode="live", market_data="live", exchange="binance",
                                     exchange_options=json.dumps(options), master_key=MASTER)
    values.update(overrides)
    return bot_settings(data_dir, telegram.base_url, telegram.token, **values)


def code_now(offset_steps: int = 0) -> str:
    """Return the authenticator app's code now (or offset_steps time steps away)."""
    totp = pyotp.TOTP(TOTP_SECRET)
    return totp.at(WallClock().now_ms() // 1000 + offset_steps * totp.interval)


def wrong_code() -> str:
    """Return a code that is none of the accepted ones right now."""
    accepted = {code_now(step) for step in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


async def previous_code() -> str:
    """Return the previous step's code (still accepted), once not within 2 s of the step's end.

    A test that needs three codes in one step sends this one first, then code_now(), then code_now(1); waiting
    off the step's end keeps the previous step inside the accepted window until the code is checked.
    """
    deadline = asyncio.get_running_loop().time() + 5
    while WallClock().now_ms() % 30_000 > 28_000 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    return code_now(-1)


def bought_for_100(card_text: str) -> str:
    """Return the BTC a 100 USDT market buy gets at the card's estimated fill, on the 0.00001 step (by hand:
    100 / 116,279 = 0.00086, 100 / 114,863.24 = 0.00087); the fake Binance's price follows the wall clock."""
    fill = Decimal(re.search(r"Est\. fill ([0-9,.]+)", card_text)[1].replace(",", ""))   # type: ignore[index]
    return f"{(Decimal(100) / fill).quantize(Decimal('0.00001'), ROUND_DOWN)}"
