"""Dependence on hubs: how much of a year's network stays connected when nodes are removed.

For each year and k: remove the top k nodes by PageRank (ties broken by the smaller vid), or k random
nodes (each of `draws` seeded draws ranks the year's nodes by xxhash64(vid, seed, draw), ties by
vid, and takes the first k), and take the share of the year's nodes left in the largest weakly
connected component of what remains. k runs over the given ks and `percent` of the year's nodes
(rounded, at least 1), without repeats and below the year's node count; k = 0 (nothing removed) is
read from the `component` column.

The components of the copies, one copy per (year, strategy, draw, k), are found one of two ways,
with the same result:

- A year of at most `one_task_max_edges` undirected edges (every year of the sample, by far) is one
  task (applyInArrow cogrouped by year, as the Louvain and k-core kernels): for each copy, SciPy's
  connected_components over the year's undirected pairs that keep both ends gives the largest
  component without the copy's removed nodes. On the scale-1 sample the nine years take seconds;
  one GraphFrames run over all copies (below) took 70 s on 2 cores.
- Bigger years go into one GraphFrames connectedComponents run (graph_algorithms' options), all
  their copies side by side as one graph: copy key = vid XOR xxhash64(year, copy, salt), as
  graph_algorithms lays years side by side. Within a copy the key is a bijection of vid; a key
  shared by two copies would join them into one component, so every component is checked to lie in
  one copy, and the union is built again with the next salt if one does not.

Either way vertices of degree 0 are not looked at: with k < nodes something is left, so the largest
component has max(1, the largest component found) nodes.

For the GraphFrames run, leaves are folded before copying, which shrinks each copy by the year's
leaves. On the undirected simple view G of a year, a *folded leaf* is a vertex of degree 1 whose one
neighbour, its *parent*, has degree >= 2. H is G without its folded leaves and its vertices of
degree 0 (H's edges join two vertices of degree >= 2, or two of degree 1). In the copy for a
removed set R, a vertex v of H - R weighs 1 + (its folded leaves not in R).
Claim: the components of G - R are (a) the components C of H - R, each of size sum of its weights,
and (b) single vertices: a folded leaf whose parent is in R, or a vertex of degree 0.
Proof: an inner vertex of a path has degree >= 2, so a path of G - R between two vertices of H runs
through H - R only: two vertices of H are connected in G - R exactly when they are in H - R. A
folded leaf not in R is joined to its parent only: it is in its parent's component when the parent
is not in R (that is the weight), and alone otherwise. A vertex of degree 0 is alone. Hence the
largest component of G - R has max(1, the largest weight sum over H - R) nodes whenever G - R is
not empty, which k < nodes guarantees.
"""

from __future__ import annotations

import logging
import math

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

from valuenet.errors import ValuenetError
from valuenet.metrics import graph_algorithms
from valuenet.snapshot.undirected_view import undirected_edges
from valuenet.scratch import Scratch
from valuenet.snapshot.year_network import YearNetwork

log = logging.getLogger("valuenet")

KS = (1, 5, 10, 20, 50)
PERCENT = 0.01
CURVES_SCHEMA = "year int, strategy string, k int, removed_share double, largest_component_share double"
COPIES_SCHEMA = "year int, nodes long, strategy string, draw int, k int, copy int"
_LARGEST_ARROW = pa.schema([("copy", pa.int32()), ("largest", pa.int64())])


def removal_ks(nodes: int, ks=KS, percent: float = PERCENT) -> list[int]:
    """The k's of a year of `nodes` nodes, ascending: ks and round(percent * nodes) (half up, at
    least 1), without repeats, each below `nodes`."""
    share = max(1, math.floor(percent * nodes + 0.5))
    return sorted(k for k in {*ks, share} if 0 < k < nodes)


def removal_sets(ranked: DataFrame, seed: int, draws: int = 3, ks=KS, percent: float = PERCENT) -> DataFrame:
    """year, strategy, draw, k, vid: the nodes removed for every year, strategy, draw and k.

    ranked: year, vid, pagerank, one row per node of each year. strategy 'pagerank' (draw 0): the k
    nodes of highest pagerank, ties to the smaller vid. strategy 'random' (draws 0 .. draws - 1): the
    k nodes of smallest xxhash64(vid, seed, draw), ties to the smaller vid. The sets of one strategy
    and draw are nested in k. k: removal_ks(the year's node count, ks, percent).
    """
    return _removed(ranked, _copies(ranked, draws, ks, percent), seed, draws).select(
        "year", "strategy", "draw", "k", "vid")


def robustness_curves(network: YearNetwork, ranked: DataFrame, components_algorithm: str, checkpoint_interval: int,
                      broadcast_threshold: int, seed: int, draws: int = 3, ks=KS, percent: float = PERCENT,
                      one_task_max_edges: int = 10_000_000, sizes: dict[int, tuple[int, int]] | None = None
                      ) -> DataFrame:
    """year, strategy, k, removed_share, largest_component_share: one row per year, strategy
    ('pagerank', 'random') and k (0 and removal_ks(the year's node count, ks, percent)).

    ranked: year, vid, pagerank, component (pagerank_and_components of `network`). removed_share =
    k / the year's nodes; largest_component_share = the largest weakly connected component left after
    removing removal_sets(ranked, seed, draws, ks, percent), in nodes / the year's nodes (before the
    removal), for 'random' the mean over the draws. A year of at most one_task_max_edges undirected
    edges is measured in one task; bigger years in one GraphFrames connectedComponents run with
    components_algorithm, checkpoint_interval and broadcast_threshold. Held by a local checkpoint.
    sizes: {year: (nodes, relations)} of every year, when the caller knows them (two Spark jobs
    fewer: the node counts, and the undirected pair counts when no year has more relations than
    one_task_max_edges, as a year has at least as many relations as undirected pairs).
    """
    graph_algorithms.check_component_algorithm(components_algorithm)
    spark = ranked.sparkSession
    copy_rows = _copies(ranked, draws, ks, percent, {y: n for y, (n, _) in sizes.items()} if sizes else None)
    copies = spark.createDataFrame(copy_rows, COPIES_SCHEMA)
    scratch = Scratch(spark, "robustness")
    try:
        removed = _removed(ranked, copy_rows, seed, draws).select("year", "copy", "vid")
        # Kept as scratch files also when every year fits a task: read back, the pairs no longer
        # share lineage with `removed` (both come from the year network), without which Spark
        # refuses their cogroup as an ambiguous self-join.
        pairs = scratch.keep(undirected_edges(network.relations).select("year", "a", "b"))
        big = [] if sizes and max(r for _, r in sizes.values()) <= one_task_max_edges else [
            r["year"] for r in pairs.groupBy("year").count().where(F.col("count") > one_task_max_edges).collect()]
        in_big = F.col("year").isin(big)
        largest = _largest_in_tasks(pairs.where(~in_big), removed.where(~in_big))
        if big:
            largest = largest.unionByName(_largest_in_one_run(
                scratch, copies.where(in_big), scratch.keep(removed.where(in_big)), pairs.where(in_big),
                components_algorithm, checkpoint_interval, broadcast_threshold))
        return _curves(ranked, copies, largest).localCheckpoint(eager=True)
    finally:
        scratch.delete()


def robustness_area(curves: DataFrame) -> DataFrame:
    """year, strategy, area: the mean of largest_component_share over the removal range.

    The trapezoidal area under largest_component_share against removed_share, from the curve's
    first point (k = 0 in robustness_curves' curves) to its last (the year's largest k), divided by
    that range's width: 1 for a network that never loses a node from its single component, near 0
    for one that falls apart at once. A curve of one point (a year too small to remove anyone) has
    that point's share as its area.
    """
    order = Window.partitionBy("year", "strategy").orderBy("removed_share")
    x, y = F.col("removed_share"), F.col("largest_component_share")
    segments = curves.select("year", "strategy", x, y, ((x - F.lag(x).over(order)) * (y + F.lag(y).over(order)) / 2)
                             .alias("trapezoid"))
    summed = segments.groupBy("year", "strategy").agg(
        F.sum("trapezoid").alias("under"), (F.max(x) - F.min(x)).alias("width"),
        F.min_by(y, x).alias("first_share"))
    return summed.select(F.col("year").cast("int"), "strategy",
                         F.when(F.col("width") > 0, F.col("under") / F.col("width"))
                         .otherwise(F.col("first_share")).cast("double").alias("area"))


def _copies(ranked: DataFrame, draws: int, ks, percent: float, nodes: dict[int, int] | None = None) -> list[tuple]:
    """(year, nodes, strategy, draw, k, copy) of every copy, copy numbered 0, 1, ... over all years
    (nodes: {year: its node count} when known, else counted in ranked)."""
    if draws < 1:
        raise ValueError(f"draws: {draws} is not at least 1")
    counts = sorted(nodes.items() if nodes is not None else
                    ((r["year"], r["count"]) for r in ranked.groupBy("year").count().collect()))
    strategies = [("pagerank", 0)] + [("random", d) for d in range(draws)]
    rows = [(year, nodes, strategy, draw, k) for year, nodes in counts for strategy, draw in strategies
            for k in removal_ks(nodes, ks, percent)]
    return [(*row, copy) for copy, row in enumerate(rows)]


def _removed(ranked: DataFrame, copies: list[tuple], seed: int, draws: int) -> DataFrame:
    """_copies' columns and vid: one row per copy and node removed in it."""
    by_pagerank = Window.partitionBy("year").orderBy(F.desc("pagerank"), "vid")
    top = ranked.select("year", "vid", F.lit("pagerank").alias("strategy"), F.lit(0).alias("draw"),
                        F.row_number().over(by_pagerank).alias("rank"))
    drawn = ranked.select("year", "vid", F.explode(F.sequence(F.lit(0), F.lit(draws - 1))).alias("draw"))
    by_draw = Window.partitionBy("year", "draw").orderBy(F.xxhash64("vid", F.lit(seed), "draw"), "vid")
    random = drawn.select("year", "vid", F.lit("random").alias("strategy"), "draw",
                          F.row_number().over(by_draw).alias("rank"))
    # a constant bound on the rank lets Spark keep only that many rows per window group as it sorts
    deepest = max((k for _, _, _, _, k, _ in copies), default=0)
    ranks = top.unionByName(random).where(F.col("rank") <= deepest)
    slots = ranked.sparkSession.createDataFrame(copies, COPIES_SCHEMA)
    return (ranks.join(F.broadcast(slots), ["year", "strategy", "draw"])
            .where(F.col("rank") <= F.col("k")).drop("rank"))


def _largest_kernel(pairs: pa.Table, removed: pa.Table) -> pa.Table:
    """One year's undirected pairs (year, a, b) and removed nodes (year, copy, vid) -> copy, largest: the
    largest component of the year's edges without the copy's removed nodes (no row for a copy that
    keeps no vertex with an edge)."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    a, b = pairs.column("a").to_numpy(), pairs.column("b").to_numpy()
    vids, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    n = len(vids)
    # the pairs sorted by their first end once: a copy's CSR is then its kept pairs as they lie, no sort
    order = np.argsort(codes[:len(a)], kind="stable")
    first, second = codes[:len(a)][order], codes[len(a):][order]
    copies, gone = removed.column("copy").to_numpy(), removed.column("vid").to_numpy()
    found = {"copy": [], "largest": []}
    for copy in np.unique(copies):
        dead = np.isin(vids, gone[copies == copy])
        if dead.all():
            continue
        kept = ~(dead[first] | dead[second])
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(first[kept], minlength=n), out=indptr[1:])
        left = sp.csr_matrix((np.ones(int(kept.sum()), np.bool_), second[kept], indptr), shape=(n, n))
        _, component = connected_components(left, directed=False)
        found["copy"].append(int(copy))
        found["largest"].append(int(np.bincount(component[~dead]).max()))
    return pa.Table.from_pydict(found, schema=_LARGEST_ARROW)


def _largest_in_tasks(pairs: DataFrame, removed: DataFrame) -> DataFrame:
    """copy, largest for the copies of the years of `pairs`, one task per year."""
    return (pairs.groupBy("year").cogroup(removed.groupBy("year"))
            .applyInArrow(_largest_kernel, from_arrow_schema(_LARGEST_ARROW)))


def _largest_in_one_run(scratch: Scratch, copies: DataFrame, removed: DataFrame, pairs: DataFrame,
                        components_algorithm: str, checkpoint_interval: int, broadcast_threshold: int) -> DataFrame:
    """copy, largest for the copies of the years of `pairs` from one GraphFrames run over their folded
    copies (the largest weight sum of a component; no row for a copy that keeps no vertex of H)."""
    folded = [scratch.keep(frame) for frame in _fold_leaves(scratch.keep(_with_degrees(pairs)))]
    for salt in range(graph_algorithms._SALTS):
        largest = _largest_by_copy(scratch, copies, removed, *folded, salt, components_algorithm,
                                   checkpoint_interval, broadcast_threshold)
        if largest is not None:
            return largest
        log.warning("two copies shared a vertex key (salt %d): trying the next salt", salt)
    raise ValuenetError(f"copies shared a vertex key under {graph_algorithms._SALTS} salts")


def _with_degrees(pairs: DataFrame) -> DataFrame:
    """year, a, b, da, db: the undirected pairs {a, b} with the degrees of a and b."""
    degree = (pairs.select("year", F.explode(F.array("a", "b")).alias("vid"))
              .groupBy("year", "vid").agg(F.count("*").alias("degree")))
    return (pairs.join(degree.withColumnsRenamed({"vid": "a", "degree": "da"}), ["year", "a"])
            .join(degree.withColumnsRenamed({"vid": "b", "degree": "db"}), ["year", "b"]))


def _fold_leaves(pairs: DataFrame) -> tuple[DataFrame, DataFrame, DataFrame]:
    """(kept: year, vid, leaves; kept_edges: year, a, b; leaves: year, leaf, parent) from
    _with_degrees: H, its edges and the folded leaves (see the module docstring)."""
    ends = (pairs.select("year", F.col("a").alias("vid"), F.col("da").alias("degree"), F.col("b").alias("neighbour"),
                         F.col("db").alias("neighbour_degree"))
            .unionByName(pairs.select("year", F.col("b").alias("vid"), F.col("db").alias("degree"),
                                      F.col("a").alias("neighbour"), F.col("da").alias("neighbour_degree"))))
    folded = (F.col("degree") == 1) & (F.col("neighbour_degree") >= 2)
    leaves = ends.where(folded).select("year", F.col("vid").alias("leaf"), F.col("neighbour").alias("parent"))
    # a kept vertex's folded leaves: its neighbours of degree 1 when it has degree >= 2
    kept = ends.where(~folded).groupBy("year", "vid").agg(
        F.count(F.when((F.col("degree") >= 2) & (F.col("neighbour_degree") == 1), 1)).alias("leaves"))
    kept_edges = pairs.where((F.col("da") >= 2) == (F.col("db") >= 2)).select("year", "a", "b")
    return kept, kept_edges, leaves


def copy_key(year, copy, vid, salt: int):
    """The long key of vertex vid of copy `copy` (of year `year`) in the union of the copies."""
    return vid.bitwiseXOR(F.xxhash64(year, copy, F.lit(salt)))


def _copied_graph(copies: DataFrame, removed: DataFrame, kept: DataFrame, kept_edges: DataFrame, leaves: DataFrame,
                  salt: int) -> tuple[DataFrame, DataFrame]:
    """(vertices: id, copy, weight; edges: src, dst): H of each copy without its removed nodes."""
    slots = F.broadcast(copies.select("year", "copy"))
    gone = F.broadcast(removed)
    lost = (removed.join(leaves.withColumnRenamed("leaf", "vid"), ["year", "vid"])
            .groupBy("copy", F.col("parent").alias("vid")).agg(F.count("*").alias("lost")))
    vertices = (kept.join(slots, "year").join(gone, ["year", "copy", "vid"], "left_anti")
                .join(F.broadcast(lost), ["copy", "vid"], "left")
                .select(copy_key(F.col("year"), F.col("copy"), F.col("vid"), salt).alias("id"), "copy",
                        (1 + F.col("leaves") - F.coalesce("lost", F.lit(0))).alias("weight")))
    edges = (kept_edges.join(slots, "year")
             .join(gone.withColumnRenamed("vid", "a"), ["year", "copy", "a"], "left_anti")
             .join(gone.withColumnRenamed("vid", "b"), ["year", "copy", "b"], "left_anti")
             .select(copy_key(F.col("year"), F.col("copy"), F.col("a"), salt).alias("src"),
                     copy_key(F.col("year"), F.col("copy"), F.col("b"), salt).alias("dst")))
    return vertices, edges


def _largest_by_copy(scratch: Scratch, copies: DataFrame, removed: DataFrame, kept: DataFrame, kept_edges: DataFrame,
                     leaves: DataFrame, salt: int, components_algorithm: str, checkpoint_interval: int,
                     broadcast_threshold: int) -> DataFrame | None:
    """_largest_in_one_run's result under one salt, or None if two copies shared a key under it."""
    from graphframes import GraphFrame

    spark = scratch.spark
    vertices, edges = (scratch.keep(frame) for frame in
                       _copied_graph(copies, removed, kept, kept_edges, leaves, salt))
    if not vertices.take(1):
        return spark.createDataFrame([], from_arrow_schema(_LARGEST_ARROW))
    before = graph_algorithms._persistent_rdds(spark)
    labels = GraphFrame(vertices, edges).connectedComponents(
        algorithm=components_algorithm, checkpointInterval=checkpoint_interval,
        broadcastThreshold=broadcast_threshold, useLabelsAsComponents=False, use_local_checkpoints=False,
        max_iter=graph_algorithms._UNTIL_CONVERGED, storage_level=StorageLevel.MEMORY_AND_DISK)
    sizes = scratch.keep(labels.groupBy("component").agg(
        F.sum("weight").alias("size"), F.min("copy").alias("copy"), F.max("copy").alias("last_copy")))
    labels.unpersist()
    graph_algorithms._unpersist_since(spark, before)
    if sizes.where(F.col("copy") != F.col("last_copy")).take(1):
        return None
    return sizes.groupBy("copy").agg(F.max("size").alias("largest"))


def _curves(ranked: DataFrame, copies: DataFrame, largest: DataFrame) -> DataFrame:
    """The curves' rows: k = 0 from ranked's components, the copies' from `largest`, random's draws averaged."""
    whole = (ranked.groupBy("year", "component").agg(F.count("*").alias("size"))
             .groupBy("year").agg(F.max("size").alias("largest"), F.sum("size").alias("nodes")))
    untouched = (whole.select("year", "nodes", "largest", F.lit(0).alias("k"))
                 .crossJoin(ranked.sparkSession.createDataFrame([("pagerank",), ("random",)], "strategy string")))
    # a copy without a row kept no vertex with an edge (of H): what is left are single nodes, and
    # k < nodes leaves some
    copied = (copies.join(F.broadcast(largest), "copy", "left")
              .select("year", "nodes", "strategy", "k", F.greatest(F.coalesce("largest", F.lit(0)), F.lit(1))
                      .alias("largest")))
    rows = untouched.unionByName(copied)
    return (rows.groupBy("year", "strategy", "k", "nodes")
            .agg(F.avg(F.col("largest") / F.col("nodes")).alias("largest_component_share"))
            .select(F.col("year").cast("int"), "strategy", F.col("k").cast("int"),
                    (F.col("k") / F.col("nodes")).cast("double").alias("removed_share"),
                    F.col("largest_component_share").cast("double")))
