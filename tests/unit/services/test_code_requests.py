"""One code request per user: a new one replaces the one waiting and keeps it to be told; the code runs only the
request waiting when it is typed; the prompt names what the code does and what it no longer does."""
import pyotp
import pytest

from bot.views.control import code_prompt
from tests.fakes.databases import opened_store
from trading.adapters.clocks import ManualClock
from trading.services.code_requests import AnswerOutcome, CodeRequests
from trading.services.event_bus import EventBus
from trading.services.two_factor import TwoFactor

OWNER = 4242
T0 = 1_765_000_000_000 // 30_000 * 30_000 + 5_000
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def clock():
    return ManualClock(T0)


@pytest.fixture
async def codes(tmp_path, clock):
    async with opened_store(tmp_path) as store:
        factor = TwoFactor(SECRET, store, EventBus(store), clock)
        await factor.load()
        yield CodeRequests(factor, clock)


def ran(log, what):
    async def action():
        log.append(what)
        return what
    return action


def code() -> str:
    return pyotp.TOTP(SECRET).at(T0 // 1000)


async def test_a_new_request_replaces_the_waiting_one_keeps_it_to_tell_and_the_code_runs_only_the_new(codes):
    log = []
    card = codes.ask(OWNER, "send buy 100.00 USDT BTC/USDT (card #Ab3x)", ran(log, "card"), ref="Ab3xYZ",
                     redo="press Approve on card #Ab3x again")
    live_on = codes.ask(OWNER, "switch live trading on", ran(log, "live on"))
    answer = await codes.answer(OWNER, OWNER, code())

    assert card.replaced is None
    assert live_on.replaced is not None and live_on.replaced.ref == "Ab3xYZ" and live_on.replaced.replaced is None
    assert answer.outcome is AnswerOutcome.DONE and answer.request is live_on and log == ["live on"]
    assert codes.waiting(OWNER) is None
    assert code_prompt(live_on) == (
        "🔐 Send the 6-digit code from your authenticator app to switch live trading on. The next code does this "
        "and nothing else; it is valid for 2 min and the message with the code is deleted once read.\n"
        "⚠️ This replaces your waiting request to send buy 100.00 USDT BTC/USDT (card #Ab3x): a code no longer "
        "does that. To do it, press Approve on card #Ab3x again after this one.")


async def test_asking_the_same_again_replaces_nothing_and_an_expired_request_is_not_told(codes, clock):
    first = codes.ask(OWNER, "switch live trading on", ran([], "one"))
    again = codes.ask(OWNER, "switch live trading on", ran([], "two"))
    short = codes.ask(OWNER, "lift the kill switch / drawdown halt", ran([], "three"), ttl_ms=1_000)
    clock.advance(1_000)           # the kill-switch request has expired: nothing waits any more
    later = codes.ask(OWNER, "raise MAX_RISK_PCT from 1 to 2", ran([], "four"))

    assert first.replaced is None and again.replaced is None
    assert short.replaced is not None and short.replaced.purpose == "switch live trading on"
    assert later.replaced is None
    assert "replaces" not in code_prompt(later)
    assert code_prompt(short).endswith("To do it, ask for it again after this one.")
