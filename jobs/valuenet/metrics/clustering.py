"""Local clustering coefficient of every node of the year networks (DESIGN.md section 4).

Gephi 0.9.2's directed default, identical to the LDBC Graphalytics LCC:
N(v) = the distinct in- and out-neighbours of v, k = |N(v)|, and
C(v) = (directed edges u -> w among the nodes of N(v)) / (k (k - 1)), 0 when k < 2.

Every such edge u -> w closes the undirected triangle {v, u, w}, so the numerator
is a sum over the undirected triangles at v of the arcs (0..2, here 1 or 2) on the
side opposite v. Triangles are listed once each with the degree-ordering trick
(STACK.md, "Algorithm traps at scale"): each undirected edge is oriented from its
lower (k, vid) endpoint to its higher one, wedges are listed only at their lowest
endpoint, whose oriented out-degree is at most sqrt(2 m), so a hub's neighbour
pairs are never materialised. Every join is keyed by year as well: the years of a run
are counted side by side.

A year a task can hold is counted in that task instead (clustering_in_task, called by the
one-task kernel of pagerank_in_tasks): the same triangles and credits as sparse products on one
year's arrays, seconds where the joins take minutes at scale 100 (docs/benchmarks.md).
"""

from __future__ import annotations

import numpy as np
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from valuenet.snapshot.undirected_view import undirected_edges
from valuenet.snapshot.year_network import YearNetwork


def _undirected_degrees(edges: DataFrame) -> DataFrame:
    """year, vid, k (number of distinct neighbours) from undirected_edges (vertices with k >= 1 only)."""
    return (edges.select("year", F.explode(F.array("a", "b")).alias("vid"))
            .groupBy("year", "vid").agg(F.count("*").alias("k")))


def triangle_arcs(edges: DataFrame, k: DataFrame) -> DataFrame:
    """year, vid, t: for each vertex on a triangle, the number of directed edges among its neighbours.

    edges: undirected_edges(...); k: _undirected_degrees(edges). Each triangle {x, y, z}
    is found once, at x = its lowest endpoint in (k, vid) order, and credits every corner
    with the arcs of its opposite side.
    """
    ka = k.select("year", F.col("vid").alias("a"), F.col("k").alias("ka"))
    kb = k.select("year", F.col("vid").alias("b"), F.col("k").alias("kb"))
    a_first = (F.col("ka") < F.col("kb")) | ((F.col("ka") == F.col("kb")) & (F.col("a") < F.col("b")))
    # oriented: x -> y from the lower (k, vid) endpoint to the higher one.
    oriented = (edges.join(ka, ["year", "a"]).join(kb, ["year", "b"])
                .select("year", F.when(a_first, F.col("a")).otherwise(F.col("b")).alias("x"),
                        F.when(a_first, F.col("b")).otherwise(F.col("a")).alias("y"),
                        "arcs"))
    first = oriented.select("year", "x", "y", F.col("arcs").alias("arcs_xy"))
    second = oriented.select("year", "x", F.col("y").alias("z"), F.col("arcs").alias("arcs_xz"))
    # wedges y <- x -> z, each unordered {y, z} once (y < z by vid, the order of `edges`).
    wedges = first.join(second, ["year", "x"]).where(F.col("y") < F.col("z"))
    closing = edges.select("year", F.col("a").alias("y"), F.col("b").alias("z"), F.col("arcs").alias("arcs_yz"))
    triangles = wedges.join(closing, ["year", "y", "z"])
    credits = triangles.select("year", 
        F.explode(F.array(
            F.struct(F.col("x").alias("vid"), F.col("arcs_yz").alias("arcs")),
            F.struct(F.col("y").alias("vid"), F.col("arcs_xz").alias("arcs")),
            F.struct(F.col("z").alias("vid"), F.col("arcs_xy").alias("arcs")))).alias("c"))
    return credits.groupBy("year", F.col("c.vid").alias("vid")).agg(F.sum("c.arcs").alias("t"))


def local_clustering(network: YearNetwork) -> DataFrame:
    """year, vid, clustering for EVERY vertex of network.vertices (0.0 when k < 2).

    Needs network.vertices.year, vid and network.relations.year, src, dst. Lazy: runs no Spark job.
    """
    edges = undirected_edges(network.relations)
    k = _undirected_degrees(edges)
    t = triangle_arcs(edges, k)
    return (network.vertices.select("year", "vid")
            .join(k, ["year", "vid"], "left").join(t, ["year", "vid"], "left")
            .select("year", "vid",
                    F.when(F.col("k") >= 2,
                           F.coalesce(F.col("t"), F.lit(0)).cast("double")
                           / (F.col("k") * (F.col("k") - 1)).cast("double"))
                    .otherwise(F.lit(0.0)).alias("clustering")))


def clustering_in_task(n: int, a: np.ndarray, b: np.ndarray, arcs: np.ndarray) -> np.ndarray:
    """The clustering of vertices 0 .. n - 1 (0.0 when k < 2), as local_clustering defines it, from
    one year's undirected simple view: one entry per adjacent pair {a[i], b[i]} (a[i] != b[i], each
    pair once) with arcs[i] = its directed edges (1 or 2).

    Triangles as above: each pair oriented x -> y from the lower (k, index) end, L the oriented
    0/1 matrix and W the same with arcs, a triangle x -> y -> z (x -> z) credits x with
    W[y, z] (rows of (L W) o L), y with W[x, z] (rows of (L^T W) o L) and z with W[x, y]
    (columns of (W L) o L). Each product's work is the wedges at their lowest or middle vertex,
    which the orientation keeps small: a hub's neighbour pairs are never formed.
    """
    import scipy.sparse as sp

    k = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((np.arange(n), k))] = np.arange(n)
    a_first = rank[a] < rank[b]
    x, y = np.where(a_first, a, b), np.where(a_first, b, a)
    lower = sp.csr_matrix((np.ones(len(x)), (x, y)), shape=(n, n))
    weighted = sp.csr_matrix((arcs.astype(np.float64), (x, y)), shape=(n, n))
    # sums of small integers in float64: exact, so equal to the joins' integer sums
    t = (np.asarray((lower @ weighted).multiply(lower).sum(axis=1)).ravel()
         + np.asarray((lower.T.tocsr() @ weighted).multiply(lower).sum(axis=1)).ravel()
         + np.asarray((weighted @ lower).multiply(lower).sum(axis=0)).ravel())
    pairs = (k * (k - 1)).astype(np.float64)
    return np.divide(t, pairs, out=np.zeros(n), where=k >= 2)


def average_clustering(per_vertex: DataFrame) -> DataFrame:
    """year, avg_clustering: the mean of `clustering` over each year's rows of per_vertex.

    per_vertex: local_clustering(...) (every vertex, so the mean is over all nodes).
    A year without vertices has no row. Lazy.
    """
    return per_vertex.groupBy("year").agg(F.avg("clustering").alias("avg_clustering"))
