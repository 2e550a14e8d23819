"""`trading-assistant backtest --decider llm`: the LLM decides on replayed candles; replies cached for reruns.

The candles come from --data (a 1m CSV) or, without it, the bundled sample of the symbol. Without --from and
--to the last two days of the data are replayed (every call costs money on a paid model).
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from trading.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from trading.settings import Settings

DEFAULT_DAYS = 2
DAY_MS = 86_400_000


async def run_llm_backtest(args: argparse.Namespace, settings: Settings) -> str:
    """Run the LLM backtest (or only move the reply cache in or out); return what to print."""
    from trading.adapters.clocks import WallClock
    from trading.adapters.sqlite_decisions import DecisionJournal
    from trading.adapters.sqlite_store import SqliteStore
    from trading.logs import configure_logging

    # the replayed loop narrates every step at INFO; only warnings reach the terminal, with the key redacted
    configure_logging(None, "WARNING", secrets=[settings.openai_api_key.get_secret_value()])
    store = SqliteStore(settings.data_dir / "trading.sqlite", WallClock())
    await store.open()
    lines: list[str] = []
    try:
        journal = DecisionJournal(store)
        if args.import_llm_cache is not None:
            if not args.import_llm_cache.exists():
                raise ConfigurationError(f"no such cache file: {args.import_llm_cache}")
            lines.append(f"Imported {await journal.import_cache(args.import_llm_cache)} cached replies.")
        if args.decider == "llm":
            lines.append(await _backtest(args, settings, store))
        if args.export_llm_cache is not None:
            lines.append(f"Exported {await journal.export_cache(args.export_llm_cache)} cached replies to "
                         f"{args.export_llm_cache}.")
    finally:
        await store.close()
    return "\n\n".join(lines)


async def _backtest(args: argparse.Namespace, settings: Settings, store: object) -> str:
    from trading.adapters.clocks import WallClock
    from trading.adapters.openai_client import LlmClient
    from trading.adapters.replay_market_data import replay_instrument
    from trading.services.engine_settings import engine_settings, llm_settings
    from trading.services.llm_backtest import LlmBacktestRun, llm_backtest

    symbol, candles = _candles(args)
    run = LlmBacktestRun(symbol, *_period(args, candles), run=f"backtest:{WallClock().now_ms()}",
                         starting_balance=settings.paper_starting_balance)
    client = None
    if not args.llm_cache_only:
        if not settings.llm_on:
            raise ConfigurationError("the LLM is off: set OPENAI_API_KEY or OPENAI_BASE_URL (and LLM_MODEL), or "
                                     "pass --llm-cache-only to replay cached replies")
        client = LlmClient(settings.llm_model, api_key=settings.openai_api_key.get_secret_value(),
                           base_url=settings.openai_base_url, timeout_s=float(settings.llm_timeout_seconds),
                           response_format=settings.llm_response_format,
                           max_reply_tokens=settings.llm_max_reply_tokens)
    try:
        result = await llm_backtest(run, candles, store, client,  # type: ignore[arg-type]
                                    llm_settings(settings, cache_only=args.llm_cache_only), engine_settings(settings),
                                    spend_clock=WallClock())      # its server calls count in today's budget
    finally:
        if client is not None:
            await client.close()
    fee = replay_instrument(symbol, float(candles.close[-1])).taker_fee
    return result.text(fee)


def _candles(args: argparse.Namespace):  # noqa: ANN202 - (symbol, Candles), imported lazily
    from trading.adapters.replay_market_data import load_replay_series, read_candle_csv, symbol_from_filename

    if args.data is not None:
        if not args.data.exists():
            raise ConfigurationError(f"no such data file: {args.data}")
        return (args.symbol or symbol_from_filename(args.data)).upper(), read_candle_csv(args.data)
    series = load_replay_series("replay")
    symbol = (args.symbol or "BTC/USDT").upper()
    if symbol not in series:
        raise ConfigurationError(f"no bundled candles of {symbol} (the sample holds {', '.join(series)}); "
                                 f"pass --data PATH to a 1m candle file")
    return symbol, series[symbol]


def _period(args: argparse.Namespace, candles) -> tuple[int, int]:  # noqa: ANN001
    from trading.backtest.periods import date_range

    first, last = int(candles.open_ms[0]), int(candles.open_ms[-1]) + 60_000
    start, end = date_range(args.start, args.end)
    end = min(end, last) if end is not None else last
    start = start if start is not None else end - DEFAULT_DAYS * DAY_MS
    if start < first + DAY_MS:       # the indicators need a day of history before the first decision
        start = first + DAY_MS
    if end <= start:
        raise ValueError("the period holds no candles after a day of warm-up; choose later dates with --from/--to")
    return start, end
