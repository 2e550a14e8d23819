"""Backtests from the chat: parse the request, load the candles, run the job in the worker, store the run."""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Awaitable, Callable, Mapping

from trading.adapters.candle_backfill import CandleCache
from trading.adapters.sqlite_backtests import BacktestArchive, StoredBacktest
from trading.adapters.sqlite_sweeps import StoredSweep, SweepArchive
from trading.backtest.config import BacktestConfig
from trading.backtest.evaluation_report import out_of_sample_metrics
from trading.backtest.history import iso_day
from trading.backtest.jobs import BacktestJob, OptimisationOutcome, run_evaluation_job, run_optimisation_job
from trading.backtest.search_region import RegionAdvisor
from trading.backtest.metrics import DAY_MS
from trading.backtest.periods import PeriodWithoutData, parse_period
from trading.backtest.strategy_specs import spec_named
from trading.backtest.worker import BacktestWorker
from trading.domain.errors import BadSymbol, ConfigurationError, InvalidInput
from trading.domain.symbols import resolve_symbol
from trading.engine.engine_state import EngineSettings
from trading.engine.rules_decider import RulesSettings
from trading.ports import Clock, MarketData
from trading.services.backtest_data import history_from_store

USAGE = "Usage: /backtest STRATEGY SYMBOL [PERIOD], e.g. /backtest A BTC/USDT 30d or /backtest trend ETH/USDT " \
        "2025-06-01..2025-07-31"
EVALUATE_USAGE = "Usage: /evaluate STRATEGY SYMBOL [PERIOD], e.g. /evaluate A BTC/USDT 90d (at least 9 days: " \
                 "walk-forward folds, out of sample only)"
OPTIMIZE_USAGE = "Usage: /optimize STRATEGY [SYMBOL] [PERIOD], e.g. /optimize C or /optimize A ETH/USDT 60d"
DEFAULT_PERIOD = "30d"
MIN_EVALUATION_DAYS = 9
EVALUATION_PERIOD = "90d"
EVALUATION_RUNS = 100          # random-entry runs of a chat evaluation: enough for its percentiles, quick
PROGRESS_EVERY_S = 1.0          # Telegram allows about one edit a second per chat
Progress = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class BacktestRequest:
    """A checked /backtest: which strategy, market and period."""

    strategy: str
    symbol: str
    start_ms: int
    end_ms: int
    period: str


@dataclass(frozen=True, slots=True)
class BacktestReport:
    """A finished chat backtest: the text to show, the report chart, and its stored run."""

    request: BacktestRequest
    run: StoredBacktest
    text: str
    chart: bytes | None
    seconds: float


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """A finished chat evaluation: the report text, its chart and the stored out-of-sample run."""

    request: BacktestRequest
    run: StoredBacktest
    text: str
    chart: bytes | None
    seconds: float


class BacktestService:
    """Runs backtests off the event loop and keeps their results."""

    def __init__(self, market: MarketData, cache: CandleCache | None, archive: BacktestArchive, clock: Clock, *,
                 starting_balance: Decimal, engine: EngineSettings = EngineSettings(),
                 rules: RulesSettings = RulesSettings(), theme: str = "dark", worker: BacktestWorker | None = None,
                 advisor: RegionAdvisor | None = None, sweeps: SweepArchive | None = None) -> None:
        self._market, self._cache, self._archive, self._clock = market, cache, archive, clock
        self._balance, self._engine, self._rules, self._theme = starting_balance, engine, rules, theme
        self._advisor = advisor          # the LLM naming /optimize's second-round region, when it is on
        self._sweeps = sweeps            # where /optimize's trials are kept, beside the CLI's sweeps
        self.worker = worker or BacktestWorker()
        self._ids = itertools.count(1)
        # the strategy's tuned parameters (trading/services/strategy_parameters.py): what /optimize must beat
        self.current_params: Callable[[str], Mapping[str, float]] = lambda strategy: {}

    async def request(self, strategy: str, symbol: str, period: str = "", usage: str = USAGE) -> BacktestRequest:
        """Return the checked request, or raise InvalidInput saying what to type."""
        try:
            name = spec_named(strategy).name
            known = resolve_symbol(symbol, list(await self._market.instruments()))
            start, end = parse_period(period or DEFAULT_PERIOD, self._clock.now_ms())
        except (ValueError, BadSymbol) as exc:
            text = str(exc).rstrip(".")
            raise InvalidInput(f"{text[:1].upper()}{text[1:]}. {usage}") from None
        return BacktestRequest(name, known, start, end, period or DEFAULT_PERIOD)

    async def run(self, request: BacktestRequest, progress: Progress) -> BacktestReport:
        """Load the candles, run the backtest in the worker process (reporting progress), store and return it."""
        started = time.monotonic()
        await progress("loading candles")
        job, _ = await self._job(request, "backtest")
        # the strategy as it runs now: parameters tuned with /params or an applied proposal included
        job = replace(job, monte_carlo=True, chart=True, params=self._tuned(request.strategy))
        outcome = await self.worker.run(job, _Throttled(progress).note)
        r = outcome.result
        stored = StoredBacktest(self._clock.now_ms(), r.strategy, r.symbol, r.timeframe.value, outcome.source,
                                r.metrics, r.params)
        stored = replace(stored, id=await self._archive.save(stored))
        return BacktestReport(request, stored, outcome.text, outcome.chart, time.monotonic() - started)

    async def evaluation_request(self, strategy: str, symbol: str, period: str = "",
                                 usage: str = EVALUATE_USAGE) -> BacktestRequest:
        """Return the checked /evaluate request (90 days by default), or raise InvalidInput saying what to type."""
        request = await self.request(strategy, symbol, period or EVALUATION_PERIOD, usage=usage)
        days = (request.end_ms - request.start_ms) // DAY_MS
        if days < MIN_EVALUATION_DAYS:
            raise InvalidInput(f"An evaluation needs at least {MIN_EVALUATION_DAYS} days; {request.period} is "
                               f"{days}. {usage}")
        return request

    async def evaluate(self, request: BacktestRequest, progress: Progress) -> EvaluationReport:
        """Evaluate the strategy out of sample over the period in the worker process; store and return it."""
        started = time.monotonic()
        await progress("loading candles")
        job, window = await self._job(request, "evaluate")
        out_days = _out_of_sample_days(job, window, request, "evaluate")
        job = replace(job, in_days=3 * out_days, out_days=out_days, baseline_runs=EVALUATION_RUNS, chart=True)
        try:
            outcome = await self.worker.run(job, _Throttled(progress).note, task=run_evaluation_job)
        except ValueError as exc:                     # the strategy cannot trade what the period holds
            raise InvalidInput(str(exc)) from None
        metrics = out_of_sample_metrics(outcome.evaluation, float(self._balance))
        stored = StoredBacktest(self._clock.now_ms(), request.strategy, request.symbol,
                                job.history.timeframe.value, f"evaluate, out of sample ({outcome.source})", metrics)
        stored = replace(stored, id=await self._archive.save(stored))
        return EvaluationReport(request, stored, outcome.text, outcome.chart, time.monotonic() - started)

    async def optimisation_request(self, strategy: str, symbol: str = "", period: str = "") -> BacktestRequest:
        """Return the checked /optimize request (the first market and 90 days by default)."""
        markets = list(await self._market.instruments())
        return await self.evaluation_request(strategy, symbol or (markets[0] if markets else ""), period,
                                             usage=OPTIMIZE_USAGE)

    async def optimise(self, request: BacktestRequest, progress: Progress) -> OptimisationOutcome:
        """Sweep the strategy's small grid beside its current parameters in the worker; return the proposal."""
        await progress("loading candles")
        job, window = await self._job(request, "optimize")
        out_days = _out_of_sample_days(job, window, request, "optimize")
        job = replace(job, in_days=3 * out_days, out_days=out_days, params=self._tuned(request.strategy),
                      advisor=self._advisor)
        try:
            outcome = await self.worker.run(job, _Throttled(progress).note, task=run_optimisation_job)
        except ValueError as exc:                     # too little data for one fold
            raise InvalidInput(str(exc)) from None
        if self._sweeps is None or outcome.summary is None:
            return outcome
        stored = StoredSweep(self._clock.now_ms(), outcome.summary, top=3, seconds=outcome.seconds,
                             ran_on="the bot's backtest worker")
        sweep_id = await self._sweeps.save(stored)
        kept = f"Every trial is stored as sweep #{sweep_id}: /sweeps {sweep_id}"
        return replace(outcome, text=f"{outcome.text}\n\n{kept}")

    def _tuned(self, strategy: str) -> tuple[tuple[str, float], ...]:
        return tuple(sorted(self.current_params(strategy).items()))

    async def recent(self, limit: int = 10) -> list[StoredBacktest]:
        """Return the newest stored runs, newest first."""
        return await self._archive.recent(limit)

    async def _job(self, request: BacktestRequest, command: str) -> tuple[BacktestJob, tuple[int, int]]:
        """Return the job over the request's candles (loaded from the cache or the exchange), and its bars' window."""
        try:
            loaded = await history_from_store(request.symbol, request.strategy, None, request.start_ms,
                                              request.end_ms, self._clock.now_ms(), cache=self._cache,
                                              market=self._market, exchange=self._market.source)
            window = loaded.history.window(request.start_ms, request.end_ms)  # a period without bars: say what exists
        except ConfigurationError as exc:
            raise InvalidInput(str(exc)) from None
        except PeriodWithoutData as exc:
            raise InvalidInput(_without_data(request, exc, command)) from None
        instrument = (await self._market.instruments())[request.symbol]
        config = BacktestConfig(instrument, self._balance, self._engine, self._rules)
        job = BacktestJob(f"chat-{next(self._ids)}", request.strategy, loaded.history, config, loaded.source,
                          request.start_ms, request.end_ms, theme=self._theme)
        return job, window

    def close(self) -> None:
        """Stop the worker process."""
        self.worker.close()


def _out_of_sample_days(job: BacktestJob, window: tuple[int, int], request: BacktestRequest, command: str) -> int:
    """Return the out-of-sample part of each fold: a ninth of the days the candles cover within the period, so
    folds of 3 parts in-sample to 1 out of sample, rolling by that part, give 6 folds or more."""
    first, end = window
    days = (end - first) * job.history.timeframe.ms // DAY_MS
    if days < MIN_EVALUATION_DAYS:     # the period was long enough, the candles in it are not
        opened = job.history.candles.open_ms
        held = f"{iso_day(int(opened[first]))}..{iso_day(int(opened[end - 1]))}"
        raise InvalidInput(f"Candles of {request.symbol} cover only {days} days of {request.period} ({held}); "
                           f"/{command} needs at least {MIN_EVALUATION_DAYS}. Try /backtest {request.strategy} "
                           f"{request.symbol} {held}")
    return days // 9


def _without_data(request: BacktestRequest, exc: PeriodWithoutData, command: str = "backtest") -> str:
    """Return the reply to a period with no candles: which period exists, and the command that runs on it."""
    text = f"{str(exc)[:1].upper()}{str(exc)[1:]}."
    if exc.covered is None:
        return text
    return f"{text} Try /{command} {request.strategy} {request.symbol} {exc.covered[0]}..{exc.covered[1]}"


class _Throttled:
    """Passes progress on at most once a PROGRESS_EVERY_S, the stage and a percentage in words."""

    def __init__(self, progress: Progress) -> None:
        self._progress, self._last = progress, 0.0

    async def note(self, stage: str, fraction: float) -> None:
        """Pass the stage on, unless one went by less than PROGRESS_EVERY_S ago."""
        now = time.monotonic()
        if now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        await self._progress(f"{stage} {fraction:.0%}" if fraction > 0 else stage)
