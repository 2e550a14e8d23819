"""The LLM decider through the real openai SDK and the fake server: it decides, holds on every failure, and logs."""
import json
from decimal import Decimal as D

from tests.fakes.openai_api import (FakeOpenAI, decision, late, rate_limited, raw, refusal, server_error, text,
                                    truncated)
from tests.fakes.symbol_views import T_VIEW, llm_decider, review, symbol_view
from trading.domain.decisions import Action, DecisionSource, OrderKind, TradeAction
from trading.engine.decision_schedule import ScheduleSettings
from trading.engine.llm_budget import BudgetSettings, Prices

MINUTE = 60_000


async def test_a_buy_with_enough_confidence_becomes_an_entry_with_its_size_clamped(tmp_path):
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path) as (decider, journal, _):
        fake.script(decision("BUY", 0.8, size_pct=50, reasoning="sweep of the lows into demand"))
        got = await decider.decide(review(symbol_view()))
        stored = await journal.get(got.ref)
    assert got.action is Action.ENTER and got.source is DecisionSource.MODEL and got.decided_by == "fake-model"
    assert got.idea.action is TradeAction.BUY and got.idea.size_pct == D("30")      # clamped to the cap
    assert got.idea.order_kind is OrderKind.MARKET
    assert stored.action == "BUY" and stored.source == "model" and stored.prompt and stored.reply
    assert json.loads(stored.parsed_json)["size_pct"] == "50" or json.loads(stored.parsed_json)["size_pct"] == 50
    assert stored.prompt_tokens > 0 and stored.completion_tokens > 0 and stored.latency_ms is not None
    assert fake.calls[0].schema["properties"]["action"]["enum"] == ["HOLD", "BUY"]   # narrowed to what risk allows


async def test_below_the_confidence_threshold_the_decision_is_hold_from_the_model(tmp_path):
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path) as (decider, journal, _):
        fake.script(decision("BUY", 0.6, size_pct=10))
        got = await decider.decide(review(symbol_view()))
    assert got.action is Action.HOLD and got.source is DecisionSource.MODEL
    assert "0.60 is below 0.65" in got.reason


async def test_every_bad_reply_is_an_invalid_hold_stored_with_the_raw_reply(tmp_path):
    bad = [text("I think you should buy."), text('{"action": "BUY", "confidence": "very"}'), truncated(),
           refusal("I can't give financial advice."), decision("BUY", 1.7, size_pct=10),
           decision("BUY", 0.9, size_pct=0), decision("SELL", 0.9, size_pct=50),
           decision("BUY", 0.9, size_pct=10, order_type="limit", limit_price=None)]
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path) as (decider, journal, _):
        fake.script(*bad)
        got = []
        for n in range(len(bad)):   # each view moved on far enough to ask again
            got.append(await decider.decide(review(symbol_view(T_VIEW + n * 31 * MINUTE))))
        stored = [await journal.get(d.ref) for d in got]
    assert [d.action for d in got] == [Action.HOLD] * len(bad)
    assert {d.source for d in got} == {DecisionSource.INVALID}
    reasons = [d.reason for d in got]
    assert "no JSON object" in reasons[0] and "confidence" in reasons[1] and "finish_reason=length" in reasons[2]
    assert "refused" in reasons[3] and "outside 0..1" in reasons[4] and "outside (0, 100]" in reasons[5]
    assert "SELL is not allowed now" in reasons[6] and "limit order without" in reasons[7]
    assert stored[0].reply == "I think you should buy." and stored[3].reply == "I can't give financial advice."


async def test_a_limit_price_on_the_wrong_side_or_too_far_from_the_mid_is_invalid(tmp_path):
    view = symbol_view()
    above, far = view.mark * D("1.001"), view.mark * D("0.95")
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path) as (decider, _, _):
        fake.script(decision("BUY", 0.9, size_pct=10, order_type="limit", limit_price=float(above)),
                    decision("BUY", 0.9, size_pct=10, order_type="limit", limit_price=float(far)),
                    decision("BUY", 0.9, size_pct=10, order_type="limit", limit_price=float(view.mark * D("0.99"))))
        wrong = await decider.decide(review(view))
        too_far = await decider.decide(review(symbol_view(T_VIEW + 31 * MINUTE)))
        good = await decider.decide(review(symbol_view(T_VIEW + 62 * MINUTE)))
    assert wrong.source is DecisionSource.INVALID and "wrong side" in wrong.reason
    assert too_far.source is DecisionSource.INVALID and "more than 2%" in too_far.reason
    assert good.idea.order_kind is OrderKind.LIMIT and good.idea.limit_price is not None


async def test_timeouts_and_server_errors_hold_and_the_user_is_told_once(tmp_path):
    waits: list[float] = []
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path, timeout_s=0.3, waits=waits) as (decider, _, notes):
        fake.script(late(3.0), server_error(), server_error(), rate_limited(0.05), rate_limited(0.05))
        timeout = await decider.decide(review(symbol_view()))
        error = await decider.decide(review(symbol_view(T_VIEW + 31 * MINUTE)))
        limited = await decider.decide(review(symbol_view(T_VIEW + 62 * MINUTE)))
        fake.script(decision("HOLD", 0.9))
        recovered = await decider.decide(review(symbol_view(T_VIEW + 93 * MINUTE)))
    assert (timeout.action, timeout.source) == (Action.HOLD, DecisionSource.TIMEOUT)
    assert (error.action, error.source) == (Action.HOLD, DecisionSource.ERROR) and "after one retry" in error.reason
    assert (limited.action, limited.source) == (Action.HOLD, DecisionSource.ERROR)
    assert len(fake.calls) == 1 + 2 + 2 + 1          # one retry each on 5xx and 429, none on a timeout
    assert waits == [1.0, 0.05]                        # no Retry-After: 1 s; a 429's Retry-After is honoured
    assert recovered.source is DecisionSource.MODEL
    told = [line for line in notes.lines if "LLM" in line]
    assert len(told) == 2 and "not answering" in told[0] and "answering again" in told[1]


async def test_a_429_then_success_is_retried_once_after_retry_after(tmp_path):
    waits: list[float] = []
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path, waits=waits) as (decider, _, _):
        fake.script(rate_limited(0.5), decision("BUY", 0.9, size_pct=10), rate_limited(30))
        got = await decider.decide(review(symbol_view()))
        too_long = await decider.decide(review(symbol_view(T_VIEW + 31 * MINUTE)))
    assert got.action is Action.ENTER and len(fake.calls) == 3 and waits == [0.5]
    assert too_long.source is DecisionSource.ERROR and "asks to wait 30 s" in too_long.reason


async def test_with_rules_as_fallback_a_failure_lets_the_rules_decide(tmp_path):
    from tests.fakes.trading_setups import signal
    view = symbol_view()
    sig = signal(entry=str(view.mark), stop=str(view.mark - 500), take_profit=str(view.mark + 1500),
                 known_at_ms=T_VIEW)
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path, fallback="rules") as (decider, journal, _):
        fake.script(server_error(), server_error())
        got = await decider.decide(review(symbol_view(signals=(sig,)), signal=sig))
        stored = await journal.get(got.ref)
    assert got.action is Action.ENTER and got.decided_by == "rules" and got.source is DecisionSource.ERROR
    assert stored.action == "BUY" and stored.shadow_action == "BUY"


async def test_the_skip_rule_holds_without_a_call_until_price_moves_time_passes_or_a_signal_arrives(tmp_path):
    from tests.fakes.trading_setups import signal
    schedule = ScheduleSettings(min_move_pct=D("1"), max_age_ms=30 * MINUTE)
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path, schedule=schedule) as (decider, journal, _):
        first = await decider.decide(review(symbol_view()))
        quiet = await decider.decide(review(symbol_view(T_VIEW + MINUTE, mark=symbol_view().mark)))
        mark = first_mark = symbol_view().mark
        mark = first_mark * D("1.011")         # then the price stays there: only time, signals and zones ask
        moved = await decider.decide(review(symbol_view(T_VIEW + 2 * MINUTE, mark=mark)))
        aged = await decider.decide(review(symbol_view(T_VIEW + 33 * MINUTE, mark=mark)))
        sig = signal(known_at_ms=T_VIEW + 34 * MINUTE, setup="new")
        signalled = await decider.decide(review(symbol_view(T_VIEW + 34 * MINUTE, mark=mark, signals=(sig,))))
        again = await decider.decide(review(symbol_view(T_VIEW + 35 * MINUTE, mark=mark, signals=(sig,))))
        zone = await decider.decide(review(symbol_view(T_VIEW + 36 * MINUTE, mark=mark, zone="soft_stop")))
        triggers = [(await journal.get(d.ref)).trigger for d in (first, moved, aged, signalled, zone)]
    assert first.source is DecisionSource.MODEL and "first look" in triggers[0]
    assert quiet.source is DecisionSource.SKIPPED and quiet.action is Action.HOLD
    assert "moved 1.10%" in triggers[1] and "min ago" in triggers[2] and "new A long signal" in triggers[3]
    assert again.source is DecisionSource.SKIPPED
    assert "soft-stop zone" in triggers[4]
    assert len(fake.calls) == 5


async def test_risk_that_allows_only_hold_means_no_call(tmp_path):
    from trading.engine.symbol_view import AllowedActions
    blocked = AllowedActions((TradeAction.HOLD,), D(0), "kill switch active by chat:1: test")
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path) as (decider, _, _):
        got = await decider.decide(review(symbol_view(allowed=blocked)))
    assert got.source is DecisionSource.RISK_BLOCKED and "kill switch" in got.reason and fake.calls == []


async def test_the_budget_cuts_the_llm_off_for_the_day_tells_once_and_resets_the_next_day(tmp_path):
    budget = BudgetSettings(daily_usd=D("0.001"), timezone="UTC")
    prices = Prices(D("1"), D("1"))         # 1 USD per million tokens: 1,000 tokens spend it
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path, budget=budget, prices=prices) as (decider, _, notes):
        fake.default = decision("HOLD", 0.9)
        fake.script(text(json.dumps({"action": "HOLD", "confidence": 0.9, "reasoning": "x", "risk_notes": None,
                                     "size_pct": None, "order_type": "market", "limit_price": None,
                                     "stop_price": None, "take_profit": None}), prompt_tokens=1200))
        spent = await decider.decide(review(symbol_view()))
        cut = await decider.decide(review(symbol_view(T_VIEW + 31 * MINUTE)))
        still = await decider.decide(review(symbol_view(T_VIEW + 62 * MINUTE)))
        status = decider.status(T_VIEW + 62 * MINUTE)
        next_day = await decider.decide(review(symbol_view(T_VIEW + 13 * 60 * MINUTE)))
    assert spent.source is DecisionSource.MODEL
    assert (cut.action, cut.source) == (Action.HOLD, DecisionSource.BUDGET) and still.source is DecisionSource.BUDGET
    assert status.budget_spent and status.deciding.startswith("holding") and status.cost_today >= D("0.0012")
    assert next_day.source is DecisionSource.MODEL and len(fake.calls) == 2
    told = [line for line in notes.lines if "budget" in line]
    assert len(told) == 1 and "next trading day" in told[0]


async def test_a_server_that_refuses_json_schema_falls_back_to_json_mode_found_by_the_probe(tmp_path):
    async with FakeOpenAI(reject_json_schema=True) as fake, llm_decider(fake, tmp_path) as (decider, _, _):
        fake.script(decision("BUY", 0.9, size_pct=10))
        label = decider.status(T_VIEW).reply_format
        got = await decider.decide(review(symbol_view()))
    assert label.startswith("json_object") and got.action is Action.ENTER
    assert fake.calls[0].response_format == "json_object"


async def test_a_server_that_refuses_both_json_modes_is_read_as_text(tmp_path):
    async with FakeOpenAI(reject_json_schema=True, reject_json_object=True) as fake, \
            llm_decider(fake, tmp_path) as (decider, _, _):
        fake.script(text("Here you go:\n```json\n" + decision("BUY", 0.9, size_pct=10).content + "\n```"))
        got = await decider.decide(review(symbol_view()))
    assert decider.status(T_VIEW).reply_format.startswith("text") and got.action is Action.ENTER
    assert fake.calls[0].response_format == ""


OUT_OF_CREDITS = '{"error": {"message": "Insufficient credits SERVER-TEXT sk-or-v1-abcdef", "code": 402}}'


async def test_any_other_http_status_or_an_unreadable_body_holds_tells_the_user_and_never_carries_the_body(tmp_path):
    # OpenRouter out of credits answers 402; a proxy may answer 405/409/413, or a body that is no completion
    bodies = [raw(402, OUT_OF_CREDITS), raw(409, '{"error": {"message": "SERVER-TEXT"}}'), raw(413, "SERVER-TEXT"),
              raw(200, "{SERVER-TEXT"), raw(200, '["SERVER-TEXT"]')]
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path) as (decider, journal, notes):
        fake.script(*bodies)
        got = [await decider.decide(review(symbol_view(T_VIEW + n * 31 * MINUTE))) for n in range(len(bodies))]
        stored = [await journal.get(d.ref) for d in got]
    assert [(d.action, d.source) for d in got] == [(Action.HOLD, DecisionSource.ERROR)] * len(bodies)
    assert "HTTP 402 (payment required: check the account's credits)" in got[0].reason
    assert "HTTP 409" in got[1].reason and "HTTP 413" in got[2].reason
    assert "not a chat completion" in got[3].reason and "not a chat completion" in got[4].reason
    kept = [d.reason for d in got] + [repr(s) for s in stored] + notes.lines
    assert not any("SERVER-TEXT" in k or "sk-or" in k for k in kept)
    assert [line for line in notes.lines if "not answering" in line]


async def test_with_rules_as_fallback_an_out_of_credits_answer_lets_the_rules_decide(tmp_path):
    from tests.fakes.trading_setups import signal
    view = symbol_view()
    sig = signal(entry=str(view.mark), stop=str(view.mark - 500), take_profit=str(view.mark + 1500),
                 known_at_ms=T_VIEW)
    async with FakeOpenAI() as fake, llm_decider(fake, tmp_path, fallback="rules") as (decider, _, _):
        fake.script(raw(402, OUT_OF_CREDITS))
        got = await decider.decide(review(symbol_view(signals=(sig,)), signal=sig))
    assert got.action is Action.ENTER and got.decided_by == "rules" and got.source is DecisionSource.ERROR
