"""The prompt is a pure function of the view: compact candles, indicators, zones, signals, position, memory."""
from dataclasses import replace
from decimal import Decimal as D

from tests.fakes.symbol_views import T_VIEW, symbol_view
from tests.fakes.trading_setups import signal
from trading.domain.candles import Candles, Timeframe
from trading.domain.decisions import TradeAction
from trading.domain.positions import Position, PositionSide
from trading.engine.decision_prompt import PromptSettings, build_prompt
from trading.engine.symbol_view import AllowedActions, PastDecision, SymbolView
from trading.indicators.regime import Regime
from trading.strategies.market_picture import Direction, LiquidityPool, MarketPicture, TimeframeTrend, Zone

H = 3_600_000
FLAT = Candles.from_rows([(T_VIEW - (60 - i) * H, 100.0, 101.0, 99.0, 100.0, 5.0) for i in range(60)])
ALLOWED = AllowedActions((TradeAction.HOLD, TradeAction.SELL), D("100"), "BTC/USDT already has a position")
PICTURE = MarketPicture("BTC/USDT", T_VIEW, D("100"), Regime.BULL,
                        (TimeframeTrend("15m", Direction.UP), TimeframeTrend("1h", Direction.DOWN)),
                        (Zone("15m", "FVG", Direction.UP, D("98.5"), D("99.5"), T_VIEW - H, True),),
                        LiquidityPool("1h", "BSL", D("103"), 2, T_VIEW - H), None)


def flat_view(**overrides) -> SymbolView:
    base = SymbolView("BTC/USDT", T_VIEW, D("100"), {Timeframe.H1: FLAT}, ALLOWED, D("10000"), D("9000"),
                      position=Position("BTC/USDT", PositionSide.LONG, D("2"), D("95"), T_VIEW - 5 * H),
                      stop=D("90"), take_profit=D("110"), zone="soft_stop", btc_regime=Regime.BEAR,
                      picture=PICTURE, trigger="position in the soft-stop zone")
    return replace(base, **overrides)


def test_a_flat_market_gives_hand_computed_indicators_and_its_candles_as_rows():
    system, user = build_prompt(flat_view())
    # constant closes: both EMAs at the close, RSI 50 on a flat stretch, ATR the constant 2-point range
    assert "1h EMA20 100.000 EMA50 100.000 RSI14 50.0 ATR14 2.00000" in user
    assert "Candles 1h (last 24, oldest first" in user
    assert user.count("\n07-01 ") + user.count("\n06-30 ") == 24          # 24 hourly rows, dated
    assert "Candles 15m: none." in user and "Candles 1m: none." in user


def test_the_position_the_zone_the_regime_and_the_allowed_actions_are_stated():
    system, user = build_prompt(flat_view())
    assert "Position: long 2 at 95.0000 (+5.26%), stop 90.0000, target 110.000, in the soft-stop zone." in user
    assert "BTC daily EMA200 regime: bear." in user
    assert "Allowed now: HOLD, SELL (entries blocked: BTC/USDT already has a position)." in user
    assert "Allowed actions now: HOLD, SELL." in system and "SHORT opens" not in system
    assert "Asked because: position in the soft-stop zone." in user


def test_zones_liquidity_trends_signals_and_past_decisions_are_listed():
    sig = signal(entry="100", stop="98", take_profit="106", confidence=0.7, known_at_ms=T_VIEW - 60_000)
    past = (PastDecision(T_VIEW - 2 * H, "BUY", 0.8, "model", D("95"), "allowed: order sent"),
            PastDecision(T_VIEW - H, "HOLD", 0.7, "model", D("99"), "held"))
    _, user = build_prompt(flat_view(signals=(sig,), history=past))
    assert "Trend (last structure break): 15m up, 1h down." in user
    assert "ICT zones (nearest first): 15m FVG demand 98.5000-99.5000 retested." in user
    assert "Liquidity: above BSL 103.000 (1h, 2 equal), none below." in user
    assert "- A long 1m at 2025-07-01 11:59 UTC: entry 100.000, stop 98.0000, target 106.000, confidence 0.70. " \
           "test setup s1" in user
    assert "- 2025-07-01 10:00 UTC BUY (0.80, model) at 95.0000: allowed: order sent" in user


def test_the_same_view_gives_the_same_prompt_and_the_size_cap_and_threshold_are_in_the_rules():
    view = symbol_view()
    settings = PromptSettings(min_confidence=0.7)
    assert build_prompt(view, settings) == build_prompt(view, settings)
    system, user = build_prompt(view, settings)
    assert "at most 30" in system and "Below confidence 0.70" in system
    assert all(f in system for f in ("action", "confidence", "size_pct", "limit_price", "take_profit"))
    assert user.count("\n") < 140 and len(system) + len(user) < 12_000     # compact: a few dozen bars each


def test_a_prompt_built_with_secrets_in_the_settings_carries_none_of_them(tmp_path, monkeypatch):
    from trading.settings import Settings
    secrets = {"TELEGRAM_BOT_TOKEN": "987654321:AAH-super-secret-bot-token", "OPENAI_API_KEY": "sk-live-abcdef123456",
               "MASTER_KEY": "master-key-do-not-leak", "TELEGRAM_ALLOWED_CHAT_IDS": "55512345"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None, data_dir=tmp_path / "secret-data-dir")
    assert settings.openai_api_key.get_secret_value() == secrets["OPENAI_API_KEY"]
    system, user = build_prompt(symbol_view(), PromptSettings())
    text = system + user
    for value in [*secrets.values(), str(settings.data_dir), "secret-data-dir"]:
        assert value not in text
