"""k-cores of every year of a pass: one igraph kernel per year.

The core number of a vertex is the largest k such that the vertex belongs to the k-core, the
largest subgraph in which every vertex has at least k neighbours. It is taken on the undirected
simple view of the year network: a reciprocated pair is one edge, self-loops are dropped, a vertex
without a relation has core 0. That is NetworkX's `core_number(G.to_undirected())` on the simple
directed year graph.

Each year's undirected edges go to one task (applyInArrow grouped by year, as the Louvain kernel),
where igraph's `coreness` (Batagelj & Zaversnik's O(m) peeling, in C) numbers them. GraphFrames
0.11's `k_core` (a Pregel of Mandal & Al Hasan's distributed algorithm) gives the same numbers when
each undirected edge is given once, but it took 137 s for the sample's nine years on 2 cores, where
the kernels take seconds; a year network up to the Louvain kernel's bound (conf
analyze.communities.one_task_max_edges) fits a task.
"""

from __future__ import annotations

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

from valuenet.snapshot.undirected_view import undirected_edges
from valuenet.metrics.kernel_graph import graph_of
from valuenet.snapshot.year_network import YearNetwork

_CORES_ARROW = pa.schema([("year", pa.int32()), ("vid", pa.int64()), ("core", pa.int32())])


def _core_kernel(pairs: pa.Table) -> pa.Table:
    """One year's undirected pairs (year, a, b) -> year, vid, core of every vertex with an edge."""
    import numpy as np

    a, b = pairs.column("a").to_numpy(), pairs.column("b").to_numpy()
    vids, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    graph = graph_of(len(vids), codes.reshape(2, -1).T, directed=False)
    year = pairs.column("year")[0].as_py()
    return pa.Table.from_arrays([pa.array(np.full(len(vids), year), pa.int32()), pa.array(vids, pa.int64()),
                                 pa.array(graph.coreness(mode="all"), pa.int32())], schema=_CORES_ARROW)


def core_numbers(network: YearNetwork) -> DataFrame:
    """year, vid, core: the core number of every vertex of every year on the year's undirected simple
    view (0 for a vertex without a relation)."""
    found = (undirected_edges(network.relations).select("year", "a", "b").groupBy("year")
             .applyInArrow(_core_kernel, from_arrow_schema(_CORES_ARROW)))
    return (network.vertices.select("year", "vid").join(found, ["year", "vid"], "left")
            .select("year", "vid", F.coalesce("core", F.lit(0)).cast("int").alias("core")))


def core_summary(cores: DataFrame) -> DataFrame:
    """year, max_core, innermost_core_nodes: the year's largest core number and how many vertices
    have it (the innermost core's size)."""
    top = cores.groupBy("year").agg(F.max("core").alias("max_core"))
    return (cores.join(F.broadcast(top), "year").where(F.col("core") == F.col("max_core"))
            .groupBy("year", "max_core").agg(F.count("*").alias("innermost_core_nodes"))
            .select(F.col("year").cast("int"), F.col("max_core").cast("int"), "innermost_core_nodes"))
