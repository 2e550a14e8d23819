"""/risk says the leverage new futures positions really open at: the setting, capped by MAX_LEVERAGE and by
the exchange's maximum where a traded perpetual's is lower."""
from dataclasses import replace
from decimal import Decimal

from bot.views.risk import risk_text
from trading.engine.engine_state import EngineSettings
from trading.engine.trading_engine import TradingEngine
from trading.risk.sizing import SizingSettings


def status(futures_leverage: int, max_leverage: int):
    engine = TradingEngine(EngineSettings(sizing=SizingSettings(futures_leverage=futures_leverage,
                                                                max_leverage=max_leverage)))
    return engine.risk_status(0, Decimal(10_000))


def test_a_setting_above_max_leverage_says_where_positions_open():
    line = [s for s in risk_text(status(20, 10)).splitlines() if s.startswith("Per trade")][0]
    assert line.endswith("futures leverage 20x (cap 10x) · hard stop 10.00% · new futures positions open at 10x")
    assert "open at" not in risk_text(status(5, 10))


def test_perpetuals_held_lower_by_the_exchange_are_named_with_their_leverage():
    text = risk_text(replace(status(5, 10), leverage_capped={"ETH/USDT:USDT": 3, "BTC/USDT:USDT": 2}))
    assert text.splitlines()[-1] == ("The exchange's maximum holds new positions lower: BTC/USDT:USDT 2x, "
                                     "ETH/USDT:USDT 3x")
