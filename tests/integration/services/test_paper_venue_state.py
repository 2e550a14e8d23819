"""The paper account is restored from what was saved, and a saved state it cannot read is never overwritten."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.fakes.paper_account import paper_account
from trading.services.paper_venue import STATE_KEY, PaperVenue


async def test_a_saved_account_that_is_not_a_mapping_stops_the_restore_and_stays_as_saved(tmp_path):
    account = await paper_account(tmp_path)
    await account.store.save_state(STATE_KEY, ["not", "an", "account"])
    venue = PaperVenue("spot", await account.market.instruments(), Decimal("10000"), account.ledger, account.store,
                       account.events, account.clock)

    with pytest.raises(TypeError, match=r"the saved paper account \(paper_account\) is a list, not a mapping"):
        await venue.restore()

    assert await account.store.load_state(STATE_KEY) == ["not", "an", "account"]
    await account.close()
