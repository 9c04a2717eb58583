"""The one wrapper around GraphFrames: PageRank and weakly connected components of the years of a
pass too big for one task (year_metrics chooses; smaller years run in pagerank_in_tasks), in one
run of each. Every call passes its options explicitly; the results are normalised here (each
year's PageRank sums to 1, a component is named by its smallest vid).

One run for all years. The year networks are laid side by side as one graph, their disjoint union:
vertex (year, vid) gets the long key `vid XOR xxhash64(year, salt)`, its relations likewise. Long
keys are used as they are by GraphFrames' GraphX-backed algorithms (string ids would be re-indexed
with an extra shuffle). Within a year the key is a bijection of vid (XOR with one constant), so two
vertices of one year never share a key; two of different years could, with odds of about n^2 / 2^65,
and would then share a component label across years: that is checked on every run, and the union
is built again with the next salt.

Components: a weakly connected component of the union lies inside one year and is exactly a
component of that year's network, so the union's components are the years' components.

PageRank: GraphFrames runs GraphX's delta PageRank, whose fixed point is the unnormalised
    r_v = (1 - d) + d * sum over arcs u -> v of r_u / out(u)
(d the damping; sinks pass nothing on), then rescales all ranks by one constant, N / sum(r). Each
vertex's update reads only its in-neighbours and the constant 1 - d, never N nor a global sum, so
on a disjoint union the iteration restricted to one year's vertices is that year's iteration alone
(the tolerance test is per vertex too: a year whose changes are below tol is simply done), and the
global rescaling is removed by dividing each year's ranks by their own sum. That quotient is the
year's PageRank with the dangling mass spread uniformly (NetworkX's `pagerank(alpha=d,
weight=None)`): NetworkX's x solves x = d P^T x + c 1 with the scalar c = (d * dangling mass + 1 -
d) / N, so x = c (I - d P^T)^-1 1, and r = (1 - d) (I - d P^T)^-1 1 points the same way.
tests/metrics/test_graph_algorithms.py checks it against NetworkX year by year.

Memory: GraphFrames and GraphX persist their graphs and intermediate results. The union is read
from scratch files (so no upstream cache is first filled inside the run), every RDD persisted
during the run is unpersisted once its results are written, and the results are held by a local
checkpoint: nothing grows with the number of years or passes.
"""

from __future__ import annotations

import logging

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from valuenet.errors import ConfigError, ValuenetError
from valuenet.scratch import Scratch
from valuenet.snapshot.year_network import YearNetwork

log = logging.getLogger("valuenet")

# "graphx": GraphX's label propagation over the union (fast on these graphs, whose diameters are
# short); "two_phase": GraphFrames' large-star/small-star DataFrame algorithm (its number of rounds
# grows with log n, not with the diameter). "randomized_contraction" fails in 0.11.0 (it reads
# checkpoint files it has not written) and the deprecated alias "graphframes" is two_phase.
COMPONENT_ALGORITHMS = ("graphx", "two_phase")
# "until converged": GraphFrames' Python default, `2 ^ 31 - 2`, is an XOR (= 31), which stops the
# graphx algorithm early on long paths.
_UNTIL_CONVERGED = 2**31 - 2
_SALTS = 3


def check_component_algorithm(name: str) -> str:
    """name, if GraphFrames 0.11 computes components with it here; ConfigError otherwise."""
    if name not in COMPONENT_ALGORITHMS:
        raise ConfigError(f"analyze.components.algorithm: {name!r} is not one of {', '.join(COMPONENT_ALGORITHMS)}")
    return name


def union_key(year: Column, vid: Column, salt: int) -> Column:
    """The long key of vertex (year, vid) in the union of the year networks."""
    return vid.bitwiseXOR(F.xxhash64(year, F.lit(salt)))


def year_union(network: YearNetwork, salt: int = 0) -> tuple[DataFrame, DataFrame]:
    """(vertices: id, year, vid; edges: src, dst): the year networks as one graph of union keys."""
    vertices = network.vertices.select(union_key(F.col("year"), F.col("vid"), salt).alias("id"), "year", "vid")
    edges = network.relations.select(union_key(F.col("year"), F.col("src"), salt).alias("src"),
                                      union_key(F.col("year"), F.col("dst"), salt).alias("dst"))
    return vertices, edges


def pagerank_and_components(network: YearNetwork, damping: float, tol: float, components_algorithm: str,
                            checkpoint_interval: int, broadcast_threshold: int) -> DataFrame:
    """year, vid, pagerank, component for every vertex of every year of `network` (held by a local
    checkpoint).

    pagerank: unweighted, damping `damping`, dangling mass spread uniformly, summing to 1 in each
    year; GraphFrames iterates until no vertex's rank changes by more than `tol` (in its
    unnormalised units, where a rank is about 1). component: the smallest vid of the vertex's weakly
    connected component in its year (stable from year to year while the component keeps that vertex).
    """
    check_component_algorithm(components_algorithm)
    spark = network.vertices.sparkSession
    scratch = Scratch(spark, "graphframes")
    try:
        for salt in range(_SALTS):
            found = _run_on_union(spark, network, scratch, salt, damping, tol, components_algorithm,
                                  checkpoint_interval, broadcast_threshold)
            if found is not None:
                return found
            log.warning("two vertices of different years shared a union key (salt %d): trying the next salt", salt)
        raise ValuenetError(f"vertices of different years shared a union key under {_SALTS} salts")
    finally:
        scratch.delete()


def _run_on_union(spark: SparkSession, network: YearNetwork, scratch: Scratch, salt: int, damping: float,
                  tol: float, components_algorithm: str, checkpoint_interval: int,
                  broadcast_threshold: int) -> DataFrame | None:
    """The results of one salt, or None if two years' vertices shared a key under it."""
    from graphframes import GraphFrame

    vertices, edges = (scratch.keep(frame) for frame in year_union(network, salt))
    if not vertices.take(1):
        return spark.createDataFrame([], "year int, vid long, pagerank double, component long")
    before = _persistent_rdds(spark)
    graph = GraphFrame(vertices, edges)
    ranks = graph.pageRank(resetProbability=1.0 - damping, tol=tol).vertices
    labels = graph.connectedComponents(
        algorithm=components_algorithm, checkpointInterval=checkpoint_interval,
        broadcastThreshold=broadcast_threshold, useLabelsAsComponents=False, use_local_checkpoints=False,
        max_iter=_UNTIL_CONVERGED, storage_level=StorageLevel.MEMORY_AND_DISK)
    year_sums = ranks.groupBy("year").agg(F.sum("pagerank").alias("year_sum"))
    named = labels.groupBy("component").agg(F.min("vid").alias("smallest"), F.min("year").alias("first_year"),
                                            F.max("year").alias("last_year"))
    result = (ranks.select("id", "year", "vid", "pagerank").join(F.broadcast(year_sums), "year")
              .join(labels.select("id", "component"), "id").join(named, "component")
              .select("year", "vid", (F.col("pagerank") / F.col("year_sum")).alias("pagerank"),
                      F.col("smallest").alias("component"),
                      (F.col("first_year") != F.col("last_year")).alias("shared_key")))
    kept = scratch.keep(result)
    labels.unpersist()
    _unpersist_since(spark, before)
    if kept.where("shared_key").take(1):
        return None
    return kept.drop("shared_key").localCheckpoint(eager=True)


def _persistent_rdds(spark: SparkSession) -> set[int]:
    return set(spark.sparkContext._jsc.getPersistentRDDs().keySet())


def _unpersist_since(spark: SparkSession, before: set[int]) -> None:
    """Unpersists every RDD persisted since `before` (GraphX's graphs, GraphFrames' cached frames)."""
    persistent = spark.sparkContext._jsc.getPersistentRDDs()
    for rdd_id in set(persistent.keySet()) - before:
        persistent.get(rdd_id).unpersist(False)
