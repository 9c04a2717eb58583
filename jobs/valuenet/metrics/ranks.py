"""Rank dynamics: where each node stands by PageRank and by degree, and how that changed since the
year before.

A year's previous year is the calendar year before it (year over year). Ranks are competition
ranks within a year, 1 = highest, ties sharing the best rank (SQL RANK); a change is the previous
rank minus the current one, so a node that rose has a positive change. Nodes without a previous
year (new in the network, or no previous year analysed) have no change.

The measures are computed from one full join of each year's ranks with its previous year's
(paired), and the year-level ones (movers, correlations) from the few rows of it they need,
brought to the driver once (compared): a handful of Spark jobs for every year of a pass.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

TOP = 20  # the report's top-20 tables (Tables 3 and 4)


# PageRank is ranked at this many decimals of N x pagerank (a mean node has 1; GraphFrames' tol is
# 1e-5 in those units): nodes equal in exact arithmetic, such as the leaves of one hub, differ by
# rounding noise of about 1e-16 and must tie, while real differences stay far above it.
RANK_DECIMALS = 7
# the movers table's columns of a pass (the table adds filter and run_id)
MOVERS_SCHEMA = "year int, id string, movement string, pagerank_rank int, previous_pagerank_rank int, change int"
_MOVERS_COLUMNS = [column.split()[0] for column in MOVERS_SCHEMA.split(", ")]
_SIDE = ["pagerank", "pagerank_rank", "degree_rank", "place"]


def ranks(per_node: DataFrame) -> DataFrame:
    """year, id, pagerank, pagerank_rank, degree_rank, place for each row of per_node (year, id,
    pagerank, degree). place: the node's row in the year's top tables (PageRank descending, then id)."""
    by_year = Window.partitionBy("year")
    # the node counts joined, not counted over a window: that would buffer each year in one task again
    counts = per_node.groupBy("year").agg(F.count("*").alias("nodes"))
    comparable = F.round(F.col("pagerank") * F.col("nodes"), RANK_DECIMALS)
    return (per_node.join(F.broadcast(counts), "year")
            .select("year", "id", "pagerank", "degree", comparable.alias("comparable"))
            .select("year", "id", "pagerank",
                    F.rank().over(by_year.orderBy(F.desc("comparable"))).alias("pagerank_rank"),
                    F.rank().over(by_year.orderBy(F.desc("degree"))).alias("degree_rank"),
                    F.row_number().over(by_year.orderBy(F.desc("pagerank"), "id")).alias("place")))


def paired(ranked: DataFrame, years: list[int]) -> DataFrame:
    """year, id, pagerank, pagerank_rank, degree_rank, place and the same of the previous year
    (previous_pagerank, ...): for each of `years`, every node of the year or of its previous year
    (a full join of ranks(); the side where the node is absent is null). ranked holds the years and
    any previous years there are."""
    now = ranked.where(F.col("year").isin(years)).select("year", "id", *_SIDE)
    before = (ranked.select((F.col("year") + 1).alias("year"), "id",
                            *[F.col(c).alias(f"previous_{c}") for c in _SIDE])
              .where(F.col("year").isin(years)))
    return now.join(before, ["year", "id"], "full")


def rank_changes(pairs: DataFrame) -> DataFrame:
    """year, id, pagerank_rank, degree_rank, pagerank_rank_change, degree_rank_change: one row per
    node of each year of paired()."""
    return (pairs.where(F.col("pagerank_rank").isNotNull())
            .select("year", "id", "pagerank_rank", "degree_rank",
                    (F.col("previous_pagerank_rank") - F.col("pagerank_rank")).alias("pagerank_rank_change"),
                    (F.col("previous_degree_rank") - F.col("degree_rank")).alias("degree_rank_change")))


def compared(pairs: DataFrame, top: int = TOP) -> pd.DataFrame:
    """The rows of paired() that movers and rank_correlations read, as pandas: the nodes of both
    years, and each year's top `top` places on either side (which also marks a year that had a
    previous year: its previous year's first place is there)."""
    wanted = ((F.col("pagerank").isNotNull() & F.col("previous_pagerank").isNotNull())
              | (F.col("place") <= top) | (F.col("previous_place") <= top))
    return pairs.where(wanted).select("year", "id", "pagerank", "previous_pagerank", "pagerank_rank",
                                      "previous_pagerank_rank", "place", "previous_place").toPandas()


def years_with_previous(rows: pd.DataFrame) -> list[int]:
    """The years of compared() rows that had a previous year."""
    return sorted(int(y) for y in rows.loc[rows["previous_place"].notna(), "year"].unique())


def movers(rows: pd.DataFrame, top: int = TOP) -> pd.DataFrame:
    """MOVERS_SCHEMA's columns: each year's top-`top` entries and exits by PageRank (membership as the
    top-20 tables: PageRank descending, then id) and its `top` biggest risers and fallers among the
    nodes of both years (ties by id), from compared() rows.

    movement: entry (in this year's top, not in the previous year's), exit (the reverse; its rank is
    null when the node left the network), riser, faller. Only years with a previous year get rows.
    """
    rows = rows[rows["year"].isin(years_with_previous(rows))]
    rows = rows.assign(change=rows["previous_pagerank_rank"] - rows["pagerank_rank"])
    in_top, was_in_top = (_at_most(rows[side], top) for side in ("place", "previous_place"))
    moved = rows[rows["change"].notna()]
    risers = moved[moved["change"] > 0].sort_values(["year", "change", "id"], ascending=[True, False, True])
    fallers = moved[moved["change"] < 0].sort_values(["year", "change", "id"])
    found = pd.concat([rows[in_top & ~was_in_top].assign(movement="entry"),
                       rows[was_in_top & ~in_top].assign(movement="exit"),
                       risers.groupby("year").head(top).assign(movement="riser"),
                       fallers.groupby("year").head(top).assign(movement="faller")], ignore_index=True)
    found = found[_MOVERS_COLUMNS]
    return found.astype({"year": "int32", "pagerank_rank": "Int32", "previous_pagerank_rank": "Int32",
                         "change": "Int32"})


def _at_most(values: pd.Series, bound: int) -> pd.Series:
    """values <= bound, False where a value is missing."""
    return (values <= bound).fillna(False).astype(bool)


def rank_correlations(rows: pd.DataFrame) -> dict[int, dict]:
    """{year: {previous_year, nodes_in_both, pagerank_spearman, pagerank_kendall}} for each year of
    compared() rows with a previous year: Spearman's rho and Kendall's tau-b (SciPy, ties handled)
    of PageRank between the two years over the nodes present in both. A correlation is None when
    fewer than two nodes are in both or one side is constant.

    SciPy's Kendall is exact in O(n log n), which no Spark aggregate offers: that is why the nodes
    of both years come to the driver (compared).
    """
    from scipy import stats

    both = rows[rows["pagerank"].notna() & rows["previous_pagerank"].notna()]
    result = {}
    for year in years_with_previous(rows):
        of_year = both[both["year"] == year]
        x, y = of_year["previous_pagerank"].to_numpy(float), of_year["pagerank"].to_numpy(float)
        constant = len(of_year) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0
        result[year] = {"previous_year": year - 1, "nodes_in_both": len(of_year),
                        "pagerank_spearman": None if constant else float(stats.spearmanr(x, y).statistic),
                        "pagerank_kendall": None if constant else float(stats.kendalltau(x, y).statistic)}
    return result


def top_turnover(movements: pd.DataFrame) -> dict[int, dict]:
    """{year: {top20_entries, top20_exits}} counted from movers() (years without either: absent)."""
    counts = movements[movements["movement"].isin(["entry", "exit"])].groupby(["year", "movement"]).size()
    return {int(year): {"top20_entries": int(counts.get((year, "entry"), 0)),
                        "top20_exits": int(counts.get((year, "exit"), 0))}
            for year in counts.index.get_level_values("year").unique()}
