"""The power-law fit and its lognormal comparison on samples drawn from known laws (no Spark)."""

import numpy as np
import pytest
from scipy import stats

from valuenet.metrics.degree_distribution import (NO_COMPARISON, PowerLawFit, compare_lognormal, fit_power_law,
                                                  lognormal_ccdf, power_law_ccdf)

SEED = 7


@pytest.fixture(scope="module")
def power_law_degrees():
    """Degrees from the discrete power law p(k) = k^-2.5 / zeta(2.5), k >= 1."""
    return stats.zipf.rvs(2.5, size=5000, random_state=np.random.default_rng(SEED))


@pytest.fixture(scope="module")
def lognormal_degrees():
    """Degrees round(exp(N(2, 1))), at least 1."""
    draws = np.exp(np.random.default_rng(SEED).normal(2.0, 1.0, 5000))
    return np.maximum(1, np.round(draws)).astype(int)


def test_the_power_law_fit_finds_the_exponent_and_a_low_xmin(power_law_degrees):
    fit = fit_power_law(power_law_degrees)
    assert fit.alpha == pytest.approx(2.5, abs=0.25)
    assert fit.xmin <= 6 and fit.tail_nodes >= 250
    assert fit.ks_distance < 0.05


def test_a_lognormal_sample_is_told_from_a_power_law(lognormal_degrees):
    # the tail k >= 5 holds most of the sample, so the lognormal's curvature is plain to see
    fit = PowerLawFit(alpha=None, xmin=5, ks_distance=None, tail_nodes=0)
    result = compare_lognormal(lognormal_degrees, fit)
    assert result.ratio < 0 and result.p_value < 0.01          # the lognormal, significantly
    assert result.mu == pytest.approx(2.0, abs=0.15) and result.sigma == pytest.approx(1.0, abs=0.1)


def test_a_power_law_sample_is_not_taken_for_a_lognormal(power_law_degrees):
    # A lognormal with mu -> -inf and sigma -> inf tends to a power law, so on power-law data it can
    # at best tie (Clauset, Shalizi & Newman 2009, section 5): R is never significantly negative,
    # and the fitted lognormal runs off to that limit.
    result = compare_lognormal(power_law_degrees, fit_power_law(power_law_degrees))
    assert result.ratio > -1.0 and result.p_value > 0.3
    assert result.sigma > 3.0 and result.mu < 0


def test_the_tail_models_are_ccdfs_that_start_at_one():
    k = np.arange(5, 200)
    # mu = -800: the power-law-like limit a lognormal fit runs to (exp(mu) underflows to 0)
    for model in (power_law_ccdf(k, 2.5, 5), lognormal_ccdf(k, 2.0, 1.0, 5), lognormal_ccdf(k, -800.0, 25.0, 5)):
        assert model[0] == pytest.approx(1.0)
        assert np.all(np.diff(model) < 0) and model[-1] > 0


def test_no_tail_no_comparison():
    assert compare_lognormal(np.array([1, 2, 3]), fit_power_law(np.array([1, 2, 3]))) == NO_COMPARISON
