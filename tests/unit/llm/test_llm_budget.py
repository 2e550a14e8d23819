"""LLM cost and the daily budget, hand-computed."""
from decimal import Decimal as D

from trading.engine.llm_budget import BudgetSettings, DailySpend, Prices, spent_reason

T = 1_751_371_200_000        # 2025-07-01 12:00 UTC
HOUR = 3_600_000


def test_cost_is_tokens_times_price_per_million_exactly():
    prices = Prices(D("0.15"), D("0.60"))
    assert prices.cost(2_000, 300) == D("0.00048")          # 2000 * 0.15e-6 + 300 * 0.6e-6
    assert Prices().cost(10**6, 10**6) == 0                 # a local model is free


def test_the_budget_is_spent_at_the_cap_and_a_new_local_day_starts_from_nothing():
    settings = BudgetSettings(daily_usd=D("0.001"), timezone="Europe/Berlin")
    spend = DailySpend().add(T, 1000, D("0.0006"), settings).add(T + HOUR, 1000, D("0.0004"), settings)
    assert spend.calls == 2 and spend.usd == D("0.0010")
    assert "budget of 0.001 USD is spent" in spent_reason(spend, T + HOUR, settings)
    # 2025-07-01 22:00 UTC is already 2025-07-02 in Berlin: a new trading day
    assert spent_reason(spend, T + 10 * HOUR, settings) is None
    assert spend.on(T + 10 * HOUR, settings).usd == 0


def test_the_token_cap_applies_to_free_models_and_zero_means_no_cap():
    capped = BudgetSettings(daily_tokens=5000)
    spend = DailySpend().add(T, 5000, D(0), capped)
    assert "token cap of 5,000" in spent_reason(spend, T, capped)
    assert spent_reason(spend, T, BudgetSettings()) is None
