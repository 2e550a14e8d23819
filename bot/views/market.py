"""Rendering of market data."""
from __future__ import annotations

from bot.views import esc, money, price
from trading.domain.errors import echoed, shortened
from trading.domain.figures import signed
from trading.domain.instruments import Instrument
from trading.domain.market import Ticker


def ticker_text(ticker: Ticker) -> str:
    """Return the /price message."""
    lines = [f"<b>{esc(ticker.symbol)}</b>  {price(ticker.last)}"]
    if ticker.change_24h_pct is not None:
        arrow = "▲" if ticker.change_24h_pct >= 0 else "▼"
        lines.append(f"24h: {arrow} {signed(ticker.change_24h_pct, 2, '%')}")
    if ticker.quote_volume_24h is not None:
        quote = ticker.symbol.split("/")[1].split(":")[0]
        lines.append(f"24h volume: {money(ticker.quote_volume_24h, 0)} {esc(quote)}")
    spread = ticker.spread_bps
    if spread is not None:
        lines.append(f"Bid/ask: {price(ticker.bid)} / {price(ticker.ask)} (spread {spread:.1f} bps)")
    else:
        lines.append("Spread: n/a (no order book in this feed)")
    if ticker.funding_rate is not None:
        lines.append(f"Funding: {signed(ticker.funding_rate * 100, 4, '%')} per 8h")
    return "\n".join(lines)


MARKETS_SHOWN = 25


def markets_text(markets: list[Instrument], typed: str) -> str:
    """Return the /markets list: symbol, kind, tick, minimum order value."""
    if not markets:
        return f"No market matches {esc(echoed(typed))}. Try /markets BTC or /markets USDT."
    matching = f" matching {esc(shortened(typed))}" if typed else ""
    lines = [f"<b>{len(markets)} market{'s' * (len(markets) != 1)}</b>{matching}"]
    lines += [f"{esc(m.symbol)} · {m.kind} · tick {m.price_tick.normalize():f} · min {money(m.min_notional)} "
              f"{esc(m.quote)}" for m in markets[:MARKETS_SHOWN]]
    if len(markets) > MARKETS_SHOWN:
        lines.append(f"…and {len(markets) - MARKETS_SHOWN} more; narrow it down, e.g. /markets {esc(markets[0].base)}")
    return "\n".join(lines)
