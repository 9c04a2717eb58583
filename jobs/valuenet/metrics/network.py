"""Per-year network metrics (the network_metrics row) from the per-node metrics."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def network_summary(node_metrics: DataFrame, edge_count: DataFrame) -> DataFrame:
    """One row: nodes, sample_nodes, relation_nodes, edges, avg_degree, density, components, largest_component.

    node_metrics: one row per vertex with kind and component (component may be null);
    edge_count: one row with column `edges`. ANSI-safe on empty years (null ratios).
    """
    sizes = node_metrics.where(F.col("component").isNotNull()).groupBy("component").agg(F.count("*").alias("size"))
    components = sizes.agg(F.count("*").alias("components"), F.max("size").alias("largest_component"))
    counts = node_metrics.agg(
        F.count("*").alias("nodes"),
        F.count(F.when(F.col("kind") == "sample", 1)).alias("sample_nodes"),
        F.count(F.when(F.col("kind") == "relation", 1)).alias("relation_nodes"),
        F.count(F.when(F.col("component").isNull(), 1)).alias("_unknown_components"))
    n = F.col("nodes").cast("double")
    return (counts.crossJoin(edge_count).crossJoin(components)
            .select("nodes", "sample_nodes", "relation_nodes", "edges",
                    F.try_divide(F.col("edges").cast("double"), n).alias("avg_degree"),
                    F.try_divide(F.col("edges").cast("double"), n * (n - 1)).alias("density"),
                    # components are unknown (null) when the component algorithm did not run
                    F.when(F.col("_unknown_components") > 0, None)
                     .otherwise(F.col("components")).cast("long").alias("components"),
                    F.when(F.col("_unknown_components") > 0, None)
                     .otherwise(F.coalesce("largest_component", F.lit(0))).cast("long").alias("largest_component")))
