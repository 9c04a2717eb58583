"""The small pandas frames behind a year run's artifacts, from that year's output DataFrames.

Shared by `analyze` (fresh outputs) and `track` (the outputs stored in Delta), so a year run
carries the same artifacts whichever job logged it.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

TOP_MEASURES = ("degree", "in_degree", "out_degree", "pagerank")
_STAMP = ["year", "filter", "run_id"]


def artifact_frames(per_node: DataFrame, flows: DataFrame, shares: DataFrame, nodes: DataFrame):
    """(tops, flows, shares, degree_counts) as pandas, for Tracker.log_year_artifacts.

    per_node: one year's node_metrics rows (id, kind, in_degree, out_degree, degree, pagerank);
    nodes: id, name, org_type. tops maps each measure with values to its top 20 rows (ties by id);
    flows and shares lose their year, filter and run_id columns; degree_counts has degree, nodes.
    """
    named = per_node.join(nodes.select("id", "name", "org_type"), "id", "left")
    columns = ["id", "name", "kind", "org_type", "in_degree", "out_degree", "degree", "pagerank"]
    tops = {measure: named.where(F.col(measure).isNotNull()).orderBy(F.desc(measure), "id").limit(20)
            .select(*columns).toPandas() for measure in TOP_MEASURES}
    tops = {k: v for k, v in tops.items() if len(v)}
    degree_counts = per_node.groupBy("degree").agg(F.count("*").alias("nodes")).toPandas()
    return tops, flows.drop(*_STAMP).toPandas(), shares.drop(*_STAMP).toPandas(), degree_counts
