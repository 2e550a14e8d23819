"""A strategy's parameters tuned at run time: checked against its declared space, stored, applied at once, audited,
kept over a restart, removable; a bad value changes nothing and says what is wrong."""
import json
from decimal import Decimal

import pyotp
import pytest

from tests.fakes.databases import opened_store
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_strategy_parameters import SqliteStrategyParameters
from trading.domain.decisions import Action, DecisionRequest
from trading.domain.errors import InvalidInput
from trading.domain.events import EventKind
from trading.domain.positions import PositionSide
from trading.domain.signals import Signal
from trading.engine.rules_decider import RulesDecider
from trading.services.chat_settings import ChangeOutcome
from trading.services.code_requests import AnswerOutcome, CodeRequests
from trading.services.event_bus import EventBus
from trading.services.strategy_parameters import StrategyParameters
from trading.services.two_factor import TwoFactor
from trading.strategies.book import default_book

OWNER = 4242
T0 = 1_765_000_000_000 // 30_000 * 30_000 + 5_000
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def tuner(store, *, live=False, codes=None, clock=None):
    clock = clock or ManualClock(T0)
    book, rules = default_book(), RulesDecider()
    service = StrategyParameters(book, rules, SqliteStrategyParameters(store), EventBus(store), clock,
                                 codes or CodeRequests(None, clock), live)
    return service, book, rules


async def audited(store):
    return [e.data for e in await store.events(EventKind.SETTING)]


async def stored(store):
    return await SqliteStrategyParameters(store).overrides()


@pytest.fixture
async def store(tmp_path):
    async with opened_store(tmp_path) as opened:
        yield opened


async def test_applied_values_run_at_once_and_are_stored_and_audited_with_old_and_new(store):
    service, book, rules = tuner(store)

    change = await service.apply("c", {"sweep_lookback": 8.0, "rules_min_rr": 2.5}, OWNER, "test")

    assert change.outcome is ChangeOutcome.APPLIED and change.strategy == "C"
    assert change.old == {"sweep_lookback": 16, "rules_min_rr": 1.5} and change.new == {"sweep_lookback": 8,
                                                                                        "rules_min_rr": 2.5}
    running = book.strategy("C").params
    assert running.sweep_lookback == 8 and isinstance(running.sweep_lookback, int) and running.confidence == 0.6
    assert rules.min_reward_risk_of == {"C": Decimal("2.5")}
    assert service.overrides("C") == {"sweep_lookback": 8, "rules_min_rr": 2.5}
    assert await stored(store) == {"C": {"rules_min_rr": "2.5", "sweep_lookback": "8"}}
    assert await audited(store) == [{"strategy": "C", "old": {"sweep_lookback": 16, "rules_min_rr": 1.5},
                                     "new": {"sweep_lookback": 8, "rules_min_rr": 2.5}, "by": f"user:{OWNER}",
                                     "source": "test"}]
    rows = {r.parameter.name: (r.value, r.overridden) for r in service.table("C").rows}
    assert rows == {"sweep_lookback": (8, True), "min_reward_risk": (2.0, False), "confidence": (0.6, False),
                    "rules_min_rr": (2.5, True)}


@pytest.mark.parametrize("values, message", [
    ({"lookback": "8"}, "C not changed: C has no parameter 'lookback'; its parameters are sweep_lookback, "
                        "min_reward_risk, confidence, rules_min_rr. /params C lists its parameters."),
    ({"sweep_lookback": "2.5"}, "C not changed: sweep_lookback takes a whole number, not '2.5'."),
    ({"sweep_lookback": "many"}, "C not changed: sweep_lookback takes a whole number from 1 to 500, not 'many'."),
    ({"sweep_lookback": "nan"}, "C not changed: sweep_lookback takes a whole number from 1 to 500, not 'nan'."),
    ({"sweep_lookback": "501"}, "C not changed: sweep_lookback takes a whole number from 1 to 500; 501 is out "
                                "of range."),
    ({"confidence": "1.5"}, "C not changed: confidence takes a number from 0 to 1; 1.5 is out of range."),
    ({"rules_min_rr": "0.2"}, "C not changed: rules_min_rr takes a number from 0.5 to 10; 0.2 is out of range."),
    ({"sweep_lookback": "8", "confidence": "2"}, "C not changed: confidence takes a number from 0 to 1; 2 is out "
                                                 "of range."),
])
async def test_a_bad_value_says_what_is_wrong_and_changes_nothing(store, values, message):
    service, book, rules = tuner(store)
    before = book.strategy("C")

    with pytest.raises(InvalidInput) as refused:
        await service.apply("C", values, OWNER, "test")

    assert str(refused.value).startswith(message)
    assert book.strategy("C") is before and rules.min_reward_risk_of == {}
    assert await stored(store) == {} and await audited(store) == []


async def test_a_fast_period_must_stay_below_the_slow_one_on_the_values_that_would_run(store):
    service, book, _ = tuner(store)

    with pytest.raises(InvalidInput, match=r"fast \(60\) must stay below slow \(55\)"):
        await service.change("trend", "fast", "60", OWNER)
    await service.change("trend", "slow", "80", OWNER)
    await service.change("trend", "fast", "60", OWNER)

    assert (book.strategy("trend").params.fast, book.strategy("trend").params.slow) == (60, 80)


async def test_unknown_strategies_are_refused_by_name(store):
    service, _, _ = tuner(store)

    with pytest.raises(InvalidInput, match="Unknown strategy 'Z'; use one of A, B, C, trend, ema_cross"):
        service.table("Z")


async def test_tuned_values_survive_a_restart_and_invalid_stored_ones_are_ignored(tmp_path):
    async with opened_store(tmp_path) as store:
        service, _, _ = tuner(store)
        await service.apply("A", {"max_zone_age": "48", "rules_min_rr": "2.5"}, OWNER, "test")
        async with store.transaction() as db:     # a value a newer range no longer allows
            await db.execute("INSERT INTO strategy_parameters VALUES ('B', 'max_wait', '9999', 1)")
    async with opened_store(tmp_path) as store:
        service, book, rules = tuner(store)
        dropped = await service.load()

        assert dropped == ["B.max_wait"]
        assert book.strategy("A").params.max_zone_age == 48 and rules.min_reward_risk_of == {"A": Decimal("2.5")}
        assert book.strategy("B").params.max_wait == 16
        assert service.current("A")["rules_min_rr"] == 2.5 and service.overrides("B") == {}


async def test_default_puts_one_or_all_parameters_back_and_audits_it(store):
    service, book, rules = tuner(store)
    await service.apply("A", {"max_zone_age": 48, "rules_min_rr": 2.5}, OWNER, "test")

    one = await service.change("A", "rules_min_rr", "default", OWNER)
    assert one.old == {"rules_min_rr": 2.5} and one.new == {"rules_min_rr": 1.5} and rules.min_reward_risk_of == {}
    everything = await service.revert("A", None, OWNER)
    again = await service.revert("A", None, OWNER)

    assert everything.old == {"max_zone_age": 48} and everything.new == {"max_zone_age": 96}
    assert again.outcome is ChangeOutcome.UNCHANGED and book.strategy("A").params.max_zone_age == 96
    assert await stored(store) == {}
    assert [e["source"] for e in await audited(store)] == ["test", "/params default", "/params default"]


async def test_values_already_running_are_no_change(store):
    service, _, _ = tuner(store)

    same = await service.change("C", "sweep_lookback", "16", OWNER)

    assert same.outcome is ChangeOutcome.UNCHANGED and await stored(store) == {} and await audited(store) == []


async def test_the_rules_weigh_a_strategys_signal_against_its_own_minimum(store):
    service, _, rules = tuner(store)
    await service.apply("C", {"rules_min_rr": 2.5}, OWNER, "test")

    def signal(strategy):   # reward:risk 2: risk 100, reward 200
        return Signal("BTC/USDT", strategy, PositionSide.LONG, Decimal(1000), Decimal(900), Decimal(1200), 0.8,
                      1, "15m", "test", f"{strategy}:1")

    by_c = await rules.decide(DecisionRequest(1, signal("C")))
    by_a = await rules.decide(DecisionRequest(1, signal("A")))

    assert by_c.action is Action.SKIP and "below 2.5" in by_c.reason
    assert by_a.action is Action.ENTER


async def test_a_value_set_by_hand_in_live_mode_waits_for_the_right_code(store):
    clock = ManualClock(T0)
    factor = TwoFactor(SECRET, store, EventBus(store), clock)
    await factor.load()
    codes = CodeRequests(factor, clock)
    service, book, _ = tuner(store, live=True, codes=codes, clock=clock)

    asked = await service.change("C", "sweep_lookback", "8", OWNER)
    wrong = await codes.answer(OWNER, OWNER, "000000" if pyotp.TOTP(SECRET).at(T0 // 1000) != "000000" else "111111")
    unchanged = book.strategy("C").params.sweep_lookback
    right = await codes.answer(OWNER, OWNER, pyotp.TOTP(SECRET).at(T0 // 1000))

    assert asked.outcome is ChangeOutcome.CODE_ASKED and asked.request.purpose == "set C sweep_lookback=8"
    assert wrong.outcome is AnswerOutcome.REFUSED and unchanged == 16
    assert right.outcome is AnswerOutcome.DONE and right.result.new == {"sweep_lookback": 8}
    assert book.strategy("C").params.sweep_lookback == 8
    assert json.loads(json.dumps(await stored(store))) == {"C": {"sweep_lookback": "8"}}
