"""`valuenet run` as it would be without the year-over-year measures: the baseline that their cost
(docs/benchmarks.md, "The default job") is measured against.

A measuring harness, not part of valuenet: it runs the real `valuenet run` with the same arguments,
but each pass skips the five year-over-year stages, writes only the four tables that do not
depend on them (node_metrics with their columns null, network_metrics, flows, shares) and logs
no year-over-year metrics or artifacts to MLflow. Everything else (sample, ingest, PageRank and
components, the other metrics, the pictures, the commits) runs as it does in the job.

    .venv/bin/python docs/measure/run_without_year_over_year.py --warehouse W --conf mlflow.tracking_uri=sqlite:///W.db
"""

from __future__ import annotations

import sys

from pyspark.sql import functions as F

from valuenet.commands import analyze
from valuenet.commands.run import main
from valuenet.metrics.year_over_year import YearOverYear
from valuenet.tracking.guarded import GuardedTracker

SNAPSHOT_TABLES = ("node_metrics", "network_metrics", "flows", "shares")
NULL_NODE_COLUMNS = {"pagerank_rank": "int", "degree_rank": "int", "pagerank_rank_change": "int",
                     "degree_rank_change": "int", "core": "int", "community_lineage": "string"}


def no_year_over_year(network, per_node, previous, gaining, settings, on_stage=None, sizes=None) -> YearOverYear:
    """What year_over_year returns, with every measure left out: null node columns, no rows."""
    none = per_node.sparkSession.createDataFrame([], "year int")
    nodes = per_node.select("year", "vid", *[F.lit(None).cast(kind).alias(name) for name, kind in NULL_NODE_COLUMNS.items()])
    return YearOverYear(nodes=nodes, movers=none, communities=none, robustness=none, attachment=none,
                        per_year={year: {} for year in network.years}, cached=[])


def snapshot_tables_only(tables):
    def written(self, filter_text):
        return {name: frame for name, frame in tables(self, filter_text).items() if name in SNAPSHOT_TABLES}
    return written


def without_dynamics(log_year):
    def logged(self, year, tags, params, table_paths, versions, row, artifact_frames, synthetic, seconds,
               dynamics=None, dynamics_frames=None, picture_frames=None):
        return log_year(self, year, tags, params, table_paths, versions, row, artifact_frames, synthetic, seconds,
                        None, None, picture_frames)
    return logged


if __name__ == "__main__":
    analyze.year_over_year = no_year_over_year
    analyze.YearsOutputs.tables = snapshot_tables_only(analyze.YearsOutputs.tables)
    GuardedTracker.year = without_dynamics(GuardedTracker.year)
    sys.exit(main(sys.argv[1:]))
