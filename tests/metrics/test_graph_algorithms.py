"""PageRank and weakly connected components of several years, each year in a task (igraph) or all in
one GraphFrames run: by hand, against NetworkX year by year, against each year run alone, and on
LDBC's WCC validation graphs, both ways."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from pyspark.sql import functions as F

from tests.metrics.test_clustering import as_simple, direct_count, read_adjacency, read_output, read_ve
from valuenet.metrics import graph_algorithms
from valuenet.metrics.year_metrics import AlgorithmSettings, pagerank_and_components
from valuenet.snapshot.year_network import YearNetwork

VERTEX_SCHEMA = "year int, vid long, id string"
RELATION_SCHEMA = "year int, src long, dst long, weight double, relations array<string>, n_relations long"
L1_BOUND = 1e-4  # the stated bound (docs/benchmarks.md: the tolerance curve)
# the largest year a task computes: every year in tasks, every year in GraphFrames, and a mix
# (several_years' 2019 in a task, 2020 and 2021 in GraphFrames)
TASKS, GRAPHFRAMES, MIXED = 10_000_000, 0, 1_000
WAYS = pytest.mark.parametrize("one_task_max_edges", [TASKS, GRAPHFRAMES], ids=["tasks", "graphframes"])


def years_network(spark, years: dict[int, tuple[list[int], list[tuple[int, int]]]]) -> YearNetwork:
    """The networks of several years side by side: {year: (vids, distinct arcs without self-loops)}."""
    vertices = [(y, int(v), str(v)) for y, (vids, _) in years.items() for v in vids]
    relations = [(y, int(s), int(d), 1.0, ["tech_cooperation"], 1) for y, (_, arcs) in years.items() for s, d in arcs]
    return YearNetwork(years=tuple(sorted(years)), vertices=spark.createDataFrame(vertices, VERTEX_SCHEMA),
                       relations=spark.createDataFrame(relations, RELATION_SCHEMA))


def run(network: YearNetwork, config: dict, one_task_max_edges: int = GRAPHFRAMES) -> dict[int, dict[int, tuple[float, int]]]:
    """{year: {vid: (pagerank, component)}} with the configured settings, years of more than
    one_task_max_edges relations in GraphFrames."""
    found = pagerank_and_components(network, AlgorithmSettings.from_config(config),
                                    one_task_max_edges=one_task_max_edges)
    result: dict[int, dict[int, tuple[float, int]]] = {}
    for r in found.collect():
        assert r["vid"] not in result.setdefault(r["year"], {}), "one row per vertex and year"
        result[r["year"]][r["vid"]] = (r["pagerank"], r["component"])
    return result


def random_year(rng: np.random.Generator, first: int, n: int, m: int, isolated: int) -> tuple[list[int], list]:
    """Vertices first..first+n+isolated-1: n with heavy-tailed in-degree hubs (sinks among them,
    several components), then `isolated` vertices without a relation."""
    src = first + rng.integers(0, n, m)
    dst = first + np.minimum(rng.pareto(1.1, m).astype(int) * 7 % n, n - 1)
    arcs = as_simple(zip(src.tolist(), dst.tolist()))
    return list(range(first, first + n + isolated)), arcs


@pytest.fixture(scope="module")
def several_years(spark):
    """Four years that share vids (a vertex of 2019 is also one of 2020), of different sizes, with
    sinks and isolated vertices, one year whose vertices have no relation, and 2023 without any vertex."""
    rng = np.random.default_rng(11)
    years = {2019: random_year(rng, 0, 300, 500, 3), 2020: random_year(rng, 0, 900, 2000, 5),
             2021: random_year(rng, 5000, 1500, 2600, 0), 2022: ([7, 8, 9], [])}
    network = years_network(spark, years)
    return network, {**years, 2023: ([], [])}


@WAYS
def test_hand_checked_years(spark, config, one_task_max_edges):
    # 2020: 1 -> 2. The sink's mass is spread over both, so x1 = (1 - d)/2 + d x2/2 and
    #       x2 = (1 - d)/2 + d (x1 + x2/2): x1 = 1/(2 + d), x2 = (1 + d)/(2 + d). One component, named 1.
    # 2021: the same vids, 2 -> 1 and 3 alone: 1 and 2 swap roles, 3 gets the uniform part of the
    #       walk; components {1, 2} (named 1) and {3}.
    # 2022: 5 and 6 without a relation: uniform ranks, each its own component.
    d = float(config["analyze"]["pagerank"]["damping"])
    got = run(years_network(spark, {2020: ([1, 2], [(1, 2)]), 2021: ([1, 2, 3], [(2, 1)]),
                                    2022: ([5, 6], [])}), config, one_task_max_edges)
    assert got[2020][1] == (pytest.approx(1 / (2 + d), abs=1e-5), 1)
    assert got[2020][2] == (pytest.approx((1 + d) / (2 + d), abs=1e-5), 1)
    want_2021 = _exact_pagerank([1, 2, 3], [(2, 1)], d)
    assert {v: c for v, (_, c) in got[2021].items()} == {1: 1, 2: 1, 3: 3}
    for v in (1, 2, 3):
        assert got[2021][v][0] == pytest.approx(want_2021[v], abs=1e-5)
    assert got[2022] == {5: (pytest.approx(0.5, abs=1e-12), 5), 6: (pytest.approx(0.5, abs=1e-12), 6)}


def _exact_pagerank(vids, arcs, d: float) -> dict[int, float]:
    """NetworkX's PageRank (dangling mass uniform) to 1e-13, isolated vertices included."""
    graph = nx.DiGraph()
    graph.add_nodes_from(vids)
    graph.add_edges_from(arcs)
    return nx.pagerank(graph, alpha=d, weight=None, tol=1e-13, max_iter=10_000)


@pytest.mark.parametrize("one_task_max_edges", [TASKS, GRAPHFRAMES, MIXED], ids=["tasks", "graphframes", "mixed"])
def test_each_year_equals_networkx(spark, config, several_years, one_task_max_edges):
    network, years = several_years
    d = float(config["analyze"]["pagerank"]["damping"])
    if one_task_max_edges == MIXED:
        assert len(years[2019][1]) <= MIXED < min(len(years[2020][1]), len(years[2021][1]))
    got = run(network, config, one_task_max_edges)
    assert set(got) == {2019, 2020, 2021, 2022}  # 2023 has no vertex, so no row
    # a task solves PageRank exactly (PRPACK); GraphFrames iterates to within the stated bound
    bound = 1e-9 if one_task_max_edges == TASKS else L1_BOUND
    for year, (vids, arcs) in years.items():
        if not vids:
            continue
        want = _exact_pagerank(vids, arcs, d)
        ranks = {v: p for v, (p, _) in got[year].items()}
        assert ranks.keys() == want.keys(), year
        assert sum(ranks.values()) == pytest.approx(1.0, abs=1e-12), year
        assert sum(abs(ranks[v] - want[v]) for v in want) <= bound, year
        # the same top-20 order: NetworkX's values read in valuenet's order are NetworkX's own top 20
        # (vertices whose exact ranks tie may come in either order)
        ours = [want[v] for v in sorted(ranks, key=ranks.get, reverse=True)[:20]]
        assert ours == pytest.approx(sorted(want.values(), reverse=True)[:20], abs=1e-12), year
        graph = nx.DiGraph()
        graph.add_nodes_from(vids)
        graph.add_edges_from(arcs)
        for component in nx.weakly_connected_components(graph):
            assert {got[year][v][1] for v in component} == {min(component)}, year
        if arcs:
            assert sum(1 for v in vids if graph.out_degree(v) == 0) > 10, "sinks"
            assert nx.number_weakly_connected_components(graph) > 3


@pytest.mark.parametrize("one_task_max_edges", [TASKS, MIXED], ids=["tasks", "mixed"])
def test_clustering_comes_with_them_each_year(spark, config, several_years, one_task_max_edges):
    # a year in a task counts its triangles there, a bigger one by the distributed joins
    network, years = several_years
    found = pagerank_and_components(network, AlgorithmSettings.from_config(config),
                                    one_task_max_edges=one_task_max_edges, clustering=True).collect()
    got = {(r["year"], r["vid"]): r["clustering"] for r in found}
    assert len(got) == len(found) == sum(len(vids) for vids, _ in years.values())
    for year, (vids, arcs) in years.items():
        index = {v: i for i, v in enumerate(vids)}
        want = direct_count(len(vids), np.array([(index[s], index[d]) for s, d in arcs], dtype=np.int64).reshape(-1, 2))
        assert [got[year, v] for v in vids] == pytest.approx(want.tolist(), abs=1e-12), year
    assert sum(c > 0 for c in got.values()) > 20, "the years have triangles"


def test_the_union_gives_each_year_what_it_gives_alone(spark, config, several_years):
    network, _ = several_years
    together = run(network, config)
    for year in (2019, 2021):
        alone = run(YearNetwork(years=(year,), vertices=network.vertices.where(f"year = {year}"),
                                relations=network.relations.where(f"year = {year}")), config)
        assert alone[year].keys() == together[year].keys()
        for v, (p, c) in alone[year].items():
            assert together[year][v][0] == pytest.approx(p, rel=1e-9, abs=1e-15)
            assert together[year][v][1] == c


@WAYS
def test_nothing_stays_persisted_or_on_disk(spark, config, several_years, one_task_max_edges):
    network, _ = several_years
    network.vertices.count(), network.relations.count()
    before = graph_algorithms._persistent_rdds(spark)
    run(network, config, one_task_max_edges)
    # the results' local checkpoints, at most (the tasks' and, for the years with relations,
    # GraphFrames'): GraphX's graphs and GraphFrames' frames are gone
    assert len(graph_algorithms._persistent_rdds(spark) - before) <= (1 if one_task_max_edges == TASKS else 2)
    from pathlib import Path
    checkpoints = Path(spark.sparkContext.getCheckpointDir().removeprefix("file:"))
    assert not list(checkpoints.glob("graphframes-*"))


def test_a_key_shared_across_years_is_detected_and_the_union_rebuilt(spark, config, monkeypatch):
    real = graph_algorithms.union_key
    salts = []

    def first_salt_ignores_the_year(year, vid, salt):
        salts.append(salt)
        return vid if salt == 0 else real(year, vid, salt)  # salt 0: vid 1 of 2020 and of 2021 collide

    monkeypatch.setattr(graph_algorithms, "union_key", first_salt_ignores_the_year)
    got = run(years_network(spark, {2020: ([1, 2], [(1, 2)]), 2021: ([1, 3], [(3, 1)])}), config)
    assert set(salts) == {0, 1}
    assert {v: c for v, (_, c) in got[2020].items()} == {1: 1, 2: 1}
    assert {v: c for v, (_, c) in got[2021].items()} == {1: 1, 3: 1}
    d = float(config["analyze"]["pagerank"]["damping"])
    assert got[2021][3][0] == pytest.approx(1 / (2 + d), abs=1e-5)


@pytest.mark.parametrize("graph,output", [("wcc/dir-input", "wcc/dir-output"),
                                          ("wcc/undir-input", "wcc/undir-output"),
                                          ("example/example-directed.v", "example/example-directed-WCC"),
                                          ("example/example-undirected.v", "example/example-undirected-WCC")])
@WAYS
def test_ldbc_wcc_validation_graphs(spark, shared, config, graph, output, one_task_max_edges):
    root = shared / "ldbc" / "validation-graphs"
    if graph.endswith(".v"):
        vids, arcs = read_ve(root / graph, root / graph.replace(".v", ".e"))
    else:
        vids, arcs = read_adjacency(root / graph)
    published = {v: int(c) for v, c in read_output(root / output).items()}
    got = run(years_network(spark, {2020: (vids, as_simple(arcs))}), config, one_task_max_edges)[2020]
    assert {v: c for v, (_, c) in got.items()} == published


def test_an_unknown_component_algorithm_is_one_clear_line():
    from valuenet.errors import ConfigError

    with pytest.raises(ConfigError, match="randomized_contraction.*graphx, two_phase"):
        graph_algorithms.check_component_algorithm("randomized_contraction")


def test_node_metrics_the_same_with_their_jobs_side_by_side_or_one_after_the_other(spark, config, several_years):
    # every year in tasks: Louvain's job runs beside PageRank's; a year in GraphFrames: one after
    # the other (GraphFrames' clean-up would drop the other job's persisted rows). Either way the
    # work that needs no communities runs between PageRank's end and the communities' (meanwhile)
    import dataclasses

    from valuenet.metrics.year_metrics import node_metrics

    network, _ = several_years
    kinded = YearNetwork(years=network.years, vertices=network.vertices.withColumn("kind", F.lit("sample")),
                         relations=network.relations)
    settings = AlgorithmSettings.from_config(config)
    stages = {"tasks": [], "graphframes": []}
    found = {way: {(r["year"], r["vid"]): r for r in node_metrics(
        kinded, dataclasses.replace(settings, pagerank_one_task_max_edges=limit), on_stage=stages[way].append,
        meanwhile=lambda way=way: stages[way].append("meanwhile")).collect()}
        for way, limit in (("tasks", TASKS), ("graphframes", GRAPHFRAMES))}
    assert stages["tasks"] == ["pagerank, components, clustering", "meanwhile", "communities (begun beside pagerank)"]
    assert stages["graphframes"] == ["pagerank, components, clustering", "meanwhile", "communities"]
    tasks, graphframes = found["tasks"], found["graphframes"]
    assert tasks.keys() == graphframes.keys() and len(tasks) > 2000
    for column in ("community", "component", "clustering", "degree"):
        assert {k: r[column] for k, r in tasks.items()} == {k: r[column] for k, r in graphframes.items()}, column
    for year in (2019, 2020, 2021):
        assert sum(abs(r["pagerank"] - graphframes[k]["pagerank"]) for k, r in tasks.items() if k[0] == year) <= L1_BOUND
