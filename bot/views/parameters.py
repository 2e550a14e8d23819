"""Rendering of /params, of a parameter change, and of the /optimize proposal card and its presses."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import OUT_OF_DATE, Callback
from bot.confirmation_cards import TOASTS
from bot.views import esc
from bot.views.control import code_prompt, locked_text
from trading.services.chat_settings import ChangeOutcome
from trading.services.parameter_proposals import ProposalAnswer, ProposalOutcome
from trading.services.strategy_parameters import ParameterChange, ParameterTable
from trading.strategies.parameter_space import params_text

PREFIX = "tune"           # the proposal card's callback prefix: tune:apply:ID, tune:dismiss:ID
APPLY, DISMISS = "apply", "dismiss"
RULES_NOTE = "rules_min_rr: the minimum reward:risk the rules decider asks of this strategy's signals"


def table_text(table: ParameterTable) -> str:
    """Return /params STRATEGY: each parameter as it runs, its default and range, the tuned ones marked."""
    name = esc(table.strategy)
    lines = [f"<b>Parameters of {name}</b> (as the running strategy uses them)"]
    for row in table.rows:
        p = row.parameter
        default = f"default {p.default:g}, " if row.value != p.default or row.overridden else ""
        mark = " ✏️" if row.overridden else ""
        lines.append(f"<code>{esc(p.name)}</code> = {row.value:g} ({default}{p.low:g}..{p.high:g}){mark}")
    tuned = "✏️ tuned (an applied /optimize proposal or /params) · " if any(r.overridden for r in table.rows) else ""
    lines += [tuned + RULES_NOTE,
              f"Change one: /params {name} NAME VALUE · back to the defaults: /params {name} default"]
    return "\n".join(lines)


def tables_text(tables: list[ParameterTable]) -> str:
    """Return /params: which strategies run tuned parameters."""
    lines = ["<b>Strategy parameters</b>"]
    for table in tables:
        tuned = table.overridden
        state = f"tuned: {esc(params_text(tuned))}" if tuned else "defaults"
        lines.append(f"{esc(table.strategy)}: {state}")
    lines.append("Details: /params STRATEGY, e.g. /params C")
    return "\n".join(lines)


def change_text(change: ParameterChange) -> str:
    """Return the reply to a parameter change."""
    name = esc(change.strategy)
    if change.outcome is ChangeOutcome.UNCHANGED:
        return f"{name} already runs with these parameters; nothing changed."
    if change.outcome is ChangeOutcome.LOCKED:
        return locked_text(change.locked_until_ms)
    if change.outcome is ChangeOutcome.CODE_ASKED and change.request is not None:
        return f"Changing a strategy's parameters in live mode needs a code. {code_prompt(change.request)}"
    moves = ", ".join(f"{esc(k)} {change.old[k]:g} → {change.new[k]:g}" for k in change.old)
    return f"✅ {name}: {moves}, applied now. /params {name} shows them; /params {name} default undoes it."


def proposal_card(text: str, strategy: str, params: dict[str, float], minutes: int) -> str:
    """Return the proposal card: the optimisation's report and what Apply sets."""
    return (f"<pre>{esc(text)}</pre>\n\nApply sets {esc(strategy)}: <code>{esc(params_text(params))}</code> on the "
            f"running strategy now (until /params {esc(strategy)} default). Only you can answer; the buttons "
            f"expire in {minutes} min.")


def answered_card(text: str, outcome: str) -> str:
    """Return the card once answered: the optimisation's report and what came of the press (no buttons)."""
    return f"<pre>{esc(text)}</pre>\n\n{outcome}"


def proposal_buttons(proposal_id: str) -> InlineKeyboardMarkup:
    """Return the card's Apply and Dismiss buttons."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("✅ Apply", callback_data=Callback(PREFIX, APPLY, proposal_id).encode()),
        InlineKeyboardButton("✖ Dismiss", callback_data=Callback(PREFIX, DISMISS, proposal_id).encode())]])


def proposal_toast(answer: ProposalAnswer) -> str:
    """Return the toast a press is answered with."""
    if answer.outcome is ProposalOutcome.REFUSED:
        return TOASTS.get(answer.claim, OUT_OF_DATE) if answer.claim is not None else OUT_OF_DATE
    return {ProposalOutcome.APPLIED: "Applied.", ProposalOutcome.DISMISSED: "Dismissed: nothing changed.",
            ProposalOutcome.CODE_ASKED: "Now send your 6-digit code in our private chat.",
            ProposalOutcome.LOCKED: "Codes are locked after too many wrong ones; nothing changed.",
            ProposalOutcome.INVALID: "Not applied: the values are no longer valid."}[answer.outcome]


def proposal_outcome(answer: ProposalAnswer) -> str | None:
    """Return the line the card ends with after the press (None: the card stays as it is)."""
    if answer.outcome is ProposalOutcome.APPLIED and answer.change is not None:
        return change_text(answer.change)
    if answer.outcome is ProposalOutcome.DISMISSED:
        return "✖ Dismissed: the parameters stay as they are."
    if answer.outcome is ProposalOutcome.CODE_ASKED:
        return "🔐 Waiting for your two-factor code in our private chat; nothing changes before it."
    if answer.outcome is ProposalOutcome.INVALID:
        return f"❌ Not applied: {esc(answer.reason)}"
    return None


def code_request_text(answer: ProposalAnswer) -> str:
    """Return the message that asks for the code of a live Apply."""
    assert answer.request is not None
    return f"Applying strategy parameters in live mode needs a code. {code_prompt(answer.request)}"
