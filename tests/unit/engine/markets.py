"""Markets and account builders for the engine and paper-broker tests (Binance's published figures)."""
from __future__ import annotations

from decimal import Decimal

from trading.domain.instruments import Instrument, MarketKind
from trading.domain.orders import OrderIntent, OrderType, Side

SPOT = "BTC/USDT"
PERP = "BTC/USDT:USDT"

# Binance spot BTCUSDT: tick 0.01, step 0.00001, min notional 5, 0.1% maker and taker.
SPOT_BTC = Instrument(SPOT, "BTC", "USDT", MarketKind.SPOT, price_tick=Decimal("0.01"),
                      amount_step=Decimal("0.00001"), min_notional=Decimal("5"),
                      maker_fee=Decimal("0.001"), taker_fee=Decimal("0.001"))

# Binance USDT-M BTCUSDT: tick 0.1, step 0.001, min notional 100, 0.02% maker, 0.05% taker.
PERP_BTC = Instrument(PERP, "BTC", "USDT", MarketKind.PERP, price_tick=Decimal("0.1"),
                      amount_step=Decimal("0.001"), min_amount=Decimal("0.001"), min_notional=Decimal("100"),
                      maker_fee=Decimal("0.0002"), taker_fee=Decimal("0.0005"), max_leverage=125)


def market(symbol: str, side: Side, amount: str, **kw: object) -> OrderIntent:
    """Return a market order intent for amount (base units, as text)."""
    return OrderIntent(symbol, side, OrderType.MARKET, amount=Decimal(amount), **kw)  # type: ignore[arg-type]


def limit(symbol: str, side: Side, amount: str, price: str, **kw: object) -> OrderIntent:
    """Return a limit order intent."""
    return OrderIntent(symbol, side, OrderType.LIMIT, amount=Decimal(amount), price=Decimal(price),
                       **kw)  # type: ignore[arg-type]


def stop(symbol: str, side: Side, amount: str, trigger: str, *, take_profit: bool = False,
         **kw: object) -> OrderIntent:
    """Return a reduce-only stop-market (or take-profit-market) intent."""
    kind = OrderType.TAKE_PROFIT_MARKET if take_profit else OrderType.STOP_MARKET
    return OrderIntent(symbol, side, kind, amount=Decimal(amount), stop_price=Decimal(trigger),
                       reduce_only=True, **kw)  # type: ignore[arg-type]
