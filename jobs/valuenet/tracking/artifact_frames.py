"""The small pandas frames behind the year runs' artifacts, from the years' output DataFrames.

Shared by `analyze` (fresh outputs) and `track` (the outputs stored in Delta), so a year run
carries the same artifacts whichever job logged it.
"""

from __future__ import annotations

from functools import reduce

import pandas as pd
from pyspark.sql import DataFrame
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
    # A sort with a limit is a top-k heap in each task (TakeOrderedAndProject), also under a union,
    # where a rank over a window by year sorts every row first (scale 100: 5 s a measure against 1).
    # Only the top rows meet the names.
    measures = per_node.select("year", *[c for c in _TOP_COLUMNS if c not in ("name", "org_type")])
    ranked = [measures.where((F.col("year") == year) & F.col(measure).isNotNull())
              .orderBy(F.desc(measure), "id").limit(TOP_ROWS).withColumn("measure", F.lit(measure))
              for year in years for measure in TOP_MEASURES]
    tops = (reduce(DataFrame.unionByName, ranked).join(nodes.select("id", "name", "org_type"), "id", "left")
            .toPandas()) if ranked else pd.DataFrame(columns=["year", "measure", *_TOP_COLUMNS])
    degree_counts = per_node.groupBy("year", "degree").agg(F.count("*").alias("nodes")).toPandas()
    flows, shares = (f.drop(*[c for c in _STAMP if c in f.columns]).toPandas() for f in (flows, shares))

    def of_year(frame, year):
        return frame[frame["year"] == year].drop(columns="year").reset_index(drop=True)

    frames = {}
    for year in years:
        top = of_year(tops, year)
        by_measure = {m: (top[top["measure"] == m].sort_values([m, "id"], ascending=[False, True])[_TOP_COLUMNS]
                          .reset_index(drop=True))
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
    # each year's top rows by a top-k heap per task (see artifact_frames_by_year)
    ranked = [per_node.where(F.col("year") == year).orderBy(F.desc("pagerank"), "id").limit(top) for year in years]
    if not ranked:
        return {}
    shown = (reduce(DataFrame.unionByName, ranked).join(nodes.select("id", "name"), "id", "left")
             .select("year", "vid", "id", F.coalesce("name", "id").alias("label"), "pagerank",
                     *[c for c in wanted if c in per_node.columns])).toPandas()
    table = shown.drop(columns="vid")
    # The few shown nodes go to every task of the relations as a literal table: joined with a
    # plan of per_node, Spark would estimate them at its size and shuffle every relation
    # (scale 100: 50 s of the year run).
    ends = F.broadcast(per_node.sparkSession.createDataFrame(
        [(int(year), int(vid), id_) for year, vid, id_ in shown[["year", "vid", "id"]].itertuples(index=False)],
        "year int, vid long, id string"))
    edges = (relations.select("year", "src", "dst")
             .join(ends.withColumnRenamed("vid", "src").withColumnRenamed("id", "src_id"), ["year", "src"])
             .join(ends.withColumnRenamed("vid", "dst").withColumnRenamed("id", "dst_id"), ["year", "dst"])
             .select("year", F.col("src_id").alias("src"), F.col("dst_id").alias("dst")).toPandas())
    return {year: (table[table["year"] == year].drop(columns="year").reset_index(drop=True),
                   edges[edges["year"] == year].drop(columns="year").reset_index(drop=True)) for year in years}
