"""Reply latency of chat commands, from the update's arrival at the bot to its Bot API call (targets: p95 under
20 ms for /status, /balance, /positions, /signals and /risk while the loop trades; /chart under 500 ms).

The bot as bot.runtime runs it (python-telegram-bot polling the fake Bot API on 127.0.0.1) on the bundled
BTC/USDT and ETH/USDT replay. The fake server stamps when getUpdates hands an update out and when the bot's
reply to it comes in; the difference is the reply latency (the long poll's own wait is not in it).
Phase `idle`: nothing else runs. Phase `trading`: the trading loop's candle job runs back to back meanwhile, one
replayed minute per tick on both symbols (far busier than live, where a minute closes once a minute).
Prints one JSON line per phase: median, p95 and max per command against its p95 target, the ticks run and the
machine's load (the machine is shared: compare runs at a similar load, and take the median of several).
--speed sets the replay's pace (replayed seconds per second): 600 closes a minute every 0.1 s.
Run: python3 bench/replies.py [--rounds 20] [--speed 600]
Measured (trading phase, --rounds 60, load 1.2-1.9 on 2 cores, median / p95 ms): /status 3.5 / 7.4,
/signals 4.6 / 8.3, /chart 6 / 117, /chart 1m 117 / 154 (main before: /signals 9.0 / 14.4, /chart 166 / 199,
/chart 1m 167 / 368).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.bot_process import OWNER, bot_settings  # noqa: E402
from tests.fakes.feature_bot import feature_bot  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from bot.localchat.server import Sent  # noqa: E402
from trading.bootstrap import Core  # noqa: E402
from trading.logs import configure_logging  # noqa: E402

# label -> what the user types; /chart draws 15m candles, kept until the next 15m close (at --speed 600, a second
# and a half), while a 1m chart is new at every replayed minute: "/chart 1m" is the figure of a chart drawn anew
COMMANDS = {"/status": "/status", "/balance": "/balance", "/positions": "/positions", "/signals": "/signals",
            "/risk": "/risk", "/chart": "/chart BTC/USDT", "/chart 1m": "/chart BTC/USDT 1m"}
TARGET_P95_MS = {**{label: 20.0 for label in COMMANDS if not label.startswith("/chart")},
                 "/chart": 500.0, "/chart 1m": 500.0}
EVENT_ICONS = ("ℹ️", "⚠️", "🚨")          # how bot/views/events.py starts a notification


class TimedTelegram(FakeTelegram):
    """The fake Bot API, stamping when each update is handed out and when the bot's reply to it comes in.

    The loop's notifications go to the same chat; they start with an event icon and are not replies.
    """

    def __init__(self) -> None:
        super().__init__()
        self.handed_out: dict[int, float] = {}
        self.replied: dict[int, float] = {}

    async def _api_getupdates(self, params: dict, files: dict) -> Any:
        updates = await super()._api_getupdates(params, files)
        now = time.perf_counter()
        for update in updates:
            self.handed_out.setdefault(update["update_id"], now)
        return updates

    async def _announce(self, sent: Sent) -> None:
        if self.handed_out and not sent.edited and not sent.text.startswith(EVENT_ICONS):
            self.replied.setdefault(max(self.handed_out), time.perf_counter())
        await super()._announce(sent)

    async def latency(self, chat_id: int, text: str, timeout: float) -> float:
        """Send text as the user; return the seconds from its update's hand-out to the bot's reply."""
        self.user_says(chat_id, text)
        update_id = self._updates[-1]["update_id"]
        deadline = time.perf_counter() + timeout
        while update_id not in self.replied:
            if time.perf_counter() > deadline:
                raise AssertionError(f"no reply to {text!r} within {timeout}s")
            await asyncio.sleep(0.005)
        return self.replied[update_id] - self.handed_out[update_id]


async def trade(core: Core, stop: asyncio.Event) -> int:
    """Run the loop's candle job back to back until stop; return the ticks that closed candles."""
    ticks = 0
    while not stop.is_set():
        batches = await core.assistant.refresh_market()
        if batches:
            await core.loop.on_candles_closed(batches)
            ticks += 1
        else:           # the replayed clock has not closed the next minute yet
            await asyncio.sleep(0.01)
    return ticks


async def phase(telegram: TimedTelegram, core: Core, rounds: int, trading: bool) -> dict[str, object]:
    """Ask every command `rounds` times (the loop trading meanwhile or not); return the latency summary."""
    stop = asyncio.Event()
    job = asyncio.create_task(trade(core, stop)) if trading else None
    load = os.getloadavg()[0]
    spent: dict[str, list[float]] = {label: [] for label in COMMANDS}
    for _ in range(rounds):
        for label, command in COMMANDS.items():
            spent[label].append(await telegram.latency(OWNER, command, timeout=30))
    stop.set()
    ticks = await job if job is not None else 0
    figures = {label: summary(s) for label, s in spent.items()}
    over = [label for label, f in figures.items() if f["p95_ms"] >= TARGET_P95_MS[label]]
    return {"name": "reply_latency", "phase": "trading" if trading else "idle", "rounds": rounds,
            "loop_ticks": ticks, **figures, "target_p95_ms": TARGET_P95_MS, "within_target": not over,
            "over_target": over, "load_avg_1m": [round(load, 2), round(os.getloadavg()[0], 2)],
            "cpus": os.cpu_count()}


def summary(seconds: list[float]) -> dict[str, float]:
    """Return the median, 95th percentile and maximum of durations, in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    return {"median_ms": round(statistics.median(ms), 1), "p95_ms": round(ms[max(0, int(len(ms) * 0.95) - 1)], 1),
            "max_ms": round(ms[-1], 1)}


async def run(rounds: int, speed: float) -> list[dict[str, object]]:
    """Start the bot, warm every command once, then measure the idle and the trading phase."""
    with tempfile.TemporaryDirectory() as folder:
        async with TimedTelegram() as telegram:
            settings = bot_settings(Path(folder), telegram.base_url, telegram.token, replay_speed=speed)
            async with feature_bot(settings) as bot:
                for command in COMMANDS.values():     # first use loads matplotlib, follows the symbols, ...
                    await telegram.latency(OWNER, command, timeout=60)
                return [await phase(telegram, bot.core, rounds, False), await phase(telegram, bot.core, rounds, True)]


def main() -> None:
    """Run the reply benchmark and print its JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--speed", type=float, default=600.0)
    args = parser.parse_args()
    configure_logging(None, "WARNING")
    for line in asyncio.run(run(args.rounds, args.speed)):
        print(json.dumps(line))


if __name__ == "__main__":
    main()
