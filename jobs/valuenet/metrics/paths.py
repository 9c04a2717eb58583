"""Diameter and average path length of a year network (directed, unweighted, all components).

diameter        = the longest finite directed shortest-path distance d(u, v), u != v
                  (0 when there is no edge);
avg_path_length = the mean of d(u, v) over ordered pairs u != v with v reachable from u
                  (None when no pair is reachable).
Both equal igraph's ``diameter(directed=True, unconn=True)`` and
``average_path_length(directed=True, unconn=True)``.

How: each year's vertices are numbered 0..n-1 (in vid order), the in- and out-adjacency CSR
arrays of every year (int32 indptr / indices) are broadcast, and the years' BFS source ranges
are dealt into a few bins of equal cost, one Spark task each; the driver sums one small collect.
Every BFS is bit-parallel (multi-source BFS): 64 sources at once, one bit each in every
vertex's word; a level is one gather and one OR-reduce over the edges for all of them (or, when
the frontier has few out-edges, a scatter along those), so a BFS costs at most levels x edges,
not sources x edges. Exact years give one row of sums per BFS,
sampled years one row per source, since the estimator and the sweeps need each source.

Up to ``exact_max_nodes`` nodes every vertex is a source (exact). Above, a seeded
uniform sample of sources gives the ratio estimator sum(d) / pairs with a 95 %
confidence half-width (delta method over sources, finite-population corrected), and
the sample's diameter, improved with a few forward/backward double sweeps on the
driver, is a lower bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from valuenet.errors import ValuenetError
from valuenet.snapshot.year_network import YearNetwork

Z_95 = 1.959963984540054


@dataclass
class PathStats:
    diameter: int | None
    avg_path_length: float | None
    reachable_pairs: int
    method: str  # "exact" or "sampled ...: avg_path_length +-x% (95%), diameter is a lower bound"
    # 95 % confidence half-width of avg_path_length (absolute); 0.0 when exact, None without pairs.
    avg_path_length_error: float | None = None


# ---------------------------------------------------------------- the BFS kernel (NumPy)

# Sources per BFS: one bit each in a 64-bit word per vertex. Wider words amortise nothing in
# NumPy: on the 2022 sample (30,765 nodes) 64 sources a sweep took 6.5 s, 256 7.7 s, 1,024 13.4 s.
SOURCES_PER_BFS = 64
# A level pushes along the frontier's out-edges when they are at most this share of all edges,
# else pulls over every in-edge (a push costs more per edge: a scatter, not a gather). On the
# 2022 network at scale 100, three BFS of 64 sources: pull only 5.3 s; pushing up to 0.1 3.0 s,
# 0.4 2.6 s, 1.0 3.5 s.
_PUSH_MAX_SHARE = 0.4
# bit_counts: up to this many words unpacked to bits in one call, more counted by a histogram of
# each byte (faster from about a thousand words on)
_FEW_WORDS = 1000
# row v holds the 8 bits of the byte value v
_BITS_OF_BYTE = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little").astype(np.int64)


def bit_counts(words: np.ndarray) -> np.ndarray:
    """For uint64 words, how many of them have bit i set, i = 0..63."""
    if len(words) <= _FEW_WORDS:  # unpacked: 64 bytes a word, one call
        return np.unpackbits(words.view(np.uint8), bitorder="little").reshape(-1, 64).sum(axis=0, dtype=np.int64)
    lanes = words.view(np.uint8).reshape(-1, 8)  # a histogram of each byte lane: 8 bytes a word
    return np.concatenate([np.bincount(lanes[:, j], minlength=256) @ _BITS_OF_BYTE for j in range(8)])


def _pushed(frontier: np.ndarray, out_indptr: np.ndarray, out_heads: np.ndarray) -> np.ndarray:
    """Every vertex's OR of the frontier words of its predecessors, pushed along the out-edges of
    the frontier's vertices only (the same words as a pull over every in-edge)."""
    active = np.flatnonzero(frontier)
    begin = out_indptr[active].astype(np.int64)
    counts = out_indptr[active + 1] - begin
    # the positions of every out-edge of the active vertices: begin_i, begin_i + 1, ... per vertex
    positions = np.repeat(begin - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
    reached = np.zeros(len(frontier), np.uint64)
    np.bitwise_or.at(reached, out_heads[positions], np.repeat(frontier[active], counts))
    return reached


def _new_by_level(in_indptr: np.ndarray, in_tails: np.ndarray, sources: np.ndarray,
                  out_adjacency: tuple[np.ndarray, np.ndarray] | None = None):
    """A bit-parallel BFS from up to 64 sources at once (multi-source BFS, Then et al. 2014):
    yields (level, new) for level 1, 2, ... while something is reached, new holding for every
    vertex a 64-bit word with bit i set when source i reaches the vertex first at that level.

    in_indptr / in_tails: the in-adjacency (CSR by head) of the directed graph; pass the
    out-adjacency to search backwards. A level ORs the frontier words of each vertex's
    predecessors (one gather and one reduceat over the edges for all sources), so a BFS costs
    levels x edges, not sources x edges. out_adjacency: the other CSR (the out-adjacency of a
    forward search); with it a level whose frontier has few out-edges pushes along those alone
    (direction-optimising BFS, Beamer et al. 2012): the first and last levels of a search touch
    a sliver of the graph.
    """
    n = len(in_indptr) - 1
    if len(sources) > SOURCES_PER_BFS:
        raise ValueError(f"{len(sources)} sources: a bit-parallel BFS takes at most {SOURCES_PER_BFS}")
    frontier = np.zeros(n, np.uint64)
    np.bitwise_or.at(frontier, np.asarray(sources, np.int64),
                     np.left_shift(np.uint64(1), np.arange(len(sources), dtype=np.uint64)))
    visited = frontier.copy()
    has_in = np.diff(in_indptr) > 0
    starts = in_indptr[:-1][has_in]
    out_degree = np.diff(out_adjacency[0]) if out_adjacency is not None else None
    push_max_edges = len(in_tails) * _PUSH_MAX_SHARE
    reached = np.zeros(n, np.uint64)
    level = 0
    while True:
        level += 1
        if out_degree is not None and int(out_degree[frontier != 0].sum()) <= push_max_edges:
            reached = _pushed(frontier, *out_adjacency)
        else:
            reached[has_in] = np.bitwise_or.reduceat(frontier[in_tails], starts)
        new = reached & ~visited
        if not new.any():
            return
        yield level, new
        visited |= new
        frontier = new


def bfs_totals(in_indptr: np.ndarray, in_tails: np.ndarray, sources: np.ndarray,
               out_adjacency: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[int, int, int]:
    """The sum of the distances of all ordered pairs (source, vertex it reaches) of up to 64
    sources, the number of those pairs and the largest distance (0 if nothing is reached)."""
    dist_sum = pairs = ecc = 0
    for level, new in _new_by_level(in_indptr, in_tails, sources, out_adjacency):
        count = int(np.bitwise_count(new).sum())
        dist_sum += level * count
        pairs += count
        ecc = level
    return dist_sum, pairs, ecc


def bfs_per_source(in_indptr: np.ndarray, in_tails: np.ndarray, sources: np.ndarray,
                   out_adjacency: tuple[np.ndarray, np.ndarray] | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per source of up to 64: the sum of the distances to the vertices it reaches (itself
    excluded), how many it reaches, its eccentricity (largest finite distance, 0 if it reaches
    nothing) and one vertex at that distance (the source itself if it reaches nothing)."""
    sources = np.asarray(sources, np.int64)
    k = len(sources)
    dist_sum, pairs, ecc = (np.zeros(k, np.int64) for _ in range(3))
    far = sources.copy()
    last = None  # the previous level's new vertices and their words

    def ended(which: np.ndarray, level: int):
        """The far vertices of the sources `which` whose BFS ended at `level`: one of its vertices."""
        if level > 0:
            vertices, words = last
            for i in np.flatnonzero(which & (ecc == level)):
                far[i] = vertices[np.argmax((words >> np.uint64(i)) & np.uint64(1))]

    level = 0
    for level, new in _new_by_level(in_indptr, in_tails, sources, out_adjacency):
        vertices = np.flatnonzero(new)
        words = new[vertices]
        per_source = bit_counts(words)[:k]
        ended(per_source == 0, level - 1)
        dist_sum += level * per_source
        pairs += per_source
        ecc[per_source > 0] = level
        last = vertices, words
    ended(np.ones(k, np.bool_), level)
    return dist_sum, pairs, ecc, far


def bfs_in_batches(in_indptr: np.ndarray, in_tails: np.ndarray, sources: np.ndarray,
                   out_adjacency: tuple[np.ndarray, np.ndarray] | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """bfs_per_source's four arrays for any number of sources (64 a BFS)."""
    parts = [bfs_per_source(in_indptr, in_tails, sources[begin:begin + SOURCES_PER_BFS], out_adjacency)
             for begin in range(0, max(1, len(sources)), SOURCES_PER_BFS)]
    return tuple(np.concatenate(column) for column in zip(*parts))


def _bfs_bin(adjacency_bc, sources_bc, bins_bc):
    """The per-partition function: one bin of (year, first, stop) source ranges -> partial sums.

    Exact years give one row of sums per BFS of 64 sources; sampled years one row per source
    (their estimator needs each source's sums, and the double sweeps a far vertex).
    """

    def run(position: int):
        for year, first, stop in bins_bc.value[position]:
            sampled = sources_bc.value.get(year)
            (in_indptr, in_tails), outgoing = adjacency_bc.value[year]
            for begin in range(first, stop, SOURCES_PER_BFS):
                positions = np.arange(begin, min(stop, begin + SOURCES_PER_BFS), dtype=np.int64)
                sources = positions if sampled is None else sampled[positions].astype(np.int64)
                if sampled is None:  # every source: only the sums matter
                    yield (year, -1, *bfs_totals(in_indptr, in_tails, sources, outgoing), -1)
                else:
                    yield from ((year, int(a), int(b), int(c), int(d), int(e)) for a, b, c, d, e
                                in zip(sources, *bfs_per_source(in_indptr, in_tails, sources, outgoing)))

    return run


def balanced_bins(work: list[tuple[int, int, int]], costs: list[float], bins: int) -> list[list]:
    """Split (year, first, stop) source ranges into `bins` lists of about equal cost (largest first)."""
    loads = [0.0] * bins
    result: list[list] = [[] for _ in range(bins)]
    for i in sorted(range(len(work)), key=lambda i: -costs[i]):
        target = loads.index(min(loads))
        result[target].append(work[i])
        loads[target] += costs[i]
    return [b for b in result if b]


# ---------------------------------------------------------------- the statistics

def ratio_estimate(dist_sums: np.ndarray, pairs: np.ndarray, population: int,
                   z: float = Z_95) -> tuple[float | None, float | None]:
    """(sum(d) / sum(pairs), its z-confidence half-width) for a uniform sample of sources.

    The half-width is the delta-method standard error of a ratio estimator under simple
    random sampling without replacement of sources from `population`:
    sqrt((1 - k/N) / k * var(S_i - R P_i)) / mean(P_i). None when no pair is reachable.
    """
    s = np.asarray(dist_sums, dtype=np.float64)
    p = np.asarray(pairs, dtype=np.float64)
    k = len(s)
    if k == 0 or p.sum() == 0:
        return None, None
    ratio = s.sum() / p.sum()
    if k < 2 or k >= population:
        return float(ratio), 0.0 if k >= population else float("inf")
    residual = s - ratio * p
    variance = residual.var(ddof=1) * (1.0 - k / population) / k
    return float(ratio), float(z * math.sqrt(variance) / p.mean())


def describe_method(sampled: int | None = None, population: int | None = None,
                    estimate: float | None = None, half_width: float | None = None,
                    sweeps: int = 0, seed: int | None = None) -> str:
    """The `path_method` string: "exact", or the sample, the 95 % bound and that the diameter is a lower bound."""
    if sampled is None:
        return "exact"
    if estimate is None or half_width is None:
        bound = "avg_path_length undefined (no reachable pair in the sample)"
    else:
        rel = half_width / estimate if estimate else 0.0
        bound = f"avg_path_length +-{rel:.1%} (95%, +-{half_width:.4f})"
    seed_text = f", seed {seed}" if seed is not None else ""
    sweep_text = f" after {sweeps} double-sweep BFS" if sweeps else ""
    return (f"sampled {sampled} of {population} sources{seed_text}: {bound}, "
            f"diameter is a lower bound{sweep_text}")


def _csr(n: int, tail: np.ndarray, head: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int32 (indptr, indices) of the directed graph tail -> head, heads sorted within a row."""
    # one sort of a combined key: 3 times as fast as lexsort's two passes (8.4 M edges: 1.1 s)
    order = np.argsort(tail.astype(np.int64) * max(n, 1) + head)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    if indptr[-1] > np.iinfo(np.int32).max:
        raise ValuenetError(f"{indptr[-1]} edges exceed the int32 CSR of the path-length kernel")
    return indptr.astype(np.int32), head[order].astype(np.int32)


def _numbered_edges(network: YearNetwork) -> dict[int, tuple[int, np.ndarray, np.ndarray]]:
    """Per year: n and the edges as positions 0..n-1 of the year's vertices in vid order (two collects)."""
    vertices = network.vertices.select("year", "vid").toArrow()
    relations = network.relations.select("year", "src", "dst").toArrow()
    v_year, v_vid = vertices.column("year").to_numpy(), vertices.column("vid").to_numpy()
    r_year = relations.column("year").to_numpy()
    r_src, r_dst = relations.column("src").to_numpy(), relations.column("dst").to_numpy()
    result = {}
    for year in network.years:
        vids = np.sort(v_vid[v_year == year])
        mine = r_year == year
        src, dst = r_src[mine], r_dst[mine]
        n = len(vids)
        # a hash table of the vids: a binary search of 3 M sorted vids for each of 8.4 M endpoints
        # misses the cache at every step (6.1 s against 1.5 s); -1 where a vid is not a vertex
        position = pd.Index(vids)
        tail, head = position.get_indexer(src), position.get_indexer(dst)
        if n == 0 and len(src):
            raise ValuenetError(f"the year network of {year} has relations but no vertices")
        if len(src):
            known = (tail >= 0) & (head >= 0)
            if not known.all():
                raise ValuenetError(f"{int((~known).sum())} relation(s) of year {year} have an endpoint "
                                    "missing from the year's vertices; rebuild the year network")
        result[year] = (n, tail.astype(np.int64), head.astype(np.int64))
    return result


def _double_sweeps(incoming, outgoing, starts: list[tuple[int, int]], sweeps: int) -> tuple[int, int]:
    """Improve a diameter lower bound with alternating backward/forward BFS sweeps.

    incoming / outgoing: the in- and out-adjacency CSR of the year. starts: (u, v) pairs with v at
    u's eccentricity. Two chains per pair, from v and from u: a backward BFS finds the node w that
    is farthest from reaching the start, a forward BFS from w finds the x farthest from w, then
    backward from x, and so on (`sweeps` BFS per chain; the chains advance together, one
    bit-parallel BFS a step). Every BFS's eccentricity is a lower bound. Returns (best bound, BFS run).
    On the 2022 sample network the chains from both ends reach the exact diameter from
    every tried seed; the chains from v alone stop one short for half of them.
    """
    chains = np.array([node for u, v in starts for node in (v, u)], np.int64)
    best, runs = 0, 0
    for step in range(sweeps):
        if len(chains) == 0:
            break
        # a backward BFS pulls over the out-adjacency, a forward one over the in-adjacency
        pull, push = (outgoing, incoming) if step % 2 == 0 else (incoming, outgoing)
        _, _, ecc, far = bfs_in_batches(*pull, chains, push)
        runs += len(chains)
        best = max(best, int(ecc.max()))
        chains = far[ecc > 0]
    return best, runs


def path_statistics(network: YearNetwork, exact_max_nodes: int = 60000, sample_sources: int = 1000,
                    seed: int = 7, sweep_starts: int = 4, sweeps: int = 4) -> dict[int, PathStats]:
    """Diameter and average path length of each year network: {year: PathStats}.

    A year is exact up to exact_max_nodes nodes. Above, `sample_sources` uniformly drawn sources
    (numpy seed `seed`) give avg_path_length with a 95 % bound and a diameter lower bound improved
    by `sweep_starts` x 2 x `sweeps` double-sweep BFS on the driver; `method` says which. The BFS
    of all years runs in one Spark job, its source ranges spread over the executors by cost.
    """
    sc = network.vertices.sparkSession.sparkContext
    numbered = _numbered_edges(network)
    result, graphs, sampled_sources, work, costs = {}, {}, {}, [], []
    for year, (n, tail, head) in numbered.items():
        if len(tail) == 0:
            # igraph's convention: an edgeless graph has diameter 0, an empty one none; no pair, no mean
            result[year] = PathStats(diameter=0 if n else None, avg_path_length=None, reachable_pairs=0,
                                     method="exact")
            continue
        # the in-adjacency (a level pulls from predecessors) and the out-adjacency (or pushes)
        graphs[year] = _csr(n, head, tail), _csr(n, tail, head)
        count = n
        if n > exact_max_nodes and sample_sources < n:
            rng = np.random.default_rng(seed)
            sampled_sources[year] = np.sort(rng.choice(n, size=sample_sources, replace=False)).astype(np.int32)
            count = sample_sources
        # pieces of a few BFS each, so that a large year spreads over every core; a BFS costs
        # about the same for 1 source as for 64
        step = SOURCES_PER_BFS * max(1, math.ceil(count / SOURCES_PER_BFS / (4 * sc.defaultParallelism)))
        for first in range(0, count, step):
            stop = min(count, first + step)
            work.append((year, first, stop))
            costs.append(math.ceil((stop - first) / SOURCES_PER_BFS) * (len(tail) + n))
    if work:
        bins = balanced_bins(work, costs, max(1, min(2 * sc.defaultParallelism, len(work))))
        broadcasts = [sc.broadcast(graphs), sc.broadcast(sampled_sources), sc.broadcast(bins)]
        try:
            rows = (sc.parallelize(range(len(bins)), len(bins))
                    .flatMap(_bfs_bin(*broadcasts)).collect())
        finally:
            for broadcast in broadcasts:
                broadcast.unpersist()
        table = np.array(rows, dtype=np.int64).reshape(-1, 6)
        for year in graphs:
            mine = table[table[:, 0] == year]
            result[year] = _year_statistics(year, numbered[year][0], graphs[year], sampled_sources.get(year),
                                            mine[:, 1], mine[:, 2], mine[:, 3], mine[:, 4], mine[:, 5],
                                            seed, sweep_starts, sweeps)
    return result


def _year_statistics(year, n, adjacency, sources, source, dist_sum, pairs, ecc, far,
                     seed, sweep_starts, sweeps) -> PathStats:
    """One year's PathStats from its BFS rows (per BFS when exact, per source when sampled).
    n: the year's vertices; adjacency: its (in-adjacency, out-adjacency) CSR."""
    total_pairs = int(pairs.sum())
    if sources is None:
        avg = float(dist_sum.sum()) / total_pairs if total_pairs else None
        return PathStats(diameter=int(ecc.max()), avg_path_length=avg, reachable_pairs=total_pairs,
                         method="exact", avg_path_length_error=0.0 if avg is not None else None)
    avg, half_width = ratio_estimate(dist_sum, pairs, n)
    order = np.lexsort((source, -ecc))[:sweep_starts]  # the most eccentric sampled sources
    starts = [(int(source[i]), int(far[i])) for i in order if ecc[i] > 0]
    bound, runs = _double_sweeps(*adjacency, starts, sweeps)
    diameter = max(int(ecc.max()), bound, 1)  # there is an edge: at least 1
    method = describe_method(sampled=len(sources), population=n, estimate=avg, half_width=half_width,
                             sweeps=runs, seed=seed)
    # reachable_pairs: the pairs the sampled sources reach, scaled to all n sources.
    return PathStats(diameter=diameter, avg_path_length=avg,
                     reachable_pairs=int(round(total_pairs * n / len(sources))), method=method,
                     avg_path_length_error=half_width)
