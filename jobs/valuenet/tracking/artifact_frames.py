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
