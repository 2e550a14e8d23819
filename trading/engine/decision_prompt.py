"""The prompt an LLM decides on: a pure function of the SymbolView, the same view giving the same text.

Compact on purpose: a few dozen candles per timeframe as rows, the indicators' last values, the nearest
ICT zones and liquidity, the strategies' signals with their reasons, the position and the account, the
BTC daily regime and the symbol's last decisions with what came of them. It holds nothing the view does
not hold, and the view holds no key, token, chat id or file path.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Iterable

import numpy as np

from trading.domain.candles import Candles, Timeframe
from trading.engine.symbol_view import PastDecision, SymbolView
from trading.indicators.classic import atr, ema, rsi
from trading.strategies.market_picture import LiquidityPool

INDICATOR_BARS = 200        # EMA50 and Wilder's 14 settle well within this many bars
FIELDS = ("action", "confidence", "reasoning", "risk_notes", "size_pct", "order_type", "limit_price",
          "stop_price", "take_profit")


@dataclass(frozen=True, slots=True)
class PromptSettings:
    """How much of the market goes into a prompt."""

    bars: tuple[tuple[Timeframe, int], ...] = ((Timeframe.H1, 24), (Timeframe.M15, 32), (Timeframe.M1, 30))
    max_zones: int = 6
    max_signals: int = 5
    min_confidence: float = 0.65
    limit_max_distance_pct: Decimal = Decimal("2")


def build_prompt(view: SymbolView, settings: PromptSettings = PromptSettings()) -> tuple[str, str]:
    """Return the (system, user) messages for a decision about view's symbol."""
    return _system(view, settings), "\n".join(_user_lines(view, settings))


def _system(view: SymbolView, s: PromptSettings) -> str:
    actions = ", ".join(view.allowed.actions)
    shorts = "SHORT opens a short and COVER closes one (futures). " if view.futures else ""
    return (
        "You are the decision maker of a personal crypto trading assistant. Decide what to do with one symbol "
        "now. Strategy signals are evidence to weigh, not orders. "
        "BUY opens a long, SELL reduces or closes a long. " + shorts +
        f"Allowed actions now: {actions}. "
        + _sizes(view) +
        f"Below confidence {s.min_confidence:.2f} your action counts as HOLD. "
        "The risk manager sizes and vets every order and may refuse it; a hard stop and a trailing stop protect "
        "every position whatever you answer. You never set a fill price: market orders fill at the market; "
        f"a limit_price must be on the passive side of the mid and within {s.limit_max_distance_pct}% of it. "
        "Reply with one JSON object and nothing else, with exactly these fields: " + ", ".join(FIELDS) + ". "
        "Use null for what does not apply (size_pct for HOLD, limit_price for market orders).")


def _sizes(view: SymbolView) -> str:
    if any(a.opens for a in view.allowed.actions):
        return f"For an entry size_pct is the % of equity to commit, at most {view.allowed.max_size_pct}. "
    return "For an exit size_pct is the % of the position to close (100 closes it). "


def _user_lines(view: SymbolView, s: PromptSettings) -> list[str]:
    kind = "perpetual futures" if view.futures else "spot"
    lines = [f"Symbol {view.symbol} ({kind}) at {_time(view.ts_ms)}; mark {_px(view.mark)}.",
             f"Asked because: {view.trigger or 'scheduled review'}.",
             f"Account: equity {view.equity:,.2f} {view.quote}, free cash {view.cash:,.2f} {view.quote}.",
             _position_line(view),
             f"Allowed now: {', '.join(view.allowed.actions)}" +
             (f" (entries blocked: {view.allowed.blocked})" if view.allowed.blocked else "") + ".",
             f"BTC daily EMA200 regime: {view.btc_regime}."]
    picture = view.picture
    if picture is not None:
        lines.append("Trend (last structure break): " +
                     ", ".join(f"{t.timeframe} {t.direction}" for t in picture.trends) + ".")
    lines.append("Indicators: " + "; ".join(_indicators(tf, view.frames.get(tf)) for tf, _ in s.bars) + ".")
    lines += _zone_lines(view, s)
    lines += _signal_lines(view, s)
    lines += _history_lines(view.history)
    for tf, count in s.bars:
        lines += _candle_lines(tf, view.frames.get(tf), count)
    return lines


def _position_line(view: SymbolView) -> str:
    p = view.position
    if p is None:
        return "Position: none."
    pnl = p.unrealized_pct(view.mark)
    levels = [f"stop {_px(view.stop)}" if view.stop is not None else "no stop",
              f"target {_px(view.take_profit)}" if view.take_profit is not None else "no target"]
    zone = f", in the {view.zone.replace('_', '-')} zone" if view.zone else ""
    return (f"Position: {p.side} {p.amount.normalize():f} at {_px(p.entry_price)} ({pnl:+.2f}%), "
            f"{', '.join(levels)}{zone}.")


def _indicators(tf: Timeframe, candles: Candles | None) -> str:
    if candles is None or len(candles) < 2:
        return f"{tf} n/a"
    tail = candles[-INDICATOR_BARS:]
    close = tail.close
    values = (("EMA20", ema(close, 20)[-1]), ("EMA50", ema(close, 50)[-1]), ("RSI14", rsi(close, 14)[-1]),
              ("ATR14", atr(tail, 14)[-1]))
    return f"{tf} " + " ".join(f"{name} {_float(v, name == 'RSI14')}" for name, v in values)


def _zone_lines(view: SymbolView, s: PromptSettings) -> list[str]:
    picture = view.picture
    if picture is None:
        return ["ICT zones: not computed."]
    zones = [f"{z.timeframe} {z.kind} {'demand' if z.direction == 'up' else 'supply'} {_px(z.bottom)}-"
             f"{_px(z.top)}{' retested' if z.retested else ''}" for z in picture.zones[:s.max_zones]]
    above, below = picture.liquidity_above, picture.liquidity_below
    pools = [f"above {_pool(above)}" if above is not None else "none above",
             f"below {_pool(below)}" if below is not None else "none below"]
    return [f"ICT zones (nearest first): {'; '.join(zones) if zones else 'none live'}.",
            f"Liquidity: {', '.join(pools)}."]


def _pool(pool: LiquidityPool) -> str:
    kind = f"{pool.members} equal" if pool.members >= 2 else "swing"
    return f"{pool.side} {_px(pool.price)} ({pool.timeframe}, {kind})"


def _signal_lines(view: SymbolView, s: PromptSettings) -> list[str]:
    if not view.signals:
        return ["Strategy signals: none new."]
    out = ["Strategy signals (newest last):"]
    for sig in view.signals[-s.max_signals:]:
        target = _px(sig.take_profit) if sig.take_profit is not None else "none"
        out.append(f"- {sig.strategy} {sig.side} {sig.timeframe} at {_time(sig.known_at_ms)}: entry {_px(sig.entry)}, "
                   f"stop {_px(sig.stop)}, target {target}, confidence {sig.confidence:.2f}. {sig.reason}")
    return out


def _history_lines(history: Iterable[PastDecision]) -> list[str]:
    past = list(history)
    if not past:
        return ["Your last decisions on this symbol: none."]
    out = ["Your last decisions on this symbol (oldest first):"]
    for d in past:
        price = f" at {_px(d.price)}" if d.price is not None else ""
        out.append(f"- {_time(d.ts_ms)} {d.action} ({d.confidence:.2f}, {d.source}){price}: {d.outcome}")
    return out


def _candle_lines(tf: Timeframe, candles: Candles | None, count: int) -> list[str]:
    if candles is None or len(candles) == 0:
        return [f"Candles {tf}: none."]
    tail = candles[-count:]
    stamp = "%m-%d %H:%M" if tf.ms >= Timeframe.H1.ms else "%H:%M"
    rows = [f"{datetime.fromtimestamp(int(t) / 1000, timezone.utc).strftime(stamp)},{_f(o)},{_f(h)},{_f(lo)},"
            f"{_f(c)},{_f(v)}" for t, o, h, lo, c, v in zip(tail.open_ms.tolist(), tail.open.tolist(),
                                                               tail.high.tolist(), tail.low.tolist(),
                                                               tail.close.tolist(), tail.volume.tolist())]
    return [f"Candles {tf} (last {len(tail)}, oldest first; open time UTC,open,high,low,close,volume):", *rows]


def _time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _px(value: Decimal | float | None) -> str:
    return "none" if value is None else _f(float(value))


def _float(value: float, whole: bool = False) -> str:
    if not math.isfinite(float(value)):
        return "n/a"
    return f"{value:.1f}" if whole else _f(float(value))


def _f(value: float) -> str:
    """Return a price or volume with about six significant digits, no exponent."""
    if value == 0 or not np.isfinite(value):
        return "0"
    digits = max(0, 5 - int(math.floor(math.log10(abs(value)))))
    return f"{value:.{digits}f}"

