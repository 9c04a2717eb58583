"""Flows and shares of technology cooperation (DESIGN.md section 4: the report's Tables 7-10, section 6)."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from valuenet.snapshot.year_network import YearNetwork, active_relations

TECH = "tech_cooperation"
UNKNOWN = "(unknown)"


def _place(c: str) -> Column:
    return F.coalesce(F.nullif(F.trim(F.col(c)), F.lit("")), F.lit(UNKNOWN))


def _with_share(counts: DataFrame, partition: list[str]) -> DataFrame:
    total = F.sum("relations").over(Window.partitionBy(*partition))
    return counts.withColumn("share", F.try_divide(F.col("relations").cast("double"), total.cast("double")))


def tech_edges(network: YearNetwork) -> DataFrame:
    """Each year's edges that carry a tech_cooperation relation, with both sides' province and city.

    Columns: year, src_province, src_city, dst_province, dst_city.
    """
    places = network.vertices.select("year", "vid", "province", "city")
    edges = network.relations.where(F.array_contains("relations", TECH)).select("year", "src", "dst")
    return (edges.join(places.toDF("year", "src", "src_province", "src_city"), ["year", "src"])
            .join(places.toDF("year", "dst", "dst_province", "dst_city"), ["year", "dst"]))


def tech_place_pairs(network: YearNetwork) -> DataFrame:
    """year, src_province, src_city, dst_province, dst_city, relations: each year's tech_cooperation
    edges counted by the places of their two sides (a blank place is "(unknown)").

    Flows and the geography shares are sums over these few rows, so the edges meet the places once.
    """
    sides = ["src_province", "src_city", "dst_province", "dst_city"]
    return (tech_edges(network).groupBy("year", *[_place(c).alias(c) for c in sides])
            .agg(F.count("*").alias("relations")))


def flows(place_pairs: DataFrame) -> DataFrame:
    """year, level, enabling, receiving, relations, share: province and city flows of technology
    cooperation, from tech_place_pairs."""
    per_level = [place_pairs.groupBy("year", F.lit(level).alias("level"), F.col(f"src_{level}").alias("enabling"),
                                     F.col(f"dst_{level}").alias("receiving"))
                 .agg(F.sum("relations").alias("relations"))
                 for level in ("province", "city")]
    return _with_share(per_level[0].unionByName(per_level[1]), ["year", "level"])


def shares(place_pairs: DataFrame, years: list[int], edges_table: DataFrame) -> DataFrame:
    """year, dimension, value, relations, share.

    Geography: the year's tech_cooperation edges by the enabling and receiving side's province
    and city (from tech_place_pairs). tech_category, application_field, industry: the active
    tech_cooperation relations (edges_table rows of `years`, self-loops left out) by their attribute.
    """
    geography = [place_pairs.groupBy("year", F.lit(f"{level}_{side}").alias("dimension"),
                                     F.col(f"{prefix}_{level}").alias("value"))
                 .agg(F.sum("relations").alias("relations"))
                 for level in ("province", "city") for side, prefix in (("enabling", "src"), ("receiving", "dst"))]
    relations = active_relations(edges_table.where((F.col("relation") == TECH) & (F.col("src") != F.col("dst"))),
                                 years)
    # the three attributes in one pass over the relations (each its own pass: 14 task-s at scale 100)
    by_attribute = F.explode(F.array(*[F.struct(F.lit(c).alias("dimension"), _place(c).alias("value"))
                                       for c in ("tech_category", "application_field", "industry")])).alias("by")
    attributes = (relations.select("year", by_attribute)
                  .groupBy("year", F.col("by.dimension").alias("dimension"), F.col("by.value").alias("value"))
                  .agg(F.count("*").alias("relations")))
    combined = geography[0]
    for part in geography[1:] + [attributes]:
        combined = combined.unionByName(part)
    return _with_share(combined, ["year", "dimension"])
