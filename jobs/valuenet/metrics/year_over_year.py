"""Year over year: how each year network differs from the one before, and how it hangs on its hubs.
DataFrames -> DataFrames (no reading or writing here).

A year's previous year is the calendar year before it, when it was analysed with the same filter:
in the same pass, or earlier (its stored node_metrics rows). Without one, the columns about change
are null and no lineage event is counted; the snapshot measures (k-cores, robustness) are there
for every year.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from valuenet.metrics import attachment, cores, ranks, robustness
from valuenet.metrics.community_lineage import community_lineage, lineage_event_counts
from valuenet.snapshot.year_network import YearNetwork

log = logging.getLogger("valuenet")

# lineage events -> their year_dynamics columns
EVENT_COLUMNS = {"continue": "communities_continued", "merge": "communities_merged", "split": "communities_split",
                 "birth": "communities_born", "death": "communities_died"}
PREVIOUS_COLUMNS = ["year", "id", "pagerank", "degree", "community", "community_lineage"]


@dataclass
class YearOverYear:
    """What the year-over-year measures add to a pass; every frame carries `year`.

    nodes: year, vid, pagerank_rank, degree_rank, pagerank_rank_change, degree_rank_change, core,
    community_lineage (one row per vertex and year, to join to node_metrics); movers, communities,
    robustness, attachment: the rows of those tables; per_year: {year: the year_dynamics values}.
    """

    nodes: DataFrame
    movers: DataFrame
    communities: DataFrame
    robustness: DataFrame
    attachment: DataFrame
    per_year: dict[int, dict]
    cached: list[DataFrame]


def year_over_year(network: YearNetwork, per_node: DataFrame, previous: DataFrame, gaining: DataFrame,
                   settings, on_stage=lambda name: None, sizes: dict[int, tuple[int, int]] | None = None
                   ) -> YearOverYear:
    """The year-over-year measures of the network's years.

    per_node: year, vid, id, degree, pagerank, component, community of the pass (cached);
    previous: PREVIOUS_COLUMNS of stored years outside the pass whose next year is in it (may be
    empty); gaining: attachment.new_relation_nodes() of the pass's years; settings:
    year_metrics.AlgorithmSettings; sizes: {year: (nodes, relations)} of every year, when known
    (robustness counts them otherwise). Each measure is computed (and cached) before on_stage(its name).
    """
    years = list(network.years)
    held = _Held()
    known = (per_node.select(*PREVIOUS_COLUMNS[:-1], F.lit(None).cast("string").alias("community_lineage"))
             .unionByName(previous.select(*PREVIOUS_COLUMNS)))
    pairs = held.keep(ranks.paired(held.keep(ranks.ranks(known)), years))
    changes = ranks.rank_changes(pairs)
    compared = ranks.compared(pairs)
    moved_rows = ranks.movers(compared)
    moved = per_node.sparkSession.createDataFrame(_with_nulls(moved_rows), ranks.MOVERS_SCHEMA)
    correlations = ranks.rank_correlations(compared)
    turnover = ranks.top_turnover(moved_rows)
    on_stage("ranks")
    core_numbers = held.keep(cores.core_numbers(network))
    innermost = {r["year"]: r.asDict() for r in cores.core_summary(core_numbers).collect()}
    on_stage("k-cores")
    curves = held.kept(robustness.robustness_curves(
        network, per_node.select("year", "vid", "pagerank", "component"), settings.components_algorithm,
        settings.checkpoint_interval, settings.broadcast_threshold, settings.seed,
        draws=settings.robustness_random_draws, ks=settings.robustness_k, percent=settings.robustness_percent / 100,
        one_task_max_edges=settings.louvain_one_task_max_edges, sizes=sizes))
    areas = {(r["year"], r["strategy"]): r["area"] for r in robustness.robustness_area(curves).collect()}
    on_stage("robustness")
    lineage_nodes, communities = community_lineage(
        per_node.select("year", "id", "community"), previous.select("year", "id", "community", "community_lineage"),
        settings.lineage_jaccard, years)
    lineage_nodes = held.keep(lineage_nodes)
    events = lineage_event_counts(communities)
    on_stage("community lineage")
    kernel = held.keep(attachment.attachment_kernel(known.select("year", "id", "degree"), gaining, years))
    kernels = kernel.toPandas()
    on_stage("attachment")
    nodes = (per_node.select("year", "vid", "id").join(changes, ["year", "id"], "left")
             .join(core_numbers, ["year", "vid"], "left").join(lineage_nodes, ["year", "id"], "left")
             .select("year", "vid", "pagerank_rank", "degree_rank", "pagerank_rank_change", "degree_rank_change",
                     "core", "community_lineage"))
    per_year = {}
    for year in years:
        had_previous = year in correlations
        row = {"previous_year": None, "nodes_in_both": None, "pagerank_spearman": None, "pagerank_kendall": None,
               "top20_entries": None, "top20_exits": None, **{c: None for c in EVENT_COLUMNS.values()}}
        if had_previous:
            row.update(correlations[year], **turnover.get(year, {"top20_entries": 0, "top20_exits": 0}))
            row.update({EVENT_COLUMNS[e]: n for e, n in events.get(year, {}).items()})
        summary = innermost.get(year, {})
        row.update(max_core=summary.get("max_core"), innermost_core_nodes=summary.get("innermost_core_nodes"),
                   robustness_pagerank=areas.get((year, "pagerank")), robustness_random=areas.get((year, "random")))
        row.update(attachment.attachment_exponent(kernels[kernels["year"] == year], settings.attachment_min_nodes)
                   if had_previous else {"attachment_exponent": None, "attachment_exponent_low": None,
                                         "attachment_exponent_high": None, "attachment_bins": None})
        per_year[year] = row
    return YearOverYear(nodes=nodes, movers=moved, communities=communities, robustness=curves, attachment=kernel,
                        per_year=per_year, cached=held.frames)


def _with_nulls(frame: pd.DataFrame) -> pd.DataFrame:
    """frame with Python values and None for missing ones, as createDataFrame takes them with or
    without Arrow."""
    return frame.astype(object).where(frame.notna(), None)


class _Held:
    """The frames a pass caches, for the caller to unpersist once they are written."""

    def __init__(self):
        self.frames: list[DataFrame] = []

    def keep(self, frame: DataFrame) -> DataFrame:
        """frame cached and computed now (so its stage's time is its own)."""
        frame = frame.cache()
        frame.count()
        return self.kept(frame)

    def kept(self, frame: DataFrame) -> DataFrame:
        """frame, already computed and held (a local checkpoint), released with the others."""
        self.frames.append(frame)
        return frame
