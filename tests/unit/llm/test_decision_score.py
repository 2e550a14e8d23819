"""Scoring the LLM against the rules on the same decisions, by hand."""
from decimal import Decimal as D

from trading.backtest.decision_score import ScoredDecision, score


def d(price: str, llm: str, rules: str, called: bool = True) -> ScoredDecision:
    return ScoredDecision(D(price), llm, rules, called)


def test_a_long_held_through_a_rise_earns_the_move_less_the_fees_of_entering_and_leaving():
    run = [d("100", "BUY", "HOLD"), d("110", "HOLD", "HOLD", called=False), d("121", "SELL", "HOLD")]
    got = score(run, D("130"), D("0.001"))
    # LLM: pays 0.1% in, rides 100 -> 121 (+21%), pays 0.1% out: 0.999 * 1.21 * 0.999 - 1
    assert got.llm_return_pct == (D("0.999") * D("1.21") * D("0.999") - 1) * 100
    assert got.rules_return_pct == 0 and got.llm_changes == 2 and got.rules_changes == 0
    assert got.compared == 2 and got.agreements == 0 and got.agreement_pct == 0


def test_agreement_counts_only_the_decisions_the_llm_was_asked():
    run = [d("100", "HOLD", "HOLD"), d("100", "HOLD", "HOLD", called=False), d("100", "BUY", "BUY")]
    got = score(run, D("100"), D("0"))
    assert (got.compared, got.agreements, got.agreement_pct) == (2, 2, D(100))
    assert got.llm_return_pct == got.rules_return_pct == 0 and got.edge_pct == 0


def test_a_short_gains_when_price_falls_and_the_edge_is_the_difference():
    run = [d("100", "SHORT", "BUY"), d("90", "COVER", "SELL")]
    got = score(run, D("90"), D("0"))
    assert got.llm_return_pct == D("10") and got.rules_return_pct == D("-10") and got.edge_pct == D("20")


def test_no_decisions_score_zero():
    got = score([], D("100"), D("0.001"))
    assert got.decisions == 0 and got.agreement_pct == 0 and got.llm_return_pct == 0
