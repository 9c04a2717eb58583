"""Label propagation (LDBC Graphalytics CDLP): LDBC's validation graphs and a graph checked by hand."""

from __future__ import annotations

import pytest

from tests.metrics.test_clustering import make_network, read_adjacency, read_output, read_ve
from valuenet.commands import analyze as analyze_command
from valuenet.config import load_config
from valuenet.errors import ConfigError
from valuenet.metrics.communities import modularity
from valuenet.metrics.label_propagation import cdlp_labels, label_propagation
from valuenet.metrics.year_metrics import AlgorithmSettings, community_partition

# 1-2-3 and 4-5-6 are directed triangles, 3 -> 4 the bridge, 7 alone. By hand, round by round
# (a vertex takes its neighbours' most frequent label, the smallest among equals):
#   labels 1..6 -> 2 1 1 3 4 4 -> 1 1 1 4 3 3 -> 1 1 1 3 3 3, then nothing changes (round 5).
TRIANGLES = [(1, 2), (2, 3), (3, 1), (4, 5), (5, 6), (6, 4), (3, 4)]


def _labels(network, rounds) -> dict[int, int]:
    return {r["vid"]: r["label"] for r in cdlp_labels(network, rounds).collect()}


def test_two_triangles_by_hand(spark):
    network = make_network(spark, range(1, 8), TRIANGLES)
    assert _labels(network, 1) == {1: 2, 2: 1, 3: 1, 4: 3, 5: 4, 6: 4, 7: 7}
    assert _labels(network, 2) == {1: 1, 2: 1, 3: 1, 4: 4, 5: 3, 6: 3, 7: 7}
    assert _labels(network, 10) == {1: 1, 2: 1, 3: 1, 4: 3, 5: 3, 6: 3, 7: 7}
    # the community is named by its smallest vid: label 3 names {4, 5, 6}
    communities = {r["vid"]: r["community"] for r in label_propagation(network, 10).collect()}
    assert communities == {1: 1, 2: 1, 3: 1, 4: 4, 5: 4, 6: 4, 7: 7}


def test_a_reciprocated_pair_counts_twice(spark):
    # 1 <-> 5 and 1 -> 3: in round 1, vertex 1 hears 5 twice and 3 once, so it takes 5 although 3 is smaller
    network = make_network(spark, [1, 3, 5], [(1, 5), (5, 1), (1, 3)])
    assert _labels(network, 1)[1] == 5


@pytest.mark.parametrize("graph, rounds", [("cdlp/dir-input", 5), ("cdlp/undir-input", 5),
                                           ("example/example-directed.v", 2),
                                           ("example/example-undirected.v", 2)])
def test_ldbc_validation_graphs(spark, shared, graph, rounds):
    """Rounds as in LDBC's graph-properties (cdlp.max-iterations); undirected: one arc an edge."""
    root = shared / "ldbc" / "validation-graphs"
    if graph.endswith(".v"):
        vids, arcs = read_ve(root / graph, root / graph.replace(".v", ".e"))
        published = read_output(root / graph.replace(".v", "-CDLP"))
    else:
        vids, arcs = read_adjacency(root / graph)
        published = read_output(root / graph.replace("-input", "-output"))
    if "undir" in graph:
        arcs = sorted({(min(s, d), max(s, d)) for s, d in arcs if s != d})
    else:
        arcs = sorted(set(arcs))
    got = _labels(make_network(spark, vids, arcs), rounds)
    assert got == {v: int(label) for v, label in published.items()}


def test_the_setting_chooses_the_method_and_q_describes_its_partition(spark):
    config = load_config(["analyze.communities.method=label_propagation"])
    settings = AlgorithmSettings.from_config(config)
    assert "label propagation" in settings.as_params()["communities"]
    network = make_network(spark, range(1, 8), TRIANGLES)
    partition = community_partition(network, settings).cache()
    assert {r["vid"]: r["community"] for r in partition.collect()}[5] == 4
    row = modularity(network, partition).first()
    # the two triangles: m = 7, each L_c = 3, d_c = 7: Q = 2 (3/7 - 1/4) = 5/14; 7 alone is a third
    assert row["modularity"] == pytest.approx(5 / 14, abs=1e-12) and row["communities"] == 3


def test_an_unknown_method_is_one_clear_line(tmp_path, capsys):
    with pytest.raises(ConfigError, match="analyze.communities.method: 'leiden' is not one of louvain"):
        AlgorithmSettings.from_config(load_config(["analyze.communities.method=leiden"]))
    # the job says so before it starts Spark or looks at the warehouse (which does not exist)
    code = analyze_command.main(["--warehouse", str(tmp_path / "none"), "--no-tracking",
                                 "--conf", "analyze.communities.method=leiden"])
    printed = capsys.readouterr().err
    assert code == 2 and "is not one of louvain, label_propagation" in printed and "no such table" not in printed
