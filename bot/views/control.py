"""Rendering of /live, /mode, /pause, /resume and the answers to two-factor codes."""
from __future__ import annotations

from datetime import datetime, timezone

from bot.views import esc
from trading.services.code_requests import AnswerOutcome, CodeAnswer, CodeRequest
from trading.services.entry_holds import Mode
from trading.services.live_control import LiveSwitched, Resumed, Switch, SwitchOutcome
from trading.services.two_factor import CodeVerdict

NOT_LIVE = "This process trades paper money (TRADING_MODE=paper); /live is for TRADING_MODE=live."
CODE_ONLY_PRIVATE = ("Codes are read only in our private chat. That message was deleted; send a fresh code to me "
                     "privately.")


def clock_time(ms: int) -> str:
    """Return an epoch-ms time as HH:MM UTC."""
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%H:%M UTC")


def code_prompt(request: CodeRequest) -> str:
    """Return the message that asks for a code: what exactly it authorises, and what it no longer does."""
    minutes = max(1, (request.expires_ms - request.asked_ms) // 60_000)
    text = (f"🔐 Send the 6-digit code from your authenticator app to {esc(request.purpose)}. "
            f"The next code does this and nothing else; it is valid for {minutes} min and the message with the "
            f"code is deleted once read.")
    return text + replaced_note(request)


def replaced_note(request: CodeRequest) -> str:
    """Return the line saying which waiting request this one replaced ('' when none)."""
    old = request.replaced
    if old is None:
        return ""
    redo = old.redo or "ask for it again"
    return (f"\n⚠️ This replaces your waiting request to {esc(old.purpose)}: a code no longer does that. "
            f"To do it, {esc(redo)} after this one.")


def locked_text(until_ms: int) -> str:
    """Return why no code is taken now."""
    return (f"🔒 Two-factor codes are locked until {clock_time(until_ms)} after too many wrong ones. "
            f"/live off and /kill still work.")


def switch_text(switch: Switch, done: str, unchanged: str) -> str:
    """Return the reply to /live on|off, /pause or /resume."""
    if switch.outcome is SwitchOutcome.NOT_LIVE:
        return NOT_LIVE
    if switch.outcome is SwitchOutcome.LOCKED:
        return locked_text(switch.locked_until_ms)
    if switch.outcome is SwitchOutcome.CODE_ASKED and switch.request is not None:
        return code_prompt(switch.request)
    if switch.outcome is SwitchOutcome.UNCHANGED:
        return unchanged
    return done.format(lifted=esc(", ".join(switch.lifted)))     # the reply is HTML


def mode_text(mode: Mode) -> str:
    """Return /mode."""
    icon = "📝" if not mode.live else "🟢" if mode.live_on else "⏸"
    lines = [f"{icon} Mode: <b>{esc(mode.label)}</b>"]
    if mode.live and not mode.live_on:
        lines.append("No new position opens until /live on with a code; exits and stops run.")
    elif mode.live:
        lines.append("New live entries allowed. /live off pauses them at once.")
    if mode.autonomy == "approve":
        lines.append("The bot's own entries: each one waits for your approval (a card and a code); "
                     "LIVE_AUTONOMY=approve.")
    elif mode.autonomy:
        lines.append(f"The bot's own entries: sent without asking; LIVE_AUTONOMY={esc(mode.autonomy)}.")
    return "\n".join(lines)


def code_answer_text(answer: CodeAnswer) -> str:
    """Return the reply to a typed code (never the code itself)."""
    outcome, check = answer.outcome, answer.check
    if outcome is AnswerOutcome.NO_TWO_FACTOR:
        return ("Two-factor codes are used in live mode only; nothing was waiting for one. (Six digits alone are "
                "read as a code; to ask about a number, add words: what about 117.356?)")
    if outcome is AnswerOutcome.NOT_PRIVATE:
        return CODE_ONLY_PRIVATE
    if outcome is AnswerOutcome.NOTHING_ASKED:
        return ("No action is waiting for a code (the message was deleted). Tap Approve or send /live on first. "
                "(Six digits alone are read as a code; to ask about a number, add words.)")
    if outcome is AnswerOutcome.EXPIRED:
        return "Too late: that request expired and did nothing. Start again."
    if outcome is AnswerOutcome.REFUSED and check is not None:
        if check.verdict is CodeVerdict.LOCKED:
            return locked_text(check.locked_until_ms)
        if check.verdict is CodeVerdict.REUSED:
            return "That code was already used; wait for the next one in your app and send it."
        if check.verdict is CodeVerdict.MALFORMED:
            return "A code is 6 digits, like 123456."
        return f"❌ Wrong code; nothing was done. {check.tries_left} tries left before a 15-minute lockout."
    return done_text(answer.result)


def done_text(result: object) -> str:
    """Return what an accepted code did."""
    if isinstance(result, LiveSwitched):
        return "✅ Code accepted. 🟢 Live trading is ON: new positions may open. /live off pauses it."
    if isinstance(result, Resumed):
        lifted = ", ".join(result.lifted)
        return f"✅ Code accepted. ▶️ Trading resumed: lifted {esc(lifted)}." if lifted else \
            "✅ Code accepted. Nothing was stopped any more."
    return "✅ Code accepted."
