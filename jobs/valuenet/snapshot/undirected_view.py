"""The undirected simple view of the year networks: one edge per adjacent pair, self-loops left out.

Clustering, communities (modularity), k-cores and the robustness curves all read a year network
this way, as Gephi and NetworkX do for their undirected measures.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def undirected_edges(relations: DataFrame) -> DataFrame:
    """year, a, b, arcs: one row per year and unordered adjacent pair {a, b} with a < b (by vid).

    relations: year, src, dst (simple directed: no parallel rows). arcs = the number of
    directed edges between a and b (1, or 2 for a reciprocal pair). Self-loops are ignored.
    """
    return (relations.where(F.col("src") != F.col("dst"))
            .groupBy("year", F.least("src", "dst").alias("a"), F.greatest("src", "dst").alias("b"))
            .agg(F.count("*").alias("arcs")))
