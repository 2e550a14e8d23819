"""Approve presses answered from the database: a double tap asks one code; a card whose code request another
request took asks its code again when pressed; the code then runs that card and nothing else."""
import asyncio

from tests.fakes.proposal_rig import OWNER
from tests.integration.services.test_entry_proposals import squeeze_rig
from tests.fakes.market_stretches import SQUEEZE
from trading.adapters.sqlite_approvals import SqliteApprovals
from trading.domain.approvals import TapOutcome
from trading.domain.candles import MINUTE_MS
from trading.domain.manual_orders import approval_client_id


async def switch_on():
    return "switched on"


async def test_a_double_tap_asks_once_and_a_card_whose_request_was_replaced_asks_again_when_pressed(tmp_path):
    p = await squeeze_rig(tmp_path)
    await p.loop.run_until(SQUEEZE)
    (card,) = p.cards.shown
    first, second = await asyncio.gather(p.approvals.press(card.id, card.hash_shown, OWNER),
                                         p.approvals.press(card.id, card.hash_shown, OWNER))
    live_on = p.codes.ask(OWNER, "switch live trading on", switch_on)
    waiting_while_replaced = (await p.approvals.press(card.id, card.hash_shown, OWNER))
    answer = await p.codes.answer(OWNER, OWNER, p.code())

    outcomes = sorted(r.result.outcome for r in (first, second))
    assert outcomes == [TapOutcome.CODE_ASKED, TapOutcome.WAITING], "one of two presses read at once asks"
    asked = first if first.request is not None else second
    assert asked.request.ref == card.id and asked.request.purpose == f"send buy 0.08699 BTC/USDT (card #{card.id[:4]})"
    assert live_on.replaced is not None and live_on.replaced.ref == card.id
    assert waiting_while_replaced.result.outcome is TapOutcome.CODE_ASKED, "not 'already approved' for another's code"
    assert waiting_while_replaced.request.replaced.purpose == "switch live trading on"
    assert answer.result.outcome is TapOutcome.PLACED
    (order,) = answer.result.orders
    assert order.client_order_id == approval_client_id(card.id, 0)
    await p.loop.close()


async def test_a_code_typed_while_the_press_re_quotes_a_moved_price_places_nothing_and_makes_no_second_card(tmp_path):
    # two minutes on, the 21:17 close 114,946.01 is 110 bps above the card's 113,691.10: the re-quote after the
    # press replaces the card; the code typed meanwhile waits for it and then says so, with no card of its own
    p = await squeeze_rig(tmp_path, timeout_ms=600_000)
    await p.loop.run_until(SQUEEZE)
    (card,) = p.cards.shown
    pressed = await p.approvals.press(card.id, card.hash_shown, OWNER)
    p.loop.clock.advance(2 * MINUTE_MS)
    requote = asyncio.create_task(p.approvals.recheck(card.id))       # the press's re-quote starts first ...
    coded = asyncio.create_task(p.codes.answer(OWNER, OWNER, p.code()))  # ... and the code comes during it
    refreshed, answer = await asyncio.gather(requote, coded)

    assert pressed.result.outcome is TapOutcome.CODE_ASKED
    assert refreshed.outcome is TapOutcome.REFRESHED and "moved 110 bps" in refreshed.detail
    assert answer.result.outcome is TapOutcome.REFRESHED and answer.result.replacement is None
    assert answer.result.detail == "the order changed when it was checked after your press"
    pending = await SqliteApprovals(p.loop.store).pending()
    assert [c.id for c in pending] == [refreshed.replacement.id], "one fresh card, not two"
    assert await p.loop.broker.open_orders() == [] and await p.loop.broker.positions() == []
    await p.loop.close()
