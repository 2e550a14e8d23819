"""The bot as bot.runtime runs it (core, notifier, access guard, Application polling a fake Bot API), plus the
chart, report and backtest services wired the way the composition root is asked to wire them."""
from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import AsyncIterator

from bot.app import build_application
from bot.auth import AccessGuard, AllowList
from bot.notifier import TelegramNotifier
from trading.adapters.sqlite_backtests import BacktestArchive
from trading.adapters.sqlite_equity import EquityHistory
from trading.adapters.sqlite_ledger import ExecutionLedger
from trading.bootstrap import Core, build_core, llm_region_advisor
from trading.reports.chart_theme import theme_named
from trading.services.backtests import BacktestService
from trading.services.charts import ChartService
from trading.services.engine_settings import engine_settings, rules_settings
from trading.services.reports import ReportService
from trading.settings import Settings
from trading.strategies.book import StrategyBook


def feature_services(core: Core) -> dict[str, object]:
    """Return the chart, report and backtest services over a core's parts."""
    s = core.settings
    ledger = ExecutionLedger(core.store, venue=f"paper-{s.market_type}")
    theme = theme_named(s.chart_theme)
    reports = ReportService(core.portfolio, ledger, EquityHistory(core.store, ledger.venue), core.market, core.store,
                            core.clock, timezone=s.timezone, benchmark=core.assistant.profile.symbols[0], theme=theme,
                            engine_settings=engine_settings(s))
    backtests = BacktestService(core.market, core.store, BacktestArchive(core.store), core.clock,
                                starting_balance=s.paper_starting_balance, engine=engine_settings(s),
                                rules=rules_settings(s), theme=s.chart_theme, advisor=llm_region_advisor(s))
    if core.parameters is not None:
        backtests.current_params = core.parameters.overrides
    return {"charts": ChartService(core.market, ledger, theme), "reports": reports, "backtests": backtests}


@dataclass
class FeatureBot:
    """The running bot's core and services."""

    core: Core
    services: dict[str, object]


@contextlib.asynccontextmanager
async def feature_bot(settings: Settings, book: StrategyBook | None = None) -> AsyncIterator[FeatureBot]:
    """Run the bot against settings' Bot API until the block ends, then shut it down (book: its strategies)."""
    core = await build_core(settings, book=book)
    services = {**core.services(), **feature_services(core)}
    allow = AllowList(settings.allowed_chat_ids, settings.allowed_user_ids, core.store)
    await allow.load()
    notifier = TelegramNotifier(allow.recipients)
    core.events.attach(notifier)
    app = build_application(settings.telegram_bot_token.get_secret_value(), settings.telegram_base_url, services,
                            AccessGuard(allow, core.events, core.clock))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(timeout=1)
    notifier.bind(app.bot)
    sending = asyncio.create_task(notifier.run())
    try:
        yield FeatureBot(core, services)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        sending.cancel()
        services["backtests"].close()                        # type: ignore[attr-defined]
        await core.close()
