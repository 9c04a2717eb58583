"""The igraph graph a one-task kernel (PageRank and components, Louvain, k-cores, robustness) works on."""

from __future__ import annotations


def graph_of(n: int, pairs, directed: bool):
    """An igraph graph of n vertices (0 .. n - 1) and one edge per row of pairs (an (m, 2) integer
    array of vertex indices), edge ids in row order.

    Built from the array itself: 3.4 s for 8.4 M pairs, against 6.8 s through a Python list of pairs.
    """
    import igraph as ig

    graph = ig.Graph(n=n, directed=directed)
    if len(pairs):
        graph.add_edges(pairs)
    return graph
