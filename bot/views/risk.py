"""Rendering of /risk and the kill switch replies."""
from __future__ import annotations

from bot.views import esc, money
from trading.domain.figures import counted
from trading.engine.risk_status import RiskStatus


def _pct(value: object) -> str:
    return f"{value:.2f}%"


def risk_text(status: RiskStatus) -> str:
    """Return /risk: limits and where the account stands against them."""
    limits, protection = status.settings.limits, status.settings.protection
    sizing = status.settings.sizing
    switch = status.kill_switch
    verdict = ("✅ new entries allowed" if status.entries_allowed
               else f"⛔ entries blocked: {esc(status.blocked_because)}")
    lines = [
        "<b>Risk</b>", verdict,
        "Kill switch: " + (f"🛑 on{' (flat)' if switch.closes_positions else ''} by {esc(switch.cause)}"
                           if switch.engaged else "off"),
        f"Equity {money(status.equity)} · peak {money(status.peak_equity)}",
        f"Today ({esc(status.day or '–')}): {money(status.daily_pnl)} of a {money(status.daily_loss_limit)} loss limit "
        f"({_pct(limits.daily_loss_pct)}; {_pct(status.daily_loss_used_pct)} used)"
        + (f" — HIT at the limit then in force, {money(status.daily_limit_hit_at)}: entries blocked until midnight "
           f"or a DAILY_LOSS_LIMIT_PCT above today's loss" if status.daily_limit_hit else ""),
        f"Drawdown {_pct(status.drawdown_pct)} of max {_pct(limits.max_drawdown_pct)}"
        + (f" — HALTED: {esc(status.halt_reason)} (/resume)" if status.halted else ""),
        f"Loss streak {status.consecutive_losses}/{limits.loss_streak} (your manual trades count too)"
        + (f" · cooldown after {counted(status.cooldown_streak, 'losing trade')} in a row: "
           f"{status.cooldown_minutes_left} min left (/unlock or /resume lifts it)" if status.cooldown_minutes_left
           else ""),
        f"Positions {status.open_positions}/{limits.max_open_positions} · pending entries {status.pending_entries}"
        f" · entries this window {status.entries_in_window}/{limits.max_entries}",
        "Circuit breaker: " + (f"⚡ tripped — {esc(status.breaker_reason)} ({status.breaker_minutes_left} min left)"
                               if status.breaker_tripped else "calm"),
        f"Per trade: risk {_pct(sizing.risk_per_trade_pct)} · futures leverage {sizing.futures_leverage}x "
        f"(cap {sizing.max_leverage}x) · hard stop {_pct(protection.hard_stop_pct)}",
    ]
    if sizing.futures_leverage > sizing.max_leverage:
        lines[-1] += f" · new futures positions open at {sizing.max_leverage}x"
    if status.leverage_capped:        # what is really placed where the exchange allows less than the setting
        lines.append("The exchange's maximum holds new positions lower: " + ", ".join(
            f"{esc(symbol)} {leverage}x" for symbol, leverage in sorted(status.leverage_capped.items())))
    return "\n".join(lines)


def nothing_to_resume(status: RiskStatus) -> str:
    """Return /resume's reply when nothing it lifts is on: and what still refuses entries, with its own way out."""
    if status.entries_allowed:
        return "Nothing to resume: trading is not stopped."
    return (f"Nothing to resume: /resume lifts the kill switch, a drawdown halt, a cooldown or a pause, and none is "
            f"on. New positions are still refused: {esc(status.blocked_because)}")
