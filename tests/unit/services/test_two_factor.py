"""Two-factor codes: right code once, replay refused, drift of one step, five wrong codes lock for 15 minutes."""
import pyotp
import pytest

from tests.fakes.databases import opened_store
from trading.adapters.clocks import ManualClock
from trading.domain.events import EventKind
from trading.services.event_bus import EventBus
from trading.services.two_factor import (LOCKOUT_MS, CodeVerdict, TwoFactor, looks_like_code, new_totp_secret)

T0 = 1_765_000_000_000          # a step boundary is every 30 s; T0 // 30_000 * 30_000 starts one
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_at(ms: int, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(ms // 1000)


@pytest.fixture
async def rig(tmp_path):
    async with opened_store(tmp_path) as store:
        clock = ManualClock(T0 // 30_000 * 30_000 + 5_000)
        factor = TwoFactor(SECRET, store, EventBus(store), clock)
        await factor.load()
        yield factor, clock, store


async def test_a_right_code_is_accepted_once_and_its_replay_refused(rig):
    factor, clock, _ = rig
    code = code_at(clock.now_ms())

    first = await factor.check(code, "chat:1")
    replay = await factor.check(code, "chat:1")

    assert first.verdict is CodeVerdict.ACCEPTED and replay.verdict is CodeVerdict.REUSED


async def test_the_previous_steps_code_is_accepted_within_the_drift_but_not_after_a_later_one(rig):
    factor, clock, _ = rig
    older, current = code_at(clock.now_ms() - 30_000), code_at(clock.now_ms())

    assert (await factor.check(older, "chat:1")).accepted
    assert (await factor.check(current, "chat:1")).accepted
    assert (await factor.check(older, "chat:1")).verdict is CodeVerdict.REUSED
    assert (await factor.check(code_at(clock.now_ms() - 60_000), "chat:1")).verdict is CodeVerdict.WRONG


async def test_the_used_step_survives_a_restart(rig):
    factor, clock, store = rig
    code = code_at(clock.now_ms())
    assert (await factor.check(code, "chat:1")).accepted

    again = TwoFactor(SECRET, store, EventBus(store), clock)
    await again.load()

    assert (await again.check(code, "chat:1")).verdict is CodeVerdict.REUSED


async def test_five_wrong_codes_lock_even_the_right_one_for_fifteen_minutes_and_alert(rig):
    factor, clock, store = rig
    wrong = "000000" if code_at(clock.now_ms()) != "000000" else "111111"
    verdicts = [await factor.check(wrong, "chat:7") for _ in range(5)]

    assert [v.tries_left for v in verdicts[:4]] == [4, 3, 2, 1]
    assert verdicts[4].verdict is CodeVerdict.LOCKED and verdicts[4].locked_until_ms == clock.now_ms() + LOCKOUT_MS
    assert (await factor.check(code_at(clock.now_ms()), "chat:7")).verdict is CodeVerdict.LOCKED
    async with store.db.execute("SELECT message, severity FROM events WHERE kind = ?", (EventKind.SECURITY,)) as c:
        (message, severity), = await c.fetchall()
    assert "locked for 15 minutes" in message and severity == "critical" and wrong not in message

    clock.advance(LOCKOUT_MS)
    assert (await factor.check(code_at(clock.now_ms()), "chat:7")).accepted


async def test_malformed_codes_do_not_count_as_tries(rig):
    factor, _, _ = rig
    for text in ("12345", "abcdef", "1234567", ""):
        assert (await factor.check(text, "chat:1")).verdict is CodeVerdict.MALFORMED
    assert (await factor.check("000 000", "chat:1")).tries_left in (4, 5)


def test_a_code_looks_like_six_digits_and_a_secret_is_random_base32():
    assert looks_like_code("123456") and looks_like_code("123 456") and not looks_like_code("/buy 123456")
    assert not looks_like_code("12345") and not looks_like_code("1234567")
    first, second = new_totp_secret(), new_totp_secret()
    assert first != second and len(first) == 32 and set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
