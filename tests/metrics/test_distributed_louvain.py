"""Louvain's levels run distributed (metrics/distributed_louvain.py): a graph checked by hand,
coarse graphs that keep Q (NetworkX as the oracle), and Q against igraph's multilevel."""

from __future__ import annotations

from functools import reduce

import igraph as ig
import networkx as nx
import numpy as np
import pytest
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from tests.metrics.test_clustering import make_network
from tests.metrics.test_communities import _nx_modularity, _planted, _q
from valuenet.snapshot.undirected_view import undirected_edges
from valuenet.snapshot.year_network import YearNetwork
from valuenet.metrics.communities import communities
from valuenet.metrics.distributed_louvain import coarsen


def _distributed_only(network, **kwargs):
    """year, vid, community from the distributed levels alone (no one-task finish)."""
    pairs = undirected_edges(network.relations).select("year", "a", "b")
    found = coarsen(pairs, stop_edges=0, **kwargs)
    labelled = (network.vertices.select("year", "vid").join(found.membership, ["year", "vid"], "left")
                .select("year", "vid", F.coalesce("label", "vid").alias("label")))
    return labelled.select("year", "vid", F.min("vid").over(Window.partitionBy("year", "label")).alias("community"))


# 1-2-3 and 4-5-6 are triangles, 3-4 the bridge, 7 alone. The best partition is the two
# triangles: m = 7, each has L_c = 3 and d_c = 7, Q = 2 (3/7 - 1/4) = 5/14.
TRIANGLES = ([1, 2, 3, 4, 5, 6, 7], [(1, 2), (2, 1), (2, 3), (3, 1), (4, 5), (5, 6), (6, 4), (6, 5), (3, 4)])
KARATE = (list(range(1, 35)), [(a + 1, b + 1) for a, b in nx.karate_club_graph().edges])


def _side_by_side(spark, graphs: dict[int, tuple]) -> YearNetwork:
    """One network of several years, year y being graphs[y] = (vids, arcs): the levels run on
    all years at once, as they do on a pass's years."""
    years = [make_network(spark, vids, arcs, year) for year, (vids, arcs) in graphs.items()]
    return YearNetwork(years=tuple(graphs), vertices=reduce(DataFrame.unionByName, (n.vertices for n in years)),
                       relations=reduce(DataFrame.unionByName, (n.relations for n in years)))


def _year(network: YearNetwork, found, year: int):
    """That year's network and partition alone."""
    return (YearNetwork(years=(year,), vertices=network.vertices.where(F.col("year") == year),
                        relations=network.relations.where(F.col("year") == year)),
            found.where(F.col("year") == year))


@pytest.fixture(scope="module")
def triangles_and_karate(spark):
    """The two triangles (year 1) and Zachary's karate club (year 2), and the distributed levels' partition."""
    network = _side_by_side(spark, {1: TRIANGLES, 2: KARATE})
    return network, _distributed_only(network).localCheckpoint()


def test_two_triangles_joined_by_a_bridge(spark, triangles_and_karate):
    network, distributed = triangles_and_karate
    triangles = make_network(spark, *TRIANGLES, 1)
    _, of_triangles = _year(network, distributed, 1)
    for found in (of_triangles, communities(triangles, one_task_max_edges=0)):
        partition = {r["vid"]: r["community"] for r in found.collect()}
        assert partition == {1: 1, 2: 1, 3: 1, 4: 4, 5: 4, 6: 4, 7: 7}
        assert _q(triangles, found) == (pytest.approx(5 / 14, abs=1e-12), 3)


def test_a_coarse_graph_keeps_q(spark):
    # After one level, Q of the coarse graph (every coarse vertex a community; inside weights as
    # self-loops) is Q of the partition the level found on the input graph, and no weight is lost.
    vids, arcs = _planted(np.random.default_rng(4))
    network = make_network(spark, vids, arcs)
    found = coarsen(undirected_edges(network.relations).select("year", "a", "b"), stop_edges=10**9)
    assert list(found.levels.values()) == [1]
    coarse = nx.Graph()
    coarse.add_weighted_edges_from((r["a"], r["b"], r["w"]) for r in found.coarse.collect())
    membership = {r["vid"]: r["label"] for r in found.membership.collect()}
    assert coarse.number_of_nodes() == len(set(membership.values())) < len(membership)
    assert coarse.size(weight="weight") == pytest.approx(nx.Graph(arcs).number_of_edges(), abs=1e-9)
    coarse_q = nx.community.modularity(coarse, [{v} for v in coarse.nodes], weight="weight")
    assert coarse_q == pytest.approx(_nx_modularity(arcs, membership), abs=1e-9)
    assert coarse_q > 0.3


def test_q_close_to_igraph_on_zachary_karate_club(triangles_and_karate):
    # the same levels ran on the triangles beside it: a year's partition does not depend on another's
    _, arcs = KARATE
    karate, found = _year(*triangles_and_karate, 2)
    q, count = _q(karate, found)
    partition = {r["vid"]: r["community"] for r in found.collect()}
    assert q == pytest.approx(_nx_modularity(arcs, partition), abs=1e-9)
    reference = max(ig.Graph(n=35, edges=arcs).as_undirected().community_multilevel().modularity for _ in range(5))
    assert q >= reference - 0.03, (q, reference)


def test_q_close_to_igraph_with_hubs_and_the_one_task_finish(spark):
    # six planted groups and three hubs pointing everywhere; distributed levels until at most 500
    # edges are left, then the one-task kernel
    vids, arcs = _planted(np.random.default_rng(1))
    network = make_network(spark, vids, arcs)
    reference = max(ig.Graph(n=len(vids), edges=arcs).as_undirected().community_multilevel().modularity
                    for _ in range(5))
    found = communities(network, one_task_max_edges=500)
    q, _ = _q(network, found)
    partition = {r["vid"]: r["community"] for r in found.collect()}
    assert q == pytest.approx(_nx_modularity(arcs, partition), abs=1e-9)
    assert q >= reference - 0.03, (q, reference)
