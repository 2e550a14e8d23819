"""Settings changed from the chat: validated like the environment's, applied at run time, kept in SQLite.

`/set NAME VALUE` runs the new value through the same validators as the environment (range, type, and what it
interacts with, such as the soft stop staying below the hard stop), applies it to the running engine, stores it
as an override over the environment and audits the old and the new value. `/set NAME default` removes the
override. Raising a risk limit in live mode needs a two-factor code; parameters that only take effect at the next
start (symbols, the time zone...) are stored and say so instead of half-applying.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Callable

from pydantic import ValidationError

from trading.adapters.sqlite_store import SqliteStore
from trading.domain.errors import BadSymbol, InvalidInput, echoed
from trading.domain.symbols import resolve_symbol
from trading.domain.events import TOLD_IN_REPLY, Event, EventKind
from trading.logs import get_logger
from trading.ports import Clock, MarketData
from trading.risk.verdicts import RiskRule
from trading.services.code_requests import CodeRequest, CodeRequests
from trading.services.event_bus import EventBus
from trading.settings import Settings
from trading.settings_values import split_list

log = get_logger(__name__)
RESTART_ONLY = ("symbols", "timezone", "report_time", "chart_theme")
# higher is riskier: raising one of these in live mode needs a code
RISK_LIMITS = ("risk_per_trade_pct", "daily_loss_limit_pct", "max_drawdown_pct", "futures_leverage", "max_leverage",
               "max_open_positions", "max_symbol_exposure_pct", "max_total_exposure_pct", "hard_stop_pct",
               "max_entries_per_window", "loss_streak")
RUNTIME = RISK_LIMITS + ("soft_stop_pct", "trailing_activation_pct", "trailing_callback_pct", "take_profit_zone_pct",
                         "partial_take_profit_r", "partial_take_profit_fraction", "break_even_r", "breaker_move_pct",
                         "breaker_cooldown_minutes", "loss_cooldown_minutes", "close_on_daily_loss",
                         "min_signal_confidence", "min_reward_risk", "approval_timeout_seconds",
                         "approval_max_slippage_bps", "quiet_hours")
TUNABLE = RUNTIME + RESTART_ONLY
# shown by /settings but changed in .env only: whether the bot's own live entries wait for the owner's approval,
# and whether live futures keep their stops on the exchange (and how often a trailing one is replaced)
ENV_ONLY = ("live_autonomy", "exchange_stops", "exchange_stop_replace_s")
# pydantic's Field bounds, in words: its own ("Input should be greater than 0") name neither setting nor value
_BOUNDS = {"greater_than": ("above", "gt"), "greater_than_equal": ("of at least", "ge"),
           "less_than": ("below", "lt"), "less_than_equal": ("of at most", "le")}


class ChangeOutcome(StrEnum):
    """What a /set came to."""

    APPLIED = "applied"
    STORED_FOR_RESTART = "stored_for_restart"
    UNCHANGED = "unchanged"
    CODE_ASKED = "code_asked"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class SettingRow:
    """One line of /settings."""

    name: str
    value: Any
    default: Any
    restart: bool
    overridden: bool
    env_only: bool = False       # set in .env only, never from the chat


@dataclass(frozen=True, slots=True)
class SettingChange:
    """The outcome of /set: the setting, its old and new value, and the code request when one is needed."""

    outcome: ChangeOutcome
    name: str
    old: Any = None
    new: Any = None
    request: CodeRequest | None = None
    locked_until_ms: int = 0


def with_overrides(settings: Settings, overrides: dict[str, str]) -> tuple[Settings, list[str]]:
    """Return settings with the chat's stored overrides applied, and the names of those no longer valid."""
    dropped: list[str] = []
    for name, value in overrides.items():
        try:
            settings = _validated(settings, name, value)
        except InvalidInput:
            dropped.append(name)
    return settings, dropped


class ChatSettings:
    """Lists, validates, applies, stores and audits the settings tuned from the chat."""

    def __init__(self, settings: Settings, store: SqliteStore, events: EventBus, clock: Clock,
                 apply: Callable[[Settings], None], codes: CodeRequests, live: bool, market: MarketData) -> None:
        self.current = settings
        self._market = market
        self._store = store
        self._events = events
        self._clock = clock
        self._apply = apply
        self._codes = codes
        self._live = live

    async def rows(self) -> list[SettingRow]:
        """Return every tunable setting with its value, its default and whether it needs a restart."""
        overridden = await self._store.overrides()
        return [SettingRow(name, getattr(self.current, name), Settings.model_fields[name].default,
                           name in RESTART_ONLY, name in overridden, name in ENV_ONLY) for name in TUNABLE + ENV_ONLY]

    async def change(self, name_text: str, value_text: str, user_id: int) -> SettingChange:
        """Validate and apply NAME=VALUE ('default' removes the override); a riskier limit in live asks a code."""
        name = _name(name_text)
        old = getattr(self.current, name)
        default = value_text.strip().lower() == "default"
        value = str(Settings.model_fields[name].default) if default else value_text
        if name == "quiet_hours" and value_text.strip().lower() in ("off", "none"):
            value = ""
        if name == "symbols" and not default:
            value = await self._known_symbols(value)
        candidate = _validated(self.current, name, value)
        new = getattr(candidate, name)
        if new == old and not default:
            return SettingChange(ChangeOutcome.UNCHANGED, name, old, new)
        if self._live and name in RISK_LIMITS and new > old:
            locked = self._codes.locked_until_ms()
            if locked:
                return SettingChange(ChangeOutcome.LOCKED, name, old, new, locked_until_ms=locked)
            request = self._codes.ask(user_id, f"raise {name.upper()} from {old} to {new}",
                                      lambda: self._commit(name, value, default, user_id))
            return SettingChange(ChangeOutcome.CODE_ASKED, name, old, new, request)
        return await self._commit(name, value, default, user_id)

    async def symbols(self, action: str, symbol_text: str, user_id: int) -> SettingChange:
        """Add or remove a traded symbol (stored; it takes effect at the next start)."""
        symbols = list(self.current.symbol_list)
        try:
            symbol = resolve_symbol(symbol_text, list(await self._market.instruments()))
        except BadSymbol as exc:
            raise InvalidInput(str(exc)) from None
        if action == "add":
            if symbol in symbols:
                raise InvalidInput(f"{symbol} is already traded. /symbols lists them.")
            symbols.append(symbol)
        else:
            if symbol not in symbols:
                raise InvalidInput(f"{symbol} is not traded. /symbols lists them.")
            if len(symbols) == 1:
                raise InvalidInput("The bot needs at least one symbol; add another before removing this one.")
            symbols.remove(symbol)
        return await self.change("symbols", ",".join(symbols), user_id)

    async def _known_symbols(self, text: str) -> str:
        """Return the symbols in text as the market names them, or refuse one it does not list."""
        known = list(await self._market.instruments())
        try:
            return ",".join(dict.fromkeys(resolve_symbol(s, known) for s in split_list(text)))
        except BadSymbol as exc:
            raise InvalidInput(f"SYMBOLS not changed: {exc}") from None

    async def _commit(self, name: str, value: str, default: bool, user_id: int) -> SettingChange:
        old = getattr(self.current, name)
        self.current = _validated(self.current, name, value)     # again: another change may have come between
        new = getattr(self.current, name)
        if default:
            await self._store.remove_override(name)
        else:
            await self._store.set_override(name, str(new))
        restart = name in RESTART_ONLY
        if not restart:
            self._apply(self.current)
        when = "after the next restart" if restart else "now"
        await self._events.emit(Event(EventKind.SETTING, self._clock.now_ms(),
                                      f"Setting {name.upper()} changed from {old} to {new} by user:{user_id} "
                                      f"(applies {when})", {"name": name, "old": str(old), "new": str(new),
                                                            "by": f"user:{user_id}", "restart": restart,
                                                            TOLD_IN_REPLY: True, **_lifts(name, old, new)}))
        return SettingChange(ChangeOutcome.STORED_FOR_RESTART if restart else ChangeOutcome.APPLIED, name, old, new)


def _lifts(name: str, old: object, new: object) -> dict[str, list[str]]:
    """Return the event data saying which brake a change lifts: a higher daily loss limit lifts today's latch
    (an alert of it still queued is stale; a loss past the new limit is told again at the next mark)."""
    raised = isinstance(old, Decimal) and isinstance(new, Decimal) and new > old
    return {"lifts": [RiskRule.DAILY_LOSS.value]} if name == "daily_loss_limit_pct" and raised else {}


def _name(text: str) -> str:
    name = text.strip().lower()
    if name in TUNABLE:
        return name
    if name in Settings.model_fields:
        raise InvalidInput(f"{name.upper()} is not changed from the chat: set it in .env and restart.")
    close = [t.upper() for t in TUNABLE if name and (name in t or t in name)][:3]
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise InvalidInput(f"No setting {echoed(text)}.{hint} /settings lists them.")


def _validated(settings: Settings, name: str, value: str) -> Settings:
    try:
        return Settings.model_validate({**settings.model_dump(), name: value.strip()})
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "bool_parsing":      # pydantic's words name no value that works
            message = f"expected true or false, like /set {name.upper()} true, got {echoed(value)}"
        elif first["type"] in _BOUNDS:           # a Field bound: pydantic's words name neither setting nor value
            words, key = _BOUNDS[first["type"]]
            message = f"expected a number {words} {first['ctx'][key]}, got {echoed(value)}"
        field = str(first["loc"][0]) if first["loc"] else name
        if (name, field) == ("hard_stop_pct", "soft_stop_pct"):
            raise InvalidInput(_soft_first(settings, value)) from None
        about = "" if field == name else f" (it would make {field.upper()} invalid)"
        raise InvalidInput(f"{name.upper()} not changed{about}: {message}.") from None


def _soft_first(settings: Settings, hard: str) -> str:
    """Return why a hard stop at or below the soft stop is refused, and the two /set that get there."""
    typed = hard.strip()
    return (f"HARD_STOP_PCT not changed: the soft stop must stay below the hard stop, and SOFT_STOP_PCT is "
            f"{settings.soft_stop_pct.normalize():f}. Lower SOFT_STOP_PCT first, e.g. /set SOFT_STOP_PCT "
            f"{(Decimal(typed) / 2).normalize():f}, then /set HARD_STOP_PCT {typed}.")
