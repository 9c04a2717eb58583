"""Per-year network metrics (the network_metrics rows) from the per-node metrics."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def network_summary(years: DataFrame, node_metrics: DataFrame, edge_counts: DataFrame) -> DataFrame:
    """One row per year: nodes, sample_nodes, relation_nodes, edges, avg_degree, density, components,
    largest_component.

    years: one row per year to report (a year without vertices gets zero counts);
    node_metrics: year, one row per vertex with kind and component (component may be null);
    edge_counts: year, edges (a year without a row has 0 edges). ANSI-safe on empty years (null ratios).
    """
    sizes = (node_metrics.where(F.col("component").isNotNull()).groupBy("year", "component")
             .agg(F.count("*").alias("size")))
    components = sizes.groupBy("year").agg(F.count("*").alias("components"), F.max("size").alias("largest_component"))
    counts = node_metrics.groupBy("year").agg(
        F.count("*").alias("nodes"),
        F.count(F.when(F.col("kind") == "sample", 1)).alias("sample_nodes"),
        F.count(F.when(F.col("kind") == "relation", 1)).alias("relation_nodes"),
        F.count(F.when(F.col("component").isNull(), 1)).alias("_unknown_components"))
    n = F.col("nodes").cast("double")
    edges = F.coalesce("edges", F.lit(0)).cast("long")
    zero = {c: 0 for c in ("nodes", "sample_nodes", "relation_nodes", "_unknown_components")}
    return (years.join(counts, "year", "left").fillna(zero)
            .join(edge_counts, "year", "left").join(components, "year", "left")
            .select("year", "nodes", "sample_nodes", "relation_nodes", edges.alias("edges"),
                    F.try_divide(edges.cast("double"), n).alias("avg_degree"),
                    F.try_divide(edges.cast("double"), n * (n - 1)).alias("density"),
                    # components are unknown (null) when the component algorithm did not run
                    F.when(F.col("_unknown_components") > 0, None)
                     .otherwise(F.coalesce("components", F.lit(0))).cast("long").alias("components"),
                    F.when(F.col("_unknown_components") > 0, None)
                     .otherwise(F.coalesce("largest_component", F.lit(0))).cast("long").alias("largest_component")))
