"""The uncertainty formulas against numbers computed by hand."""

import math

import pytest

from metrics import stats


def test_nps_margin_matches_the_adjusted_wald_formula_by_hand():
    # 10 promoters, 5 passives, 5 detractors: n' = 23, p' = 10.75/23, d' = 5.75/23.
    p, d = 10.75 / 23, 5.75 / 23
    expected = 1.96 * 100 * math.sqrt((p + d - (p - d) ** 2) / 23)
    assert stats.nps_margin(10, 5, 20) == pytest.approx(expected)
    # p' + d' = 0.71739, (p' - d')² = 0.04702 → sqrt(0.67037 / 23) × 196 = 33.456
    assert stats.nps_margin(10, 5, 20) == pytest.approx(33.456, abs=0.001)


def test_nps_margin_of_one_promoter_is_wide_but_finite():
    # n' = 4, p' = 1.75/4 = 0.4375, d' = 0.1875: 196 * sqrt((0.625 - 0.0625) / 4) = 73.5
    assert stats.nps_margin(1, 0, 1) == pytest.approx(73.5)


def test_nps_of_no_responses_has_no_score_and_no_margin():
    assert stats.nps_score(0, 0, 0) is None
    assert stats.nps_margin(0, 0, 0) is None


def test_wilson_interval_matches_hand_computation():
    # 8 of 10: centre (0.8 + 0.19208)/1.38416, half 1.96*sqrt(0.016 + 0.0096040)/1.38416
    low, high = stats.wilson_interval(8, 10)
    assert low == pytest.approx(49.016, abs=0.01)
    assert high == pytest.approx(94.331, abs=0.01)


def test_wilson_interval_of_all_successes_stays_inside_100():
    low, high = stats.wilson_interval(5, 5)
    assert high == pytest.approx(100.0)
    assert low == pytest.approx(56.55, abs=0.01)


def test_wilson_interval_of_no_responses_is_none():
    assert stats.wilson_interval(0, 0) is None


def test_large_nps_difference_is_significant():
    assert stats.compare_nps((80, 5, 100), (20, 50, 100)).significant


def test_small_nps_difference_at_small_n_is_noise():
    result = stats.compare_nps((3, 1, 5), (2, 1, 5))
    assert result.difference == pytest.approx(20.0)
    assert not result.significant


def test_proportion_comparison_uses_the_pooled_z_test():
    # 40/50 vs 30/50: pooled 0.7, se = sqrt(0.21 * 0.04) = 0.09165, z = 0.2/0.09165 = 2.182
    result = stats.compare_proportions((40, 50), (30, 50))
    assert result.z == pytest.approx(2.182, abs=0.001)
    assert result.significant


def test_comparison_without_data_says_nothing():
    assert stats.compare_nps((0, 0, 0), (1, 0, 1)).p_value is None
    assert not stats.compare_means((0, 0, 0), (10, 50, 2)).significant
