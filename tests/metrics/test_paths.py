"""Diameter and average path length: hand-checked tiny graphs, igraph cross-checks, the sampled bound."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest
from pyspark.sql import functions as F

from valuenet.metrics import paths
from valuenet.metrics.paths import (PathStats, _csr, bfs_in_batches, bfs_per_source, bfs_totals,
                                   bit_counts,
                                   path_statistics, ratio_estimate)
from valuenet.errors import ValuenetError
from valuenet.snapshot.year_network import YearNetwork

VERTEX_SCHEMA = "vid long, id string"
RELATION_SCHEMA = "src long, dst long, weight double, relations array<string>, n_relations long"


def vid_of(i: int) -> int:
    """Scattered 64-bit surrogate keys (negative ones too), not in the order of the node numbers."""
    return int(np.int64(np.uint64((i * 0x9E3779B97F4A7C15 + 12345) % 2**64)))


def year_network(spark, n: int, edges) -> YearNetwork:
    """A YearNetwork of nodes 0..n-1 (ids "n<i>") with the directed edges (i, j)."""
    vertices = spark.createDataFrame([(vid_of(i), f"n{i}") for i in range(n)], VERTEX_SCHEMA)
    relations = spark.createDataFrame([(vid_of(int(a)), vid_of(int(b)), 1.0, ["tech"], 1) for a, b in edges],
                                      RELATION_SCHEMA)
    return YearNetwork.of_year(2022, vertices.coalesce(1), relations.coalesce(1))


def stats_of(network: YearNetwork, **settings) -> PathStats:
    """path_statistics of a one-year network."""
    (year,) = network.years
    return path_statistics(network, **settings)[year]


def igraph_reference(n: int, edges) -> tuple[int, float]:
    g = ig.Graph(n=n, edges=[(int(a), int(b)) for a, b in edges], directed=True)
    return g.diameter(directed=True, unconn=True), g.average_path_length(directed=True, unconn=True)


# ---------------------------------------------------------------- hand-checked tiny graphs

def test_directed_chain_of_20(spark):
    # 0 -> 1 -> ... -> 19: i reaches j > i at distance j - i. Pairs: C(20, 2) = 190.
    # Sum of distances: sum_{d=1}^{19} d (20 - d) = 20 * 190 - 2470 = 1330; avg = 1330 / 190 = 7
    # (in general (n + 1) / 3 for a chain of n nodes).
    stats = stats_of(year_network(spark, 20, [(i, i + 1) for i in range(19)]))
    assert stats.diameter == 19
    assert stats.reachable_pairs == 190
    assert stats.avg_path_length == pytest.approx(7.0, abs=1e-12)
    assert stats.method == "exact"


def test_star_with_sources_and_sinks(spark):
    # a, b -> c -> x, y, z (x, y, z are sinks). a reaches c at 1 and x, y, z at 2 (sum 7, 4 pairs),
    # b the same, c reaches x, y, z at 1 (sum 3, 3 pairs): 17 / 11, diameter 2.
    a, b, c, x, y, z = range(6)
    stats = stats_of(year_network(spark, 6, [(a, c), (b, c), (c, x), (c, y), (c, z)]))
    assert (stats.diameter, stats.reachable_pairs) == (2, 11)
    assert stats.avg_path_length == pytest.approx(17 / 11, abs=1e-12)


def test_two_components_and_an_isolated_node(spark):
    # chain 0 -> 1 -> 2 (distances 1, 2, 1: sum 4, 3 pairs); cycle 3 -> 4 -> 5 -> 3 (each node
    # reaches the other two at 1 and 2: sum 9, 6 pairs); node 6 has no edge. 13 / 9, diameter 2.
    stats = stats_of(year_network(spark, 7, [(0, 1), (1, 2), (3, 4), (4, 5), (5, 3)]))
    assert (stats.diameter, stats.reachable_pairs) == (2, 9)
    assert stats.avg_path_length == pytest.approx(13 / 9, abs=1e-12)


def test_reciprocal_pair(spark):
    stats = stats_of(year_network(spark, 2, [(0, 1), (1, 0)]))
    assert stats == PathStats(diameter=1, avg_path_length=1.0, reachable_pairs=2, method="exact",
                              avg_path_length_error=0.0)


def test_no_edges(spark):
    stats = stats_of(year_network(spark, 3, []))
    assert stats == PathStats(diameter=0, avg_path_length=None, reachable_pairs=0, method="exact")
    empty = stats_of(year_network(spark, 0, []))
    # igraph: diameter 0 for an edgeless graph, nan for the null graph
    assert (empty.diameter, empty.avg_path_length, empty.reachable_pairs) == (None, None, 0)


def scipy_distances(n: int, edges, sources) -> np.ndarray:
    """The source x n matrix of directed BFS distances (inf where unreachable), by SciPy."""
    import scipy.sparse as sp

    tail, head = np.asarray(edges, dtype=np.int64).reshape(-1, 2).T
    adjacency = sp.csr_matrix((np.ones(len(tail)), (tail, head)), shape=(n, n))
    return sp.csgraph.shortest_path(adjacency, unweighted=True, directed=True, indices=sources)


@pytest.fixture(params=["pull", "push"])
def way(request, monkeypatch):
    """How each BFS level runs: a pull over every in-edge, or (every level, as a forced case of the
    direction-optimising BFS) a push along the frontier's out-edges."""
    if request.param == "push":
        monkeypatch.setattr(paths, "_PUSH_MAX_SHARE", float("inf"))
    return request.param


def assert_kernel_matches_scipy(n: int, edges, sources, way: str = "pull"):
    """The kernel's four per-source answers against SciPy's distances, source by source."""
    tail, head = np.asarray(edges, dtype=np.int64).reshape(-1, 2).T
    pushed = _csr(n, tail, head) if way == "push" else None
    dist_sum, pairs, ecc, far = bfs_in_batches(*_csr(n, head, tail), np.asarray(sources), pushed)
    dist = scipy_distances(n, edges, sources)
    finite = np.where(np.isfinite(dist), dist, 0)
    assert np.array_equal(dist_sum, finite.sum(axis=1))
    assert np.array_equal(pairs, np.isfinite(dist).sum(axis=1) - 1)
    assert np.array_equal(ecc, finite.max(axis=1))
    assert np.array_equal(dist[np.arange(len(sources)), far], ecc)  # far is at the eccentricity
    return ecc


def test_bit_counts_by_hand():
    words = np.array([0b101, 0b100, 1 << 63], np.uint64)
    expected = np.zeros(64, np.int64)
    expected[[0, 2, 63]] = [1, 2, 1]
    assert np.array_equal(bit_counts(words), expected)
    # many words take the other way (a histogram per byte)
    assert np.array_equal(bit_counts(np.tile(words, 1000)), 1000 * expected)
    assert np.array_equal(bit_counts(np.zeros(0, np.uint64)), np.zeros(64, np.int64))


def test_kernel_on_a_chain_by_hand():
    # 0 -> 1 -> 2 -> 3, and 4 alone: from 1 the distances are 1 and 2 (far 3); 3 and 4 reach nothing.
    tail, head = np.array([0, 1, 2]), np.array([1, 2, 3])
    dist_sum, pairs, ecc, far = bfs_per_source(*_csr(5, head, tail), np.array([1, 3, 4, 0]))
    assert dist_sum.tolist() == [3, 0, 0, 6]
    assert pairs.tolist() == [2, 0, 0, 3]
    assert ecc.tolist() == [2, 0, 0, 3]
    assert far.tolist() == [3, 3, 4, 3]
    # searching backwards (over the out-adjacency): 3 is reached from 2, 1, 0
    assert bfs_per_source(*_csr(5, tail, head), np.array([3]))[0].tolist() == [6]
    assert bfs_totals(*_csr(5, head, tail), np.array([1, 3, 4, 0])) == (9, 5, 3)


def test_kernel_matches_scipy_on_a_random_graph(way):
    # every vertex a source, in 4 BFS of 64 and one of 8 (no Spark)
    rng = np.random.default_rng(3)
    n = 264
    pairs = np.unique(rng.integers(0, n, size=(800, 2)), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    assert_kernel_matches_scipy(n, pairs, np.arange(n), way)


def test_kernel_matches_scipy_with_a_long_chain(way):
    """64 sources on a graph with a chain, sinks and components: sources end their BFS at many
    different levels, each with its own far vertex."""
    n, edges = random_digraph(7, 1500, 3, 0.25, chain=25)
    sources = np.random.default_rng(3).choice(n, size=64, replace=False)
    sources[0] = next(a for a, b in edges if b == n - 25)  # the node the chain hangs off: the deepest BFS
    ecc = assert_kernel_matches_scipy(n, edges, sources, way)
    assert ecc.max() > 15 and len(set(ecc.tolist())) > 3
    tail, head = np.asarray(edges, dtype=np.int64).T
    pushed = _csr(n, tail, head) if way == "push" else None
    dist_sum, pairs, _, _ = bfs_per_source(*_csr(n, head, tail), sources, pushed)
    assert bfs_totals(*_csr(n, head, tail), sources, pushed) == (dist_sum.sum(), pairs.sum(), ecc.max())


def test_a_relation_whose_endpoint_is_not_a_vertex_is_named(spark):
    network = year_network(spark, 3, [(0, 1), (1, 2)])
    network = YearNetwork.of_year(2022, network.vertices.where(F.col("id") != "n2"), network.relations)
    with pytest.raises(ValuenetError, match="1 relation\\(s\\) of year 2022 have an endpoint missing"):
        path_statistics(network)


def test_kernel_takes_at_most_64_sources():
    with pytest.raises(ValueError, match="65 sources"):
        bfs_per_source(*_csr(70, np.array([1]), np.array([0])), np.arange(65))


# ---------------------------------------------------------------- igraph cross-checks

def random_digraph(seed: int, n: int, components: int, sink_share: float, chain: int = 0):
    """Heavy-tailed (hubby) random directed graph in `components` blocks, with sinks and a chain."""
    rng = np.random.default_rng(seed)
    block = rng.integers(0, components, size=n)
    block[:components] = np.arange(components)
    fitness = rng.pareto(1.5, size=n) + 0.1
    edges = set()
    m = 3 * n
    for _ in range(3):
        src = rng.choice(n, size=m, p=fitness / fitness.sum())
        dst = rng.choice(n, size=m, p=np.roll(fitness, 7) / fitness.sum())
        keep = (src != dst) & (block[src] == block[dst])
        edges.update(zip(src[keep].tolist(), dst[keep].tolist()))
    sinks = set(rng.choice(n, size=int(sink_share * n), replace=False).tolist())
    edges = {(a, b) for a, b in edges if a not in sinks}
    if chain:
        # a directed chain hanging off a node of block 0 (and one edge leading into it from a hub)
        start = int(np.flatnonzero(block == 0)[0])
        nodes = [start] + list(range(n, n + chain))
        edges.update(zip(nodes[:-1], nodes[1:]))
        n += chain
    return n, sorted(edges)


@pytest.mark.parametrize("seed, n, components, sink_share, chain", [
    (1, 300, 3, 0.2, 0),
    (2, 1200, 5, 0.3, 0),
    (3, 3000, 4, 0.25, 30),
])
def test_matches_igraph(spark, seed, n, components, sink_share, chain):
    n, edges = random_digraph(seed, n, components, sink_share, chain)
    diameter, average = igraph_reference(n, edges)
    if chain:
        assert diameter > 15
    stats = stats_of(year_network(spark, n, edges))
    assert stats.method == "exact"
    assert stats.diameter == diameter
    assert stats.avg_path_length == pytest.approx(average, abs=1e-6)


# ---------------------------------------------------------------- the sampled method

def test_sampled_estimate_within_its_bound(spark):
    n, edges = random_digraph(4, 3000, 3, 0.2, chain=20)
    diameter, average = igraph_reference(n, edges)
    network = year_network(spark, n, edges)
    stats = stats_of(network, exact_max_nodes=100, sample_sources=500, seed=11)
    assert stats.method.startswith("sampled 500 of 3020 sources")
    assert "lower bound" in stats.method and "(95%" in stats.method
    assert 0 < stats.avg_path_length_error < 0.1 * average
    assert abs(stats.avg_path_length - average) <= stats.avg_path_length_error
    assert stats.diameter <= diameter
    # the double sweeps run into the chain: the bound is the exact diameter here
    assert stats.diameter == diameter
    assert stats_of(network, exact_max_nodes=100, sample_sources=500, seed=11) == stats


def test_ratio_estimate_bound():
    # All sources sampled: no sampling error. Fewer: delta-method half-width, by hand for 3 sources.
    assert ratio_estimate(np.array([4, 6]), np.array([2, 3]), population=2) == (2.0, 0.0)
    s, p = np.array([2.0, 6.0, 10.0]), np.array([2.0, 3.0, 4.0])
    r = 18 / 9
    residual = s - r * p  # -2, 0, 2 -> sample variance 4
    expected = 1.959963984540054 * np.sqrt(4 * (1 - 3 / 30) / 3) / 3
    assert residual.var(ddof=1) == pytest.approx(4)
    estimate, half_width = ratio_estimate(s, p, population=30)
    assert estimate == pytest.approx(r) and half_width == pytest.approx(expected)
    assert ratio_estimate(np.array([0]), np.array([0]), population=5) == (None, None)


def test_years_in_one_pass_equal_each_year_alone(spark):
    """Three years measured together (one Spark job, bins shared) give each year's own figures;
    a year without relations has no pair and diameter 0."""
    graphs = {2020: random_digraph(5, 400, 2, 0.2, 0), 2021: random_digraph(6, 900, 3, 0.3, 18)}
    frames = [year_network(spark, n, edges) for n, edges in graphs.values()]
    lonely = year_network(spark, 2, [])
    vertices = frames[0].vertices.withColumn("year", F.lit(2020)).unionByName(
        frames[1].vertices.withColumn("year", F.lit(2021))).unionByName(lonely.vertices.withColumn("year", F.lit(2022)))
    relations = frames[0].relations.withColumn("year", F.lit(2020)).unionByName(
        frames[1].relations.withColumn("year", F.lit(2021)))
    together = path_statistics(YearNetwork(years=(2020, 2021, 2022), vertices=vertices, relations=relations))
    for year, (n, edges) in graphs.items():
        diameter, average = igraph_reference(n, edges)
        assert together[year].diameter == diameter
        assert together[year].avg_path_length == pytest.approx(average, abs=1e-6)
    assert together[2022] == PathStats(diameter=0, avg_path_length=None, reachable_pairs=0, method="exact")
