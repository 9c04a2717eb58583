"""The network of a year (DESIGN.md section 3), as pure DataFrame functions.

Vertices carry a Long surrogate key `vid` (xxhash64 of the input id: stable
from year to year and run to run, no shuffle to assign it) beside the input's
string `id`; GraphFrames sees `vid` as its `id`, outputs map back to `id`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from valuenet.errors import ValuenetError

NODE_ATTRIBUTES = ["id", "name", "kind", "org_type", "province", "city", "is_platform"]


@dataclass
class YearNetwork:
    """The simple directed network of one year.

    vertices: vid (long), id, name, kind, org_type, province, city, is_platform.
    relations: src, dst (long vids), weight (sum of the parallel relations' weights),
               relations (sorted set of relation types), n_relations.
    """

    year: int
    vertices: DataFrame
    relations: DataFrame


def with_surrogate_keys(nodes: DataFrame) -> DataFrame:
    """nodes (id, ...) -> the same with `vid` = xxhash64(id)."""
    return nodes.select(F.xxhash64("id").alias("vid"), *NODE_ATTRIBUTES)


def check_surrogate_keys(keyed_nodes: DataFrame) -> None:
    """Fail loudly if two ids share a surrogate key (astronomically rare, but never silent)."""
    row = keyed_nodes.agg(F.count("*").alias("n"), F.countDistinct("vid").alias("k")).first()
    if row["n"] != row["k"]:
        raise ValuenetError(f"{row['n'] - row['k']} node id(s) collide on their 64-bit surrogate key; "
                            "rename one of the colliding ids and re-ingest")


def active_relations(edges: DataFrame, year: int) -> DataFrame:
    """Relations active in `year`: start_year <= year and (end_year null or end_year >= year)."""
    return edges.where((F.col("start_year") <= year)
                       & (F.col("end_year").isNull() | (F.col("end_year") >= year)))


def build_year_network(keyed_nodes: DataFrame, edges: DataFrame, year: int) -> YearNetwork:
    """The year network: endpoints of the active relations, self-loops dropped, parallels collapsed.

    keyed_nodes: with_surrogate_keys(nodes); edges: the edges table (src, dst, relation,
    start_year, end_year, weight). A node whose only active relation is a self-loop stays
    a node (with degree 0): it is an endpoint of an active relation.
    """
    active = active_relations(edges, year)
    keyed = (active.select("src", "dst", "relation", "weight")
             .withColumn("src_vid", F.xxhash64("src")).withColumn("dst_vid", F.xxhash64("dst")))
    endpoints = (keyed.select(F.col("src_vid").alias("vid"))
                 .union(keyed.select(F.col("dst_vid").alias("vid"))).distinct())
    vertices = keyed_nodes.join(endpoints, "vid", "inner")
    relations = (keyed.where(F.col("src_vid") != F.col("dst_vid"))
                 .groupBy(F.col("src_vid").alias("src"), F.col("dst_vid").alias("dst"))
                 .agg(F.sum("weight").alias("weight"),
                      F.array_sort(F.collect_set("relation")).alias("relations"),
                      F.count("*").alias("n_relations")))
    return YearNetwork(year=year, vertices=vertices, relations=relations)


def years_span(edges: DataFrame) -> tuple[int, int] | None:
    """(first start_year, last year with an active relation), or None when there are no edges.

    The last year is the larger of the largest start_year and the largest end_year: an open
    relation stays active after that, but the data says nothing about later years.
    """
    row = edges.agg(F.min("start_year").alias("first"), F.max("start_year").alias("last_start"),
                    F.max("end_year").alias("last_end")).first()
    if row["first"] is None:
        return None
    last = max(row["last_start"], row["last_end"] or row["last_start"])
    return int(row["first"]), int(last)
