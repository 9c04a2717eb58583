"""Valid noise that collapses: parallel relations and self-loops.

The input format allows both; a year network counts distinct directed pairs without
self-loops, so neither moves the year counts. Parallel relations repeat a relation (same
or another type) with start and end inside the life of the pair; self-loops sit on
sample enterprises that are in the network anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .codes import HC, IV, SAMPLE
from .knobs import Knobs
from .network import Network
from .population import Population


@dataclass
class EdgeRows:
    """The rows of the edge table (node indices and codes), in file order."""

    src: np.ndarray
    dst: np.ndarray
    start: np.ndarray
    end: np.ndarray  # -1: open
    rel: np.ndarray  # relation type code

    def __len__(self) -> int:
        return len(self.src)

    def take(self, order: np.ndarray) -> EdgeRows:
        return EdgeRows(self.src[order], self.dst[order], self.start[order], self.end[order], self.rel[order])


def edge_rows(rng, pop: Population, net: Network, rel_t: np.ndarray, first_year: int, last_year: int,
              scale: float, knobs: Knobs) -> EdgeRows:
    """The network's relations, parallel relations and self-loops, rows shuffled so the
    file is not ordered by year."""
    pi, p_start, p_end, p_rel = _parallel(rng, pop, net, rel_t, last_year, knobs)
    sl, sl_start = _self_loops(rng, pop, net, first_year, last_year, scale, knobs)
    rows = EdgeRows(
        src=np.concatenate([net.src, net.src[pi], sl]),
        dst=np.concatenate([net.dst, net.dst[pi], sl]),
        start=np.concatenate([net.start.astype(np.int64), p_start, sl_start]),
        end=np.concatenate([net.end.astype(np.int64), p_end, np.full(len(sl), -1, np.int64)]),
        rel=np.concatenate([rel_t, p_rel, np.full(len(sl), HC, np.int8)]),
    )
    return rows.take(rng.permutation(len(rows)))


def _parallel(rng, pop: Population, net: Network, rel_t, last: int, knobs: Knobs):
    """parallel_share of the relations get a parallel one: start up to 3 years later, inside
    the relation's life; closed when the relation is (else half of them); 30 % of the same
    type, the others of another type (investment only where an investor is involved).
    Returns (relation index, start, end, type)."""
    ne = len(net.src)
    k_par = int(round(knobs.parallel_share * ne))
    pi = rng.choice(ne, size=k_par, replace=False)
    end_pi = net.end[pi]
    p_end_cap = np.where(end_pi >= 0, end_pi, last).astype(np.int64)
    p_start = net.start[pi].astype(np.int64) + rng.integers(0, 4, k_par)
    p_start = np.minimum(p_start, p_end_cap)
    p_end = np.full(k_par, -1, np.int64)
    closed = (end_pi >= 0) | (rng.random(k_par) < 0.5)
    span = p_end_cap - p_start
    p_end[closed] = p_start[closed] + np.floor(rng.random(int(closed.sum())) * (span[closed] + 1)).astype(np.int64)
    same = rng.random(k_par) < 0.3
    p_rel = np.where(same, rel_t[pi], (rel_t[pi] + rng.integers(1, 3, k_par)) % 3).astype(np.int8)
    inv_pair = pop.is_inv[net.src[pi]] | pop.is_inv[net.dst[pi]]
    p_rel = np.where(inv_pair, IV, np.where(p_rel == IV, HC, p_rel)).astype(np.int8)
    return pi, p_start, p_end, p_rel


def _self_loops(rng, pop: Population, net: Network, first_year: int, last: int, scale: float, knobs: Knobs):
    """self_loops * scale (at least one) human-capital self-loops on sample enterprises that
    never left, starting in their joining year or the next. Returns (node, start)."""
    k_sl = max(1, int(round(knobs.self_loops * scale)))
    staying = np.flatnonzero(net.present & ~net.left & (pop.kind == SAMPLE))
    sl = rng.choice(staying, size=min(k_sl, len(staying)), replace=False)
    sl_start = np.maximum(first_year + pop.intro[sl].astype(np.int64), first_year) + rng.integers(0, 2, len(sl))
    return sl, np.minimum(sl_start, last)
