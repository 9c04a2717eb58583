"""Rank dynamics: where each node stands by PageRank and by degree, and how that changed since the
year before.

A year's previous year is the calendar year before it (year over year). Ranks are competition
ranks within a year, 1 = highest, ties sharing the best rank (SQL RANK); a change is the previous
rank minus the current one, so a node that rose has a positive change. Nodes without a previous
year (new in the network, or no previous year analysed) have no change.
"""

from __future__ import annotations

import numpy as np
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

TOP = 20  # the report's top-20 tables (Tables 3 and 4)


# PageRank is ranked at this many decimals of N x pagerank (a mean node has 1; GraphFrames' tol is
# 1e-5 in those units): nodes equal in exact arithmetic, such as the leaves of one hub, differ by
# rounding noise of about 1e-16 and must tie, while real differences stay far above it.
RANK_DECIMALS = 7


def ranks(per_node: DataFrame) -> DataFrame:
    """year, id, pagerank, pagerank_rank, degree_rank for each row of per_node (year, id, pagerank, degree)."""
    by_year = Window.partitionBy("year")
    comparable = F.round(F.col("pagerank") * F.count("*").over(by_year), RANK_DECIMALS)
    return (per_node.select("year", "id", "pagerank", "degree", comparable.alias("comparable"))
            .select("year", "id", "pagerank",
                    F.rank().over(by_year.orderBy(F.desc("comparable"))).alias("pagerank_rank"),
                    F.rank().over(by_year.orderBy(F.desc("degree"))).alias("degree_rank")))


def _as_previous(previous_ranks: DataFrame) -> DataFrame:
    """ranks of year Y - 1 keyed by year Y."""
    return previous_ranks.select((F.col("year") + 1).alias("year"), "id",
                                 F.col("pagerank").alias("previous_pagerank"),
                                 F.col("pagerank_rank").alias("previous_pagerank_rank"),
                                 F.col("degree_rank").alias("previous_degree_rank"))


def rank_changes(current: DataFrame, previous: DataFrame) -> DataFrame:
    """year, id, pagerank_rank, degree_rank, pagerank_rank_change, degree_rank_change: one row per
    row of `current`.

    current: ranks() of the years measured; previous: ranks() of every year whose next year is in
    current (it may hold more years, and overlap current).
    """
    return (current.join(_as_previous(previous), ["year", "id"], "left")
            .select("year", "id", "pagerank_rank", "degree_rank",
                    (F.col("previous_pagerank_rank") - F.col("pagerank_rank")).alias("pagerank_rank_change"),
                    (F.col("previous_degree_rank") - F.col("degree_rank")).alias("degree_rank_change")))


def movers(current: DataFrame, previous: DataFrame, top: int = TOP) -> DataFrame:
    """year, id, movement, pagerank_rank, previous_pagerank_rank, change: each year's top-`top`
    entries and exits by PageRank (membership as the top-20 tables: PageRank descending, then id)
    and its `top` biggest risers and fallers among the nodes of both years (ties by id).

    movement: entry (in this year's top, not in the previous year's), exit (the reverse; its rank is
    null when the node left the network), riser, faller. Only years with a previous year get rows.
    """
    by_rank = Window.partitionBy("year").orderBy(F.desc("pagerank"), "id")
    now = current.select("year", "id", "pagerank_rank", F.row_number().over(by_rank).alias("place"))
    before = (previous.select((F.col("year") + 1).alias("year"), "id", "pagerank",
                              F.col("pagerank_rank").alias("previous_pagerank_rank"))
              .withColumn("previous_place", F.row_number().over(by_rank)).drop("pagerank"))
    had_previous = current.select("year").distinct().join(before.select("year").distinct(), "year")
    both = now.join(before, ["year", "id"], "full").join(had_previous, "year")
    change = F.col("previous_pagerank_rank") - F.col("pagerank_rank")
    entries = both.where((F.col("place") <= top) & ~F.coalesce(F.col("previous_place") <= top, F.lit(False)))
    exits = both.where((F.col("previous_place") <= top) & ~F.coalesce(F.col("place") <= top, F.lit(False)))
    moved = both.where(change.isNotNull()).withColumn("change", change)
    risers = moved.where("change > 0").withColumn(
        "n", F.row_number().over(Window.partitionBy("year").orderBy(F.desc("change"), "id"))).where(F.col("n") <= top)
    fallers = moved.where("change < 0").withColumn(
        "n", F.row_number().over(Window.partitionBy("year").orderBy("change", "id"))).where(F.col("n") <= top)
    columns = ["year", "id", "pagerank_rank", "previous_pagerank_rank", change.alias("change")]
    return (entries.select(F.lit("entry").alias("movement"), *columns)
            .unionByName(exits.select(F.lit("exit").alias("movement"), *columns))
            .unionByName(risers.select(F.lit("riser").alias("movement"), *columns))
            .unionByName(fallers.select(F.lit("faller").alias("movement"), *columns))
            .select("year", "id", "movement", "pagerank_rank", "previous_pagerank_rank", "change"))


def rank_correlations(current: DataFrame, previous: DataFrame) -> dict[int, dict]:
    """{year: {previous_year, nodes_in_both, pagerank_spearman, pagerank_kendall}} for each year of
    `current` (ranks()) with a previous year in `previous`: Spearman's rho and Kendall's tau-b
    (SciPy, ties handled) of PageRank between the two years over the nodes present in both. A
    correlation is None when fewer than two nodes are in both or one side is constant.

    The pairs are brought to the driver (two doubles a node, as Arrow): SciPy's Kendall is exact in
    O(n log n), which no Spark aggregate offers.
    """
    from scipy import stats

    pairs = (current.select("year", "id", "pagerank")
             .join(_as_previous(previous).select("year", "id", "previous_pagerank"), ["year", "id"])
             .select("year", "previous_pagerank", "pagerank").toPandas())
    had_previous = {r["year"] for r in current.select("year").distinct()
                    .join(_as_previous(previous).select("year").distinct(), "year").collect()}
    result = {}
    for year in sorted(had_previous):
        both = pairs[pairs["year"] == year]
        x, y = both["previous_pagerank"].to_numpy(), both["pagerank"].to_numpy()
        constant = len(both) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0
        result[year] = {"previous_year": year - 1, "nodes_in_both": len(both),
                        "pagerank_spearman": None if constant else float(stats.spearmanr(x, y).statistic),
                        "pagerank_kendall": None if constant else float(stats.kendalltau(x, y).statistic)}
    return result


def top_turnover(movements: DataFrame) -> dict[int, dict]:
    """{year: {top20_entries, top20_exits}} counted from movers()."""
    rows = (movements.where(F.col("movement").isin("entry", "exit")).groupBy("year")
            .pivot("movement", ["entry", "exit"]).count().collect())
    return {r["year"]: {"top20_entries": r["entry"] or 0, "top20_exits": r["exit"] or 0} for r in rows}
