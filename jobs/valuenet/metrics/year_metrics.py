"""All metrics of one year network: GraphFrame -> DataFrames (no reading or writing here)."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from valuenet.metrics import graph_algorithms
from valuenet.metrics.clustering import local_clustering
from valuenet.metrics.communities import communities, modularity
from valuenet.metrics.paths import path_statistics
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
    exact_paths_max_nodes: int = 60000
    path_sample_sources: int = 1000
    seed: int = 7

    @classmethod
    def from_config(cls, config: dict, with_graphframes: bool) -> "AlgorithmSettings":
        a = config["analyze"]
        return cls(damping=float(a["pagerank"]["damping"]), tol=float(a["pagerank"]["tol"]),
                   components_algorithm=a["components"]["algorithm"],
                   broadcast_threshold=int(a["components"]["broadcast_threshold"]),
                   checkpoint_interval=int(a["components"]["checkpoint_interval"]),
                   with_graphframes=with_graphframes,
                   exact_paths_max_nodes=int(a["paths"]["exact_max_nodes"]),
                   path_sample_sources=int(a["paths"]["sample_sources"]), seed=int(a["seed"]))

    def as_params(self) -> dict[str, object]:
        """The settings as MLflow params (few and meaningful)."""
        return {"pagerank_damping": self.damping, "pagerank_tol": self.tol,
                "components_algorithm": self.components_algorithm if self.with_graphframes else "unavailable",
                "communities": "louvain (igraph multilevel), resolution 1",
                "paths_exact_max_nodes": self.exact_paths_max_nodes,
                "paths_sample_sources": self.path_sample_sources, "seed": self.seed}


def node_metrics(network: YearNetwork, settings: AlgorithmSettings) -> DataFrame:
    """vid, id, kind, in_degree, out_degree, degree, pagerank, component, clustering, community (one row per vertex).

    pagerank and component are null when GraphFrames is unavailable (never faked). Component
    and community ids are the smallest vid in them (stable from year to year).
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
    result = (result.join(local_clustering(network), "vid", "left")
              .join(communities(network, settings.seed), "vid", "left"))
    return result.select("vid", "id", "kind", "in_degree", "out_degree", "degree", "pagerank", "component",
                         "clustering", "community")


def network_metrics(network: YearNetwork, per_node: DataFrame, settings: AlgorithmSettings,
                    on_stage=lambda name: None) -> dict:
    """The year's network_metrics values (without year, filter, versions and run id).

    per_node: node_metrics(network, settings), preferably cached. Runs the path kernel
    (exact up to settings.exact_paths_max_nodes vertices, else sampled with a stated bound).
    """
    edge_count = network.relations.agg(F.count("*").alias("edges"))
    summary = (network_summary(per_node, edge_count)
               .crossJoin(out_degree_concentration(per_node, CONCENTRATION))
               .crossJoin(per_node.agg(F.avg("clustering").alias("avg_clustering")))
               .crossJoin(modularity(network, per_node.select("vid", "community"))))
    row = summary.first().asDict()
    on_stage("network metrics")
    paths = path_statistics(network, exact_max_nodes=settings.exact_paths_max_nodes,
                            sample_sources=settings.path_sample_sources, seed=settings.seed)
    row.update(diameter=paths.diameter, avg_path_length=paths.avg_path_length, path_method=paths.method)
    on_stage("paths")
    return row
