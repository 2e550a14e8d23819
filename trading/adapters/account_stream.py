"""The live account's user-data streams: orders, own trades, balance and positions, pushed by the exchange.

Order updates go straight into the broker (streamed_orders.py), so a fill or a cancel is known within a
second instead of at the next look. Any update (a fill, a triggered stop, a balance or position change)
then asks for one follow-up look at the account (the venue's track(): protective pairs one-cancels-other,
positions against the exchange), several updates in a burst sharing one. When the streams come back after
an outage, the account is reconciled: orders that changed meanwhile are found by their client ids.
"""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from trading.adapters.ccxt_orders import order_from_ccxt
from trading.adapters.stream_supervisor import StreamPolicy, StreamSupervisor
from trading.domain.errors import TradingError
from trading.domain.orders import Order
from trading.logs import get_logger

log = get_logger(__name__)


class AccountStream:
    """Watches the account behind a ccxt.pro exchange with API keys; calls back into the live venue."""

    def __init__(self, exchange: Any, futures: bool, *, on_orders: Callable[[list[Order]], Awaitable[None]],
                 follow_up: Callable[[], Awaitable[None]], reconcile: Callable[[], Awaitable[object]],
                 policy: StreamPolicy | None = None) -> None:
        self.supervisor = StreamSupervisor(exchange, f"{exchange.id} account", policy)
        self._exchange = exchange
        self.supervisor.listen(self)
        self._on_orders = on_orders
        self._follow_up = follow_up
        self._reconcile = reconcile
        self._wanted = False
        self._following: asyncio.Task[None] | None = None
        params = {"type": "swap"} if futures else {}
        has, ex = exchange.has, exchange
        watches: dict[str, tuple[Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]]] = {
            "orders": (lambda: ex.watch_orders(None, None, None, dict(params)), self._orders),
            "my trades": (lambda: ex.watch_my_trades(None, None, None, dict(params)), self._changed),
            "balance": (lambda: ex.watch_balance(dict(params)), self._changed),
            "positions": (lambda: ex.watch_positions(None, None, None, dict(params)), self._changed),
        }
        wanted = ["orders", "my trades", "balance"] + (["positions"] if futures else [])
        for name in wanted:
            if has.get("watch" + "".join(w.title() for w in name.split())):
                self.supervisor.add(name, *watches[name])

    @property
    def idle(self) -> bool:
        """Return True when no follow-up look at the account is under way or wanted."""
        return (self.supervisor.idle and not self._wanted
                and (self._following is None or self._following.done()))

    def start(self) -> None:
        """Start watching (in the running event loop)."""
        self.supervisor.start()

    async def stop(self) -> None:
        """Stop watching and wait for a follow-up under way."""
        await self.supervisor.stop()
        if self._following is not None:
            self._following.cancel()
            await asyncio.gather(self._following, return_exceptions=True)

    async def streams_down(self, name: str, reason: str) -> None:
        """Nothing to do here: the scheduler's look at the account still runs."""

    async def streams_up(self, name: str, outage_s: float) -> None:
        """Reconcile: orders that filled or ended while the stream was away are looked up by client id."""
        log.info("account stream back; reconciling orders by client id", outage_s=round(outage_s, 1))
        await self._reconcile()

    async def _orders(self, raw_orders: list) -> None:
        # ccxt keeps every recent order update: one that arrived while no watch was pending is there too
        cached = list(getattr(self._exchange, "orders", None) or [])
        updates = [order_from_ccxt(raw) for raw in [*cached, *raw_orders] if raw.get("id") and raw.get("symbol")]
        if updates:
            await self._on_orders(updates)
        await self._changed(raw_orders)

    async def _changed(self, _: Any) -> None:
        self._wanted = True
        if self._following is None or self._following.done():
            self._following = asyncio.create_task(self._follow(), name="account follow-up")

    async def _follow(self) -> None:
        while self._wanted:
            self._wanted = False
            try:
                await self._follow_up()
            except TradingError as exc:    # the scheduler's own look retries it
                log.warning("follow-up look at the account failed", error=str(exc))
            except Exception:
                log.exception("follow-up look at the account crashed")
