"""In-, out- and total degree of every node of a year network."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from valuenet.snapshot.year_network import YearNetwork


def degrees(network: YearNetwork) -> DataFrame:
    """vid, in_degree, out_degree, degree for every vertex (zero degrees included).

    Counted on the simple directed network: distinct predecessors and successors.
    """
    out_deg = network.relations.groupBy(F.col("src").alias("vid")).agg(F.count("*").alias("out_degree"))
    in_deg = network.relations.groupBy(F.col("dst").alias("vid")).agg(F.count("*").alias("in_degree"))
    return (network.vertices.select("vid")
            .join(in_deg, "vid", "left").join(out_deg, "vid", "left")
            .select("vid", F.coalesce("in_degree", F.lit(0)).cast("long").alias("in_degree"),
                    F.coalesce("out_degree", F.lit(0)).cast("long").alias("out_degree"))
            .withColumn("degree", F.col("in_degree") + F.col("out_degree")))


def out_degree_concentration(node_degrees: DataFrame, shares: list[tuple[str, float]]) -> DataFrame:
    """One row: for each (column, p), the share of all edges whose source is among the top p of nodes.

    node_degrees: vid, out_degree (every vertex). The top p are the ceil(p * N) nodes with
    the highest out-degree, ties broken by vid (deterministic). Null when there are no edges.
    """
    from pyspark.sql import Window

    ranked = (node_degrees.select("vid", "out_degree")
              .withColumn("rank", F.row_number().over(Window.orderBy(F.desc("out_degree"), "vid")))
              .crossJoin(node_degrees.agg(F.count("*").alias("n"))))
    total = F.sum("out_degree").cast("double")
    return ranked.agg(*[
        F.try_divide(F.coalesce(F.sum(F.when(F.col("rank") <= F.ceil(F.lit(p) * F.col("n")), F.col("out_degree"))),
                                F.lit(0)).cast("double"), total).alias(name)
        for name, p in shares])
