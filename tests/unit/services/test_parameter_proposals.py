"""/optimize proposals: Apply sets exactly the stored parameters, once, for the asker; anything else changes nothing."""
import pyotp
import pytest

from tests.fakes.databases import opened_store
from trading.adapters.clocks import ManualClock
from trading.adapters.sqlite_confirmations import SqliteConfirmations
from trading.adapters.sqlite_strategy_parameters import SqliteStrategyParameters
from trading.domain.confirmations import ClaimOutcome, ConfirmationState
from trading.domain.errors import InvalidInput
from trading.engine.rules_decider import RulesDecider
from trading.services.code_requests import AnswerOutcome, CodeRequests
from trading.services.confirmations import Confirmations
from trading.services.event_bus import EventBus
from trading.services.parameter_proposals import ParameterProposals, ProposalOutcome
from trading.services.strategy_parameters import StrategyParameters
from trading.services.two_factor import TwoFactor
from trading.strategies.book import default_book

OWNER, OTHER = 4242, 555
T0 = 1_765_000_000_000 // 30_000 * 30_000 + 5_000
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PROPOSED = {"sweep_lookback": 8.0, "rules_min_rr": 2.5}


class Rig:
    def __init__(self, store, clock, codes, live):
        self.store, self.clock, self.codes, self.book = store, clock, codes, default_book()
        table = SqliteStrategyParameters(store)
        self.parameters = StrategyParameters(self.book, RulesDecider(), table, EventBus(store), clock, codes, live)
        self.confirmations = Confirmations(SqliteConfirmations(store), clock)
        self.proposals = ParameterProposals(self.confirmations, table, self.parameters, codes, live, clock,
                                            ttl_ms=60_000)

    def lookback(self):
        return self.book.strategy("C").params.sweep_lookback

    async def state(self, proposal_id):
        return (await SqliteConfirmations(self.store).get(proposal_id)).state


@pytest.fixture
async def rig(tmp_path):
    async with opened_store(tmp_path) as store:
        clock = ManualClock(T0)
        yield Rig(store, clock, CodeRequests(None, clock), live=False)


@pytest.fixture
async def live_rig(tmp_path):
    async with opened_store(tmp_path) as store:
        clock = ManualClock(T0)
        factor = TwoFactor(SECRET, store, EventBus(store), clock)
        await factor.load()
        yield Rig(store, clock, CodeRequests(factor, clock), live=True)


async def test_the_askers_apply_sets_the_shown_parameters_once(rig):
    proposal = await rig.proposals.propose(OWNER, OWNER, "c", "ETH/USDT", PROPOSED, "summary")

    by_other = await rig.proposals.answer(proposal.id, OTHER, apply=True)
    untouched = rig.lookback()
    applied = await rig.proposals.answer(proposal.id, OWNER, apply=True)
    twice = await rig.proposals.answer(proposal.id, OWNER, apply=True)

    assert proposal.strategy == "C" and proposal.params == {"rules_min_rr": 2.5, "sweep_lookback": 8}
    assert by_other.outcome is ProposalOutcome.REFUSED and by_other.claim is ClaimOutcome.NOT_YOURS
    assert untouched == 16
    assert applied.outcome is ProposalOutcome.APPLIED and applied.change.new == {"sweep_lookback": 8,
                                                                                 "rules_min_rr": 2.5}
    assert rig.lookback() == 8 and rig.parameters.overrides("C") == {"sweep_lookback": 8, "rules_min_rr": 2.5}
    assert twice.outcome is ProposalOutcome.REFUSED and twice.claim is ClaimOutcome.ALREADY_ANSWERED
    assert await rig.state(proposal.id) is ConfirmationState.DONE


async def test_dismiss_keeps_the_parameters_and_the_card_can_no_longer_apply(rig):
    proposal = await rig.proposals.propose(OWNER, OWNER, "C", "ETH/USDT", PROPOSED, "summary")

    dismissed = await rig.proposals.answer(proposal.id, OWNER, apply=False)
    late = await rig.proposals.answer(proposal.id, OWNER, apply=True)

    assert dismissed.outcome is ProposalOutcome.DISMISSED
    assert late.claim is ClaimOutcome.ALREADY_ANSWERED and rig.lookback() == 16


async def test_an_expired_card_or_one_from_before_a_restart_changes_nothing(rig):
    first = await rig.proposals.propose(OWNER, OWNER, "C", "ETH/USDT", PROPOSED, "summary")
    rig.clock.advance(60_000)
    expired = await rig.proposals.answer(first.id, OWNER, apply=True)
    second = await rig.proposals.propose(OWNER, OWNER, "C", "ETH/USDT", PROPOSED, "summary")
    await rig.confirmations.start()                  # what a restart does first
    restarted = await rig.proposals.answer(second.id, OWNER, apply=True)

    assert expired.claim is ClaimOutcome.EXPIRED and restarted.claim is ClaimOutcome.EXPIRED
    assert rig.lookback() == 16 and rig.parameters.overrides("C") == {}


async def test_a_card_applies_only_what_it_showed_never_an_altered_row(rig):
    proposal = await rig.proposals.propose(OWNER, OWNER, "C", "ETH/USDT", PROPOSED, "summary")
    async with rig.store.transaction() as db:
        await db.execute("UPDATE parameter_proposals SET params_json = '{\"sweep_lookback\": 2}' WHERE id = ?",
                         (proposal.id,))

    altered = await rig.proposals.answer(proposal.id, OWNER, apply=True)
    unknown = await rig.proposals.answer("no-such-card", OWNER, apply=True)

    assert altered.claim is ClaimOutcome.UNKNOWN and unknown.claim is ClaimOutcome.UNKNOWN
    assert rig.lookback() == 16


async def test_a_proposal_outside_the_declared_space_is_refused_before_any_card(rig):
    with pytest.raises(InvalidInput, match="sweep_lookback takes a whole number from 1 to 500; 900 is out of range"):
        await rig.proposals.propose(OWNER, OWNER, "C", "ETH/USDT", {"sweep_lookback": 900}, "summary")


async def test_live_apply_waits_for_the_right_code_and_a_wrong_one_changes_nothing(live_rig):
    rig = live_rig
    proposal = await rig.proposals.propose(OWNER, OWNER, "C", "ETH/USDT", PROPOSED, "summary")
    right_code = pyotp.TOTP(SECRET).at(T0 // 1000)

    asked = await rig.proposals.answer(proposal.id, OWNER, apply=True)
    again = await rig.proposals.answer(proposal.id, OWNER, apply=True)
    wrong = await rig.codes.answer(OWNER, OWNER, "000000" if right_code != "000000" else "111111")
    before_code = rig.lookback()
    right = await rig.codes.answer(OWNER, OWNER, right_code)

    assert asked.outcome is ProposalOutcome.CODE_ASKED
    assert asked.request.purpose == "apply C rules_min_rr=2.5 sweep_lookback=8"
    assert again.claim is ClaimOutcome.ALREADY_ANSWERED
    assert wrong.outcome is AnswerOutcome.REFUSED and before_code == 16
    assert right.outcome is AnswerOutcome.DONE and rig.lookback() == 8
    assert await rig.state(proposal.id) is ConfirmationState.DONE
