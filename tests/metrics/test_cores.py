"""k-cores of several years: by hand, and against NetworkX year by year."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from tests.metrics.test_graph_algorithms import random_year, years_network
from valuenet.metrics import cores


def core_map(frame) -> dict[int, dict[int, int]]:
    """{year: {vid: core}} of core_numbers' rows, checking there is one row per vertex and year."""
    found: dict[int, dict[int, int]] = {}
    for r in frame.collect():
        assert r["vid"] not in found.setdefault(r["year"], {}), "one row per vertex and year"
        found[r["year"]][r["vid"]] = r["core"]
    return found


def networkx_cores(vids, arcs) -> dict[int, int]:
    graph = nx.DiGraph()
    graph.add_nodes_from(vids)
    graph.add_edges_from(arcs)
    return nx.core_number(graph.to_undirected())


HAND = {
    # 2020: a 4-clique 1, 2, 3, 4 (1 -> 2 and 2 -> 1 reciprocated: still one edge), a pendant path
    #       4 - 5 - 6, a reciprocated pair 8 <-> 9 alone, and 7 without a relation.
    #       Every clique vertex has 3 clique neighbours: core 3. Peeling 6 (degree 1), then 5: core 1.
    #       8 and 9 have one neighbour each: core 1 (2 if the pair counted twice). 7: core 0.
    2020: ([1, 2, 3, 4, 5, 6, 7, 8, 9],
           [(1, 2), (2, 1), (1, 3), (1, 4), (2, 3), (4, 2), (3, 4), (4, 5), (6, 5), (8, 9), (9, 8)]),
    # 2021: the same vids, only the path 1 -> 2 -> 3 and 4 alone: 1, 1, 1 and 0.
    2021: ([1, 2, 3, 4], [(1, 2), (2, 3)]),
    # 2022: vertices without a relation: all 0.
    2022: ([5, 6], []),
}


def test_hand_checked_years(spark):
    got = core_map(cores.core_numbers(years_network(spark, HAND)))
    assert got == {2020: {1: 3, 2: 3, 3: 3, 4: 3, 5: 1, 6: 1, 7: 0, 8: 1, 9: 1},
                   2021: {1: 1, 2: 1, 3: 1, 4: 0},
                   2022: {5: 0, 6: 0}}


@pytest.fixture(scope="module")
def several_years():
    """Three random years sharing vids (2019's are also 2020's), with reciprocated pairs, isolated
    vertices and several components, and 2022 whose vertices have no relation."""
    rng = np.random.default_rng(5)
    years = {2019: random_year(rng, 0, 300, 700, 3), 2020: random_year(rng, 0, 600, 1600, 4),
             2021: random_year(rng, 5000, 400, 1200, 0), 2022: ([7, 8, 9], [])}
    for year in (2019, 2020):  # a few arcs turned into reciprocated pairs
        vids, arcs = years[year]
        years[year] = (vids, sorted({*arcs, *((d, s) for s, d in arcs[::10])}))
    return years


def test_each_year_equals_networkx(spark, several_years):
    network = years_network(spark, several_years)
    found = cores.core_numbers(network).cache()
    got = core_map(found)
    summary = {r["year"]: (r["max_core"], r["innermost_core_nodes"]) for r in cores.core_summary(found).collect()}
    for year, (vids, arcs) in several_years.items():
        want = networkx_cores(vids, arcs)
        assert got[year] == want, year
        top = max(want.values())
        assert summary[year] == (top, sum(1 for c in want.values() if c == top)), year
    assert max(summary[y][0] for y in (2019, 2020, 2021)) >= 3, "a graph with a deep core"
    assert sum(1 for s, d in several_years[2020][1] if (d, s) in set(several_years[2020][1])) > 20, "reciprocated"


def test_no_vertex_no_row(spark):
    assert cores.core_numbers(years_network(spark, {2020: ([], [])})).collect() == []
