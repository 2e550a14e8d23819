"""One registry of commands: it feeds /help, the phone's command menu (setMyCommands) and the handlers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Coroutine

from telegram import Update

from bot.context import BotContext
from trading.domain.errors import InvalidInput
from bot.handlers import (about, backtests, charts, control, decisions, divergence, live, market, notify, orders,
                          parameters, portfolio, reports, signals, status, sweeps, trader, tuning)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class Command:
    """A chat command."""

    name: str
    group: str
    summary: str
    usage: str
    handler: Handler
    block: bool = True       # False: slow work (drawing, an LLM call); later updates are answered meanwhile
    alone: str = ""          # what a command without arguments does, told when words are typed after it

    @property
    def takes_words(self) -> bool:
        """Return whether anything may follow the command (its usage names arguments, or /start's deep link)."""
        return self.usage != f"/{self.name}" or self.name == "start"

    async def run(self, update: Update, context: BotContext) -> None:
        """Run the handler; words after a command that takes none are refused, not silently ignored."""
        if context.words and not self.takes_words:
            raise InvalidInput(f"Usage: /{self.name} (no arguments): {self.alone or self.summary}")
        await self.handler(update, context)


COMMANDS: tuple[Command, ...] = (
    Command("start", "General", "welcome and what this bot is running", "/start", status.start),
    Command("help", "General", "list the commands, or explain one", "/help [COMMAND]", about.help_command),
    Command("status", "General", "mode, data, uptime, last tick, kill switch", "/status", status.status),
    Command("health", "General", "exchange calls, errors and latency per endpoint", "/health", status.health),
    Command("version", "General", "version of the bot and its libraries", "/version", about.version),
    Command("show_config", "General", "effective settings, secrets masked", "/show_config", about.show_config),
    Command("logs", "General", "recent warnings and errors, secrets masked", "/logs [n]", about.logs),
    Command("price", "Market", "last price, 24h change, spread, funding", "/price BTC/USDT", market.price),
    Command("markets", "Market", "list tradable markets", "/markets [filter]", market.markets),
    Command("signals", "Market", "live zones, liquidity, trends, latest signals", "/signals [SYMBOL]", signals.signals),
    Command("strategies", "Market", "list strategies or switch one on/off", "/strategies [NAME on|off]",
            signals.strategies),
    Command("chart", "Market", "candles with ICT zones and the bot's trades", "/chart SYMBOL [TF]", charts.chart,
            block=False),
    Command("risk", "Risk", "limits, today's PnL, drawdown, breaker, kill switch", "/risk", control.risk,
            alone="shows limits, today's PnL, drawdown, breaker and kill switch; /kill flat also closes everything"),
    Command("kill", "Risk", "stop all new orders (flat: also close everything)", "/kill [flat]", control.kill),
    Command("resume", "Risk", "lift a pause, the kill switch or a drawdown halt", "/resume", control.resume,
            alone="lifts a pause, the kill switch or a drawdown halt"),
    Command("locks", "Risk", "what blocks new entries now, and how to lift it", "/locks", about.locks),
    Command("unlock", "Risk", "lift a loss-streak cooldown", "/unlock", about.unlock,
            alone="lifts a loss-streak cooldown; /locks shows what blocks entries"),
    Command("pause", "Risk", "hold new entries (exits and stops still run)", "/pause", live.pause,
            alone="holds new entries until /resume; exits and stops run"),
    Command("live", "Risk", "live trading on (with a 2FA code) or paused", "/live on|off", live.live),
    Command("mode", "Risk", "paper, live paused or live on", "/mode", live.mode,
            alone="shows paper, live paused or live on; /live on|off switches live trading, /pause holds entries; "
                  "spot or futures is MARKET_TYPE in .env (then restart)"),
    Command("settings", "Settings", "the settings you can change, with defaults", "/settings", tuning.settings),
    Command("set", "Settings", "change a setting (validated, kept over restarts)", "/set NAME VALUE|default",
            tuning.set_value),
    Command("symbols", "Settings", "traded symbols; add or remove one", "/symbols [add|remove SYMBOL]",
            tuning.symbols),
    Command("params", "Settings", "a strategy's parameters as they run; tune one or go back to the defaults",
            "/params [STRATEGY [NAME VALUE|default]]", parameters.params),
    Command("notify", "Settings", "choose which notifications you get", "/notify", notify.notify,
            alone="shows the categories; tap one to switch it"),
    Command("balance", "Account", "equity, cash and PnL", "/balance", portfolio.balance,
            alone="shows equity, cash and PnL; /profit [days] and /report [day|week|month] go further"),
    Command("positions", "Account", "open positions with PnL, stops, liquidation", "/positions", portfolio.positions),
    Command("orders", "Account", "open orders", "/orders", portfolio.orders,
            alone="shows open orders; /trades [n] lists fills, /cancel ORDER_ID cancels one"),
    Command("trades", "Account", "recent fills", "/trades [n]", portfolio.trades),
    Command("profit", "Account", "realised and unrealised PnL per strategy", "/profit [days]", trader.profit),
    Command("performance", "Account", "results per symbol", "/performance", trader.performance,
            alone="shows results per symbol since the start; /profit [days] limits to recent days"),
    Command("daily", "Account", "net PnL per day", "/daily [n]", trader.daily),
    Command("weekly", "Account", "net PnL per week", "/weekly [n]", trader.weekly),
    Command("monthly", "Account", "net PnL per month", "/monthly [n]", trader.monthly),
    Command("report", "Account", "PnL, equity vs buy & hold, positions, risk", "/report [day|week|month]",
            reports.report, block=False),
    Command("buy", "Orders", "buy / go long for an amount of USDT", "/buy SYMBOL USDT [limit PRICE]", orders.buy),
    Command("sell", "Orders", "sell holdings / reduce a long; AMOUNT in the coin (BTC), not USDT",
            "/sell SYMBOL [AMOUNT|PCT%|all]", orders.sell),
    Command("short", "Orders", "open a short (futures)", "/short SYMBOL USDT [limit PRICE]", orders.short),
    Command("cover", "Orders", "buy back a short (futures); AMOUNT in the coin (BTC), not USDT",
            "/cover SYMBOL [AMOUNT|PCT%|all]", orders.cover),
    Command("close", "Orders", "close a whole position at market", "/close SYMBOL", orders.close),
    Command("closeall", "Orders", "close every position at market (asks first)", "/closeall", orders.close_all,
            alone="closes every open position at market, after you confirm; /close SYMBOL closes one"),
    Command("cancel", "Orders", "cancel an open order", "/cancel ORDER_ID", orders.cancel),
    Command("reset_paper", "Orders", "start the paper account over", "/reset_paper", orders.reset_paper),
    Command("backtest", "Backtests", "test a strategy on past candles", "/backtest STRATEGY SYMBOL [30d|FROM..TO]",
            backtests.backtest),
    Command("evaluate", "Backtests", "a strategy out of sample against random entries and buy and hold",
            "/evaluate STRATEGY SYMBOL [90d|FROM..TO]", backtests.evaluate),
    Command("optimize", "Backtests", "sweep a strategy's parameters; propose only a clear out-of-sample gain",
            "/optimize STRATEGY [SYMBOL] [90d|FROM..TO]", backtests.optimize),
    Command("backtests", "Backtests", "recent backtest runs", "/backtests", backtests.backtests),
    Command("sweeps", "Backtests", "stored parameter sweeps, or one in full", "/sweeps [ID|older ID]", sweeps.sweeps),
    Command("divergence", "Backtests", "paper/live trades against the backtest of the same period, fill by fill",
            "/divergence [DAYS]", divergence.divergence, block=False),
    Command("decisions", "Decisions", "what the LLM (or the rules) decided, with reasons and prompts",
            "/decisions [SYMBOL]", decisions.decisions),
    Command("why", "Decisions", "the decision behind an order", "/why ORDER_ID", decisions.why),
    Command("llmscore", "Decisions", "the LLM's decisions against the rules'", "/llmscore [days]",
            decisions.llmscore),
    Command("universe", "Decisions", "which symbols are traded and why", "/universe [refresh]", decisions.universe),
    Command("ask", "Decisions", "ask the LLM about the bot, the market or a trade", "/ask QUESTION", decisions.ask,
            block=False),
)


def by_group() -> dict[str, list[Command]]:
    """Return the commands grouped for /help, in registry order."""
    groups: dict[str, list[Command]] = {}
    for command in COMMANDS:
        groups.setdefault(command.group, []).append(command)
    return groups
