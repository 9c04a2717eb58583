"""The network of a year (DESIGN.md section 3) on a hand-made registry a reader can check on paper.

    registry: a b c d e f g (g has no relations at all)
    a -> b  tech 2018-        a -> b  investment 2019-  (parallel: one edge from 2019, weight 2+1)
    b -> c  tech 2018-2019    (gone in 2020)
    c -> a  human 2019-
    d -> d  tech 2019-        (self-loop: d is a node of 2019+ with degree 0)
    a -> e  tech 2020-        e is a sink
    f -> a  tech 2021         (starts after the years checked)
"""

import pytest
from pyspark.sql import functions as F

from valuenet.metrics.degrees import degrees
from valuenet.snapshot.year_network import build_year_network, with_surrogate_keys, years_span

NODES = [(x, f"org {x}", "sample" if x in "abc" else "relation", "enterprise", None, None, False) for x in "abcdefg"]
EDGES = [
    ("a", "b", "tech_cooperation", 2018, None, 2.0),
    ("a", "b", "investment", 2019, None, 1.0),
    ("b", "c", "tech_cooperation", 2018, 2019, 1.0),
    ("c", "a", "human_capital", 2019, None, 1.0),
    ("d", "d", "tech_cooperation", 2019, None, 1.0),
    ("a", "e", "tech_cooperation", 2020, None, 1.0),
    ("f", "a", "tech_cooperation", 2021, 2021, 1.0),
]


@pytest.fixture(scope="module")
def registry(spark):
    nodes = spark.createDataFrame(NODES, "id string, name string, kind string, org_type string, province string, "
                                         "city string, is_platform boolean")
    edges = spark.createDataFrame(EDGES, "src string, dst string, relation string, start_year int, end_year int, "
                                         "weight double")
    return with_surrogate_keys(nodes), edges


def _network(registry, year):
    keyed, edges = registry
    network = build_year_network(keyed, edges, year)
    ids = {r["vid"]: r["id"] for r in network.vertices.select("vid", "id").collect()}
    relations = {(ids[r["src"]], ids[r["dst"]]): (r["weight"], tuple(r["relations"]))
                 for r in network.relations.collect()}
    deg = {ids[r["vid"]]: (r["in_degree"], r["out_degree"], r["degree"]) for r in degrees(network).collect()}
    return set(ids.values()), relations, deg


def test_2018_holds_the_relations_started_by_then(registry):
    nodes, relations, deg = _network(registry, 2018)
    assert nodes == {"a", "b", "c"}
    assert relations == {("a", "b"): (2.0, ("tech_cooperation",)), ("b", "c"): (1.0, ("tech_cooperation",))}
    assert deg == {"a": (0, 1, 1), "b": (1, 1, 2), "c": (1, 0, 1)}


def test_2019_collapses_parallels_and_drops_the_self_loop(registry):
    nodes, relations, deg = _network(registry, 2019)
    assert nodes == {"a", "b", "c", "d"}  # d is an endpoint of its self-loop
    assert relations[("a", "b")] == (3.0, ("investment", "tech_cooperation"))
    assert ("d", "d") not in relations
    assert len(relations) == 3
    assert deg["d"] == (0, 0, 0)
    assert deg["a"] == (1, 1, 2)


def test_2020_drops_the_ended_relation_and_keeps_the_sink(registry):
    nodes, relations, deg = _network(registry, 2020)
    assert nodes == {"a", "b", "c", "d", "e"}  # b stays: a -> b is still active
    assert ("b", "c") not in relations
    assert deg["e"] == (1, 0, 1)
    assert deg["b"] == (1, 0, 1)
    assert deg["a"] == (1, 2, 3)


def test_a_relation_ending_in_a_year_is_active_in_it(registry):
    nodes, relations, _ = _network(registry, 2021)
    assert ("f", "a") in relations and "f" in nodes
    nodes_2022, relations_2022, _ = _network(registry, 2022)
    assert "f" not in nodes_2022 and ("f", "a") not in relations_2022


def test_g_without_relations_is_in_no_year(registry):
    for year in (2017, 2018, 2019, 2020, 2021, 2022):
        nodes, _, _ = _network(registry, year)
        assert "g" not in nodes


def test_before_the_first_relation_the_year_is_empty(registry):
    nodes, relations, deg = _network(registry, 2017)
    assert nodes == set() and relations == {} and deg == {}


def test_years_span_runs_from_first_start_to_last_active_year(registry):
    _, edges = registry
    assert years_span(edges) == (2018, 2021)
    assert years_span(edges.where(F.lit(False))) is None


def test_a_relation_type_outside_the_vocabulary_is_named(spark, registry):
    keyed, _ = registry
    edges = spark.createDataFrame([("a", "b", "friendship", 2019, None, 1.0)],
                                  "src string, dst string, relation string, start_year int, end_year int, weight double")
    with pytest.raises(Exception, match="relation type friendship is not one of human_capital, investment"):
        build_year_network(keyed, edges, 2019).relations.collect()
