"""Entries and exits as chart markers: from a backtest's closed trades, or from the account's fills."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Sequence

from trading.backtest.trades import ClosedTrade
from trading.domain.orders import Side
from trading.domain.positions import PositionSide
from trading.reports.overlays import MarkerAction, TradeMarker

ZERO = Decimal(0)


def closed_trade_markers(trades: Iterable[ClosedTrade]) -> list[TradeMarker]:
    """Return an entry and an exit marker per trade."""
    markers = []
    for t in trades:
        markers.append(TradeMarker(t.entry_ms, t.entry_price, t.side, MarkerAction.ENTRY))
        markers.append(TradeMarker(t.exit_ms, t.exit_price, t.side, MarkerAction.EXIT))
    return markers


def fill_markers(fills: Sequence[tuple[int, Side, Decimal, Decimal]]) -> list[TradeMarker]:
    """Return markers for (ts_ms, side, amount, price) fills of one symbol, oldest first.

    A fill that opens or adds to the net position is an entry of that position's side; one that
    reduces it is an exit (a fill that flips the position counts as an exit).
    """
    markers, net = [], ZERO
    for ts_ms, side, amount, price in fills:
        signed = amount if side is Side.BUY else -amount
        if net == 0 or (net > 0) == (signed > 0):
            held = PositionSide.LONG if signed > 0 else PositionSide.SHORT
            markers.append(TradeMarker(ts_ms, price, held, MarkerAction.ENTRY))
        else:
            held = PositionSide.LONG if net > 0 else PositionSide.SHORT
            markers.append(TradeMarker(ts_ms, price, held, MarkerAction.EXIT))
        net += signed
    return markers
