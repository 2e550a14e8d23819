"""The orders of a backtest's position through the paper broker: its entry filled, its exits, funding, equity marks.

TradeExecution holds what a simulated position leaves behind (the trades, the equity curve, the refusals and
the limits' breaches) and turns the engine's plans into orders at the prices the walk (simulation.py) gives:
an entry at the open of the bar after its signal, an exit at the level the engine says fired, funding at its
times, a forced exit when a daily loss limit closes positions.
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

import numpy as np

from trading.backtest.config import BacktestConfig, paper_broker
from trading.backtest.history import MarketHistory
from trading.backtest.limit_watch import limits_inert
from trading.backtest.trade_log import EquityTrack, OpenTrade
from trading.backtest.trades import ClosedTrade
from trading.domain.errors import RejectedError
from trading.domain.orders import Order
from trading.domain.positions import Position
from trading.domain.signals import Signal
from trading.engine.account import AccountSummary
from trading.engine.entry_pipeline import EntryPlan
from trading.engine.exit_pipeline import ExitPlan, ForcedExit
from trading.engine.funding import FUNDING_INTERVAL_MS, funding_times_between
from trading.engine.trading_engine import TradingEngine

END_OF_DATA = "end_of_data"
LIQUIDATION = "liquidation"          # the only way funding can close a position


def price_from(value: float) -> Decimal:
    """Return a float price as the Decimal it prints as."""
    return Decimal(repr(float(value)))


def price_at(values: np.ndarray, k: int) -> Decimal:
    """Return values[k] as the Decimal it prints as."""
    # item() gives the Python float without a numpy scalar in between: 0.5 us, not 0.9, nine times a trade
    return Decimal(repr(values.item(k)))


class TradeExecution:
    """The position of one strategy over bars [first, end) of a history, traded through the paper broker."""

    def __init__(self, history: MarketHistory, config: BacktestConfig, first: int, end: int) -> None:
        self.history, self.config = history, config
        self.symbol, self.bars, self.step = history.symbol, history.candles, history.timeframe.ms
        self.first, self.end = first, end
        self.engine = TradingEngine(config.engine)
        self.broker = paper_broker(config)
        self.equity = EquityTrack(first, config.starting_balance)
        self.trades: list[ClosedTrade] = []
        self.entered: list[Signal] = []      # the signals that opened a position, in order
        self.rejections: Counter[str] = Counter()
        self.breaches: Counter[str] = Counter()
        self.cursor = first
        self._open: OpenTrade | None = None
        self._funded_ms = 0
        self._limits_inert = limits_inert(config.engine.limits, futures=config.futures)

    # ---- entries --------------------------------------------------------------------------------

    def _enter(self, plan: EntryPlan, ts: int, mark: Decimal, fill: int, equity_before: Decimal) -> None:
        self.broker.on_price(self.symbol, ts, mark)
        try:
            order = self.broker.submit(plan.intent)
        except RejectedError:
            self.rejections["broker"] += 1
            return
        self.engine.on_entry_placed(plan, ts)
        open_ms = int(self.bars.open_ms[fill])
        self.broker.on_price(self.symbol, open_ms, price_at(self.bars.open, fill), price_at(self.bars.volume, fill))
        filled = self.broker.exchange.order(order.id)
        position = self._position()
        if position is None or filled is None or filled.filled == 0:
            self.engine.on_entry_ended(plan.intent.client_order_id)
            self.rejections["broker"] += 1
            return
        guard = self.engine.on_position_opened(position, open_ms, plan.intent.client_order_id)
        self.entered.append(plan.signal)
        self._open = OpenTrade(position.side, open_ms, position.entry_price, position.amount, equity_before,
                               guard.initial_risk, plan.signal.strategy, fees=filled.fee, entry_fee=filled.fee)
        self._funded_ms, self.cursor = open_ms, fill
        self._record(fill)

    # ---- exits ----------------------------------------------------------------------------------

    def _exit_on_signal(self, signal: Signal, fill: int) -> None:
        """Close the position its strategy's exit signal names, at the open of the bar after the signal."""
        position = self._position()
        if position is None or self._open is None:
            return
        open_ms, price = int(self.bars.open_ms[fill]), price_at(self.bars.open, fill)
        for plan in self.engine.exit_on_signal(signal, position):
            self._exit(plan, open_ms, price, price_at(self.bars.volume, fill))
        if self._open is None:
            self._record(fill)

    def _exit(self, plan: ExitPlan, ts: int, price: Decimal, volume: Decimal | None) -> None:
        try:
            order = self.broker.submit(plan.intent)
        except RejectedError:
            self.engine.on_exit_settled(self.symbol)
            return
        self.broker.on_price(self.symbol, ts, price, volume)
        done = self.broker.exchange.order(order.id)
        if self._open is not None and done is not None:
            self._open.fees += done.fee
            if done.filled > 0 and done.avg_price is not None:
                self._open.exit_leg(plan.reason, done.filled, done.avg_price, done.fee)
        self._sync(ts, done, price, plan.reason)

    def _sync(self, ts: int, exit_order: Order | None, mark: Decimal, reason: str) -> None:
        """Tell the engine what the broker did: the position's new figures, or its close."""
        if self._open is None:
            return
        position = self._position()
        if position is not None:
            self.engine.on_position_seen(position)
            self.engine.on_exit_settled(self.symbol)
            return
        self.engine.on_position_closed(self.symbol, ts, exit_order, mark)
        self.trades.append(self._open.closed(self.symbol, ts, self.broker.equity({self.symbol: mark}), reason))
        self._open = None

    def _close_at_end(self) -> None:
        last = self.end - 1
        position = self._position()
        if position is not None and self._open is not None:
            mark, ts = price_at(self.bars.close, last), int(self.bars.open_ms[last]) + self.step
            for plan in self.engine.flatten({self.symbol: position}, END_OF_DATA, "end of the backtest",
                                            {self.symbol: mark}):
                self._exit(plan, ts, mark, None)
        self._record(last)

    # ---- account, funding, limits ---------------------------------------------------------------

    def _position(self) -> Position | None:
        return self.broker.exchange.account.position(self.symbol)

    def _record(self, k: int) -> None:
        close = self.bars.close.item(k)
        position = self._position()
        held = float(position.amount) * position.side.sign if position is not None else 0.0
        self.equity.record(k, self.broker.equity({self.symbol: price_from(close)}), held, close)

    def _mark(self, k: int) -> None:
        self._mark_equity(int(self.bars.open_ms[k]) + self.step, price_at(self.bars.close, k))
        self._record(k)

    def _mark_equity(self, ts: int, mark: Decimal) -> AccountSummary | None:
        """Feed the limits the account's equity; a daily loss that closes positions closes ours at mark.

        Return the account summary marked, still the account's while no position was closed (else None).
        """
        marked = self.broker.summary({self.symbol: mark})
        if self._limits_inert:        # no mark can reach a limit (limits_inert)
            return marked
        summary: AccountSummary | None = marked
        for breach in self.engine.mark_equity(marked.equity, ts):
            self.breaches[str(breach.rule)] += 1
            position = self._position()
            if breach.close_positions and position is not None:
                for plan in self.engine.flatten({self.symbol: position}, ForcedExit.DAILY_LOSS, breach.reason,
                                                {self.symbol: mark}):
                    self._exit(plan, ts, mark, None)
                    summary = None
        return summary

    def _funding_bar(self) -> int:
        if not self.config.futures:
            return len(self.bars)
        due = (self._funded_ms // FUNDING_INTERVAL_MS + 1) * FUNDING_INTERVAL_MS
        return int(self.bars.open_ms.searchsorted(due, side="left"))

    def _fund_until(self, ts: int, mark: Decimal) -> None:
        if not self.config.futures or self._open is None:
            return
        rates = self.history.funding
        for when in funding_times_between(self._funded_ms, ts):
            rate = rates.rate_at(when, self.config.funding_rate) if rates else self.config.funding_rate
            paid = self.broker.on_funding(self.symbol, when, rate, mark)
            self._funded_ms = when
            if paid is not None and self._open is not None:
                self._open.funding += paid
            self._sync(when, None, mark, LIQUIDATION)
            if self._open is None:
                return
