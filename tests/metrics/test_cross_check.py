"""Degrees on a random directed graph (hubs, sinks, several components), cross-checked against
NetworkX on the same graph (PageRank and components: test_graph_algorithms.py)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from tests.metrics.test_clustering import make_network
from valuenet.metrics.degrees import degrees, out_degree_concentration


@pytest.fixture(scope="module")
def random_graph():
    rng = np.random.default_rng(42)
    arcs = set()
    for block in range(4):  # four components: ids block*1000 + ..., the last one small
        size = 1000 if block < 3 else 60
        base = block * 1000
        m = int(size * 2.5)
        src = base + rng.integers(0, size, m)
        dst = base + np.minimum(rng.pareto(1.2, m).astype(int), size - 1)  # heavy in-degree hubs
        arcs.update((int(s), int(d)) for s, d in zip(src, dst) if s != d)
    graph = nx.DiGraph(sorted(arcs))
    return graph


def test_degrees_equal_networkx(spark, random_graph):
    network = make_network(spark, list(random_graph.nodes), list(random_graph.edges))
    got = {r["vid"]: (r["in_degree"], r["out_degree"], r["degree"]) for r in degrees(network).collect()}
    want = {v: (random_graph.in_degree(v), random_graph.out_degree(v), random_graph.degree(v))
            for v in random_graph.nodes}
    assert got == want
    assert sum(1 for v in random_graph.nodes if random_graph.out_degree(v) == 0) > 10  # sinks


def test_out_degree_concentration_by_hand(spark):
    # out-degrees: 1 -> 4 edges, 2 -> 2, 3 -> 1, 4..10 -> 0; 10 nodes, 7 edges.
    arcs = [(1, 4), (1, 5), (1, 6), (1, 7), (2, 8), (2, 9), (3, 10)]
    network = make_network(spark, range(1, 11), arcs)
    row = out_degree_concentration(degrees(network), [("top_10pct", 0.10), ("top_30pct", 0.30)]).first()
    assert row["top_10pct"] == pytest.approx(4 / 7)  # ceil(1.0) = 1 node
    assert row["top_30pct"] == pytest.approx(7 / 7)
