"""The divergence fill by fill: each actual fill against the simulated price of the same leg, and each trade's PnL.

A matched trade lists the account's fills (entries, then exits, partial ones each on its own line) beside the
simulated entry or exit price, with the slippage the backtest did not see in basis points (positive: the account
did worse). A trade only the account took has no simulated prices; one only the backtest took, no actual ones.
The table is plain text about 36 characters wide, so it reads on a phone in a monospaced block.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from trading.backtest.divergence import ActualFill, ActualTrade, Divergence, TradePair, gap_bps
from trading.backtest.trades import ClosedTrade


@dataclass(frozen=True, slots=True)
class FillLine:
    """One fill: actual and simulated price (None where that side has none) and the slippage between them."""

    entry: bool
    actual: Decimal | None
    simulated: Decimal | None
    slippage_bps: Decimal | None


@dataclass(frozen=True, slots=True)
class TradeFills:
    """One trade of the report: where it was taken (by both, the account only or the backtest only) and its fills."""

    symbol: str
    side: str
    opened_ms: int
    taken_by: str                 # "both", "account only", "backtest only"
    lines: tuple[FillLine, ...]
    actual_pnl: Decimal | None
    simulated_pnl: Decimal | None


def fill_table(report: Divergence) -> list[TradeFills]:
    """Return every trade of the report with its fills, oldest first."""
    trades = [_paired(p) for p in report.pairs] + [_account_only(t) for t in report.only_actual]
    trades += [_backtest_only(t) for t in report.only_simulated]
    return sorted(trades, key=lambda t: t.opened_ms)


def _fills(trade: ActualTrade) -> tuple[ActualFill, ...]:
    return trade.fills or (ActualFill(trade.opened_ms, True, Decimal(0), trade.entry_price),)


def _paired(pair: TradePair) -> TradeFills:
    actual, simulated = pair.actual, pair.simulated
    lines = []
    for fill in _fills(actual):
        twin = simulated.entry_price if fill.entry else simulated.exit_price
        lines.append(FillLine(fill.entry, fill.price, twin, gap_bps(actual.side, fill.entry, fill.price, twin)))
    if all(line.entry for line in lines):          # the ledger kept no exit fill: show the simulated one alone
        lines.append(FillLine(False, None, simulated.exit_price, None))
    return TradeFills(actual.symbol, actual.side, actual.opened_ms, "both", tuple(lines), actual.pnl, simulated.pnl)


def _account_only(trade: ActualTrade) -> TradeFills:
    lines = tuple(FillLine(f.entry, f.price, None, None) for f in _fills(trade))
    return TradeFills(trade.symbol, trade.side, trade.opened_ms, "account only", lines, trade.pnl, None)


def _backtest_only(trade: ClosedTrade) -> TradeFills:
    lines = (FillLine(True, None, trade.entry_price, None), FillLine(False, None, trade.exit_price, None))
    return TradeFills(trade.symbol, str(trade.side), trade.entry_ms, "backtest only", lines, None, trade.pnl)


def fills_text(trades: list[TradeFills]) -> str:
    """Return the trades' fills as a narrow monospaced table (one block per trade)."""
    blocks = []
    for t in trades:
        head = f"{_when(t.opened_ms)} {t.side} {t.symbol} ({t.taken_by})"
        rows = [f"{'':4}{'actual':>11}{'backtest':>11}{'bps':>7}"]
        rows += [f"{'in' if x.entry else 'out':<4}{_price(x.actual):>11}{_price(x.simulated):>11}"
                 f"{_bps(x.slippage_bps):>7}" for x in t.lines]
        rows.append(f"{'PnL':<4}{_money(t.actual_pnl):>11}{_money(t.simulated_pnl):>11}")
        blocks.append("\n".join([head, *rows]))
    return "\n\n".join(blocks)


def _when(ms: int) -> str:
    return str(np.datetime64(int(ms), "ms"))[5:16].replace("T", " ")


def _price(value: Decimal | None) -> str:
    if value is None:
        return "-"
    places = 2 if abs(value) >= 100 else 4 if abs(value) >= 1 else 6
    return f"{value:,.{places}f}"


def _money(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:+,.2f}"


def _bps(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:+.1f}"
