"""Peak memory of the running bot on live data with the live broker, after a simulated hour (target: < 200 MB).

The bot runs in a process of its own, wired as `trading-assistant run` wires it (bootstrap.build_core, the
Telegram Application, the notifier, the scheduler) with MARKET_DATA=live, MARKET_STREAMS=ws and
TRADING_MODE=live; this process runs the fake Binance (REST and WebSocket, tests/fakes/exchange_api.py) and the
fake Bot API it talks to, so their candles and servers are not counted. Both sides keep a manual clock in step:
each simulated minute this side advances its clock and pushes what closed over the streams and the account
stream, then tells the bot, which advances its own clock and runs the candle job and the protective job as the
scheduler runs them. The bot's peak RSS (VmHWM) is read from its /proc at the end.

Also prints what importing ccxt costs, each in a fresh interpreter: the whole package, and the lean path the
bot takes (trading/adapters/ccxt_loading.py: only the exchange class in use).
Prints JSON lines; the last one is the figure against the target. Run: python3 bench/memory.py [--minutes 60]
Measured: peak 153.8 MB after 60 minutes (147.7 MB after start), of which imports ~115 MB and ccxt's binance 32 MB.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_MB = 200
DAY_MS = 86_400_000
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MASTER_KEY = "bench"

IMPORTS = {
    "python alone": "pass",
    "import ccxt (every exchange, sync and async)": "import ccxt, ccxt.async_support",
    "import ccxt.pro (every exchange, all three)": "import ccxt, ccxt.async_support, ccxt.pro",
    "lean: only binance (async + pro)": "from trading.adapters.ccxt_loading import exchange_class; "
                                        "exchange_class('binance', streaming=True)",
}


def status_mb(field: str) -> float:
    """Return a memory figure of this process from /proc/self/status (VmRSS now, VmHWM the peak), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def import_costs() -> list[dict[str, object]]:
    """Return the peak RSS of a fresh interpreter after each import."""
    rows = []
    for name, code in IMPORTS.items():
        probe = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); {code}; import resource; "
                 f"print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
        rows.append({"bench": "memory", "what": name, "peak_rss_mb": round(float(out.split()[-1]), 1)})
    return rows


async def simulated_hour(minutes: int) -> dict[str, object]:
    """Serve the fakes to a bot process for minutes simulated minutes; return its memory figures."""
    from tests.fakes.exchange_api import FakeExchange
    from tests.fakes.exchange_markets import shifted, spot_market
    from tests.fakes.telegram_api import FakeTelegram
    from trading.adapters.clocks import ManualClock
    from trading.secrets import SecretVault, key_file_path

    btc = spot_market("BTC")
    first = int(btc.candles[next(iter(btc.candles))].open_ms[0])
    now = time.time_ns() // 1_000_000
    offset = (now - first) // DAY_MS * DAY_MS - 40 * DAY_MS      # the sample moved by whole days: now is 40 days in
    clock = ManualClock(now - now % 60_000 + 30_000)
    markets = [shifted(spot_market(asset), offset) for asset in ("BTC", "ETH")]
    started = time.perf_counter()
    async with FakeExchange(markets, clock) as fake, FakeTelegram() as telegram:
        with tempfile.TemporaryDirectory() as folder:
            # live mode refuses to start without the two-factor secret that `totp setup` stores
            SecretVault(key_file_path(Path(folder)), MASTER_KEY).set_totp_secret(TOTP_SECRET)
            keys = {"apiKey": fake.account.api_key, "secret": fake.account.secret, "timeout_on_exit": 0}
            settings = dict(trading_mode="live", master_key=MASTER_KEY, market_data="live", exchange="binance",
                            market_streams="ws", data_dir=folder,
                            exchange_options=json.dumps({**fake.options(), **keys}),
                            telegram_bot_token=telegram.token, telegram_base_url=telegram.base_url,
                            telegram_allowed_chat_ids="4242", symbols="BTC/USDT,ETH/USDT")
            spawn = multiprocessing.get_context("spawn")
            ours, theirs = spawn.Pipe()
            bot = spawn.Process(target=bot_process, args=(theirs, settings, clock.now_ms()))
            bot.start()
            try:
                figures = await _drive(ours, fake, clock, minutes)
            finally:
                bot.join(30)
                if bot.is_alive():
                    bot.kill()
    return {"bench": "memory", "what": f"the bot's process, live data + live broker, {minutes} simulated minutes",
            **figures, "target_mb": TARGET_MB, "within_target": figures["peak_rss_mb"] < TARGET_MB,
            "wall_s": round(time.perf_counter() - started, 1)}


async def _drive(bot: Connection, fake, clock, minutes: int) -> dict[str, float | int]:
    """Step the fakes and the bot minute by minute; return the bot's figures."""
    await _answer(bot)                             # started
    for _ in range(minutes):
        clock.advance(60_000)
        await fake.streams.tick()
        await fake.streams.publish_account()
        bot.send(("minute", clock.now_ms()))
        await _answer(bot)
    bot.send(("stop", 0))
    return await _answer(bot)


async def _answer(bot: Connection) -> object:
    while not bot.poll():                          # the fakes keep serving the bot meanwhile
        await asyncio.sleep(0.005)
    answer = bot.recv()
    if isinstance(answer, BaseException):
        raise answer
    return answer


def bot_process(fakes: Connection, settings: dict[str, object], now_ms: int) -> None:
    """Run the bot on its manual clock, one simulated minute per message from the fakes' side."""
    from trading.logs import configure_logging

    configure_logging(None, "WARNING")
    try:
        asyncio.run(_run_bot(fakes, settings, now_ms))
    except BaseException as exc:  # noqa: BLE001 - handed to the driving side, which raises it
        fakes.send(exc)


async def _run_bot(fakes: Connection, values: dict[str, object], now_ms: int) -> None:
    from bot.app import build_application
    from bot.auth import AccessGuard, AllowList
    from bot.notifier import TelegramNotifier
    from trading.adapters.clocks import ManualClock
    from trading.bootstrap import build_core
    from trading.scheduling import build_scheduler
    from trading.services.loop_jobs import watch_prices
    from trading.settings import Settings

    clock = ManualClock(now_ms)
    settings = Settings(_env_file=None, **values)
    core = await build_core(settings, machine=clock)
    allow = AllowList(settings.allowed_chat_ids, settings.allowed_user_ids, core.store)
    core.events.attach(TelegramNotifier(allow.recipients))
    app = build_application(settings.telegram_bot_token.get_secret_value(), settings.telegram_base_url,
                            core.services(), AccessGuard(allow, core.events, core.clock))
    await app.initialize()
    scheduler = build_scheduler(core)     # built as the bot builds it; its jobs are run below, in step
    await core.assistant.start()
    await core.assistant.refresh_market()
    after_start, seen = status_mb("VmRSS"), 0
    fakes.send("started")
    while (message := fakes.recv())[0] == "minute":
        clock.set(message[1])
        seen += await _minute(core, watch_prices)
        fakes.send(seen)
    peak, rss = status_mb("VmHWM"), status_mb("VmRSS")
    await scheduler.stop()                # never started: a no-op, kept as the bot's shutdown order
    await app.shutdown()
    await core.close()
    fakes.send({"peak_rss_mb": peak, "rss_mb": rss, "rss_after_start_mb": after_start, "candles_seen": seen})


async def _minute(core, watch_prices) -> int:
    """Run the candle job on the minute's streamed closes (a poll with a deadline), then the protective job."""
    batches: list = []
    deadline = asyncio.get_running_loop().time() + 5
    while not any(tf.value == "1m" for _, tf, _ in batches) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)            # the streamed closes are on their way
        batches += await core.assistant.refresh_market()
    await core.loop.on_candles_closed(batches)
    await watch_prices(core.loop)
    return sum(len(c) for _, _, c in batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--skip-imports", action="store_true")
    args = parser.parse_args()
    from trading.logs import configure_logging

    configure_logging(None, "WARNING")
    if not args.skip_imports:
        for row in import_costs():
            print(json.dumps(row), flush=True)
    print(json.dumps(asyncio.run(simulated_hour(args.minutes))), flush=True)


if __name__ == "__main__":
    main()
