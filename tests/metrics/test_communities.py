"""Communities (Louvain) and modularity: hand-checked graphs, NetworkX as the independent oracle."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from tests.metrics.test_clustering import make_network
from valuenet.metrics.communities import communities, modularity


def _partition(network, **kwargs) -> dict[int, int]:
    return {r["vid"]: r["community"] for r in communities(network, **kwargs).collect()}


def _q(network, partition_df) -> tuple[float | None, int]:
    row = modularity(network, partition_df).first()
    return row["modularity"], row["communities"]


def _nx_modularity(arcs, partition: dict[int, int]) -> float:
    graph = nx.Graph()
    graph.add_edges_from((int(a), int(b)) for a, b in arcs if a != b)
    groups: dict[int, set] = {}
    for v, c in partition.items():
        if v in graph:
            groups.setdefault(c, set()).add(v)
    return nx.community.modularity(graph, list(groups.values()))


def test_two_triangles_joined_by_a_bridge(spark):
    # 1-2-3 and 4-5-6 are triangles (one arc of each made reciprocal: still one undirected edge),
    # 3-4 is the bridge. m = 7; each triangle: L_c = 3, d_c = 7.
    # Q = 2 * (3/7 - (7/14)^2) = 6/7 - 1/2 = 5/14.
    arcs = [(1, 2), (2, 1), (2, 3), (3, 1), (4, 5), (5, 6), (6, 4), (6, 5), (3, 4)]
    network = make_network(spark, [1, 2, 3, 4, 5, 6, 7], arcs)  # 7 has no edge
    partition = _partition(network)
    assert partition[1] == partition[2] == partition[3] == 1  # id = smallest vid in it
    assert partition[4] == partition[5] == partition[6] == 4
    assert partition[7] == 7  # a vertex without edges is a community of its own
    q, count = _q(network, communities(network))
    assert q == pytest.approx(5 / 14, abs=1e-12)
    assert count == 3


def test_no_edges_means_no_modularity(spark):
    network = make_network(spark, [1, 2], [])
    q, count = _q(network, communities(network))
    assert q is None and count == 2


def _planted(rng, groups=6, size=60, p_in=0.15, p_out=0.004, hubs=3):
    n = groups * size
    label = np.repeat(np.arange(groups), size)
    arcs = set()
    for u in range(n):
        for v in rng.choice(n, size=40, replace=False):
            p = p_in if label[u] == label[v] else p_out
            if u != v and rng.random() < p * n / 40:
                arcs.add((u, int(v)))
    for h in range(hubs):  # hubs that point everywhere, as the registry's platforms do
        for v in rng.choice(n, size=n // 4, replace=False):
            if v != h:
                arcs.add((h, int(v)))
    return list(range(n)), sorted(arcs)


@pytest.mark.parametrize("seed", [1, 2])
def test_q_is_that_of_the_stored_partition_and_close_to_louvain(spark, seed):
    rng = np.random.default_rng(seed)
    vids, arcs = _planted(rng)
    vids = [v * 1_000_003 - 77 for v in vids]  # large, signed surrogate keys
    arcs = [(a * 1_000_003 - 77, b * 1_000_003 - 77) for a, b in arcs]
    network = make_network(spark, vids, arcs)
    stored = communities(network)
    partition = {r["vid"]: r["community"] for r in stored.collect()}
    q, count = _q(network, stored)
    assert q == pytest.approx(_nx_modularity(arcs, partition), abs=1e-9)
    assert count == len(set(partition.values()))
    graph = nx.Graph(arcs)
    reference = max(nx.community.modularity(graph, nx.community.louvain_communities(graph, seed=s))
                    for s in range(3))
    assert q >= reference - 0.03, (q, reference)


def test_best_of_several_orders_and_one_order_above_the_edge_limit(spark):
    vids, arcs = _planted(np.random.default_rng(3))
    network = make_network(spark, vids, arcs)
    first_order = communities(network, tries=1)
    # a year over tries_max_edges keeps the first order's partition, whatever `tries` says
    assert _partition(network, tries=5, tries_max_edges=0) == {r["vid"]: r["community"] for r in first_order.collect()}
    # the best of five orders includes the first one
    best_q, _ = _q(network, communities(network, tries=5))
    first_q, _ = _q(network, first_order)
    assert best_q >= first_q - 1e-12
