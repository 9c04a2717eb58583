"""The degree distribution of a year, its power-law fit and the lognormal alternative
(Clauset, Shalizi & Newman 2009)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np


@dataclass
class PowerLawFit:
    alpha: float | None      # exponent of p(k) ~ k^-alpha for k >= xmin
    xmin: int | None         # the smallest degree of the fitted tail
    ks_distance: float | None
    tail_nodes: int


def fit_power_law(degrees: np.ndarray, min_tail: int = 50) -> PowerLawFit:
    """Discrete power-law fit by maximum likelihood (continuous approximation, xmin - 1/2),
    with xmin chosen to minimise the Kolmogorov-Smirnov distance of the tail.

    The KS distance compares the empirical CDF on both sides of every jump with the model that
    the estimator assumes, P(K < k) = 1 - ((k - 1/2) / (xmin - 1/2))^(1 - alpha): measured against
    the continuous CDF at k instead, small xmins look worse than they are and the fit drifts to a
    short far tail.
    """
    k = np.sort(np.asarray(degrees, dtype=float)[np.asarray(degrees) > 0])
    best = PowerLawFit(None, None, None, 0)
    for xmin in np.unique(k):
        tail = k[k >= xmin]
        if len(tail) < min_tail:
            break
        alpha = 1.0 + len(tail) / np.sum(np.log(tail / (xmin - 0.5)))
        values, first = np.unique(tail, return_index=True)
        below = first / len(tail)                               # empirical P(K < k)
        upto = np.append(first[1:], len(tail)) / len(tail)      # empirical P(K <= k)
        model = power_law_ccdf(np.append(values, values + 1), alpha, xmin)
        distance = float(max(np.max(np.abs(below - (1.0 - model[:len(values)]))),
                             np.max(np.abs(upto - (1.0 - model[len(values):])))))
        if best.ks_distance is None or distance < best.ks_distance:
            best = PowerLawFit(float(alpha), int(xmin), distance, int(len(tail)))
    return best


def power_law_ccdf(k: np.ndarray, alpha: float, xmin: int) -> np.ndarray:
    """P(K >= k | K >= xmin) of the power law that fit_power_law fits (continuous approximation:
    each integer k holds the mass of [k - 1/2, k + 1/2))."""
    return ((np.asarray(k, dtype=float) - 0.5) / (xmin - 0.5)) ** (1.0 - alpha)


@dataclass
class LognormalComparison:
    mu: float | None         # mean of ln k of the lognormal fitted to the tail k >= xmin
    sigma: float | None      # standard deviation of ln k
    ratio: float | None      # log-likelihood ratio R: > 0 favours the power law, < 0 the lognormal
    p_value: float | None    # Vuong's two-sided significance of the sign of R (small: the sign is real)


NO_COMPARISON = LognormalComparison(None, None, None, None)


def compare_lognormal(degrees: np.ndarray, fit: PowerLawFit) -> LognormalComparison:
    """Fit a discrete lognormal by maximum likelihood to the power-law fit's tail (k >= fit.xmin)
    and compare the two fits by their log-likelihood ratio R and Vuong's p-value.

    Both fits and the test are the `powerlaw` package's (`Fit(..., discrete=True, xmin=xmin)` and
    `distribution_compare('power_law', 'lognormal')`): R sums the pointwise log-likelihood
    differences over the tail. Returns NO_COMPARISON when the power law has no tail (too few nodes).
    """
    if fit.xmin is None:
        return NO_COMPARISON
    import powerlaw

    k = np.asarray(degrees, dtype=float)
    k = k[k > 0]
    # The optimiser probes parameters where the likelihood underflows; powerlaw guards the
    # results but numpy and scipy still warn on every probe.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tails = powerlaw.Fit(k, discrete=True, xmin=fit.xmin, verbose=0, parameter_ranges={"alpha": [1, None]})
        ratio, p_value = tails.distribution_compare("power_law", "lognormal")
    return LognormalComparison(float(tails.lognormal.mu), float(tails.lognormal.sigma), float(ratio), float(p_value))


def lognormal_ccdf(k: np.ndarray, mu: float, sigma: float, xmin: int) -> np.ndarray:
    """P(K >= k | K >= xmin) of the discrete lognormal that compare_lognormal fits (each integer k
    holds the continuous mass of [k - 1/2, k + 1/2), as the powerlaw package rounds)."""
    from scipy.stats import norm

    # In log space: a power-law-like tail fits mu far below 0 (exp(mu) underflows) and tiny tails.
    def log_sf(x):
        return norm.logsf((np.log(x) - mu) / sigma)

    return np.exp(log_sf(np.asarray(k, dtype=float) - 0.5) - log_sf(xmin - 0.5))


def ccdf(degrees: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(k, P(K >= k)) for every distinct positive degree k."""
    k = np.sort(np.asarray(degrees)[np.asarray(degrees) > 0])
    values, first = np.unique(k, return_index=True)
    return values, 1.0 - first / len(k)
