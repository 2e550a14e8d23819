"""What the chat reads about decisions: pages of the log, one decision whole, the decision behind an order,
the LLM against the rules, and who decides now."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo
from typing import Sequence, TYPE_CHECKING

from trading.adapters.sqlite_decisions import DecisionJournal
from trading.backtest.decision_score import Score, ScoredDecision, score
from trading.backtest.llm_summary import sources_line
from trading.domain.decision_log import DecisionRecord
from trading.domain.errors import BadSymbol, InvalidInput, TradingError, echoed, typed_whole
from trading.domain.order_ids import order_id_spellings
from trading.domain.symbols import resolve_symbol
from trading.engine.llm_settings import LlmStatus
from trading.ports import Clock, MarketData

if TYPE_CHECKING:   # the openai SDK loads only when an LLM is configured
    from trading.adapters.openai_decider import OpenAIDecider

PAGE_LINES = 10
FETCHED = 300            # records read per page (long runs of HOLD fold into one line)
DAY_MS = 86_400_000
DEFAULT_FEE = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class DecisionLine:
    """One line of /decisions: a decision, or a run of HOLDs folded together (first and last, newest first)."""

    records: tuple[DecisionRecord, ...]

    @property
    def folded(self) -> bool:
        """Return True for a run of more than one HOLD."""
        return len(self.records) > 1

    @property
    def readable(self) -> DecisionRecord | None:
        """Return the newest decision of the line that had a call (its reasoning and prompt can be read)."""
        return next((r for r in self.records if r.called and r.id is not None), None)


@dataclass(frozen=True, slots=True)
class DecisionPage:
    """Up to ten lines of the log, newest first, and where the next (older) page starts."""

    symbol: str
    lines: tuple[DecisionLine, ...]
    older_than: int | None         # the cursor of the next page (None: no older decisions)
    newer_than: int | None         # the first id shown (to page back), None on the first page


@dataclass(frozen=True, slots=True)
class WhyReport:
    """The decision behind an order, or the order's own reason when no decision led to it."""

    asked: str
    decision: DecisionRecord | None
    order_reason: str
    entry_only: bool = False       # no decision sent this order (a stop, a trailing exit): the one behind its entry


@dataclass(frozen=True, slots=True)
class ScoreReport:
    """/llmscore: per symbol and overall, over the last days."""

    days: int
    per_symbol: tuple[tuple[str, Score], ...]
    cost_usd: Decimal
    fee_rate: Decimal


@dataclass(frozen=True, slots=True)
class DecidingReport:
    """Who decides now and today's LLM use, for /status."""

    llm: LlmStatus | None          # None: no LLM configured, the rules decide
    sources_today: dict[str, int]

    def lines(self) -> list[str]:
        """Return who decides now, today's LLM calls and cost, and today's decisions by source, as plain lines."""
        if self.llm is None:
            out = ["Decides: the rules (no LLM configured: set OPENAI_API_KEY or OPENAI_BASE_URL)"]
        else:
            s = self.llm
            out = [f"Decides: {s.deciding}",
                   f"LLM today: {s.calls_today} calls, {s.tokens_today:,} tokens, {s.cost_today:.4f} USD; "
                   f"structured output: {s.reply_format}"]
        if self.sources_today:
            out.append(sources_line(self.sources_today).replace("Decisions:", "Decisions today:"))
        return out


class DecisionsService:
    """Reads the decision log for the chat; changes nothing."""

    def __init__(self, journal: DecisionJournal, clock: Clock, market: MarketData, symbols: Sequence[str],
                 llm: OpenAIDecider | None = None, timezone: str = "UTC") -> None:
        self.journal, self.clock, self.market = journal, clock, market
        self.symbols, self.llm, self.timezone = tuple(symbols), llm, timezone

    def set_symbols(self, symbols: Sequence[str]) -> None:
        """Follow a new symbol universe (names typed in /decisions resolve against it)."""
        self.symbols = tuple(dict.fromkeys([*self.symbols, *symbols]))

    async def page(self, symbol_text: str = "", older_than: int | None = None) -> DecisionPage:
        """Return a page of decisions (of one symbol when given), HOLD runs folded."""
        symbol = self.symbol(symbol_text, "/decisions [SYMBOL]") if symbol_text.strip() else ""
        records = await self.journal.page(symbol or None, older_than, FETCHED)
        lines = fold_holds(records)[:PAGE_LINES]
        shown = [r for line in lines for r in line.records]
        more = len(shown) < len(records) or len(records) == FETCHED
        return DecisionPage(symbol, tuple(lines), shown[-1].id if shown and more else None,
                            shown[0].id if shown and older_than is not None else None)

    async def decision(self, ref: int) -> DecisionRecord:
        """Return one decision whole, or raise InvalidInput."""
        record = await self.journal.get(ref)
        if record is None:
            raise InvalidInput(f"There is no decision #{ref}. /decisions lists them.")
        return record

    async def why(self, text: str) -> WhyReport:
        """Return the decision behind an order (its venue id or client id) or a decision number."""
        asked = text.strip().lstrip("#")
        if not asked:
            raise InvalidInput("Usage: /why ORDER_ID (from /orders or /trades), e.g. /why P-12")
        if (number := typed_whole(asked)) is not None:
            record = await self.journal.get(number)
            if record is not None:
                return WhyReport(asked, record, "")
        client_id, reason = None, ""
        for spelling in order_id_spellings(asked):      # ids are shown "P-12"; "p-12" names the same order
            client_id, reason = await self.journal.order_of(spelling)
            if client_id is not None:
                break
        if client_id is None:
            raise InvalidInput(f"No order or decision {asked!r} is known. Use an id from /orders or /trades.")
        sent = await self.journal.for_order(client_id)
        if sent is not None:
            return WhyReport(asked, sent, reason)
        return WhyReport(asked, await self.journal.for_entry_of(client_id), reason, entry_only=True)

    async def score(self, days_text: str = "") -> ScoreReport:
        """Return the LLM against the rules over the last days (7 by default)."""
        days = _days(days_text)
        records = await self.journal.since(self.clock.now_ms() - days * DAY_MS)
        per_symbol = []
        for symbol in sorted({r.symbol for r in records}):
            mine = [r for r in records if r.symbol == symbol and r.mark is not None]
            last = await self._last(symbol, mine)
            scored = [ScoredDecision(r.mark, r.action, r.shadow_action, r.called) for r in mine]  # type: ignore[arg-type]
            per_symbol.append((symbol, score(scored, last, DEFAULT_FEE)))
        return ScoreReport(days, tuple(per_symbol), sum((r.cost_usd for r in records), Decimal(0)), DEFAULT_FEE)

    async def deciding(self) -> DecidingReport:
        """Return who decides now and today's decisions by source."""
        now = self.clock.now_ms()
        local = datetime.fromtimestamp(now / 1000, ZoneInfo(self.timezone))
        day_start = int(local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp() * 1000)
        status = await self.llm.current_status(now) if self.llm is not None else None
        return DecidingReport(status, await self.journal.source_counts(day_start))

    def symbol(self, text: str, usage: str) -> str:
        """Return the configured symbol the user meant, or raise InvalidInput with the usage."""
        try:
            return resolve_symbol(text, list(self.symbols))
        except BadSymbol as exc:
            raise InvalidInput(f"{exc} Usage: {usage}") from None

    async def _last(self, symbol: str, records: list[DecisionRecord]) -> Decimal:
        try:
            return (await self.market.ticker(symbol)).last
        except TradingError:
            return records[-1].mark if records and records[-1].mark is not None else Decimal(0)


def fold_holds(records: Sequence[DecisionRecord]) -> list[DecisionLine]:
    """Return the records (newest first) as lines, each run of consecutive HOLDs (any symbol) folded into one."""
    lines: list[list[DecisionRecord]] = []
    for record in records:
        last = lines[-1] if lines else None
        if last is not None and record.action == "HOLD" and last[-1].action == "HOLD":
            last.append(record)
        else:
            lines.append([record])
    return [DecisionLine(tuple(line)) for line in lines]


def _days(text: str) -> int:
    text = text.strip().lower().removesuffix("d")
    if not text:
        return 7
    days = typed_whole(text)
    if days is None or not 1 <= days <= 365:
        raise InvalidInput(f"{echoed(text)} is not a number of days from 1 to 365. Usage: /llmscore [days], "
                           f"e.g. /llmscore 7")
    return days
