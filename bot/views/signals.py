"""Rendering of /signals and /strategies."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from bot.views import esc, price
from bot.views.control import code_prompt, locked_text
from trading.domain.signals import Signal
from trading.services.chat_settings import ChangeOutcome
from trading.strategies.market_picture import LiquidityPool
from trading.services.signals import SignalsReport
from trading.services.strategy_switches import StrategySwitch

_ARROWS = {"up": "▲", "down": "▼"}


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%m-%d %H:%M")


def signal_line(signal: Signal, tick: Decimal | None = None) -> str:
    """Return one signal as a short line plus its reason, prices on the market's tick."""
    if signal.exits:
        return (f"{_when(signal.known_at_ms)} <b>{esc(signal.strategy)}</b> EXIT {signal.side.upper()} "
                f"@ {price(signal.entry, tick)}\n   {esc(signal.reason)}")
    rr = signal.reward_risk
    stop = f" stop {price(signal.stop, tick)}" if signal.stop is not None else " no stop"
    target = f" target {price(signal.take_profit, tick)}" if signal.take_profit is not None else ""
    ratio = f" (reward/risk {rr:.1f})" if rr is not None else ""
    return (f"{_when(signal.known_at_ms)} <b>{esc(signal.strategy)}</b> {signal.side.upper()} "
            f"@ {price(signal.entry, tick)}{stop}{target}{ratio}\n   {esc(signal.reason)}")


def signals_text(report: SignalsReport) -> str:
    """Return /signals: regime, trends, live zones, nearest liquidity, recent signals."""
    lines = [f"<b>{esc(report.symbol)}</b> — what the strategies see"]
    p, tick = report.picture, report.tick
    if p is None:
        lines.append("Not enough history yet to read the market.")
    else:
        lines.append(f"Last {price(p.last_price, tick)} · regime {p.regime}")
        lines.append("Trend: " + ", ".join(f"{t.timeframe} {_ARROWS.get(t.direction, '·')}" for t in p.trends))
        above, below = p.liquidity_above, p.liquidity_below
        lines.append(f"Liquidity above: {_pool(above, tick)} · below: {_pool(below, tick)}")
        if p.zones:
            lines.append("<b>Live zones</b>")
            lines += [f"{z.timeframe} {_ARROWS.get(z.direction, '·')} {esc(z.kind)} "
                      f"{price(z.bottom, tick)}–{price(z.top, tick)}"
                      f"{' (retested)' if z.retested else ''}" for z in p.zones]
        else:
            lines.append("No live FVG, order block or breaker.")
    lines.append("<b>Latest signals</b>" if report.recent else "No signals in the loaded history.")
    lines += [signal_line(s, tick) for s in reversed(report.recent)]
    return "\n".join(lines)


def _pool(pool: LiquidityPool | None, tick: Decimal | None) -> str:
    if pool is None:
        return "none"
    members = f" ×{pool.members}" if pool.members > 1 else ""
    return f"{pool.side} {price(pool.price, tick)}{members}"


def strategies_text(strategies: list[tuple[str, bool]]) -> str:
    """Return /strategies."""
    lines = ["<b>Strategies</b>"] + [f"{'✅' if on else '⏸'} {esc(name)}" for name, on in strategies]
    lines.append("\nSwitch one with /strategies NAME on|off, e.g. /strategies B off; its parameters: /params NAME")
    return "\n".join(lines)


def switch_text(switch: StrategySwitch) -> str:
    """Return the reply to /strategies NAME on|off (or to the code that switched it on)."""
    name, state = esc(switch.strategy), "on" if switch.on else "off"
    if switch.outcome is ChangeOutcome.UNCHANGED:
        return f"Strategy {name} is already {state}; nothing changed."
    if switch.outcome is ChangeOutcome.LOCKED:
        return locked_text(switch.locked_until_ms)
    if switch.outcome is ChangeOutcome.CODE_ASKED and switch.request is not None:
        return (f"Switching a strategy on in live mode needs a code: it then opens positions by itself. "
                f"{code_prompt(switch.request)}")
    return f"Strategy {name} switched {state}."


def switch_toast(switch: StrategySwitch) -> str:
    """Return the toast a strategy button is answered with ('' when the edited list says it all)."""
    if switch.outcome is ChangeOutcome.CODE_ASKED:
        return "Now send your 6-digit code in our private chat."
    return locked_text(switch.locked_until_ms)[:200] if switch.outcome is ChangeOutcome.LOCKED else ""
