"""Rendering of the account: balance, positions, orders, trades, order receipts."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Mapping

from bot.views import esc, money, price
from trading.adapters.sqlite_ledger import TradeRow
from trading.domain.figures import signed
from trading.domain.instruments import Instrument, amount_text
from trading.domain.orders import Order
from trading.services.portfolio import BalanceReport, PositionView


def balance_text(report: BalanceReport) -> str:
    """Return /balance."""
    s = report.summary
    pct = report.pnl / report.starting_balance * 100 if report.starting_balance else Decimal(0)
    lines = [f"<b>Balance</b> ({esc(report.mode)}, {esc(report.market_type)})",
             f"Equity: <b>{money(s.equity)} {esc(s.quote)}</b>",
             f"Cash: {money(s.cash)} (available {money(s.available)}, held by orders {money(s.reserved)})",
             f"Positions: {money(s.position_value)} (unrealised {signed(s.unrealized_pnl)})",
             f"PnL since start: {signed(report.pnl)} ({signed(pct, 2, '%')}) from {money(report.starting_balance)}"]
    others = {a: v for a, v in report.assets.items() if a != s.quote and v != 0}
    if others:
        lines.append("Holdings: " + ", ".join(f"{amount_text(v)} {esc(a)}" for a, v in sorted(others.items())))
    return "\n".join(lines)


def positions_text(views: list[PositionView]) -> str:
    """Return /positions."""
    if not views:
        return "No open positions. Open one with /buy BTC/USDT 100."
    blocks = ["<b>Open positions</b>"]
    for v in views:
        p, tick = v.position, v.tick
        lines = [f"\n<b>{esc(p.symbol)}</b> {p.side.upper()} {amount_text(p.amount, v.step)}"
                 + (f" · {p.leverage}x" if p.leverage > 1 else ""),
                 f"Entry {price(p.entry_price, tick)} → mark {price(v.mark, tick)}",
                 f"Unrealised: {signed(v.unrealized)} ({signed(v.unrealized_pct, 2, '%')})",
                 _levels(v)]
        if p.liquidation_price is not None:
            lines.append(f"Liquidation ≈ {price(p.liquidation_price, tick)} · margin {money(p.margin)}")
        if p.funding_paid:
            lines.append(f"Funding {'paid' if p.funding_paid > 0 else 'received'} {money(abs(p.funding_paid), 4)}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _levels(v: PositionView) -> str:
    tick = v.tick
    if not v.guarded:            # no engine in this process: the levels the broker carries
        return f"Stop {price(v.position.stop_price, tick)} · target {price(v.position.take_profit, tick)}"
    if v.guard is None:
        return "Stop none · target none: the bot does not guard this position (/close closes it)"
    stop = f"Stop {price(v.guard.stop, tick)} ({v.guard.stop_rule})" if v.guard.stop is not None else "Stop none"
    target = f"target {price(v.guard.target, tick)}" if v.guard.target is not None else "target none"
    return f"{stop} · {target}"


def orders_text(orders: list[Order], markets: Mapping[str, Instrument] | None = None) -> str:
    """Return /orders: prices on each market's tick, amounts on its step (as they carry when unknown)."""
    if not orders:
        return "No open orders."
    lines = ["<b>Open orders</b>"]
    for o in orders:
        tick, step = _grid(markets, o.symbol)
        at = f" @ {price(o.price, tick)}" if o.price else f" trigger {price(o.stop_price, tick)}" if o.stop_price \
            else ""
        lines.append(f"<code>{esc(o.id)}</code> {o.side} {amount_text(o.amount, step)} {esc(o.symbol)} {o.type}{at}"
                     f" (filled {amount_text(o.filled, step)})")
    lines.append("\nCancel one with /cancel ORDER_ID")
    return "\n".join(lines)


def trades_text(rows: list[TradeRow], markets: Mapping[str, Instrument] | None = None) -> str:
    """Return /trades: prices on each market's tick, amounts on its step (as they carry when unknown)."""
    if not rows:
        return "No trades yet."
    lines = ["<b>Recent trades</b>"]
    for r in rows:
        tick, step = _grid(markets, r.symbol)
        when = datetime.fromtimestamp(r.ts_ms / 1000, tz=timezone.utc).strftime("%m-%d %H:%M")
        lines.append(f"{when} <code>{esc(r.order_id)}</code> {r.side} {amount_text(r.amount, step)} {esc(r.symbol)} "
                     f"@ {price(r.price, tick)} fee {money(r.fee, 4)} {esc(r.fee_asset)}")
    lines.append("/why ORDER_ID tells why the bot placed an order.")
    return "\n".join(lines)


def _grid(markets: Mapping[str, Instrument] | None, symbol: str) -> tuple[Decimal | None, Decimal | None]:
    market = (markets or {}).get(symbol)
    return (market.price_tick, market.amount_step) if market is not None else (None, None)


def fill_verb(order: Order, opens_short: bool = False) -> str:
    """Return what a fill did: Bought, Sold, Opened short (a /short) or Covered (a buy that reduces a short)."""
    if order.side == "buy":
        return "Covered" if order.reduce_only else "Bought"
    return "Opened short" if opens_short else "Sold"


def receipt_text(order: Order, tick: Decimal | None = None, step: Decimal | None = None,
                 verb: str = "") -> str:
    """Return the reply to a manual order: the fill (price, size, fee, order id) or what is still open."""
    if order.filled > 0 and order.avg_price is not None:
        value = order.filled * order.avg_price
        text = (f"✅ {verb or fill_verb(order)} {amount_text(order.filled, step)} {esc(order.symbol)} at "
                f"{price(order.avg_price, tick)} (value {money(value)}, fee {money(order.fee, 4)}), "
                f"order <code>{esc(order.id)}</code>")
        return text + ("" if order.remaining == 0 else
                       f"\n{amount_text(order.remaining, step)} still open as <code>{esc(order.id)}</code>")
    if order.status in ("open", "pending", "partially_filled"):
        at = f" at {price(order.price, tick)}" if order.price else ""
        return (f"🕒 Order <code>{esc(order.id)}</code> placed: {order.side} {amount_text(order.amount, step)} "
                f"{esc(order.symbol)}{at}")
    return f"Order {esc(order.id)} ended {order.status}: {esc(order.reason or 'no fill')}"


def cancelled_text(order: Order, step: Decimal | None = None) -> str:
    """Return the reply to /cancel (the amount on the step)."""
    return f"Cancelled <code>{esc(order.id)}</code>: {order.side} {amount_text(order.amount, step)} {esc(order.symbol)}"
