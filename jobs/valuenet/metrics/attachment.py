"""Preferential attachment: does a node's degree in one year make a new relation the next year more likely?

For each year Y whose previous year Y - 1 is known: the nodes of the year network of Y - 1, binned
by their degree there (bins double: 1, 2-3, 4-7, ...; degree 0 is left out, its logarithm is not
defined), and per bin the share that gains a new relation in Y: a relation of the registry that
starts in Y (start_year = Y, not a self-loop) with the node at either end. That share is the
attachment kernel; linear preferential attachment (Barabasi-Albert) makes it grow like degree^1
while it is small, no preference makes it flat. The exponent is the slope of log(share) on
log(mean degree of the bin), by least squares over the bins with at least `min_nodes` nodes and a
share above 0, with a 95 % confidence interval from Student's t on n - 2 degrees of freedom.
"""

from __future__ import annotations

import math

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

MIN_NODES = 5   # a bin of fewer nodes gives a share too noisy to fit
CONFIDENCE = 0.95


def new_relation_nodes(edges: DataFrame, years) -> DataFrame:
    """year, id: the distinct nodes with a relation starting in that year (edges rows: src, dst, start_year)."""
    starting = edges.where(F.col("start_year").isin([int(y) for y in years]) & (F.col("src") != F.col("dst")))
    return (starting.select(F.col("start_year").alias("year"), F.col("src").alias("id"))
            .union(starting.select(F.col("start_year").alias("year"), F.col("dst").alias("id"))).distinct())


def attachment_kernel(previous_degrees: DataFrame, gaining: DataFrame, years) -> DataFrame:
    """year, degree_low, degree_high, nodes, gained, share, mean_degree: the kernel of each of
    `years` whose previous year is in previous_degrees.

    previous_degrees: year, id, degree (node_metrics rows of the previous years; other years are
    ignored); gaining: new_relation_nodes().
    """
    bin_low = F.pow(F.lit(2), F.floor(F.log2(F.col("degree")))).cast("long")
    before = (previous_degrees.where(F.col("degree") > 0)
              .select((F.col("year") + 1).alias("year"), "id", "degree", bin_low.alias("degree_low"))
              .where(F.col("year").isin([int(y) for y in years])))
    marked = before.join(gaining.select("year", "id", F.lit(1).alias("gained")), ["year", "id"], "left")
    return (marked.groupBy("year", "degree_low")
            .agg(F.count("*").alias("nodes"), F.count("gained").alias("gained"),
                 F.avg("degree").alias("mean_degree"))
            .select("year", "degree_low", (F.col("degree_low") * 2 - 1).alias("degree_high"), "nodes", "gained",
                    (F.col("gained") / F.col("nodes")).alias("share"), "mean_degree"))


def attachment_exponent(kernel: pd.DataFrame, min_nodes: int = MIN_NODES) -> dict:
    """{attachment_exponent, attachment_exponent_low, attachment_exponent_high, attachment_bins} of
    one year's kernel (pandas, as attachment_kernel gives it): the fitted slope and its confidence
    interval; None where fewer than 2 (slope) or 3 (interval) bins qualify."""
    from scipy import stats

    usable = kernel[(kernel["nodes"] >= min_nodes) & (kernel["share"] > 0)]
    result = {"attachment_exponent": None, "attachment_exponent_low": None, "attachment_exponent_high": None,
              "attachment_bins": int(len(usable))}
    if len(usable) < 2:
        return result
    x, y = usable["mean_degree"].map(math.log).to_numpy(), usable["share"].map(math.log).to_numpy()
    if x.max() == x.min():
        return result
    fit = stats.linregress(x, y)
    result["attachment_exponent"] = float(fit.slope)
    if len(usable) >= 3:
        half = stats.t.ppf(0.5 + CONFIDENCE / 2, len(usable) - 2) * fit.stderr
        result["attachment_exponent_low"] = float(fit.slope - half)
        result["attachment_exponent_high"] = float(fit.slope + half)
    return result
