"""A strategy's parameters tuned at run time: validated, stored in SQLite, applied to the running strategy at once.

The tunable parameters are the ones a strategy declares on its params dataclass (type and range, see
trading/strategies/parameter_space.py), plus rules_min_rr: the rules decider's minimum reward:risk for that
strategy's signals (what a sweep varies beside the strategy's own parameters). A change is checked against the
declared space (unknown name, wrong type, out of range, fast not below slow: a clear reason, nothing changed),
stored with its audit event (old and new values) in one transaction, then the strategy is rebuilt with its
overrides and swapped into the running book: the next scan uses it, no restart. `default` removes overrides.
Setting values by hand in live mode takes a two-factor code, as raising a risk limit does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Awaitable, Callable, Iterable, Mapping

from trading.adapters.sqlite_strategy_parameters import SqliteStrategyParameters
from trading.backtest.strategy_specs import RULES_MIN_REWARD_RISK, SPECS, StrategySpec, strategy_params
from trading.domain.errors import InvalidInput, echoed
from trading.domain.events import Event, EventKind
from trading.engine.rules_decider import RulesDecider
from trading.logs import get_logger
from trading.ports import Clock
from trading.services.chat_settings import ChangeOutcome
from trading.services.code_requests import CodeRequest, CodeRequests
from trading.services.event_bus import EventBus
from trading.strategies.book import StrategyBook
from trading.strategies.market_analysis import TunableStrategy
from trading.strategies.parameter_space import Parameter, checked_values, params_text

log = get_logger(__name__)
Values = dict[str, float]


@dataclass(frozen=True, slots=True)
class ParameterRow:
    """One line of /params: a parameter, the value the running strategy uses, and whether it is tuned."""

    parameter: Parameter
    value: float
    overridden: bool


@dataclass(frozen=True, slots=True)
class ParameterTable:
    """A strategy's tunable parameters as they run now."""

    strategy: str
    rows: tuple[ParameterRow, ...]

    @property
    def overridden(self) -> Values:
        """Return the tuned parameters and their values."""
        return {r.parameter.name: r.value for r in self.rows if r.overridden}


@dataclass(frozen=True, slots=True)
class ParameterChange:
    """What a change came to: the parameters touched, their values before and after, a code request if asked."""

    outcome: ChangeOutcome
    strategy: str
    old: Values = field(default_factory=dict)
    new: Values = field(default_factory=dict)
    request: CodeRequest | None = None
    locked_until_ms: int = 0


class StrategyParameters:
    """Lists, validates, stores, applies and audits the strategies' tuned parameters."""

    def __init__(self, book: StrategyBook, rules: RulesDecider, store: SqliteStrategyParameters, events: EventBus,
                 clock: Clock, codes: CodeRequests, live: bool) -> None:
        self._book, self._rules, self._store, self._events = book, rules, store, events
        self._clock, self._codes, self._live = clock, codes, live
        self._overrides: dict[str, Values] = {}

    async def load(self) -> list[str]:
        """Apply the stored overrides to the running strategies; return those no longer valid (ignored)."""
        dropped = []
        for strategy, values in (await self._store.overrides()).items():
            try:
                name = self._name(strategy)
            except InvalidInput:
                dropped += [f"{strategy}.{k}" for k in values]
                continue
            kept = self._valid(name, values)
            dropped += [f"{name}.{k}" for k in values if k not in kept]
            self._run(name, kept)
        if dropped:
            log.warning("stored strategy parameters are no longer valid and were ignored", names=dropped)
        return dropped

    def _valid(self, name: str, stored: Mapping[str, str]) -> Values:
        """Return the stored values that are still valid: all together, else each one on its own."""
        space, defaults = self.space(name), self.defaults(name)
        try:
            return checked_values(name, space, defaults, stored)
        except ValueError:
            pass
        kept: Values = {}
        for key, text in stored.items():
            try:
                kept.update(checked_values(name, space, defaults, {key: text}))
            except ValueError:
                continue
        return kept

    def space(self, strategy: str) -> dict[str, Parameter]:
        """Return the strategy's tunable parameters, rules_min_rr last."""
        return self._spec(strategy).tunable(float(self._rules.settings.min_reward_risk))

    def defaults(self, strategy: str) -> Values:
        """Return the strategy's parameters as it ships."""
        return {name: p.default for name, p in self.space(strategy).items()}

    def current(self, strategy: str) -> Values:
        """Return the values the running strategy uses now (read from the strategy itself, not from the store)."""
        name = self._name(strategy)
        space = self.space(name)
        running = self._book.strategy(name)
        if not isinstance(running, TunableStrategy):     # a stand-in under a tunable strategy's name
            raise InvalidInput(f"{name} runs without tunable parameters.")
        own = {n: getattr(running.params, n) for n in space if n != RULES_MIN_REWARD_RISK}
        threshold = self._rules.min_reward_risk_of.get(name, self._rules.settings.min_reward_risk)
        return {**own, RULES_MIN_REWARD_RISK: float(threshold)}

    def overrides(self, strategy: str) -> Values:
        """Return the strategy's tuned parameters (empty for a strategy without any, or an unknown one)."""
        try:
            return dict(self._overrides.get(self._name(strategy), {}))
        except InvalidInput:
            return {}

    def table(self, strategy: str) -> ParameterTable:
        """Return the strategy's parameters as they run, marking the tuned ones."""
        name = self._name(strategy)
        tuned, now = self._overrides.get(name, {}), self.current(name)
        return ParameterTable(name, tuple(ParameterRow(p, now[n], n in tuned) for n, p in self.space(name).items()))

    def tables(self) -> list[ParameterTable]:
        """Return the tables of every strategy that has tunable parameters."""
        return [self.table(n) for n in self._book.names if any(s.name == n for s in SPECS)]

    def checked(self, strategy: str, values: Mapping[str, object]) -> Values:
        """Return values parsed and checked for the strategy, or raise InvalidInput saying what is wrong."""
        name = self._name(strategy)
        try:
            return checked_values(name, self.space(name), self.current(name), values)
        except ValueError as exc:
            raise InvalidInput(f"{name} not changed: {exc}. /params {name} lists its parameters.") from None

    async def apply(self, strategy: str, values: Mapping[str, object], user_id: int, source: str) -> ParameterChange:
        """Check and apply values now (no code asked: the caller has authorised them)."""
        name = self._name(strategy)
        return await self._commit(name, self.checked(name, values), (), user_id, source)

    async def change(self, strategy: str, parameter: str, value: str, user_id: int) -> ParameterChange:
        """Set one parameter from the chat ('default' removes its override); live mode asks for a code first."""
        name = self._name(strategy)
        if value.strip().lower() == "default":
            return await self.revert(name, [parameter], user_id)
        checked = self.checked(name, {parameter.strip(): value})
        if self._live:
            return self._ask(user_id, name, f"set {name} {params_text(checked)}",
                             lambda: self._commit(name, self.checked(name, checked), (), user_id, "/params"))
        return await self._commit(name, checked, (), user_id, "/params")

    def _ask(self, user_id: int, name: str, purpose: str,
             action: Callable[[], Awaitable[ParameterChange]]) -> ParameterChange:
        """Ask user_id for a code that runs action (live mode), or say the codes are locked."""
        locked = self._codes.locked_until_ms()
        if locked:
            return ParameterChange(ChangeOutcome.LOCKED, name, locked_until_ms=locked)
        return ParameterChange(ChangeOutcome.CODE_ASKED, name, request=self._codes.ask(user_id, purpose, action))

    async def revert(self, strategy: str, parameters: Iterable[str] | None, user_id: int) -> ParameterChange:
        """Put parameters (all of them for None) back to their defaults; live mode asks for a code first.

        A default may be looser than the tuned value it replaces (a lower rules_min_rr takes more trades), so going
        back is a change like any other.
        """
        name = self._name(strategy)
        tuned = self._overrides.get(name, {})
        wanted = list(tuned) if parameters is None else [p.strip() for p in parameters]
        unknown = [p for p in wanted if p not in self.space(name)]
        if unknown:
            raise InvalidInput(f"{name} has no parameter {echoed(unknown[0])}; its parameters are "
                               f"{', '.join(self.space(name))}. /params {name} lists them.")
        removed = [p for p in wanted if p in tuned]
        if not removed:
            return ParameterChange(ChangeOutcome.UNCHANGED, name)
        if self._live:
            return self._ask(user_id, name, f"put {name} {', '.join(removed)} back to the default",
                             lambda: self._remove(name, removed, user_id))
        return await self._remove(name, removed, user_id)

    async def _remove(self, name: str, wanted: list[str], user_id: int) -> ParameterChange:
        """Remove the overrides among wanted that are still there (a code may come after another change)."""
        tuned = self._overrides.get(name, {})
        return await self._commit(name, {}, [p for p in wanted if p in tuned], user_id, "/params default")

    async def _commit(self, name: str, values: Values, removed: Iterable[str], user_id: int,
                      source: str) -> ParameterChange:
        removed, before = list(removed), self.current(name)
        values = {k: v for k, v in values.items() if before[k] != v}     # what already runs is not a change
        if not values and not removed:
            return ParameterChange(ChangeOutcome.UNCHANGED, name)
        touched = [k for k in self.space(name) if k in values or k in removed]     # in declaration order
        tuned = {k: v for k, v in {**self._overrides.get(name, {}), **values}.items() if k not in removed}
        after = {**self.defaults(name), **tuned}
        old, new = {k: before[k] for k in touched}, {k: after[k] for k in touched}
        event = self._event(name, old, new, user_id, source)
        await self._store.change(name, values, removed, event, self._clock.now_ms())   # stored, then run
        self._run(name, tuned)
        self._events.announce(event)
        return ParameterChange(ChangeOutcome.APPLIED, name, old, new)

    def _run(self, name: str, tuned: Values) -> None:
        """Swap the strategy rebuilt with its overrides into the book, and set its rules threshold."""
        spec = self._spec(name)
        self._book.replace(spec.strategy(strategy_params(spec, tuned)))
        if RULES_MIN_REWARD_RISK in tuned:
            self._rules.min_reward_risk_of[name] = Decimal(repr(float(tuned[RULES_MIN_REWARD_RISK])))
        else:
            self._rules.min_reward_risk_of.pop(name, None)
        if tuned:
            self._overrides[name] = dict(tuned)
        else:
            self._overrides.pop(name, None)

    def _event(self, name: str, old: Values, new: Values, user_id: int, source: str) -> Event:
        words = ", ".join(f"{k} {old[k]:g} → {new[k]:g}" for k in old)
        return Event(EventKind.SETTING, self._clock.now_ms(),
                     f"Strategy {name} parameters changed by user:{user_id} ({source}): {words}",
                     {"strategy": name, "old": old, "new": new, "by": f"user:{user_id}", "source": source})

    def _name(self, strategy: str) -> str:
        try:
            return self._book.resolve(strategy)
        except ValueError as exc:
            text = str(exc)
            raise InvalidInput(f"{text[:1].upper()}{text[1:]}.") from None

    def _spec(self, strategy: str) -> StrategySpec:
        name = self._name(strategy)
        spec = next((s for s in SPECS if s.name == name), None)
        if spec is None:
            raise InvalidInput(f"{name} has no tunable parameters.")
        return spec
