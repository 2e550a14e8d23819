"""/divergence counts what /profit and /trades count: a reset paper account is a new account."""
from decimal import Decimal

import pytest

from tests.fakes.paper_account import paper_account
from trading.engine.engine_state import EngineSettings
from trading.engine.rules_decider import RulesSettings
from trading.services.divergence_report import DivergenceService, report_text
from trading.services.portfolio import Size, SizeKind


@pytest.fixture
async def account(tmp_path):
    account = await paper_account(tmp_path)
    yield account
    await account.close()


async def round_trip(account) -> None:
    await account.portfolio.buy("BTC/USDT", Decimal("1000"))
    account.clock.advance(20 * 60_000)
    await account.portfolio.sell("BTC/USDT", Size(SizeKind.ALL))
    account.clock.advance(60_000)


def service(account) -> DivergenceService:
    return DivergenceService(account.ledger, None, account.clock, balance=Decimal("10000"),
                             engine=EngineSettings(), rules=RulesSettings())


async def test_a_paper_reset_leaves_the_old_accounts_positions_out_of_the_divergence(account):
    await round_trip(account)
    before = await service(account).report(7)
    assert [(p.strategy, p.symbol, p.trades) for p in before.parts] == [("manual", "BTC/USDT", 1)]
    await account.venue.reset()
    account.clock.advance(60_000)

    after = await service(account).report(7)

    # before: the old account's closed position was still compared after "PnL starts over"
    assert after.parts == ()
    assert report_text(after).startswith("No positions closed on paper-spot")


async def test_positions_closed_after_the_reset_are_compared(account):
    await round_trip(account)
    await account.venue.reset()
    account.clock.advance(60_000)
    await round_trip(account)

    report = await service(account).report(7)

    assert [(p.strategy, p.trades) for p in report.parts] == [("manual", 1)]
