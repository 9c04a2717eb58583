"""PageRank, weakly connected components and (when asked) local clustering of the years a task can
hold: one task per year.

The year's vertices and relations are cogrouped by year (applyInArrow, as the Louvain, k-core and
robustness kernels), so the years of a pass are spread over the shuffle partitions and run side by
side. igraph builds the year's directed graph once; its PageRank is PRPACK's (a direct solver:
exact to rounding, dangling mass spread uniformly, summing to 1, NetworkX's `pagerank(alpha=d,
weight=None)`), its components the weakly connected ones; the clustering is clustering_in_task's
on the same arrays. On the sample's nine years at scale 1 this takes seconds where GraphFrames'
supersteps take minutes (docs/benchmarks.md); years bigger than a task should hold go to
GraphFrames and the distributed clustering instead (graph_algorithms, chosen in year_metrics).
"""

from __future__ import annotations

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

from valuenet.metrics.clustering import clustering_in_task
from valuenet.metrics.kernel_graph import graph_of
from valuenet.snapshot.year_network import YearNetwork

_RANKED_ARROW = pa.schema([("year", pa.int32()), ("vid", pa.int64()), ("pagerank", pa.float64()),
                           ("component", pa.int64())])


def _arrow_schema(clustering: bool) -> pa.Schema:
    return pa.unify_schemas([_RANKED_ARROW, pa.schema([("clustering", pa.float64())])]) if clustering else _RANKED_ARROW


def _year_kernel(damping: float, clustering: bool):
    """One year's vertices (year, vid) and relations (src, dst) -> year, vid, pagerank, component
    (and clustering when asked)."""
    schema = _arrow_schema(clustering)

    def kernel(vertices: pa.Table, relations: pa.Table) -> pa.Table:
        import numpy as np

        if vertices.num_rows == 0:
            return schema.empty_table()
        year = vertices.column("year")[0].as_py()
        vids = np.sort(vertices.column("vid").to_numpy())
        pairs = np.empty((0, 2), dtype=np.int64)
        if relations.num_rows:
            src = np.searchsorted(vids, relations.column("src").to_numpy())
            dst = np.searchsorted(vids, relations.column("dst").to_numpy())
            # the same year gives the same ranks to the last bit, whatever order the shuffle
            # delivered its relations in
            order = np.argsort(src * len(vids) + dst, kind="stable")
            pairs = np.column_stack([src[order], dst[order]])
        graph = graph_of(len(vids), pairs, directed=True)
        ranks = np.asarray(graph.pagerank(damping=damping, directed=True, implementation="prpack"))
        membership = np.asarray(graph.connected_components(mode="weak").membership)
        # vids ascend, so a component's first vertex is its smallest vid: the component's name
        _, first = np.unique(membership, return_index=True)
        columns = [pa.array(np.full(len(vids), year), pa.int32()), pa.array(vids, pa.int64()),
                   pa.array(ranks / ranks.sum(), pa.float64()), pa.array(vids[first][membership], pa.int64())]
        if clustering:
            # the undirected simple view: each adjacent pair once, with its 1 or 2 arcs
            looped = pairs[:, 0] == pairs[:, 1]
            low, high = np.minimum(pairs[:, 0], pairs[:, 1])[~looped], np.maximum(pairs[:, 0], pairs[:, 1])[~looped]
            adjacent, arcs = np.unique(low * len(vids) + high, return_counts=True)
            columns.append(pa.array(clustering_in_task(len(vids), adjacent // len(vids), adjacent % len(vids), arcs),
                                    pa.float64()))
        return pa.Table.from_arrays(columns, schema=schema)
    return kernel


def pagerank_and_components_in_tasks(network: YearNetwork, damping: float, clustering: bool = False) -> DataFrame:
    """year, vid, pagerank, component (and clustering, when asked) for every vertex of every year
    of `network`, each year in one task: pagerank unweighted, damping `damping`, dangling mass
    spread uniformly, summing to 1 in each year; component the smallest vid of the vertex's weakly
    connected component in its year; clustering as clustering.local_clustering defines it.
    Lazy: the caller decides whether to keep it."""
    # Both sides come from one year network: grouped by their shared `year` column, Spark refuses
    # the cogroup as an ambiguous self-join; a fresh alias of it on each side is a new column.
    year = F.col("year").alias("year")
    vertices = network.vertices.select(year, "vid").groupBy("year")
    relations = network.relations.select(year, "src", "dst").groupBy("year")
    return vertices.cogroup(relations).applyInArrow(_year_kernel(damping, clustering),
                                                    from_arrow_schema(_arrow_schema(clustering)))
