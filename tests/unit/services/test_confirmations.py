"""Confirmations claimed in SQLite: one answer acts, once, and only from the user who asked."""
import asyncio
import sqlite3

import pytest

from tests.fakes.databases import opened_store
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_confirmations import SqliteConfirmations
from trading.domain.confirmations import ClaimOutcome, ConfirmationState, payload_hash
from trading.services.confirmations import Confirmations

OWNER, OTHER, CHAT = 4242, 666, 4242
MINUTE = 60_000


@pytest.fixture
async def store(tmp_path):
    async with opened_store(tmp_path) as opened:
        yield opened


def service(store, clock):
    return Confirmations(SqliteConfirmations(store), clock)


async def test_the_asker_claims_once_and_a_second_tap_is_already_answered(store):
    confirmations = service(store, ManualClock(1_000))
    asked = await confirmations.ask(OWNER, CHAT, "reset_paper", {"account": "paper"})

    first = await confirmations.claim(asked.id, OWNER, "reset_paper")
    second = await confirmations.claim(asked.id, OWNER, "reset_paper")

    assert first.granted and first.confirmation.state is ConfirmationState.CLAIMED
    assert second.outcome is ClaimOutcome.ALREADY_ANSWERED and not second.granted
    assert await confirmations.finish(asked.id, "done")
    assert not await confirmations.finish(asked.id, "done"), "finishing twice is refused"
    again = await confirmations.claim(asked.id, OWNER, "reset_paper")
    assert again.outcome is ClaimOutcome.ALREADY_ANSWERED


async def test_another_user_cannot_claim_and_the_asker_still_can(store):
    confirmations = service(store, ManualClock(1_000))
    asked = await confirmations.ask(OWNER, CHAT, "reset_paper", {})

    assert (await confirmations.claim(asked.id, OTHER, "reset_paper")).outcome is ClaimOutcome.NOT_YOURS
    assert (await confirmations.claim(asked.id, OWNER, "reset_paper")).granted


async def test_a_late_answer_expires_and_never_acts(store):
    clock = ManualClock(1_000)
    confirmations = service(store, clock)
    asked = await confirmations.ask(OWNER, CHAT, "reset_paper", {}, ttl_ms=5 * MINUTE)
    clock.advance(5 * MINUTE)

    assert (await confirmations.claim(asked.id, OWNER, "reset_paper")).outcome is ClaimOutcome.EXPIRED
    assert (await SqliteConfirmations(store).get(asked.id)).state is ConfirmationState.EXPIRED


async def test_unknown_ids_other_actions_and_other_payloads_are_unknown(store):
    confirmations = service(store, ManualClock(1_000))
    asked = await confirmations.ask(OWNER, CHAT, "live_order", {"symbol": "BTC/USDT", "quote": "100"})

    for confirmation_id, action, payload in (("nope", "live_order", None), ("", "live_order", None),
                                             ("x" * 41, "live_order", None), (asked.id, "reset_paper", None),
                                             (asked.id, "live_order", {"symbol": "BTC/USDT", "quote": "1000"})):
        claim = await confirmations.claim(confirmation_id, OWNER, action, payload)
        assert claim.outcome is ClaimOutcome.UNKNOWN, (confirmation_id, action, payload)
    assert (await confirmations.claim(asked.id, OWNER, "live_order", {"quote": "100", "symbol": "BTC/USDT"})).granted


async def test_what_was_pending_before_a_restart_never_executes(store):
    confirmations = service(store, ManualClock(1_000))
    pending = await confirmations.ask(OWNER, CHAT, "reset_paper", {})
    answered = await confirmations.ask(OWNER, CHAT, "reset_paper", {})
    await confirmations.claim(answered.id, OWNER, "reset_paper")

    restarted = service(store, ManualClock(2_000))
    assert await restarted.start() == 1

    assert (await restarted.claim(pending.id, OWNER, "reset_paper")).outcome is ClaimOutcome.EXPIRED
    assert (await restarted.claim(answered.id, OWNER, "reset_paper")).outcome is ClaimOutcome.ALREADY_ANSWERED


async def test_concurrent_taps_claim_exactly_once(store):
    confirmations = service(store, ManualClock(1_000))
    asked = await confirmations.ask(OWNER, CHAT, "reset_paper", {})

    claims = await asyncio.gather(*(confirmations.claim(asked.id, OWNER, "reset_paper") for _ in range(20)))

    assert sum(c.granted for c in claims) == 1
    assert {c.outcome for c in claims if not c.granted} == {ClaimOutcome.ALREADY_ANSWERED}


async def test_two_connections_racing_on_one_database_claim_once(store, tmp_path):
    confirmations = service(store, ManualClock(1_000))
    asked = await confirmations.ask(OWNER, CHAT, "reset_paper", {})
    await store.db.commit()
    async with opened_store(tmp_path) as other:
        claims = await asyncio.gather(confirmations.claim(asked.id, OWNER, "reset_paper"),
                                      service(other, ManualClock(1_000)).claim(asked.id, OWNER, "reset_paper"))
    assert sorted(c.outcome for c in claims) == [ClaimOutcome.ALREADY_ANSWERED, ClaimOutcome.CLAIMED]


async def test_finished_questions_are_forgotten_after_a_month(store, tmp_path):
    clock = ManualClock(1_000)
    confirmations = service(store, clock)
    old = await confirmations.ask(OWNER, CHAT, "reset_paper", {})
    clock.advance(31 * 86_400_000)
    fresh = await confirmations.ask(OWNER, CHAT, "reset_paper", {})
    await confirmations.start()
    await store.db.commit()
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        ids = [row[0] for row in db.execute("SELECT id FROM confirmations")]
    assert ids == [fresh.id] and old.id not in ids


def test_the_payload_hash_does_not_depend_on_key_order():
    assert payload_hash({"a": 1, "b": "2"}) == payload_hash({"b": "2", "a": 1})
    assert payload_hash({"a": 1}) != payload_hash({"a": 2})


async def test_a_show_only_button_is_claimed_once_per_double_tap_and_shows_again_later(store):
    clock = ManualClock(1_000)
    confirmations = service(store, clock)
    first = await confirmations.press(CHAT, 7, "dc:why:4242_12")
    double_tap = await confirmations.press(CHAT, 7, "dc:why:4242_12")
    other_button = await confirmations.press(CHAT, 7, "dc:prompt:4242_12")
    clock.set(1_000 + 9_999)
    still_too_soon = await confirmations.press(CHAT, 7, "dc:why:4242_12")
    clock.set(1_000 + 10_000)
    later = await confirmations.press(CHAT, 7, "dc:why:4242_12")
    assert (first, double_tap, other_button, still_too_soon, later) == (True, False, True, False, True)


async def test_simultaneous_presses_of_one_button_claim_it_once(store):
    confirmations = service(store, ManualClock(1_000))
    results = await asyncio.gather(*(confirmations.press(CHAT, 8, "ch:show:4242_3") for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
