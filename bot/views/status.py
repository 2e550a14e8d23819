"""Rendering of /start, /help and /status."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from bot.views import esc
from trading.domain.figures import signed
from trading.domain.health import ClockSync
from trading.services.assistant import HealthReport, Profile, StatusReport
from trading.services.exchange_time import SKEW_WARNING_MS


def welcome(profile: Profile, data_source: str) -> str:
    """Return the /start message."""
    mode = "📝 PAPER (simulated money)" if profile.mode == "paper" else "⚠️ LIVE (real money)"
    return (f"<b>Trading assistant</b>\n"
            f"Mode: {mode}\nMarket: {esc(profile.market_type)} on {esc(profile.exchange)}\n"
            f"Data: {esc(data_source)}\nSymbols: {esc(', '.join(profile.symbols))}\n\n"
            f"Try /status or /price {esc(profile.symbols[0])}. /help lists everything.")


def help_text(groups: dict[str, list[tuple[str, str, str]]]) -> str:
    """Return /help from (name, usage, summary) per group."""
    lines = ["<b>Commands</b>"]
    for group, commands in groups.items():
        lines.append(f"\n<b>{esc(group)}</b>")
        lines += [f"{esc(usage)} — {esc(summary)}" for _name, usage, summary in commands]
    return "\n".join(lines)


def status_text(report: StatusReport) -> str:
    """Return the /status message."""
    p = report.profile
    last = "none yet" if report.last_tick_ms is None else _utc(report.last_tick_ms)
    return "\n".join([
        "<b>Status</b>",
        f"Mode: <b>{esc(p.mode)}</b> ({esc(p.market_type)})",
        f"Exchange: {esc(p.exchange)}",
        f"Data: {esc(report.data_source)}",
        f"Symbols: {esc(', '.join(p.symbols))}",
        f"Clock: {_utc(report.now_ms)}",
        *_exchange_clock(report.exchange_clock),
        f"Uptime: {_duration(report.uptime_s)}",
        f"Last tick: {last} ({report.candles_seen} candles so far)",
        f"Kill switch: {'🛑 ON — no new orders' if report.kill_switch_active else 'off'}",
        f"Open positions: {report.open_positions}",
    ])


def _exchange_clock(sync: ClockSync | None) -> list[str]:
    """Return the lines on the machine's clock against the exchange's (none for replayed data)."""
    if sync is None:
        return []
    if sync.offset_ms is None:
        line = "Machine clock vs exchange: not measured yet (the machine's time is used meanwhile)"
    else:
        flag = "⚠️ " if abs(sync.offset_ms) > SKEW_WARNING_MS else ""
        line = (f"{flag}Machine clock vs exchange: {sync.machine_offset_text()} "
                f"({signed(sync.offset_ms, 0)} ms, ±{(sync.round_trip_ms or 0) // 2} ms, measured "
                f"{_utc(sync.measured_ms or 0)}); the bot uses the exchange's time")
    lines = [line]
    if sync.offset_ms is not None and abs(sync.offset_ms) > SKEW_WARNING_MS:
        lines.append("   turn on automatic time sync (NTP) on this machine")
    if sync.failures:
        lines.append(f"   last {sync.failures} measurement(s) failed, retrying: {esc((sync.last_error or '')[:120])}")
    return lines


def _utc(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts: Iterable[str] = [f"{days}d"] * bool(days) + [f"{hours}h"] * bool(hours or days) + [f"{minutes}m {secs}s"]
    return " ".join(parts)


def health_text(report: HealthReport) -> str:
    """Return /health: per-endpoint calls, errors and latency."""
    lines = ["<b>Health</b>", f"Data: {esc(report.data_source)}",
             f"Last tick: {'none yet' if report.last_tick_ms is None else _utc(report.last_tick_ms)}"]
    if not report.endpoints:
        lines.append("No exchange endpoints called (replayed data).")
    for name, s in sorted(report.endpoints.items()):
        flag = "⚠️ " if s.consecutive_errors else ""
        lines.append(f"{flag}{esc(name)}: {s.calls} calls, {s.errors} errors ({s.error_rate:.0%}), "
                     f"latency {s.mean_latency_ms:.0f} ms avg / {s.max_latency_ms:.0f} max")
        if s.consecutive_errors and s.last_error:
            lines.append(f"   last error: {esc(s.last_error[:120])}")
    return "\n".join(lines)
