"""Communities by label propagation, distributed: LDBC Graphalytics CDLP on each year network.

Every vertex starts with its own vid as label. In each (synchronous) round a vertex takes the
label most frequent among its in- and out-neighbours, counted with multiplicity (a reciprocated
pair counts twice, as in CDLP on a directed graph); ties go to the smallest label; a vertex
without neighbours keeps its label. Rounds stop after max_rounds or when no label changed (a
fixed point: further rounds would change nothing). Each round is one join and two aggregations
over the relations, so the work spreads over the cluster whatever the size of a year, where
Louvain (communities.py) needs a whole year in one task.

It is an option for years no task can hold, not the default: on hub-heavy graphs it floods and
keeps less modularity than Louvain (docs/benchmarks.md has both on the sample).
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from valuenet.snapshot.year_network import YearNetwork


def _neighbour_pairs(relations: DataFrame) -> DataFrame:
    """year, vid, neighbour: one row per relation end, so a reciprocated pair gives two rows."""
    return (relations.select("year", F.col("dst").alias("vid"), F.col("src").alias("neighbour"))
            .unionByName(relations.select("year", F.col("src").alias("vid"), F.col("dst").alias("neighbour"))))


def _one_round(pairs: DataFrame, labels: DataFrame) -> DataFrame:
    """year, vid, label: each vertex's most frequent neighbour label (ties: the smallest), or its own."""
    heard = (pairs.join(labels.select("year", F.col("vid").alias("neighbour"), "label"), ["year", "neighbour"])
             .groupBy("year", "vid", "label").agg(F.count("*").alias("times")))
    # the most frequent label first, the smallest among equals
    best = heard.groupBy("year", "vid").agg(F.min(F.struct((-F.col("times")).alias("rank"), "label")).alias("best"))
    return (labels.join(best, ["year", "vid"], "left")
            .select("year", "vid", F.coalesce(F.col("best.label"), F.col("label")).alias("label")))


def cdlp_labels(network: YearNetwork, max_rounds: int) -> DataFrame:
    """year, vid, label for every vertex of every year after at most max_rounds CDLP rounds."""
    pairs = _neighbour_pairs(network.relations.select("year", "src", "dst")).cache()
    labels = network.vertices.select("year", "vid", F.col("vid").alias("label")).localCheckpoint()
    for _ in range(max_rounds):
        # checkpointed each round: the plan stays one round deep, and `changed` reads it once. Local
        # checkpoints: a lost executor fails the pass (its years are marked failed and re-run), where
        # reliable ones would write every round to shared storage
        following = _one_round(pairs, labels).localCheckpoint()
        changed = (following.join(labels.withColumnRenamed("label", "before"), ["year", "vid"])
                   .where(F.col("label") != F.col("before")).limit(1).count())
        labels = following
        if not changed:
            break
    pairs.unpersist()
    return labels


def label_propagation(network: YearNetwork, max_rounds: int) -> DataFrame:
    """year, vid, community for every vertex of every year: the vertices that hold the same CDLP
    label after at most max_rounds rounds form a community, named by its smallest vid (as
    Louvain's are: a label need not be a member's vid)."""
    smallest = F.min("vid").over(Window.partitionBy("year", "label"))
    return cdlp_labels(network, max_rounds).select("year", "vid", smallest.alias("community"))
