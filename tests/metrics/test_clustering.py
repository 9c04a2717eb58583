"""Local clustering coefficient (Gephi directed default = LDBC Graphalytics LCC)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from valuenet.metrics.clustering import average_clustering, local_clustering
from valuenet.metrics.pagerank_in_tasks import pagerank_and_components_in_tasks
from valuenet.snapshot.year_network import YearNetwork

VERTEX_SCHEMA = "vid long, id string"
RELATION_SCHEMA = "src long, dst long, weight double, relations array<string>, n_relations long"


def make_network(spark, vids, arcs, year=2022) -> YearNetwork:
    """A YearNetwork from vertex ids and distinct (src, dst) pairs without self-loops."""
    vertices = spark.createDataFrame([(int(v), str(v)) for v in vids], VERTEX_SCHEMA)
    relations = spark.createDataFrame([(int(s), int(d), 1.0, ["tech"], 1) for s, d in arcs], RELATION_SCHEMA)
    return YearNetwork.of_year(year, vertices, relations)


# Both ways of counting: the distributed joins (years too big for a task) and a year's task
@pytest.fixture(params=["joins", "task"])
def way(request):
    return request.param


def clustering_of(network: YearNetwork, way: str = "joins") -> dict[int, float]:
    found = (local_clustering(network) if way == "joins" else
             pagerank_and_components_in_tasks(network, 0.85, clustering=True).select("year", "vid", "clustering"))
    rows = found.collect()
    result = {r["vid"]: r["clustering"] for r in rows}
    assert len(result) == len(rows), "one row per vertex"
    return result


def direct_count(n: int, arcs: np.ndarray) -> np.ndarray:
    """The oracle: C = diag(S A S) / (k (k - 1)), A directed 0/1, S symmetrised 0/1, k = rows of S."""
    a = sp.csr_matrix((np.ones(len(arcs), dtype=np.int64), (arcs[:, 0], arcs[:, 1])), shape=(n, n))
    s = ((a + a.T) > 0).astype(np.int64)
    k = np.asarray(s.sum(axis=1)).ravel()
    numerator = np.asarray((s @ a).multiply(s.T).sum(axis=1)).ravel()  # diag(S A S), S symmetric
    denominator = k * (k - 1)
    return np.divide(numerator, denominator, out=np.zeros(n), where=k >= 2)


def test_hand_checked_graph(spark, way):
    # 1 <-> 2 (reciprocal), 2 -> 3, 3 -> 1, 1 -> 4, 3 -> 4, 5 -> 4; 6 has no relation this year.
    #   N(1) = {2,3,4}, k=3: arcs among them 2->3, 3->4           -> 2/6 = 1/3
    #   N(2) = {1,3},   k=2: 3->1                                  -> 1/2
    #   N(3) = {1,2,4}, k=3: 1->2, 2->1, 1->4 (the pair counts 2)  -> 3/6 = 1/2
    #   N(4) = {1,3,5}, k=3: 3->1                                  -> 1/6
    #   N(5) = {4},     k=1 < 2                                    -> 0
    #   N(6) = {},      k=0                                        -> 0
    arcs = [(1, 2), (2, 1), (2, 3), (3, 1), (1, 4), (3, 4), (5, 4)]
    got = clustering_of(make_network(spark, [1, 2, 3, 4, 5, 6], arcs), way)
    expected = {1: 1 / 3, 2: 1 / 2, 3: 1 / 2, 4: 1 / 6, 5: 0.0, 6: 0.0}
    assert got.keys() == expected.keys()
    for v, c in expected.items():
        assert got[v] == pytest.approx(c, abs=1e-12), v


def test_average_and_empty_network(spark):
    arcs = [(1, 2), (2, 1), (2, 3), (3, 1), (1, 4), (3, 4), (5, 4)]
    avg = average_clustering(local_clustering(make_network(spark, [1, 2, 3, 4, 5, 6], arcs))).first()
    assert avg["avg_clustering"] == pytest.approx((1 / 3 + 1 / 2 + 1 / 2 + 1 / 6) / 6, abs=1e-12)
    empty = make_network(spark, [], [])
    assert local_clustering(empty).collect() == []
    assert average_clustering(local_clustering(empty)).collect() == []  # no vertex, no year row


def random_graph(rng: np.random.Generator, n: int, m: int, hub_degree: int, reciprocal: float,
                 components: int) -> np.ndarray:
    """Distinct directed arcs (no self-loops) on 0..n-1: `components` blocks with heavy-tailed
    endpoints, a hub (node 0) linked both ways to hub_degree nodes of its block, and a share of
    reciprocated arcs. Node indices that get no arc simply do not appear."""
    blocks = np.array_split(np.arange(n), components)
    arcs = []
    for block in blocks:
        size = len(block)
        share = max(1, m * size // n)
        fitness = rng.pareto(1.5, size) + 1.0
        p = fitness / fitness.sum()
        arcs.append(np.column_stack([rng.choice(block, share, p=p), rng.choice(block, share, p=p)]))
    first = blocks[0]
    partners = rng.choice(first[1:], min(hub_degree, len(first) - 1), replace=False)
    out = rng.random(len(partners)) < 0.6
    arcs.append(np.column_stack([np.zeros(out.sum(), np.int64), partners[out]]))
    arcs.append(np.column_stack([partners[~out], np.zeros((~out).sum(), np.int64)]))
    arcs = np.concatenate(arcs)
    back = arcs[rng.random(len(arcs)) < reciprocal][:, ::-1]
    arcs = np.concatenate([arcs, back])
    arcs = arcs[arcs[:, 0] != arcs[:, 1]]
    return np.unique(arcs, axis=0)


@pytest.mark.parametrize("seed, n, m, hub_degree, reciprocal, components", [
    (1, 300, 1200, 150, 0.3, 2),
    (2, 2000, 2500, 600, 0.1, 4),
    (3, 800, 2000, 400, 0.5, 3),
])
def test_matches_direct_count_on_random_graphs(spark, way, seed, n, m, hub_degree, reciprocal, components):
    rng = np.random.default_rng(seed)
    arcs = random_graph(rng, n, m, hub_degree, reciprocal, components)
    present = np.unique(arcs)                                    # vertices of the year: endpoints only
    # surrogate-like vids: random signed 64-bit, so the (k, vid) order is not the index order
    vid = rng.choice(np.iinfo(np.int64).max, n, replace=False).astype(np.int64) * rng.choice([-1, 1], n)
    assert len(np.unique(vid)) == n
    got = clustering_of(make_network(spark, vid[present], [(vid[s], vid[d]) for s, d in arcs]), way)
    expected = direct_count(n, arcs)
    assert len(got) == len(present)
    assert (expected > 0).sum() > 20, "the graph has triangles to count"
    worst = max(abs(got[int(vid[i])] - expected[i]) for i in present)
    assert worst <= 1e-9


def read_adjacency(path) -> tuple[list[int], list[tuple[int, int]]]:
    """LDBC combined input: one line per vertex, 'v n1 n2 ...' = the out-neighbours of v."""
    vids, arcs = [], []
    for line in path.read_text().splitlines():
        fields = [int(x) for x in line.split()]
        if fields:
            vids.append(fields[0])
            arcs += [(fields[0], d) for d in fields[1:]]
    return vids, arcs


def read_ve(v_path, e_path) -> tuple[list[int], list[tuple[int, int]]]:
    """LDBC .v (one vertex id a line) and .e ('src dst [weight]') files."""
    vids = [int(line.split()[0]) for line in v_path.read_text().splitlines() if line.strip()]
    arcs = [(int(f[0]), int(f[1])) for f in (line.split() for line in e_path.read_text().splitlines()) if f]
    return vids, arcs


def read_output(path) -> dict[int, float]:
    return {int(f[0]): float(f[1]) for f in (line.split() for line in path.read_text().splitlines()) if f}


def as_simple(arcs):
    return sorted({(s, d) for s, d in arcs if s != d})


@pytest.mark.parametrize("graph", ["lcc/dir-input", "example/example-directed-input", "example/example-directed.v"])
def test_ldbc_validation_graphs(spark, shared, way, graph):
    root = shared / "ldbc" / "validation-graphs"
    if not root.exists():
        pytest.skip(f"{root} is not present")
    if graph.endswith(".v"):
        vids, arcs = read_ve(root / graph, root / graph.replace(".v", ".e"))
    else:
        vids, arcs = read_adjacency(root / graph)
    published = read_output(root / ("lcc/dir-output" if graph.startswith("lcc/") else "example/example-directed-LCC"))
    got = clustering_of(make_network(spark, vids, as_simple(arcs)), way)
    assert got.keys() == published.keys()
    for v, c in published.items():
        assert got[v] == pytest.approx(c, abs=1e-9), v
