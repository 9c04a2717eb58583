"""What an export writes, as DataFrames: one row per node and one row per edge of the chosen years.

Nodes come from `node_metrics` (a node is in a year's network exactly when it has a row for
that year) with their static attributes from `nodes`; edges are the simple directed year
networks rebuilt as analyze built them (DESIGN.md section 3: the filter's relations active in
the year, self-loops dropped, parallel relations collapsed into one edge with the summed weight
and the set of relation types), from the nodes and edges versions each year was analysed from.
Each row gathers its years into one sorted array (`years`), so a writer needs no more than one
row at a time.
"""

from __future__ import annotations

import json
from functools import reduce

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StructField

from valuenet import tables

# node_metrics columns that are not a measure of the node in that year
NOT_MEASURES = ("year", "id", "kind", "filter", "run_id")
# the static attributes of a node, from `nodes`
STATIC_ATTRIBUTES = ("name", "kind", "org_type", "province", "city", "is_platform")
# what an edge carries per year
EDGE_VALUES = ("weight", "relations", "n_relations")


def measure_fields(node_metrics: DataFrame) -> list[StructField]:
    """Every column of node_metrics that measures a node in a year, in the table's order: whatever
    columns analyze writes (pagerank_rank, core, community_lineage, ...) export without a code change."""
    return [f for f in node_metrics.schema.fields if f.name not in NOT_MEASURES]


def top_ids(metrics: DataFrame, n: int) -> DataFrame:
    """The ids that are among the n highest PageRanks of at least one year (ties by id): column `id`."""
    rank = Window.partitionBy("year").orderBy(F.col("pagerank").desc_nulls_last(), F.col("id"))
    return (metrics.select("id", F.row_number().over(rank).alias("rank"))
            .where(F.col("rank") <= n).select("id").distinct())


def node_rows(metrics: DataFrame, nodes: DataFrame, measures: list[str]) -> DataFrame:
    """One row per node, sorted by id: id, the static attributes, and `years` = [(year, measures...)]
    sorted by year. metrics: the node_metrics rows of the chosen years and filter."""
    static = [c for c in STATIC_ATTRIBUTES if c in nodes.columns]
    per_node = (metrics.groupBy("id")
                .agg(_by_year(F.collect_list(F.struct("year", *measures))).alias("years")))
    return (per_node.join(nodes.select("id", *static), "id", "left")
            .select("id", *static, "years").orderBy("id"))


def edge_rows(relations: DataFrame) -> DataFrame:
    """One row per ordered pair (source, target), sorted: `years` = [(year, weight, relations,
    n_relations)] sorted by year. relations: year, source, target and the EDGE_VALUES."""
    return (relations.groupBy("source", "target")
            .agg(_by_year(F.collect_list(F.struct("year", *EDGE_VALUES))).alias("years"))
            .orderBy("source", "target"))


def _by_year(per_year):
    """An array of structs sorted by their `year` (whatever the other fields' types: a map is not
    orderable, so sort_array on the whole struct would not do)."""
    return F.array_sort(per_year, lambda a, b: F.when(a["year"] < b["year"], -1)
                        .when(a["year"] > b["year"], 1).otherwise(0))


def analysed_versions(spark: SparkSession, warehouse: str, years: list[int], filter_text: str) -> dict[int, tuple]:
    """{year: (nodes version, edges version)} each year was analysed from (network_metrics'
    input_versions); a year without that record maps to (None, None): the current versions."""
    rows = (tables.read(spark, warehouse, "network_metrics")
            .where((F.col("filter") == filter_text) & F.col("year").isin(years))
            .select("year", "input_versions").collect())
    recorded = {}
    for row in rows:
        try:
            versions = json.loads(row["input_versions"] or "{}")
            recorded[row["year"]] = (int(versions["nodes"]), int(versions["edges"]))
        except (ValueError, KeyError, TypeError):
            pass
    return {year: recorded.get(year, (None, None)) for year in years}


def year_relations(networks: list[tuple]) -> DataFrame:
    """The edges of the year networks, keyed by input ids: year, source, target, weight, relations
    (sorted types), n_relations. networks: commands.common.analysed_networks()."""
    parts = []
    for keyed, network in networks:
        ids = keyed.select("vid", "id")
        parts.append(network.relations
                     .join(ids.withColumnRenamed("vid", "src").withColumnRenamed("id", "source"), "src")
                     .join(ids.withColumnRenamed("vid", "dst").withColumnRenamed("id", "target"), "dst")
                     .select("year", "source", "target", *EDGE_VALUES))
    return reduce(DataFrame.unionByName, parts)


def among(relations: DataFrame, kept: DataFrame) -> DataFrame:
    """The relations whose two ends are both kept ids."""
    kept = F.broadcast(kept)
    return (relations.join(kept.withColumnRenamed("id", "source"), "source", "left_semi")
            .join(kept.withColumnRenamed("id", "target"), "target", "left_semi"))
