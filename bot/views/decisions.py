"""Rendering of /decisions, a decision whole, its prompt, /why, /llmscore, /universe, /ask and the LLM in /status."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import Callback
from bot.views import esc, price
from bot.views.choices import symbol_fits
from trading.backtest.llm_summary import score_lines
from trading.domain.decision_log import DecisionRecord
from trading.domain.errors import typed_whole
from trading.domain.figures import signed
from trading.engine.universe import Selection
from trading.services.decisions import DecidingReport, DecisionLine, DecisionPage, ScoreReport, WhyReport

PREFIX = "dec"
LIMIT = 4096
_ICONS = {"BUY": "🟢", "SELL": "🔴", "SHORT": "🟠", "COVER": "🔵", "HOLD": "⏸"}


def page_id(user_id: int, symbol: str, cursor: int | None) -> str:
    """Return the callback id of a page: who asked, which symbol, older than which decision."""
    code = symbol.replace("/", "_").replace(":", ".") or "all"
    return f"{user_id}-{code}-{cursor or 0}"


def parse_page_id(text: str) -> tuple[int, str, int | None] | None:
    """Return (user id, symbol, cursor) from page_id's text, or None when it is not one."""
    parts = text.split("-")
    user, cursor = (typed_whole(parts[0]), typed_whole(parts[2])) if len(parts) == 3 else (None, None)
    if user is None or cursor is None:
        return None
    symbol = "" if parts[1] == "all" else parts[1].replace("_", "/").replace(".", ":")
    return user, symbol, cursor or None


def item_id(user_id: int, ref: int) -> str:
    """Return the callback id of one decision's button: who asked, which decision."""
    return f"{user_id}-{ref}"


def parse_item_id(text: str) -> tuple[int, int] | None:
    """Return (user id, decision id) from item_id's text, or None."""
    user, _, ref = text.partition("-")
    asker, decision = typed_whole(user), typed_whole(ref)
    return None if asker is None or decision is None else (asker, decision)


def decisions_page(page: DecisionPage, user_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the page's text (newest first, HOLD runs folded) and its buttons."""
    title = f"<b>Decisions{' ' + esc(page.symbol) if page.symbol else ''}</b>"
    if not page.lines:
        return f"{title}\nNo decisions yet. They appear once the LLM (or the rules) decides.", None
    lines = [title, *(_line(line) for line in page.lines)]
    ids = [r.id for line in page.lines for r in [line.readable] if r is not None and r.id is not None]
    rows = [[_button(f"🧠 #{i}", "why", item_id(user_id, i)), _button(f"📝 #{i}", "prompt", item_id(user_id, i))]
            for i in ids]
    paging = []
    pages = not page.symbol or symbol_fits(page.symbol)     # a symbol no button carries: the first page only
    if pages and page.newer_than is not None:
        paging.append(_button("◀ Newest", "page", page_id(user_id, page.symbol, None)))
    if pages and page.older_than is not None:
        paging.append(_button("Older ▶", "page", page_id(user_id, page.symbol, page.older_than)))
    if paging:
        rows.append(paging)
    lines.append("🧠 full reasoning · 📝 the prompt it was asked")
    return "\n".join(lines)[:LIMIT], InlineKeyboardMarkup(rows) if rows else None


def _button(label: str, action: str, callback_id: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=Callback(PREFIX, action, callback_id).encode())


def _line(line: DecisionLine) -> str:
    r = line.records[0]
    if line.folded:
        oldest = line.records[-1]
        counts: dict[str, int] = {}
        for rec in line.records:
            counts[rec.source] = counts.get(rec.source, 0) + 1
        why = ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        symbols = ", ".join(dict.fromkeys(rec.symbol for rec in reversed(line.records)))
        called = line.readable
        newest = f", newest answer #{called.id}" if called is not None else ""
        return (f"⏸ {_span(oldest.ts_ms, r.ts_ms)} {len(line.records)}× HOLD on {esc(symbols)} "
                f"({esc(why)}{newest})")
    verdict = f" → {esc(r.verdict[:60])}" if r.verdict else ""
    return (f"{_ICONS.get(r.action, '•')} #{r.id} {_hm(r.ts_ms)} {esc(r.symbol)} <b>{esc(r.action)}</b> "
            f"{r.confidence:.2f} [{esc(r.source)}] {esc(r.reason[:90])}{verdict}")


def decision_text(r: DecisionRecord) -> str:
    """Return one decision whole: the reasoning, the verdict, the order, the rules' shadow, tokens and cost."""
    lines = [f"<b>Decision #{r.id}</b> {_full(r.ts_ms)} {esc(r.symbol)}",
             f"{_ICONS.get(r.action, '•')} <b>{esc(r.action)}</b> confidence {r.confidence:.2f}, source "
             f"{esc(r.source)}, by {esc(r.decided_by)}" + (f", at {price(r.mark)}" if r.mark is not None else ""),
             f"Asked because: {esc(r.trigger or 'n/a')}",
             f"\n{esc(r.reason)}",
             f"\nRisk verdict: {esc(r.verdict or ('none needed' if r.action == 'HOLD' else 'not acted on'))}"]
    if r.order_id:
        lines.append(f"Order: <code>{esc(r.order_id)}</code>")
    lines.append(f"Rules would have: {esc(r.shadow_action)} ({esc(r.shadow_reason[:200])})")
    if r.called:
        latency = f", {r.latency_ms} ms" if r.latency_ms is not None else ", from the cache"
        lines.append(f"Tokens {r.prompt_tokens:,} in / {r.completion_tokens:,} out, cost {r.cost_usd:.5f} USD{latency}")
    return _fit("\n".join(lines))


def prompt_messages(r: DecisionRecord) -> list[str]:
    """Return the prompt and the raw reply of a decision as plain-text messages of at most 4096 characters."""
    if not r.called:
        return [f"Decision #{r.id} had no call to the LLM ({r.source}): there is no prompt."]
    return chunks(f"Prompt of decision #{r.id}:\n\n{r.prompt}\n\nRaw reply:\n{r.reply or '(none)'}", LIMIT)


def why_text(report: WhyReport) -> str:
    """Return /why: the decision behind the order, or the order's own reason."""
    if report.decision is None:
        reason = report.order_reason or "no reason recorded"
        return (f"No LLM or rules decision is logged for {esc(report.asked)}. The order says: {esc(reason)}\n"
                f"(Protective exits, manual orders and orders from before the decision log carry their reason "
                f"on the order.)")
    if report.entry_only:
        return _fit(f"Order {esc(report.asked)} was not sent by a decision: {esc(report.order_reason or 'no reason')}"
                    f"\nIt closed the position opened by this decision:\n\n{decision_text(report.decision)}")
    return decision_text(report.decision)


def score_text(report: ScoreReport) -> str:
    """Return /llmscore: the LLM against the rules per symbol over the last days."""
    lines = [f"<b>LLM vs rules, last {report.days} days</b>"]
    if not report.per_symbol:
        return lines[0] + "\nNo decisions in that time. /status says who decides now."
    for symbol, score in report.per_symbol:
        lines.append(f"\n<b>{esc(symbol)}</b>")
        lines += [esc(line) for line in score_lines(score, report.fee_rate, Decimal(0))[1:-1]]
    lines.append(f"\nLLM cost over the period: {report.cost_usd:.4f} USD. Returns are per unit of exposure from "
                 f"each decision's price to the next, net of {report.fee_rate * 100:.2f}% fees.")
    return _fit("\n".join(lines))


def universe_text(selection: Selection | None, dynamic: bool, fixed: Sequence[str], refresh_minutes: int) -> str:
    """Return /universe: the latest selection with its candidates and reasons, or how the symbols are fixed."""
    how = (f"DYNAMIC_SYMBOLS is on: chosen every {refresh_minutes} min." if dynamic
           else f"DYNAMIC_SYMBOLS is off: trading SYMBOLS ({esc(', '.join(fixed))}). /universe refresh shows what "
                f"would be chosen; set DYNAMIC_SYMBOLS=true to apply it every {refresh_minutes} min.")
    if selection is None:
        return f"<b>Symbol universe</b>\n{how}\nNo selection yet."
    pool = "\n".join(f"• {esc(c.symbol)} {c.turnover:,.0f}"
                     + ("" if c.move_pct is None else f" ({signed(c.move_pct, 1, '%')})")
                     for c in selection.candidates[:20]) or "none passed the filters"
    return _fit(f"<b>Symbol universe</b>\n{how}\n\n{_full(selection.ts_ms)}: <b>{esc(', '.join(selection.symbols))}</b>"
                f"\nChosen by {esc(selection.decided_by)}: {esc(selection.reasons)}\n\n"
                f"Candidates by 24h turnover:\n{pool}")


def answer_messages(text: str, by: str) -> list[str]:
    """Return an /ask answer as plain-text messages of at most 4096 characters."""
    return chunks(f"{text}\n\n— {by}" if by != "bot" else text, LIMIT)


def deciding_lines(report: DecidingReport) -> list[str]:
    """Return the /status lines on who decides now and today's LLM calls and cost."""
    return [esc(line) for line in report.lines()]


def chunks(text: str, limit: int = LIMIT) -> list[str]:
    """Return text in pieces of at most limit characters, cut at line ends where possible."""
    out: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        out.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*out, text] if text or not out else out


def _fit(text: str) -> str:
    # a long reasoning is cut at the limit with a mark, never mid-tag: the tags used close on their own lines
    return text if len(text) <= LIMIT else text[:LIMIT - 20].rsplit("\n", 1)[0] + "\n… (cut)"


def _span(first_ms: int, last_ms: int) -> str:
    first, last = _hm(first_ms), _hm(last_ms)
    return f"{first}–{last[6:]}" if first[:5] == last[:5] else f"{first}–{last}"


def _hm(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%m-%d %H:%M")


def _full(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
