"""Symbol reviews: while an LLM decides, each symbol's candle (or a position entering a zone) is put to it whole.

The view is built from the loop's own state (positions, account, the engine's rules, the candles it just
read); what comes back is carried out through the engine like any order intent: entries through the one
entry gate (TradingEngine.plan_entry), then no larger than the LLM's size; exits reduce, which is always
allowed. The risk verdict and the order are written back to the decision log.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Awaitable, Callable, Mapping

from trading.domain.candles import Candles, Timeframe
from trading.domain.decisions import Action, Decision, DecisionRequest
from trading.domain.errors import TradingError
from trading.domain.exit_parts import exit_part
from trading.domain.instruments import Instrument, MarketKind
from trading.domain.positions import Position
from trading.domain.signals import Signal
from trading.engine.entry_pipeline import AccountView, Rejection
from trading.engine.exit_pipeline import AskDecision
from trading.engine.llm_orders import capped_plan, exit_share, idea_signal
from trading.engine.symbol_view import SymbolView, allowed_actions
from trading.engine.trading_engine import TradingEngine
from trading.indicators.regime import Regime, regime_at
from trading.ports import DecisionLog, MarketData
from trading.risk.sizing import trade_leverage
from trading.services import loop_notices as notices
from trading.services.event_bus import EventBus
from trading.services.own_entries import EntryOutcome, OwnEntries
from trading.services.position_sync import PositionSync
from trading.services.signal_source import signal_atr
from trading.strategies.base import MarketView
from trading.strategies.market_analysis import MarketAnalysis
from trading.strategies.market_picture import MarketPicture, market_picture

REGIME_BARS = 300
AccountOf = Callable[[], Awaitable[AccountView]]   # the account as the broker has it now
Picture = Callable[[MarketView], MarketPicture | None]


def batch_picture(view: MarketView) -> MarketPicture | None:
    """Return the market picture of view computed from its candles alone."""
    return market_picture(MarketAnalysis(view))


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    """How symbol reviews are put and carried out."""

    max_size_pct: Decimal = Decimal("30")
    regime_symbol: str = "BTC/USDT"
    quote: str = "USDT"
    base_timeframe: Timeframe = Timeframe.M1


class SymbolReviews:
    """Builds the LLM's view of a symbol and carries out its answer through the engine."""

    def __init__(self, engine: TradingEngine, market: MarketData, sync: PositionSync, events: EventBus,
                 instruments: Mapping[str, Instrument], settings: ReviewSettings,
                 journal: DecisionLog | None = None, picture: Picture = batch_picture,
                 entries: OwnEntries | None = None) -> None:
        """picture: what the strategies see in a view (the loop passes its strategy book's live analysis);
        entries: where entries go (the loop's: at once, or as a card for the owner)."""
        self.engine, self.market, self.sync, self.events = engine, market, sync, events
        self.entries = entries or OwnEntries(sync)
        self.instruments, self.settings, self.journal = instruments, settings, journal
        self.picture = picture
        self._regime: tuple[int, Regime] = (-1, Regime.UNKNOWN)

    async def btc_regime(self, now_ms: int) -> Regime:
        """Return BTC's daily EMA200 regime (fetched once per day; unknown when the feed has no BTC)."""
        day = now_ms // Timeframe.D1.ms
        if self._regime[0] != day:
            try:
                daily = await self.market.candles(self.settings.regime_symbol, Timeframe.D1, REGIME_BARS)
                self._regime = (day, regime_at(daily, now_ms))
            except TradingError:
                self._regime = (day, Regime.UNKNOWN)
        return self._regime[1]

    def request(self, symbol: str, signals: tuple[Signal, ...], ask: AskDecision | None,
                positions: Mapping[str, Position], account: AccountView, marks: Mapping[str, Decimal],
                frames: Mapping[Timeframe, Candles], regime: Regime, now_ms: int,
                zone_candles: Candles | None = None, picture: MarketPicture | None = None) -> DecisionRequest:
        """Return the review request for symbol: the LLM's view, and what the rules read beside it.

        picture: self.picture of the frames, when the caller computed it already (off the event loop).
        """
        position = positions.get(symbol)
        instrument = self.instruments.get(symbol)
        futures = instrument is not None and instrument.kind is MarketKind.PERP
        leverage = self._leverage(symbol)
        allowed = allowed_actions(self.engine.state, self.engine.settings, symbol, position, now_ms,
                                  futures=futures, known_market=instrument is not None, equity=account.equity,
                                  cash=account.cash, max_size_pct=self.settings.max_size_pct, leverage=leverage)
        guard = self.engine.state.positions.get(symbol)
        mark = marks.get(symbol) or (position.entry_price if position is not None else Decimal(0))
        view = SymbolView(symbol, now_ms, mark, frames, allowed, account.equity, account.cash, self.settings.quote,
                          futures, signals, picture or self.picture(MarketView(symbol, frames)), position,
                          guard.stops.stop if guard is not None else None,
                          guard.stops.take_profit if guard is not None else None,
                          ask.zone.value if ask is not None else "", regime)
        newest = signals[-1] if signals else None
        return DecisionRequest(now_ms, signal=newest, position=position, context=ask.message if ask else "",
                               zone=ask.zone if ask is not None else "", candles=zone_candles, view=view)

    async def act(self, request: DecisionRequest, decision: Decision, account_of: AccountOf,
                  marks: Mapping[str, Decimal], now_ms: int) -> bool:
        """Carry out the decision through the engine; return True when an order was sent."""
        if decision.action is Action.ENTER:
            return await self._enter(request, decision, account_of, now_ms)
        if decision.action is Action.EXIT:
            return await self._exit(request, decision, marks, now_ms)
        return False

    async def _enter(self, request: DecisionRequest, decision: Decision, account_of: AccountOf, now_ms: int) -> bool:
        view = request.view
        assert view is not None
        hard_stop = self.engine.settings.protection.hard_stop_pct
        if decision.idea is not None and decision.idea.stop_price is None and hard_stop is None:
            # the settings always set a hard stop (HARD_STOP_PCT > 0); an engine built without one cannot place this
            await self._outcome(decision, "refused: the LLM named no stop and the hard stop is off (set HARD_STOP_PCT)")
            return False
        signal = request.signal if decision.idea is None else idea_signal(     # 0 only goes with the LLM's own stop
            view.symbol, decision, view.mark, now_ms, hard_stop if hard_stop is not None else Decimal(0),
            self.settings.base_timeframe.value, self._leverage(view.symbol))
        if signal is None:
            return False
        account = await account_of()
        plan = self.engine.plan_entry(signal, decision, account, now_ms,
                                      signal_atr(view.frames, signal, self.engine.settings.sizing), view.mark)
        instrument = self.instruments.get(view.symbol)
        if not isinstance(plan, Rejection) and decision.idea is not None and instrument is not None:
            plan = capped_plan(plan, decision, account.equity, instrument)
        if isinstance(plan, Rejection):
            await self.events.emit(notices.entry_skipped(plan, now_ms))
            await self._outcome(decision, f"refused by {plan.rule}: {plan.reason}")
            return False
        outcome = await self.entries.enter(plan, now_ms, view.mark)
        placed = outcome is EntryOutcome.PLACED
        await self._outcome(decision, outcome.verdict(view.symbol), plan.intent.client_order_id if placed else "")
        return placed

    async def _exit(self, request: DecisionRequest, decision: Decision, marks: Mapping[str, Decimal],
                    now_ms: int) -> bool:
        view = request.view
        assert view is not None
        position = view.position
        if position is None:
            await self._outcome(decision, "nothing to reduce: no position")
            return False
        price, share, instrument = marks.get(view.symbol, view.mark), exit_share(decision), \
            self.instruments.get(view.symbol)
        plans = self.engine.exit_on_review(view.symbol, decision, position, price, share, instrument)
        sent = [await self.sync.place_exit(plan, now_ms) for plan in plans]
        order = plans[0].intent.client_order_id if plans and sent[0] else ""
        verdict = "allowed (reducing): order sent" if order else "allowed (reducing), but no exit was sent"
        # the share asked, against the market's minimums: why the whole position went, or nothing did
        part = exit_part(instrument, position.amount * share, position.amount, price) \
            if instrument is not None and share < 1 else None
        await self._outcome(decision, f"{verdict}; {part.why}" if part is not None and part.why else verdict, order)
        return bool(order)

    def _leverage(self, symbol: str) -> int:
        # what the engine sizes a new position in symbol at (trade_leverage): the capped setting, 1 on spot
        instrument = self.instruments.get(symbol)
        return trade_leverage(instrument, self.engine.settings.sizing) if instrument is not None else 1

    async def _outcome(self, decision: Decision, verdict: str, order_id: str = "") -> None:
        if self.journal is not None and decision.ref is not None:
            await self.journal.record_outcome(decision.ref, verdict, order_id)
