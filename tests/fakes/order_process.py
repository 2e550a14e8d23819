"""A separate process that starts the live venue the way the bot does and places one order.

    python -m tests.fakes.order_process --data-dir D --options JSON --now-ms N --client-id ID [--futures]

It reconciles first (printing a JSON line {"stage": "reconciled", ...}), prints {"stage": "sending"}, places
the order and prints {"stage": "placed", ...}. The duplicate-safety test kills it with SIGKILL while its
order is on the way, then runs it again on the same data directory.
"""
from __future__ import annotations

import argparse
import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from trading.adapters.ccxt_broker import LiveOptions
from trading.adapters.ccxt_market_data import CcxtMarketData
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_store import SqliteStore
from trading.domain.orders import OrderIntent, Side
from trading.services.event_bus import EventBus
from trading.services.live_venue import live_venue
from trading.settings import Settings

MASTER_KEY = "order-process-master-key"


def say(stage: str, **data: Any) -> None:
    """Print one JSON line for the test to read."""
    print(json.dumps({"stage": stage, **data}, default=str), flush=True)


async def main(args: argparse.Namespace) -> None:
    """Reconcile, then place the order of the arguments."""
    settings = Settings(_env_file=None, trading_mode="live", exchange="binance", data_dir=Path(args.data_dir),
                        master_key=MASTER_KEY, exchange_options=args.options,
                        market_type="futures" if args.futures else "spot")
    clock = ManualClock(args.now_ms)
    store = SqliteStore(settings.data_dir / "trading.sqlite", clock)
    await store.open()
    feed = CcxtMarketData(settings.exchange, clock, options=settings.exchange_config)
    instruments = await feed.instruments()
    await feed.close()
    venue = await live_venue(settings, clock, store, EventBus(store), instruments,
                             options=LiveOptions(placement_delays_s=(0.05, 0.05, 0.05)))
    report = await venue.restore()
    say("reconciled", adopted=[o.client_order_id for o in report.adopted_orders], unsent=list(report.unsent))
    symbol = "BTC/USDT:USDT" if args.futures else "BTC/USDT"
    say("sending")
    order = await venue.broker.place(OrderIntent(symbol, Side.BUY, amount=Decimal(args.amount),
                                                 client_order_id=args.client_id))
    await venue.settle()
    positions = [[p.symbol, str(p.amount)] for p in await venue.broker.positions()]
    say("placed", order_id=order.id, client_order_id=order.client_order_id, status=order.status.value,
        positions=positions)
    await venue.close()
    await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--options", required=True, help="EXCHANGE_OPTIONS JSON, with apiKey and secret")
    parser.add_argument("--now-ms", type=int, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--amount", default="0.01")
    parser.add_argument("--futures", action="store_true")
    asyncio.run(main(parser.parse_args()))
