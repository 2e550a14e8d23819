"""The bot's own entries as approval cards (LIVE_AUTONOMY=approve), on the loop rig's real candles and paper broker.

The loop's code path does not depend on the mode (bootstrap picks it), so the rig's paper broker stands in for the
exchange. Squeeze, 2025-07-10 (tests/integration/services/test_trading_loop.py has the bars): the 21:15 close
113,691.10 is where a market entry at 21:16 is expected; closes 21:16 113,987.99, 21:17 114,946.01,
21:19 116,195.25. Sell-off, 2025-08-14: 12:29 close 121,143.67, 12:33 close 119,900.00.
"""
from __future__ import annotations

from decimal import Decimal as D
from functools import partial

from tests.fakes.loop_rig import build_rig
from tests.fakes.market_stretches import SELL_OFF, SPOT, SQUEEZE, long_signal, minutes_around
from tests.fakes.openai_api import FakeOpenAI, decision
from tests.fakes.proposal_rig import OWNER, RecordingCards, with_proposals
from tests.fakes.scripted_strategy import ScriptedStrategy
from tests.fakes.symbol_views import T_VIEW, bundled_btc
from trading.adapters.openai_client import LlmClient
from trading.adapters.openai_decider import OpenAIDecider
from trading.adapters.sqlite_decisions import DecisionJournal
from trading.domain.approvals import TapOutcome
from trading.domain.candles import MINUTE_MS, Timeframe
from trading.domain.events import EventKind
from trading.domain.manual_orders import approval_client_id
from trading.domain.orders import Side
from trading.engine.decision_schedule import ScheduleSettings
from trading.engine.llm_settings import LlmSettings
from trading.services.entry_proposals import resume_entry
from trading.services.account_keys import STATE_KEY
from trading.services.symbol_reviews import ReviewSettings

SQUEEZE_SETUP = long_signal(SQUEEZE, "113691.10", "112500", "118000", "squeeze")
TRADES = (EventKind.POSITION_OPENED, EventKind.POSITION_UPDATED, EventKind.POSITION_CLOSED)


async def squeeze_rig(tmp_path, signals=(SQUEEZE_SETUP,), **proposal_options):
    rig = await build_rig(tmp_path, minutes_around(SQUEEZE), SPOT, SQUEEZE - 10 * MINUTE_MS,
                          [ScriptedStrategy(list(signals))])
    return await with_proposals(rig, **proposal_options)


async def test_a_decided_entry_becomes_one_card_with_its_reason_stop_target_and_risk_and_places_nothing(tmp_path):
    # Sized as the loop sizes it (cash-bound): 9,900 / (113,691.10 x 1.001) -> 0.08699 BTC. At the 21:15 close:
    # notional 0.08699 x 113,691.10 = 9,889.98878900, fee 9.88998878900; risk at the stop 112,500:
    # 0.08699 x 1,191.10 + 2 x 9.889988789 = 103.61378900 + 19.77997757800 = 123.39376657800.
    p = await squeeze_rig(tmp_path)
    await p.loop.run_until(SQUEEZE)
    (card,) = p.cards.shown
    (leg,) = card.ticket.legs
    assert card.bot_entry and card.confirmation.user_id == card.confirmation.chat_id == OWNER
    assert (leg.symbol, leg.side, leg.amount, leg.price) == (SPOT, Side.BUY, D("0.08699"), D("113691.10"))
    assert (leg.stop, leg.target) == (D("112500"), D("118000"))
    assert leg.fee == D("9.88998878900") and leg.risk == D("123.39376657800")
    assert card.reason == ("scripted long (1m): scripted setup squeeze; rules: reward:risk 3.62, confidence 0.70")
    assert card.confirmation.expires_ms == SQUEEZE + 120_000
    assert await p.loop.broker.open_orders() == [] and await p.loop.broker.positions() == []
    assert p.loop.engine.state.pending == {} and p.loop.notified(*TRADES) == []
    await p.loop.close()


async def test_an_approved_card_opens_with_the_plans_exits_exactly_as_the_autonomous_loop_would(tmp_path):
    # the same squeeze as test_the_trailing_stop_follows_the_squeeze_and_exits_where_computed: approved at the
    # 21:16 close, the entry goes out then and fills at the 21:16 open; the partial take-profit and the trailing
    # stop of the plan follow as they do for an entry nobody approved
    p = await squeeze_rig(tmp_path)
    await p.loop.run_until(SQUEEZE)
    (card,) = p.cards.shown
    result = await p.approve(card)
    await p.loop.run_until(SQUEEZE + 10 * MINUTE_MS)
    assert result.outcome is TapOutcome.PLACED
    (order,) = result.orders
    assert order.client_order_id == approval_client_id(card.id, 0)
    assert p.loop.notified(*TRADES) == [
        "ENTRY long 0.08699 BTC/USDT at 113,691.10 [scripted]: scripted setup squeeze. Stop 112,500.00, "
        "target 118,000.00, risk 103.61.",
        "PARTIAL EXIT long BTC/USDT [scripted]: partial take-profit: 50% at 114,882.20 (1R). 0.04350 left.",
        "EXIT long BTC/USDT [scripted]: trailing stop at 115,676.90 (level 115,676.90). Result +122.27 (+1.18R)."]
    again = await p.approvals.approve(card.id, card.hash_shown, OWNER)
    assert again.outcome is TapOutcome.ALREADY_ANSWERED
    await p.loop.close()


async def test_an_entry_placed_before_a_restart_but_never_recorded_gets_the_plans_exits_not_the_defaults(tmp_path):
    # the squeeze again, approved at 21:16: the market order waits for the next price, and the process stops once
    # it is placed, before the engine records it. Without the plan, the fill would be adopted with the defaults
    # (no structural stop, strategy "manual"); the card's stored plan becomes its entry again, so the fill arms
    # the plan's stop and target, and the partial take-profit and trailing stop follow as without a restart
    p = await squeeze_rig(tmp_path)
    await p.loop.run_until(SQUEEZE)
    (card,) = p.cards.shown
    await p.approve(card)
    client_id = approval_client_id(card.id, 0)
    p.loop.engine.on_entry_ended(client_id)                          # the engine was never told of the entry
    await p.loop.store.save_state(STATE_KEY, p.loop.engine.snapshot())
    async with p.loop.store.transaction() as db:                    # nor was the approval finished
        await db.execute("UPDATE confirmations SET state = 'claimed', result = '' WHERE id = ?", (card.id,))
    await p.loop.loop.start()
    forgotten = dict(p.loop.engine.state.pending)
    restarted = await with_proposals(p.loop)                        # a new process's approvals on the same database

    (told,) = await restarted.approvals.start(p.loop.broker, partial(resume_entry, p.loop.loop))
    again = await resume_entry(p.loop.loop, card)
    await p.loop.run_until(SQUEEZE + 10 * MINUTE_MS)

    assert forgotten == {} and "was placed before the restart" in told
    assert "the plan's exits are armed when it fills" in told and again == "its plan's exits were already armed"
    assert p.loop.notified(*TRADES) == [
        "ENTRY long 0.08699 BTC/USDT at 113,691.10 [scripted]: scripted setup squeeze. Stop 112,500.00, "
        "target 118,000.00, risk 103.61.",
        "PARTIAL EXIT long BTC/USDT [scripted]: partial take-profit: 50% at 114,882.20 (1R). 0.04350 left.",
        "EXIT long BTC/USDT [scripted]: trailing stop at 115,676.90 (level 115,676.90). Result +122.27 (+1.18R)."]
    await p.loop.close()


async def test_a_symbol_with_a_card_waiting_gets_no_second_one_and_an_expired_card_places_nothing(tmp_path):
    later = long_signal(SQUEEZE + MINUTE_MS, "113987.99", "112500", "118500", "later")
    after = long_signal(SQUEEZE + 4 * MINUTE_MS, "116195.25", "114500", "121000", "after")
    p = await squeeze_rig(tmp_path, (SQUEEZE_SETUP, later, after))
    await p.loop.run_until(SQUEEZE + MINUTE_MS)
    waiting = list(p.cards.shown)
    await p.loop.run_until(SQUEEZE + 3 * MINUTE_MS)         # the first card's 2 minutes are up
    lapsed = await p.approvals.expire_due()
    late = await p.approve(waiting[0])
    await p.loop.run_until(SQUEEZE + 4 * MINUTE_MS)
    audit = [e.message for e in await p.loop.audit(EventKind.APPROVAL)]
    assert len(waiting) == 1 and [a.id for a in lapsed] == [waiting[0].id]
    assert late.outcome is TapOutcome.EXPIRED
    assert f"Entry BTC/USDT not proposed again: card {waiting[0].id} still waits" in audit
    assert len(p.cards.shown) == 2 and p.cards.shown[1].ticket.legs[0].stop == D("114500")
    assert await p.loop.broker.open_orders() == [] and await p.loop.broker.positions() == []
    await p.loop.close()


async def test_a_price_moved_past_the_slippage_gives_a_fresh_card_whose_approval_places_the_same_plan(tmp_path):
    # two minutes on, the last price is the 21:17 close 114,946.01: 110 bps above the card's 113,691.10
    p = await squeeze_rig(tmp_path, timeout_ms=600_000)
    await p.loop.run_until(SQUEEZE)
    (card,) = p.cards.shown
    p.loop.clock.advance(2 * MINUTE_MS)
    refreshed = await p.approve(card)
    fresh = refreshed.replacement
    placed = await p.approve(fresh)
    assert refreshed.outcome is TapOutcome.REFRESHED and "moved 110 bps" in refreshed.detail
    assert fresh.bot_entry and fresh.ticket.legs[0].price == D("114946.01") and fresh.reason == card.reason
    assert fresh.ticket.legs[0].stop == D("112500") and fresh.plan == card.plan and card.plan is not None
    assert placed.outcome is TapOutcome.PLACED
    assert placed.orders[0].client_order_id == approval_client_id(fresh.id, 0)
    await p.loop.close()


async def test_a_price_already_past_the_plans_stop_at_the_tap_refuses_and_places_nothing(tmp_path):
    setup = long_signal(SELL_OFF, "121143.67", "120000", "124000", "sell-off")
    rig = await build_rig(tmp_path, minutes_around(SELL_OFF), SPOT, SELL_OFF - 5 * MINUTE_MS,
                          [ScriptedStrategy([setup])])
    p = await with_proposals(rig, timeout_ms=600_000)
    await rig.run_until(SELL_OFF)
    (card,) = p.cards.shown
    rig.clock.advance(4 * MINUTE_MS)         # the 12:33 close 119,900.00 is under the stop
    past = await p.approve(card)
    assert past.outcome is TapOutcome.BLOCKED
    assert past.detail == "the price 119,900.00 is already past the plan's stop 120,000.00; the setup failed"
    assert await rig.broker.open_orders() == [] and await rig.broker.positions() == []
    await rig.close()


async def test_a_kill_switch_engaged_while_the_card_waits_refuses_it_at_the_tap_by_name(tmp_path):
    p = await squeeze_rig(tmp_path)
    await p.loop.run_until(SQUEEZE)
    (card,) = p.cards.shown
    await p.loop.loop.kill(False, "test", "testing the gate")
    refused = await p.approve(card)
    assert refused.outcome is TapOutcome.BLOCKED and refused.detail.startswith("Not opened: ")
    assert "kill switch" in refused.detail.lower()
    assert await p.loop.broker.open_orders() == []
    await p.loop.close()


async def test_with_nobody_to_approve_the_entry_is_not_proposed_and_the_user_is_told(tmp_path):
    p = await squeeze_rig(tmp_path, cards=RecordingCards(approver=None))
    await p.loop.run_until(SQUEEZE)
    told = p.loop.notified(EventKind.APPROVAL)
    assert p.cards.shown == [] and await p.loop.broker.open_orders() == []
    assert told == ["The bot wanted to enter BTC/USDT but nobody can approve it: send /start in your private chat "
                    "with the bot. Nothing was placed."]
    await p.loop.close()


def llm(fake: FakeOpenAI):
    def build(store, events):
        client = LlmClient("fake-model", api_key="sk-test", base_url=fake.base_url, timeout_s=2.0)
        settings = LlmSettings("fake-model", schedule=ScheduleSettings(max_age_ms=30 * MINUTE_MS))
        return OpenAIDecider(client, DecisionJournal(store), settings, state=store, notify=events.emit)
    return build


async def test_an_llm_buy_becomes_a_card_with_the_llms_reason_and_its_verdict_says_it_waits(tmp_path):
    async with FakeOpenAI() as fake:
        fake.default = decision("HOLD", 0.9)
        fake.script(decision("BUY", 0.9, size_pct=10, reasoning="demand holds"))
        rig = await build_rig(tmp_path, bundled_btc(), SPOT, T_VIEW, [], windows={Timeframe.M1: 300},
                              decider=llm(fake), reviews=ReviewSettings(max_size_pct=D("30")),
                              journal=DecisionJournal)
        p = await with_proposals(rig)
        try:
            await rig.run_until(T_VIEW + 2 * MINUTE_MS)
            rows = await DecisionJournal(rig.store).page(SPOT, None, 50)
            positions = await rig.broker.positions()
        finally:
            await rig.close()
    (card,) = p.cards.shown
    buy = next(r for r in rows if r.action == "BUY")
    assert card.bot_entry and card.reason == "fake-model BUY (0.90): demand holds Risk: none"
    assert buy.verdict == "allowed: a card waits for the owner's approval" and buy.order_id == ""
    assert positions == []
