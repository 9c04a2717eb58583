"""All metrics of one year network: GraphFrame -> DataFrames (no reading or writing here)."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from valuenet.metrics import graph_algorithms
from valuenet.metrics.definitions import CONCENTRATION
from valuenet.metrics.degrees import degrees, out_degree_concentration
from valuenet.metrics.network import network_summary
from valuenet.snapshot.year_network import YearNetwork


@dataclass
class AlgorithmSettings:
    damping: float
    tol: float
    components_algorithm: str
    broadcast_threshold: int
    checkpoint_interval: int
    with_graphframes: bool

    @classmethod
    def from_config(cls, config: dict, with_graphframes: bool) -> "AlgorithmSettings":
        a = config["analyze"]
        return cls(damping=float(a["pagerank"]["damping"]), tol=float(a["pagerank"]["tol"]),
                   components_algorithm=a["components"]["algorithm"],
                   broadcast_threshold=int(a["components"]["broadcast_threshold"]),
                   checkpoint_interval=int(a["components"]["checkpoint_interval"]),
                   with_graphframes=with_graphframes)


def node_metrics(network: YearNetwork, settings: AlgorithmSettings) -> DataFrame:
    """id, kind, in_degree, out_degree, degree, pagerank, component, clustering, community (one row per vertex).

    pagerank and component are null when GraphFrames is unavailable; clustering and community
    are not computed yet (null, never faked). Component ids are the smallest vid of the
    component (stable year to year).
    """
    result = network.vertices.select("vid", "id", "kind").join(degrees(network), "vid")
    if settings.with_graphframes and network.relations.take(1):
        result = (result.join(graph_algorithms.pagerank(network, settings.damping, settings.tol), "vid", "left")
                  .join(graph_algorithms.weak_components(network, settings.components_algorithm,
                                                         settings.broadcast_threshold,
                                                         settings.checkpoint_interval), "vid", "left"))
    elif settings.with_graphframes:
        # No edges: every vertex is its own component and PageRank is uniform.
        n = network.vertices.count()
        result = result.withColumn("pagerank", F.lit(1.0 / n) if n else F.lit(None).cast("double")) \
                       .withColumn("component", F.col("vid"))
    else:
        result = result.withColumn("pagerank", F.lit(None).cast("double")) \
                       .withColumn("component", F.lit(None).cast("long"))
    return result.select("vid", "id", "kind", "in_degree", "out_degree", "degree", "pagerank", "component",
                         F.lit(None).cast("double").alias("clustering"), F.lit(None).cast("long").alias("community"))


def network_metrics(network: YearNetwork, per_node: DataFrame) -> DataFrame:
    """The year's network_metrics row (without year, filter, versions and run id)."""
    edge_count = network.relations.agg(F.count("*").alias("edges"))
    summary = network_summary(per_node, edge_count)
    concentration = out_degree_concentration(per_node, CONCENTRATION)
    not_yet = [F.lit(None).cast(t).alias(c) for c, t in [
        ("diameter", "long"), ("avg_path_length", "double"), ("avg_clustering", "double"),
        ("modularity", "double"), ("communities", "long"), ("path_method", "string")]]
    return summary.crossJoin(concentration).select("*", *not_yet)
