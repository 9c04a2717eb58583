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
from valuenet.metrics.side_by_side import begun_beside
from valuenet.snapshot.year_network import YearNetwork

log = logging.getLogger("valuenet")

# lineage events -> their year_dynamics columns
EVENT_COLUMNS = {"continue": "communities_continued", "merge": "communities_merged", "split": "communities_split",
                 "birth": "communities_born", "death": "communities_died"}
PREVIOUS_COLUMNS = ["year", "id", "pagerank", "degree", "community", "community_lineage"]
# what the year-over-year measures add to each vertex's node_metrics row
NODE_COLUMNS = ["pagerank_rank", "degree_rank", "pagerank_rank_change", "degree_rank_change", "core",
                "community_lineage"]


@dataclass
class YearOverYear:
    """What the year-over-year measures add to a pass; every frame carries `year`.

    nodes: per_node's rows with NODE_COLUMNS added (node_metrics' rows, without filter and run id);
    movers, communities, robustness, attachment: the rows of those tables; per_year: {year: the
    year_dynamics values}.
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
    def structure():
        return _cores_and_robustness(network, per_node, settings, held, sizes)

    # k-cores and robustness are mostly one task per year each (igraph's peeling, SciPy's copies;
    # scale 100: 23 s and 31 s), the rank, lineage and attachment measures mostly joins over every
    # node: as Spark jobs side by side, each fills the core the other leaves idle. Only when every
    # year's robustness runs in tasks (a year of more relations than the task limit may go to
    # GraphFrames, whose clean-up unpersists every RDD persisted while it runs, the other job's too).
    side_by_side = sizes is not None and all(r <= settings.louvain_one_task_max_edges for _, r in sizes.values())
    with begun_beside(per_node.sparkSession, structure, beside=side_by_side) as structure_found:
        pairs = held.keep(ranks.paired(held.keep(ranks.ranks(known)), years))
        changes = ranks.rank_changes(pairs)
        compared = ranks.compared(pairs)
        moved_rows = ranks.movers(compared)
        moved = per_node.sparkSession.createDataFrame(_with_nulls(moved_rows), ranks.MOVERS_SCHEMA)
        correlations = ranks.rank_correlations(compared)
        turnover = ranks.top_turnover(moved_rows)
        on_stage("ranks")
        lineage_nodes, communities = community_lineage(
            per_node.select("year", "id", "community"), previous.select("year", "id", "community", "community_lineage"),
            settings.lineage_jaccard, years)
        lineage_nodes = held.keep(lineage_nodes)
        events = lineage_event_counts(communities)
        on_stage("community lineage")
        kernel = held.keep(attachment.attachment_kernel(known.select("year", "id", "degree"), gaining, years))
        kernels = kernel.toPandas()
        on_stage("attachment")
        core_numbers, innermost, curves, areas = structure_found()
    on_stage("k-cores and robustness (begun beside ranks)" if side_by_side else "k-cores and robustness")
    nodes = (per_node.join(changes, ["year", "id"], "left")
             .join(core_numbers, ["year", "vid"], "left").join(lineage_nodes, ["year", "id"], "left")
             .select(*per_node.columns, *NODE_COLUMNS))
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


def _cores_and_robustness(network: YearNetwork, per_node: DataFrame, settings, held: "_Held",
                          sizes: dict[int, tuple[int, int]] | None):
    """(core numbers, {year: innermost core summary}, robustness curves, {(year, strategy): area}),
    the frames held."""
    core_numbers = held.keep(cores.core_numbers(network))
    innermost = {r["year"]: r.asDict() for r in cores.core_summary(core_numbers).collect()}
    curves = held.kept(robustness.robustness_curves(
        network, per_node.select("year", "vid", "pagerank", "component"), settings.components_algorithm,
        settings.checkpoint_interval, settings.broadcast_threshold, settings.seed,
        draws=settings.robustness_random_draws, ks=settings.robustness_k, percent=settings.robustness_percent / 100,
        one_task_max_edges=settings.louvain_one_task_max_edges, sizes=sizes))
    areas = {(r["year"], r["strategy"]): r["area"] for r in robustness.robustness_area(curves).collect()}
    return core_numbers, innermost, curves, areas


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
