"""The degree distribution of a year and its power-law fit (Clauset, Shalizi & Newman 2009)."""

from __future__ import annotations

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
    with xmin chosen to minimise the Kolmogorov-Smirnov distance of the tail."""
    k = np.sort(np.asarray(degrees, dtype=float)[np.asarray(degrees) > 0])
    best = PowerLawFit(None, None, None, 0)
    for xmin in np.unique(k):
        tail = k[k >= xmin]
        if len(tail) < min_tail:
            break
        alpha = 1.0 + len(tail) / np.sum(np.log(tail / (xmin - 0.5)))
        empirical = np.arange(len(tail)) / len(tail)            # CDF just below each sorted value
        model = 1.0 - (tail / xmin) ** (1.0 - alpha)
        distance = float(np.max(np.abs(empirical - model)))
        if best.ks_distance is None or distance < best.ks_distance:
            best = PowerLawFit(float(alpha), int(xmin), distance, int(len(tail)))
    return best


def ccdf(degrees: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(k, P(K >= k)) for every distinct positive degree k."""
    k = np.sort(np.asarray(degrees)[np.asarray(degrees) > 0])
    values, first = np.unique(k, return_index=True)
    return values, 1.0 - first / len(k)
