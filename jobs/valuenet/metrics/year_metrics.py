"""All metrics of the year networks, every year side by side: DataFrames -> DataFrames (no reading or
writing here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from valuenet.errors import ConfigError
from valuenet.metrics import graph_algorithms
from valuenet.metrics.clustering import average_clustering, local_clustering
from valuenet.metrics.communities import communities, modularity
from valuenet.metrics.label_propagation import label_propagation
from valuenet.metrics.pagerank_in_tasks import pagerank_and_components_in_tasks
from valuenet.metrics.side_by_side import begun_beside
from valuenet.metrics.paths import path_statistics
from valuenet.metrics.definitions import CONCENTRATION
from valuenet.metrics.degrees import degrees, out_degree_concentration
from valuenet.metrics.network import network_summary
from valuenet.snapshot.year_network import YearNetwork


COMMUNITY_METHODS = ("louvain", "label_propagation")


@dataclass
class AlgorithmSettings:
    damping: float
    tol: float
    pagerank_l1_bound: float
    components_algorithm: str
    broadcast_threshold: int
    checkpoint_interval: int
    pagerank_one_task_max_edges: int = 10_000_000
    exact_paths_max_nodes: int = 60000
    path_sample_sources: int = 1000
    seed: int = 7
    louvain_tries: int = 5
    louvain_tries_max_edges: int = 1_000_000
    community_method: str = "louvain"
    label_propagation_rounds: int = 10
    louvain_one_task_max_edges: int = 10_000_000
    louvain_distributed_rounds: int = 30
    louvain_distributed_min_gain: float = 1e-4
    lineage_jaccard: float = 0.3
    robustness_k: tuple[int, ...] = (1, 5, 10, 20, 50)
    robustness_percent: float = 1.0
    robustness_random_draws: int = 3
    attachment_min_nodes: int = 5

    @classmethod
    def from_config(cls, config: dict) -> "AlgorithmSettings":
        """The settings of conf analyze.*; ConfigError names a bad one (before Spark starts)."""
        a = config["analyze"]
        return cls(damping=float(a["pagerank"]["damping"]), tol=float(a["pagerank"]["tol"]),
                   pagerank_l1_bound=float(a["pagerank"]["l1_bound"]),
                   components_algorithm=graph_algorithms.check_component_algorithm(a["components"]["algorithm"]),
                   broadcast_threshold=int(a["components"]["broadcast_threshold"]),
                   checkpoint_interval=int(a["components"]["checkpoint_interval"]),
                   pagerank_one_task_max_edges=int(a["pagerank"]["one_task_max_edges"]),
                   exact_paths_max_nodes=int(a["paths"]["exact_max_nodes"]),
                   path_sample_sources=int(a["paths"]["sample_sources"]), seed=int(a["seed"]),
                   louvain_tries=int(a["communities"]["tries"]),
                   louvain_tries_max_edges=int(a["communities"]["tries_max_edges"]),
                   community_method=_community_method(a["communities"]["method"]),
                   label_propagation_rounds=int(a["communities"]["label_propagation_rounds"]),
                   louvain_one_task_max_edges=int(a["communities"]["one_task_max_edges"]),
                   louvain_distributed_rounds=int(a["communities"]["distributed_rounds"]),
                   louvain_distributed_min_gain=float(a["communities"]["distributed_min_gain"]),
                   **_dynamics_settings(a["dynamics"]))

    def as_params(self) -> dict[str, object]:
        """The settings as MLflow params (few and meaningful)."""
        return {"pagerank_damping": self.damping, "pagerank_tol": self.tol,
                "pagerank_l1_bound": self.pagerank_l1_bound,
                "pagerank_and_components": (f"igraph (PRPACK, weak components) in one task per year up to "
                                            f"{self.pagerank_one_task_max_edges} relations, else GraphFrames "
                                            f"(tol {self.tol}, components {self.components_algorithm})"),
                "components_algorithm": self.components_algorithm,
                "communities": (f"louvain (igraph multilevel), resolution 1, best of {self.louvain_tries} "
                                f"vertex orders up to {self.louvain_tries_max_edges} edges, else one; above "
                                f"{self.louvain_one_task_max_edges} edges first coarsened by distributed levels "
                                f"(at most {self.louvain_distributed_rounds} rounds, min gain "
                                f"{self.louvain_distributed_min_gain})"
                                if self.community_method == "louvain" else
                                f"label propagation (LDBC CDLP), at most {self.label_propagation_rounds} rounds"),
                "dynamics": (f"lineage Jaccard >= {self.lineage_jaccard}; robustness k "
                             f"{','.join(map(str, self.robustness_k))} and {self.robustness_percent} % of nodes, "
                             f"{self.robustness_random_draws} random draws; attachment bins of >= "
                             f"{self.attachment_min_nodes} nodes"),
                "paths_exact_max_nodes": self.exact_paths_max_nodes,
                "paths_sample_sources": self.path_sample_sources, "seed": self.seed}


def _dynamics_settings(d: dict) -> dict:
    """The settings of conf analyze.dynamics, checked (ConfigError names a bad one)."""
    jaccard, ks = float(d["lineage_jaccard"]), tuple(int(k) for k in d["robustness_k"])
    percent, draws, min_nodes = float(d["robustness_percent"]), int(d["robustness_random_draws"]), \
        int(d["attachment_min_nodes"])
    for ok, what in ((0 < jaccard <= 1, f"lineage_jaccard: {jaccard} is not in (0, 1]"),
                     (all(k > 0 for k in ks), f"robustness_k: {list(ks)} has a k that is not positive"),
                     (0 <= percent < 100, f"robustness_percent: {percent} is not in [0, 100)"),
                     (draws >= 1, f"robustness_random_draws: {draws} is not at least 1"),
                     (min_nodes >= 1, f"attachment_min_nodes: {min_nodes} is not at least 1")):
        if not ok:
            raise ConfigError(f"analyze.dynamics.{what}")
    return {"lineage_jaccard": jaccard, "robustness_k": ks, "robustness_percent": percent,
            "robustness_random_draws": draws, "attachment_min_nodes": min_nodes}


def node_metrics(network: YearNetwork, settings: AlgorithmSettings, on_stage=lambda name: None,
                 meanwhile: Callable[[], None] = lambda: None) -> DataFrame:
    """year, vid, id, kind, in_degree, out_degree, degree, pagerank, component, clustering, community
    (one row per vertex and year).

    PageRank, components and clustering (pagerank_and_components: a task per year, GraphFrames and
    distributed clustering for years too big for one) and the communities are run here, side by
    side (on_stage("pagerank, components, clustering") follows the first, on_stage("communities
    ...") the second); the rest is lazy. Component and community ids are the smallest vid in them
    (stable from year to year). meanwhile: work that does not need the communities, run once
    PageRank's task is done, while the communities' may still be running (analyze: paths, flows
    and shares).
    """
    keys = ["year", "vid"]
    big = years_above(network, settings.pagerank_one_task_max_edges)

    def partition() -> DataFrame:
        return community_partition(network, settings).localCheckpoint(eager=True)

    # A big year's PageRank task and its Louvain task each keep one core busy for minutes (scale
    # 100: about 40 s and 130 s): run as two Spark jobs at once, each fills the core the other
    # leaves idle (the thread inherits the caller's Spark job properties). Not when a year goes to
    # GraphFrames, whose clean-up unpersists every RDD persisted while it runs, the other job's too.
    with begun_beside(network.vertices.sparkSession, partition, beside=not big) as communities_found:
        ranked = pagerank_and_components(network, settings, clustering=True, big=big)
        on_stage("pagerank, components, clustering")
        # Louvain's task outlasts PageRank's (scale 100: by about two minutes): the other core
        # does what needs no communities meanwhile
        meanwhile()
        communities = communities_found()
    on_stage("communities" if big else "communities (begun beside pagerank)")
    result = (network.vertices.select("year", "vid", "id", "kind").join(degrees(network), keys)
              .join(ranked, keys, "left")
              .join(communities, keys, "left"))
    return result.select("year", "vid", "id", "kind", "in_degree", "out_degree", "degree", "pagerank",
                         "component", "clustering", "community")


def years_above(network: YearNetwork, relations: int) -> list[int]:
    """The years of the network with more than this many relations, ascending (a Spark job)."""
    return sorted(r["year"] for r in network.relations.groupBy("year").count().where(F.col("count") > relations)
                  .collect())


def pagerank_and_components(network: YearNetwork, settings: AlgorithmSettings, tol: float | None = None,
                            one_task_max_edges: int | None = None, clustering: bool = False,
                            big: list[int] | None = None) -> DataFrame:
    """year, vid, pagerank, component (and clustering, when asked) of every vertex (held by a local
    checkpoint).

    A year of at most settings.pagerank_one_task_max_edges relations (one_task_max_edges overrides
    it; 0 sends every year with a relation to GraphFrames) is computed in one task
    (pagerank_in_tasks: exact); bigger years in one GraphFrames run over all of them
    (graph_algorithms, to settings.tol, or tol when given), their clustering by distributed joins
    (clustering.local_clustering). Either way pagerank sums to 1 in each year and component is the
    smallest vid of the vertex's weakly connected component. big: years_above(network, the limit),
    when the caller has them.
    """
    limit = settings.pagerank_one_task_max_edges if one_task_max_edges is None else one_task_max_edges
    big = years_above(network, limit) if big is None else big
    small = [y for y in network.years if y not in big]
    found = []
    if small or not big:  # a network without years gives the tasks' empty frame
        found.append(pagerank_and_components_in_tasks(network.restricted_to(small), settings.damping, clustering)
                     .localCheckpoint(eager=True))
    if big:
        ranked = graph_algorithms.pagerank_and_components(
            network.restricted_to(big), settings.damping, settings.tol if tol is None else tol,
            settings.components_algorithm, settings.checkpoint_interval, settings.broadcast_threshold)
        found.append(ranked.join(local_clustering(network.restricted_to(big)), ["year", "vid"]) if clustering
                     else ranked)
    return found[0] if len(found) == 1 else found[0].unionByName(found[1])


def community_partition(network: YearNetwork, settings: AlgorithmSettings) -> DataFrame:
    """year, vid, community by the configured method (analyze.communities.method)."""
    if settings.community_method == "label_propagation":
        return label_propagation(network, settings.label_propagation_rounds)
    return communities(network, settings.seed, settings.louvain_tries, settings.louvain_tries_max_edges,
                       settings.louvain_one_task_max_edges, settings.louvain_distributed_rounds,
                       settings.louvain_distributed_min_gain)


def _community_method(name: str) -> str:
    if name not in COMMUNITY_METHODS:
        raise ConfigError(f"analyze.communities.method: {name!r} is not one of {', '.join(COMMUNITY_METHODS)}")
    return name


def year_paths(network: YearNetwork, settings: AlgorithmSettings) -> dict:
    """{year: PathStatistics} of every year of the network, by the configured method (exact up to
    settings.exact_paths_max_nodes vertices, else sampled sources with a stated bound)."""
    return path_statistics(network, exact_max_nodes=settings.exact_paths_max_nodes,
                           sample_sources=settings.path_sample_sources, seed=settings.seed)


def network_metrics(network: YearNetwork, per_node: DataFrame, paths: dict,
                    on_stage=lambda name: None) -> dict[int, dict]:
    """{year: the year's network_metrics values} (without filter, versions and run id) for every
    year of the network, also those without a relation.

    per_node: node_metrics(network, settings), preferably cached; paths: year_paths(network, settings).
    """
    spark = per_node.sparkSession
    years = spark.createDataFrame([(y,) for y in network.years], "year int")
    edge_counts = network.relations.groupBy("year").agg(F.count("*").alias("edges"))
    summary = (network_summary(years, per_node, edge_counts)
               .join(out_degree_concentration(per_node, CONCENTRATION), "year", "left")
               .join(average_clustering(per_node), "year", "left")
               .join(modularity(network, per_node.select("year", "vid", "community")), "year", "left"))
    rows = {r["year"]: r.asDict() for r in summary.collect()}
    for row in rows.values():
        row["communities"] = row["communities"] or 0
    on_stage("network metrics")
    for year, row in rows.items():
        row.update(diameter=paths[year].diameter, avg_path_length=paths[year].avg_path_length,
                   path_method=paths[year].method)
    return rows
