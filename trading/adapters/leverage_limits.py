"""The exchange's leverage maximum per perpetual, loaded once at start (ccxt's markets list none for Binance's).

Binance answers GET /fapi/v1/leverageBracket (signed, weight 1) with every perpetual's brackets; the first one's
initialLeverage is the most a position may use. Without it a perpetual's maximum stays unknown (max_leverage 1):
the sizing caps the leverage by MAX_LEVERAGE alone and the exchange refuses beyond its own, and says so.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Mapping

from trading.adapters.ccxt_instruments import to_decimal
from trading.adapters.exchange_account import ExchangeAccount
from trading.domain.errors import TradingError
from trading.domain.instruments import Instrument, MarketKind
from trading.logs import get_logger

log = get_logger(__name__)


async def leverage_maxima(account: ExchangeAccount) -> dict[str, int]:
    """Return the most leverage each perpetual allows, by unified symbol; {} (logged) when it cannot be read."""
    exchange = account.exchange
    if not account.futures or not (getattr(exchange, "has", {}) or {}).get("fetchLeverageTiers"):
        return {}
    try:
        tiers = await account.call("fetch_leverage_tiers",
                                   lambda: exchange.fetch_leverage_tiers(None, {"type": "swap"}))
    except TradingError as exc:       # never stops the start: the exchange still refuses beyond its maximum
        log.warning("could not load the exchange's leverage maxima; MAX_LEVERAGE alone caps the leverage",
                    error=str(exc))
        return {}
    return maxima_from_tiers(tiers)


def maxima_from_tiers(tiers: Mapping[str, Any]) -> dict[str, int]:
    """Return the largest maxLeverage of each symbol's ccxt leverage tiers (those listing one above 1x)."""
    found: dict[str, int] = {}
    for symbol, rows in (tiers or {}).items():
        listed = [to_decimal(row.get("maxLeverage")) for row in rows or () if isinstance(row, Mapping)]
        best = max((v for v in listed if v is not None), default=Decimal(0))
        if best > 1:
            found[str(symbol)] = int(best)
    return found


def with_leverage_maxima(instruments: Mapping[str, Instrument], maxima: Mapping[str, int]) -> dict[str, Instrument]:
    """Return instruments with each perpetual's max_leverage set from maxima where it is listed."""
    return {symbol: replace(i, max_leverage=maxima[symbol])
            if i.kind is MarketKind.PERP and symbol in maxima else i for symbol, i in instruments.items()}
