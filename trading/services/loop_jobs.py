"""The trading loop's recurring jobs as the scheduler runs them: watching prices, and the KILL file."""
from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

from trading.domain.errors import TradingError
from trading.services.trading_loop import TradingLoop

KILL_FILE = "KILL"


async def watch_prices(loop: TradingLoop) -> None:
    """Fetch a ticker per symbol (price, spread, round-trip time) for the breaker, then protect on those prices."""
    prices: dict[str, Decimal] = {}
    # Positions opened by hand in other markets are protected too.
    symbols = dict.fromkeys([*loop.settings.symbols, *loop.engine.state.positions])
    for symbol in symbols:
        started = time.perf_counter()
        try:
            ticker = await loop.market.ticker(symbol)
        except TradingError:
            await loop.observe_error()
            continue
        await loop.observe_latency(int((time.perf_counter() - started) * 1000))
        await loop.observe_ticker(ticker)
        prices[symbol] = ticker.last
    await loop.protect(prices)


async def check_kill_file(loop: TradingLoop, data_dir: Path) -> bool:
    """Engage the kill switch when DATA_DIR/KILL exists, then remove the file so /resume can lift the switch."""
    path = data_dir / KILL_FILE
    if not path.exists():
        return False
    await loop.kill(False, f"file:{KILL_FILE}", f"{KILL_FILE} file found in {data_dir}")
    path.unlink(missing_ok=True)
    return True
