"""The small pandas frames behind the year runs' artifacts, from the years' output DataFrames.

Shared by `analyze` (fresh outputs) and `track` (the outputs stored in Delta), so a year run
carries the same artifacts whichever job logged it.
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

TOP_MEASURES = ("degree", "in_degree", "out_degree", "pagerank")
TOP_ROWS = 20
_TOP_COLUMNS = ["id", "name", "kind", "org_type", "in_degree", "out_degree", "degree", "pagerank"]
_STAMP = ["filter", "run_id"]


def artifact_frames_by_year(per_node: DataFrame, flows: DataFrame, shares: DataFrame, nodes: DataFrame,
                            years: list[int]) -> dict:
    """{year: (tops, flows, shares, degree_counts)} as pandas, for Tracker.log_year_artifacts, for
    each of these years (a year without rows gets empty frames), in four Spark jobs whatever the
    number of years.

    per_node: node_metrics rows (year, id, kind, in_degree, out_degree, degree, pagerank); flows and
    shares: their tables' rows (year, ...); nodes: id, name, org_type. tops maps each measure with
    values to that year's top 20 rows (ties by id); flows and shares lose their year, filter and
    run_id columns; degree_counts has degree, nodes.
    """
    named = per_node.join(nodes.select("id", "name", "org_type"), "id", "left")
    ranked = [named.where(F.col(measure).isNotNull())
              .withColumn("rank", F.row_number().over(Window.partitionBy("year").orderBy(F.desc(measure), "id")))
              .where(F.col("rank") <= TOP_ROWS)  # Spark keeps only each year's top rows before the shuffle
              .select("year", F.lit(measure).alias("measure"), "rank", *_TOP_COLUMNS)
              for measure in TOP_MEASURES]
    tops = reduce(DataFrame.unionByName, ranked).toPandas()
    degree_counts = per_node.groupBy("year", "degree").agg(F.count("*").alias("nodes")).toPandas()
    flows, shares = (f.drop(*[c for c in _STAMP if c in f.columns]).toPandas() for f in (flows, shares))

    def of_year(frame, year):
        return frame[frame["year"] == year].drop(columns="year").reset_index(drop=True)

    frames = {}
    for year in years:
        top = of_year(tops, year)
        by_measure = {m: top[top["measure"] == m].sort_values("rank")[_TOP_COLUMNS].reset_index(drop=True)
                      for m in TOP_MEASURES}
        frames[year] = ({m: t for m, t in by_measure.items() if len(t)}, of_year(flows, year),
                        of_year(shares, year), of_year(degree_counts, year))
    return frames


def dynamics_frames_by_year(movers: DataFrame, robustness: DataFrame, attachment: DataFrame,
                            years: list[int]) -> dict:
    """{year: (movers, robustness, attachment)} as pandas, for Tracker.log_year_dynamics_artifacts,
    for each of these years (a year without rows gets empty frames), in three Spark jobs; the
    frames lose their year, filter and run_id columns. Movers are ordered by movement, then rank."""
    order = {"movers": ["movement", "pagerank_rank", "previous_pagerank_rank", "id"],
             "robustness": ["strategy", "k"], "attachment": ["degree_low"]}
    tables = {name: frame.drop(*[c for c in _STAMP if c in frame.columns]).toPandas()
              for name, frame in (("movers", movers), ("robustness", robustness), ("attachment", attachment))}

    def of_year(name, year):
        frame = tables[name]
        return (frame[frame["year"] == year].drop(columns="year").sort_values(order[name], na_position="last")
                .reset_index(drop=True))

    return {year: tuple(of_year(name, year) for name in ("movers", "robustness", "attachment")) for year in years}


def picture_frames_by_year(per_node: DataFrame, relations: DataFrame, nodes: DataFrame, years: list[int],
                           top: int) -> dict:
    """{year: (nodes, edges)} as pandas, for the year's network picture (tracking/network_picture.py):
    the `top` nodes of each year by PageRank (ties by id) with their metrics and a label (name, else
    id), and the year's edges among them (src, dst ids), in two Spark jobs whatever the number of years.

    per_node: node_metrics rows with vid (year, vid, id, pagerank, community, ...); relations: the
    year networks' relations (year, src, dst vids); nodes: id, name.
    """
    wanted = ["pagerank_rank", "degree", "in_degree", "out_degree", "clustering", "core", "community"]
    ranked = (per_node.where(F.col("year").isin(years))
              .withColumn("place", F.row_number().over(Window.partitionBy("year").orderBy(F.desc("pagerank"), "id")))
              .where(F.col("place") <= top))
    shown = (ranked.join(nodes.select("id", "name"), "id", "left")
             .select("year", "vid", "id", F.coalesce("name", "id").alias("label"), "pagerank",
                     *[c for c in wanted if c in per_node.columns])).cache()
    try:
        ends = shown.select("year", "vid", "id")
        edges = (relations.select("year", "src", "dst")
                 .join(ends.withColumnRenamed("vid", "src").withColumnRenamed("id", "src_id"), ["year", "src"])
                 .join(ends.withColumnRenamed("vid", "dst").withColumnRenamed("id", "dst_id"), ["year", "dst"])
                 .select("year", F.col("src_id").alias("src"), F.col("dst_id").alias("dst")).toPandas())
        table = shown.drop("vid").toPandas()
    finally:
        shown.unpersist()
    return {year: (table[table["year"] == year].drop(columns="year").reset_index(drop=True),
                   edges[edges["year"] == year].drop(columns="year").reset_index(drop=True)) for year in years}
