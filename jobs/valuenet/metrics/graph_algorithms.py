"""The one wrapper around GraphFrames: every call passes its options explicitly and its
results are normalised here (PageRank / N, vertices without edges restored)."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from valuenet.snapshot.year_network import YearNetwork


def _graphframe(network: YearNetwork):
    from graphframes import GraphFrame

    return GraphFrame(network.vertices.select(F.col("vid").alias("id")),
                      network.relations.select("src", "dst"))


def pagerank(network: YearNetwork, damping: float, tol: float) -> DataFrame:
    """vid, pagerank: unweighted PageRank that sums to 1 over the year's vertices.

    GraphFrames' PageRank sums to N (with dangling mass spread uniformly): divided by N
    it equals NetworkX's pagerank(alpha=damping, weight=None) at convergence.
    """
    ranks = _graphframe(network).pageRank(resetProbability=1.0 - damping, tol=tol).vertices
    n = network.vertices.count()
    return ranks.select(F.col("id").alias("vid"), (F.col("pagerank") / F.lit(float(n))).alias("pagerank"))


def weak_components(network: YearNetwork, algorithm: str, broadcast_threshold: int,
                    checkpoint_interval: int) -> DataFrame:
    """vid, component: weakly connected components (component = the smallest vid in it)."""
    from pyspark import StorageLevel

    result = _graphframe(network).connectedComponents(
        algorithm=algorithm, checkpointInterval=checkpoint_interval, broadcastThreshold=broadcast_threshold,
        useLabelsAsComponents=False, use_local_checkpoints=False, max_iter=2**31 - 2,
        storage_level=StorageLevel.MEMORY_AND_DISK)
    return result.select(F.col("id").alias("vid"), F.col("component").cast("long"))
