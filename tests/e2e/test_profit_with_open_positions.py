"""/profit while a position is open says what the account made: the entry fee and a partial exit count."""
import re
from decimal import Decimal

from tests.fakes.bot_process import OWNER, bot_settings, running_bot
from tests.fakes.telegram_api import FakeTelegram


def signed(text: str, label: str) -> Decimal:
    match = re.search(label + r": ([+−-])([\d,.]+)", text)
    assert match, text
    return Decimal(match[2].replace(",", "")) * (-1 if match[1] in "−-" else 1)


async def test_profit_of_an_open_partly_covered_short_matches_the_balance(tmp_path):
    async with FakeTelegram() as telegram:
        settings = bot_settings(tmp_path, telegram.base_url, telegram.token, replay_speed=0.001,
                                market_type="futures")
        async with running_bot(settings):
            await telegram.wait_for(OWNER, lambda s: "Started" in s.text)
            await telegram.ask(OWNER, "/short BTC/USDT 100")
            covered = await telegram.ask(OWNER, "/cover BTC/USDT 50%")
            profit = await telegram.ask(OWNER, "/profit")
            balance = await telegram.ask(OWNER, "/balance")
            daily = await telegram.ask(OWNER, "/daily")
            per_symbol = await telegram.ask(OWNER, "/performance")
    assert covered.text.startswith("✅ Covered"), covered.text
    # before: Total was the open half's mark alone (−0.02) while /balance said −0.19 since the start: the entry
    # fee (0.0998), the cover's fee (0.0493) and the cover's loss were nowhere in /profit
    total, since_start = signed(profit.text, "Total"), signed(balance.text, "PnL since start")
    assert total == since_start and total < Decimal("-0.1"), (profit.text, balance.text)
    assert "Realised includes the open positions' fees and partial exits: -0.1" in profit.text, profit.text
    assert "all: no closed trades" in profit.text
    # before: /daily read "+0.00 · 0 trades" under "(net of fees)" and /performance "No closed trades yet." alone
    realised = signed(profit.text, "Realised")
    assert signed(daily.text, "Still open") == realised and signed(per_symbol.text, "Still open") == realised
