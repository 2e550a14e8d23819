"""The statistics that say whether an edge is real, against hand-computed cases."""
import math

import numpy as np
import pytest

from trading.backtest.edge_statistics import (bootstrap_interval, deflated_sharpe, expected_max_sharpe,
                                              overfitting_probability, per_period_sharpe, profit_factor)


def test_the_per_period_sharpe_is_the_mean_over_the_sample_deviation():
    # mean 0.005; squared deviations 2.5e-5 + 2.25e-4 + 2.25e-4 + 2.5e-5 = 5e-4, / 3 -> sd 0.0129099
    assert per_period_sharpe(np.array([0.01, -0.01, 0.02, 0.0])) == pytest.approx(0.005 / math.sqrt(5e-4 / 3))
    assert per_period_sharpe(np.array([0.01])) is None and per_period_sharpe(np.array([0.01, 0.01])) is None


def test_profit_factor_is_gross_wins_over_gross_losses():
    assert profit_factor(np.array([30.0, -10.0, 20.0, -15.0])) == 2.0
    assert profit_factor(np.array([5.0])) == math.inf and profit_factor(np.array([])) is None


def test_the_best_of_ten_noise_variants_is_expected_near_1_57_standard_deviations():
    # (1 - 0.5772) x 1.2816 + 0.5772 x inv_cdf(1 - 1 / (10e)) = 0.5418 + 0.5772 x 1.7894 = 1.5747
    assert expected_max_sharpe(10, 1.0) == pytest.approx(1.5747, abs=1e-3)
    assert expected_max_sharpe(1, 1.0) == 0.0


def test_the_deflated_sharpe_of_one_trial_is_the_probabilistic_sharpe_against_zero():
    # returns 2%, 0, 2%, 0: Sharpe 0.01 / 0.011547 = 0.8660, no skew, kurtosis 1, so the spread term is 1:
    # Phi(0.8660 x sqrt(3)) = Phi(1.5) = 0.93319
    returns = np.array([0.02, 0.0, 0.02, 0.0])
    assert deflated_sharpe(returns, 1, 0.0) == pytest.approx(0.93319, abs=1e-5)
    # trying more variants raises the bar the same Sharpe must clear
    assert deflated_sharpe(returns, 20, 0.1) < deflated_sharpe(returns, 2, 0.1) < 0.93319


def test_a_variant_best_everywhere_has_no_overfitting():
    x = np.array([1, 2, 4, 8, 16, 32, 64, -127], dtype=float)
    assert overfitting_probability(np.column_stack([x + 1, x]), blocks=8) == 0.0


def test_a_variant_best_in_sample_and_worst_out_of_sample_is_overfit_every_time():
    # the blocks sum to 0, and no half of them does: whichever variant wins a half loses the other half
    x = np.array([1, 2, 4, 8, 16, 32, 64, -127], dtype=float)
    assert overfitting_probability(np.column_stack([x, -x]), blocks=8) == 1.0
    assert overfitting_probability(np.column_stack([x]), blocks=8) is None


def test_the_bootstrap_interval_is_seeded_and_brackets_the_statistic():
    sample = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    first = bootstrap_interval(sample, lambda s: float(s.mean()), runs=500, seed=3)
    assert first == bootstrap_interval(sample, lambda s: float(s.mean()), runs=500, seed=3)
    assert first.value == 4.5 and 1 < first.low < 4.5 < first.high < 8
    flat = bootstrap_interval(np.full(5, 2.0), lambda s: float(s.mean()))
    assert (flat.value, flat.low, flat.high) == (2.0, 2.0, 2.0)


def test_variants_that_all_did_the_same_leave_overfitting_undefined():
    assert overfitting_probability(np.zeros((40, 4))) is None


def test_duplicate_variants_count_once():
    x = np.array([1, 2, 4, 8, 16, 32, 64, -127], dtype=float)
    assert overfitting_probability(np.column_stack([x, -x, x, -x]), blocks=8) == 1.0
