"""In-, out- and total degree of every node of the year networks."""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from valuenet.snapshot.year_network import YearNetwork


def degrees(network: YearNetwork) -> DataFrame:
    """year, vid, in_degree, out_degree, degree for every vertex of every year (zero degrees included).

    Counted on the simple directed network: distinct predecessors and successors.
    """
    out_deg = network.relations.groupBy("year", F.col("src").alias("vid")).agg(F.count("*").alias("out_degree"))
    in_deg = network.relations.groupBy("year", F.col("dst").alias("vid")).agg(F.count("*").alias("in_degree"))
    return (network.vertices.select("year", "vid")
            .join(in_deg, ["year", "vid"], "left").join(out_deg, ["year", "vid"], "left")
            .select("year", "vid", F.coalesce("in_degree", F.lit(0)).cast("long").alias("in_degree"),
                    F.coalesce("out_degree", F.lit(0)).cast("long").alias("out_degree"))
            .withColumn("degree", F.col("in_degree") + F.col("out_degree")))


def out_degree_concentration(node_degrees: DataFrame, shares: list[tuple[str, float]]) -> DataFrame:
    """One row per year: for each (column, p), the share of the year's edges whose source is among
    the top p of its nodes.

    node_degrees: year, vid, out_degree (every vertex). The top p are the ceil(p * N) nodes with
    the highest out-degree, ties broken by vid (deterministic). Null when there are no edges.
    """
    # the node counts joined, not counted over a window: that would buffer each year in one task again
    counts = node_degrees.groupBy("year").agg(F.count("*").alias("n"))
    ranked = (node_degrees.select("year", "vid", "out_degree")
              .withColumn("rank", F.row_number().over(Window.partitionBy("year").orderBy(F.desc("out_degree"), "vid")))
              .join(F.broadcast(counts), "year"))
    total = F.sum("out_degree").cast("double")
    return ranked.groupBy("year").agg(*[
        F.try_divide(F.coalesce(F.sum(F.when(F.col("rank") <= F.ceil(F.lit(p) * F.col("n")), F.col("out_degree"))),
                                F.lit(0)).cast("double"), total).alias(name)
        for name, p in shares])
