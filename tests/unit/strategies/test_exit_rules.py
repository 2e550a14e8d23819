"""Each strategy's own exit rules: declared by the strategy, overridden by what the operator sets."""
from decimal import Decimal

import pytest

from trading.risk.protective_stops import ProtectionSettings
from trading.services.engine_settings import engine_settings
from trading.settings import load_settings
from trading.strategies.exit_rules import describe_exits, strategy_protection


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)               # no stray .env


def test_the_ict_strategies_run_to_their_target_with_break_even_at_1r():
    engine = engine_settings(load_settings())

    for name in ("A", "B", "C", "trend"):
        rules = engine.protection_for(name)
        assert rules.partial_take_profit_r is None and rules.trailing_activation_r is None
        assert rules.break_even_r == Decimal(1)
    assert engine.protection_for("manual").partial_take_profit_r == Decimal(1)     # the shared rules


def test_a_rule_set_in_the_environment_overrides_every_strategy_default(monkeypatch):
    monkeypatch.setenv("PARTIAL_TAKE_PROFIT_R", "1.5")

    engine = engine_settings(load_settings())

    assert {engine.protection_for(n).partial_take_profit_r for n in ("A", "B", "C", "trend")} == {Decimal("1.5")}
    assert engine.protection_for("A").trailing_activation_r is None        # the rest stays the strategy's


def test_strategy_protection_keeps_shared_rules_the_strategy_does_not_declare():
    shared = ProtectionSettings(hard_stop_pct=Decimal(7))
    out = strategy_protection(shared, {"X": {"break_even_r": None}})
    assert out["X"].hard_stop_pct == Decimal(7) and out["X"].break_even_r is None


def test_exit_rules_are_described_in_a_few_words():
    assert describe_exits(ProtectionSettings()) == (
        "partial 50% at 1R, break-even (+costs) at 1R, trail 1R behind from 2R, hard stop 10%")


def test_a_strategy_cannot_switch_off_a_rule_that_needs_a_number():
    with pytest.raises(ValueError, match="switches off trailing_callback_pct, which needs a number"):
        strategy_protection(ProtectionSettings(), {"X": {"trailing_callback_pct": None}})


def test_a_strategy_declaring_an_unknown_exit_rule_is_named():
    with pytest.raises(ValueError, match="strategy X declares an unknown exit rule 'trailing_pct'"):
        strategy_protection(ProtectionSettings(), {"X": {"trailing_pct": Decimal(1)}})
