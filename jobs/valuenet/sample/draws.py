"""The two draws every stage of the growth uses: weighted node pools and distinct new pairs.

A relation is a pair of node indices ``(src, dst)``, keyed ``src * nt + dst`` (``nt``: the
registry size), so "is this pair already drawn" is a search in a sorted key array.
"""

from __future__ import annotations

import numpy as np


def search_in_order(sorted_values: np.ndarray, queries: np.ndarray, side: str = "left") -> np.ndarray:
    """``np.searchsorted(sorted_values, queries, side)``, the queries looked up in their own sorted
    order: random lookups in an array of millions miss the cache at every step, ordered ones go
    through it once (2 M queries into 8 M keys: 5.6 s -> 1.4 s with the sort)."""
    order = np.argsort(queries)
    positions = np.empty(len(queries), np.intp)
    positions[order] = np.searchsorted(sorted_values, queries[order], side=side)
    return positions


def node_runs(sorted_nodes: np.ndarray, nt: int) -> tuple[np.ndarray, np.ndarray]:
    """For node indices in ascending order: per node (0..nt-1), where its run starts (its
    ``np.searchsorted`` position) and how long the run is, found by counting rather than by
    millions of binary searches."""
    count = np.bincount(sorted_nodes, minlength=nt)
    return np.cumsum(count) - count, count


class Pool:
    """Weighted sampler over a set of node indices (cumulative weights; zero weights drop out)."""

    def __init__(self, idx: np.ndarray, w: np.ndarray):
        keep = w > 0
        self.idx = idx[keep]
        self.cdf = np.cumsum(w[keep], dtype=np.float64)

    def __len__(self) -> int:
        return len(self.idx)

    def draw(self, rng, n: int) -> np.ndarray:
        """n nodes drawn with replacement; -1 each (and no draw) when the pool is empty."""
        if n == 0 or len(self.idx) == 0:
            return np.full(n, -1, np.int64)
        r = rng.random(n) * self.cdf[-1]
        pos = search_in_order(self.cdf, r, side="right")
        return self.idx[np.minimum(pos, len(self.idx) - 1)]


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)``, by one sort: NumPy's own (a hash set, then a sort of what it holds)
    misses the cache on arrays of tens of millions of keys (at scale 100 it took half of the
    sample's generation: 62 of 124 s)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def merged(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``np.sort(np.concatenate([sorted_keys, keys]))``: ``keys`` sorted and inserted at their
    places in one pass over the large array, rather than all sorted again (8 M + 0.3 M keys:
    0.65 s -> 0.17 s)."""
    keys = np.sort(keys)
    return np.insert(sorted_keys, np.searchsorted(sorted_keys, keys), keys)


def isin_sorted(sorted_keys: tuple[np.ndarray, ...], keys: np.ndarray) -> np.ndarray:
    """``np.isin(keys, np.concatenate(sorted_keys))`` for arrays that are each sorted: the
    queries are put in order once and looked up in each array."""
    found = np.zeros(len(keys), bool)
    arrays = [a for a in sorted_keys if len(a)]
    if not arrays or len(keys) == 0:
        return found
    order = np.argsort(keys)
    ordered = keys[order]
    hit = np.zeros(len(keys), bool)
    for a in arrays:
        hit |= a[np.minimum(np.searchsorted(a, ordered), len(a) - 1)] == ordered
    found[order] = hit
    return found


def pairs_among(src: np.ndarray, dst: np.ndarray, keys: np.ndarray, nt: int) -> np.ndarray:
    """Which pairs ``(src, dst)`` have their key among ``keys``. Only the pairs whose two ends
    both occur in ``keys`` are searched (8.4 M relations against 0.35 M keys: 1.3 s -> 0.3 s)."""
    ends_src = np.zeros(nt, bool)
    ends_src[keys // nt] = True
    ends_dst = np.zeros(nt, bool)
    ends_dst[keys % nt] = True
    among = np.zeros(len(src), bool)
    maybe = np.flatnonzero(ends_src[src] & ends_dst[dst])
    among[maybe] = isin_sorted((np.sort(keys),), src[maybe] * nt + dst[maybe])
    return among


def draw_unique(rng, fixed_src, fixed_dst, src_pool, dst_pool, existing, nt,
                max_rounds=80, hmask=None, p_reject=0.0):
    """Fill slots with distinct new ordered pairs (no self-loops, none in `existing`: sorted
    key arrays, a pair's key is in one of them if it was drawn before).

    fixed_src / fixed_dst: int arrays, -1 where the endpoint is to be drawn from the pool
    (a pool may be None when every endpoint is fixed). Slots still open after
    ``max_rounds`` rounds of drawing stay open.
    hmask / p_reject: a pair whose endpoints share a named-hub neighbour (bitmasks)
    is rejected with probability p_reject (no triangles around hubs).
    Returns (src, dst, ok), ok marking the filled slots."""
    n = len(fixed_src)
    src = fixed_src.copy()
    dst = fixed_dst.copy()
    ok = np.zeros(n, bool)
    acc = np.empty(0, np.int64)
    for _ in range(max_rounds):
        pend = np.flatnonzero(~ok)
        if len(pend) == 0:
            break
        s = fixed_src[pend].copy()
        d = fixed_dst[pend].copy()
        m = s < 0
        if m.any():
            s[m] = src_pool.draw(rng, int(m.sum()))
        m = d < 0
        if m.any():
            d[m] = dst_pool.draw(rng, int(m.sum()))
        key = s * nt + d
        valid = (s >= 0) & (d >= 0) & (s != d)
        valid &= ~isin_sorted((*existing, acc), key)
        if hmask is not None and p_reject > 0:
            sv, dv = np.maximum(s, 0), np.maximum(d, 0)
            shared = (hmask[sv] & hmask[dv]) != 0
            valid &= ~(shared & (rng.random(len(s)) < p_reject))
        vi = np.flatnonzero(valid)
        _, first = np.unique(key[vi], return_index=True)
        vi = vi[first]
        src[pend[vi]] = s[vi]
        dst[pend[vi]] = d[vi]
        ok[pend[vi]] = True
        acc = merged(acc, key[vi])
    return src, dst, ok
