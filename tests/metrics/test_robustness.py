"""Dependence on hubs: the largest weakly connected component left after removing the top k nodes
by PageRank or k random ones, by hand and against NetworkX on the very same removed sets."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from tests.metrics.test_graph_algorithms import random_year, years_network
from valuenet.metrics import graph_algorithms, robustness
from valuenet.metrics.year_metrics import AlgorithmSettings

RANKED_SCHEMA = "year int, vid long, pagerank double, component long"
SEED = 7


# each year in a task of its own (the default), or every year in the GraphFrames run
WAYS = pytest.mark.parametrize("one_task_max_edges", [10_000_000, 0], ids=["tasks", "graphframes"])


def curves_of(spark, config, network, ranked, one_task_max_edges,
              sizes=None) -> dict[tuple[int, str, int], tuple[float, float]]:
    """{(year, strategy, k): (removed_share, largest_component_share)} with the configured settings."""
    settings = AlgorithmSettings.from_config(config)
    found = robustness.robustness_curves(network, ranked, settings.components_algorithm, settings.checkpoint_interval,
                                         settings.broadcast_threshold, SEED, draws=3,
                                         one_task_max_edges=one_task_max_edges, sizes=sizes)
    rows = {}
    for r in found.collect():
        key = (r["year"], r["strategy"], r["k"])
        assert key not in rows, "one row per year, strategy and k"
        rows[key] = (r["removed_share"], r["largest_component_share"])
    return rows


def drawn_sets(ranked, draws=3) -> dict[tuple[int, str, int, int], set[int]]:
    """{(year, strategy, draw, k): removed vids} from robustness.removal_sets."""
    sets: dict[tuple[int, str, int, int], set[int]] = {}
    for r in robustness.removal_sets(ranked, SEED, draws=draws).collect():
        sets.setdefault((r["year"], r["strategy"], r["draw"], r["k"]), set()).add(r["vid"])
    return sets


def networkx_share(vids, arcs, removed) -> float:
    """Nodes of the largest weakly connected component of the graph without `removed` / all nodes."""
    graph = nx.DiGraph()
    graph.add_nodes_from(vids)
    graph.add_edges_from(arcs)
    graph.remove_nodes_from(removed)
    return max(len(c) for c in nx.weakly_connected_components(graph)) / len(vids)


# 2020: a star, leaves 1..5 -> hub 0, and a path 6 -> 7 -> 8 (9 nodes: k = 1 and 5; 1 % of 9 rounds
#       up to 1). The leaves and 6 have the same PageRank: the smaller vid goes first.
#       k = 0: the star, 6/9. Top 1 = {0}: the leaves are left alone, the path is the largest, 3/9.
#       Top 5 = {0, 8, 7, 1, 2}: 3, 4, 5 and 6 are left alone, 1/9.
# 2021: the path 1 -> 2 -> 3 and 4 alone (4 nodes: k = 1). k = 0: 3/4. Top 1 = {3}: {1, 2}, 2/4.
# 2022: 9 alone (1 node: no k > 0). k = 0: 1.
HAND = {2020: (list(range(9)), [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 7), (7, 8)]),
        2021: ([1, 2, 3, 4], [(1, 2), (2, 3)]),
        2022: ([9], [])}
LEAF = 0.0716
HAND_RANKED = ([(2020, 0, 0.30, 0), (2020, 8, 0.15, 6), (2020, 7, 0.12, 6), (2020, 6, LEAF, 6)]
               + [(2020, v, LEAF, 0) for v in (5, 4, 3, 2, 1)]
               + [(2021, 3, 0.4, 1), (2021, 2, 0.3, 1), (2021, 1, 0.15, 1), (2021, 4, 0.15, 4), (2022, 9, 1.0, 9)])
HAND_PAGERANK = {(2020, 0): (0, 6 / 9), (2020, 1): (1 / 9, 3 / 9), (2020, 5): (5 / 9, 1 / 9),
                 (2021, 0): (0, 3 / 4), (2021, 1): (1 / 4, 2 / 4), (2022, 0): (0, 1)}


def test_removal_ks():
    assert robustness.removal_ks(9) == [1, 5]
    assert robustness.removal_ks(303) == [1, 3, 5, 10, 20, 50]
    assert robustness.removal_ks(150) == [1, 2, 5, 10, 20, 50]  # 1.5 rounds half up
    assert robustness.removal_ks(2000) == [1, 5, 10, 20, 50]  # 20 only once
    assert robustness.removal_ks(1) == []


@WAYS
def test_hand_checked_years(spark, config, one_task_max_edges):
    ranked = spark.createDataFrame(HAND_RANKED, RANKED_SCHEMA)
    got = curves_of(spark, config, years_network(spark, HAND), ranked, one_task_max_edges)
    want_pagerank = {(y, "pagerank", k): pytest.approx(v, abs=1e-12) for (y, k), v in HAND_PAGERANK.items()}
    assert {key: v for key, v in got.items() if key[1] == "pagerank"} == want_pagerank
    sets = drawn_sets(ranked)
    assert sets[(2020, "pagerank", 0, 5)] == {0, 8, 7, 1, 2}
    for (year, strategy, k), (removed_share, share) in got.items():
        if strategy == "random":
            vids, arcs = HAND[year]
            want = np.mean([networkx_share(vids, arcs, sets[(year, strategy, d, k)] if k else ()) for d in range(3)])
            assert (removed_share, share) == (pytest.approx(k / len(vids)), pytest.approx(want, abs=1e-12))
    assert {key for key in got if key[1] == "random"} == {(y, "random", k) for y, k in HAND_PAGERANK}


@pytest.fixture(scope="module")
def several_years():
    """Three random years sharing vids (2019's are also 2020's) with hubs, leaves, reciprocated
    pairs and isolated vertices; 2020 also has a lone pair and a lone star; 2022's vertices have no
    relation."""
    rng = np.random.default_rng(3)
    years = {2019: random_year(rng, 0, 300, 450, 3), 2020: random_year(rng, 0, 600, 1000, 4),
             2021: random_year(rng, 5000, 400, 650, 0), 2022: ([7, 8, 9], [])}
    vids, arcs = years[2020]
    extra = [(10_000, 10_001), (10_011, 10_010), (10_012, 10_010), (10_013, 10_010)]
    years[2020] = (vids + [10_000, 10_001, 10_010, 10_011, 10_012, 10_013],
                   sorted({*arcs, *extra, *((d, s) for s, d in arcs[::15])}))
    return years


def networkx_ranked(years) -> list[tuple]:
    """(year, vid, pagerank, component) rows: NetworkX's PageRank, components named by their smallest vid."""
    rows = []
    for year, (vids, arcs) in years.items():
        graph = nx.DiGraph()
        graph.add_nodes_from(vids)
        graph.add_edges_from(arcs)
        ranks = nx.pagerank(graph, alpha=0.85, weight=None, tol=1e-12, max_iter=1000)
        for component in nx.weakly_connected_components(graph):
            rows += [(year, v, ranks[v], min(component)) for v in component]
    return rows


def test_sizes_known_to_the_caller_give_the_same_curves(spark, config, several_years):
    # the counts replace the node count of every way, and the pair count where every year fits a task
    ranked = spark.createDataFrame(networkx_ranked(several_years), RANKED_SCHEMA)
    network = years_network(spark, several_years)
    sizes = {year: (len(vids), len(arcs)) for year, (vids, arcs) in several_years.items()}
    assert (curves_of(spark, config, network, ranked, 10_000_000, sizes)
            == curves_of(spark, config, network, ranked, 10_000_000))


@WAYS
def test_each_year_equals_networkx_on_the_same_removed_sets(spark, config, several_years, one_task_max_edges):
    rows = networkx_ranked(several_years)
    ranked = spark.createDataFrame(rows, RANKED_SCHEMA)
    network = years_network(spark, several_years)
    network.vertices.count(), network.relations.count()
    before = graph_algorithms._persistent_rdds(spark)
    got = curves_of(spark, config, network, ranked, one_task_max_edges)
    # the result's local checkpoint, at most; no scratch file left
    assert len(graph_algorithms._persistent_rdds(spark) - before) <= 1
    checkpoints = Path(spark.sparkContext.getCheckpointDir().removeprefix("file:"))
    assert not list(checkpoints.glob("robustness-*"))
    sets = drawn_sets(ranked)
    pagerank = {(y, v): p for y, v, p, _ in rows}
    for year, (vids, arcs) in several_years.items():
        n = len(vids)
        ks = robustness.removal_ks(n)
        # the top k, computed here: highest PageRank first, ties to the smaller vid
        order = sorted(vids, key=lambda v: (-pagerank[(year, v)], v))
        assert got[(year, "pagerank", 0)] == (0, pytest.approx(networkx_share(vids, arcs, ()), abs=1e-12))
        assert got[(year, "random", 0)] == got[(year, "pagerank", 0)]
        for k in ks:
            assert sets[(year, "pagerank", 0, k)] == set(order[:k])
            assert got[(year, "pagerank", k)] == (pytest.approx(k / n), pytest.approx(
                networkx_share(vids, arcs, order[:k]), abs=1e-12)), (year, k)
            drawn = [sets[(year, "random", d, k)] for d in range(3)]
            assert all(len(s) == k and s <= set(vids) for s in drawn)
            want = np.mean([networkx_share(vids, arcs, s) for s in drawn])
            assert got[(year, "random", k)] == (pytest.approx(k / n), pytest.approx(want, abs=1e-12)), (year, k)
        assert {k for (y, s, k) in got if y == year and s == "random"} == {0, *ks}
        for d in range(3):  # one draw's sets are nested
            assert all(sets[(year, "random", d, a)] <= sets[(year, "random", d, b)] for a, b in zip(ks, ks[1:]))
    assert sets[(2020, "random", 0, 50)] != sets[(2020, "random", 1, 50)]
    assert len({pagerank[(2020, v)] for v in several_years[2020][0]}) < len(several_years[2020][0]), "ties"
    assert got[(2020, "pagerank", 50)][1] < got[(2020, "random", 50)][1], "hubs matter more than random nodes"


def test_a_key_shared_across_copies_is_detected_and_the_run_rebuilt(spark, config, monkeypatch):
    real = robustness.copy_key
    salts = []

    def first_salt_ignores_the_copy(year, copy, vid, salt):
        salts.append(salt)
        return vid if salt == 0 else real(year, copy, vid, salt)  # salt 0: every copy of a vertex collides

    monkeypatch.setattr(robustness, "copy_key", first_salt_ignores_the_copy)
    network = years_network(spark, {2020: HAND[2020]})
    ranked = spark.createDataFrame(HAND_RANKED, RANKED_SCHEMA).where("year = 2020")
    got = curves_of(spark, config, network, ranked, one_task_max_edges=0)
    assert set(salts) == {0, 1}
    assert got[(2020, "pagerank", 1)] == (pytest.approx(1 / 9), pytest.approx(3 / 9))
    assert got[(2020, "pagerank", 5)] == (pytest.approx(5 / 9), pytest.approx(1 / 9))


def test_area_is_the_mean_share_over_the_removal_range(spark):
    # 2020 pagerank: trapezoids 0.1 (1 + 0.5) / 2 + 0.2 (0.5 + 0.1) / 2 = 0.135 over a range of 0.3: 0.45
    # 2020 random: never below 1: 1. 2022: one point (nobody removed): its share, 0.5
    curves = spark.createDataFrame(
        [(2020, "pagerank", 0, 0.0, 1.0), (2020, "pagerank", 3, 0.3, 0.1), (2020, "pagerank", 1, 0.1, 0.5),
         (2020, "random", 0, 0.0, 1.0), (2020, "random", 1, 0.1, 1.0), (2020, "random", 3, 0.3, 1.0),
         (2022, "pagerank", 0, 0.0, 0.5)], robustness.CURVES_SCHEMA)
    got = {(r["year"], r["strategy"]): r["area"] for r in robustness.robustness_area(curves).collect()}
    assert got == {(2020, "pagerank"): pytest.approx(0.45, abs=1e-12), (2020, "random"): pytest.approx(1.0),
                   (2022, "pagerank"): pytest.approx(0.5)}
