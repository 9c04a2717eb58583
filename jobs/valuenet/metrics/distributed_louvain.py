"""Louvain's levels, distributed: local moves and coarsening as DataFrame rounds, for year networks
too big for one task.

A level works on a weighted undirected graph (level 0: the year's undirected simple view, every
edge weight 1). Every vertex starts in a community of its own. In a round every vertex weighs each
neighbouring community C by the modularity it would gain there, k_v,C - k_v tot_C / 2m (k_v,C: its
edge weight into C; tot_C: the degree sum of C; 2m: the year's degree sum), against staying,
k_v,own - k_v (tot_own - k_v) / 2m, and all vertices move at once to their best (ties: the
smallest community id). Moving at once is what spreads a round over the cluster, and what can make
it worse than Louvain's one-by-one moves, so:
- a vertex does not move if a neighbour with a higher random priority is leaving the community
  it wants to join, or joining the one it leaves (moves that undo each other's gain: two
  singletons swapping instead of merging); neighbours joining the same community move together;
- a round can still lower Q, so a year keeps a round only if it raises the year's Q; after a
  round that lowered it, the year's rounds are strict (no two neighbours move at once);
- a level ends when a round gains less than min_gain (or nothing, or after max_rounds).
After a level every community becomes one vertex (the weight inside it a self-loop, so Q is
unchanged) and the next level runs on that smaller graph. A year stops when its graph has at most
stop_edges edges, or when a level gained less than min_gain (Louvain's own stopping rule).
On the sample at scale 1 this reaches igraph's community_multilevel Q within 0.003 in every year
(docs/benchmarks.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from valuenet.scratch import Scratch

# a move must gain more than this (in edge-weight units), a round more than this Q, to count:
# float noise is no gain
_MOVE_EPSILON = 1e-9
_Q_EPSILON = 1e-12

log = logging.getLogger("valuenet")


@dataclass(frozen=True)
class Coarsened:
    """The result of the distributed levels.

    membership: year, vid, label: each vertex of the input with its vertex in the coarse graph.
    coarse: year, a, b, w: the coarse graph's weighted edges (a < b), and its self-loops (a == b,
    w = the edge weight inside that coarse vertex): Q of any partition of the coarse graph equals
    Q of the partition it induces on the input.
    levels: {year: levels that moved something}.
    """
    membership: DataFrame
    coarse: DataFrame
    levels: dict[int, int]


def coarsen(pairs: DataFrame, stop_edges: int, max_rounds: int = 30, min_gain: float = 1e-4,
            on_level: Callable[[int, dict[int, int]], None] = lambda level, edges: None) -> Coarsened:
    """Runs distributed Louvain levels on every year of pairs (year, a, b: the undirected simple
    view, a < b, unweighted), each year until its coarse graph has at most stop_edges edges or a
    level gains less than min_gain Q. stop_edges = 0 runs Louvain to its end.

    on_level(level, {year: coarse edges}) is called after each level (progress).
    """
    rounds = Scratch(pairs.sparkSession, "louvain")
    try:
        membership, coarse, levels = _levels(pairs, stop_edges, max_rounds, min_gain, on_level, rounds)
        # held by the executors (a local checkpoint), as the rounds' files are deleted
        return Coarsened(membership=membership.localCheckpoint(), coarse=coarse.localCheckpoint(), levels=levels)
    finally:
        rounds.delete()


def _levels(pairs: DataFrame, stop_edges: int, max_rounds: int, min_gain: float,
            on_level: Callable[[int, dict[int, int]], None], rounds: Scratch) -> tuple[DataFrame, DataFrame, dict]:
    """(membership, coarse, levels) of Coarsened, on frames read from the rounds' files."""
    spark = pairs.sparkSession
    arcs = rounds.keep(_both_directions(pairs.select("year", "a", "b", F.lit(1.0).alias("w"))))
    nodes = rounds.keep(arcs.groupBy("year", "v").agg(F.sum("w").alias("k"))
                        .select("year", "v", "k", F.lit(0.0).alias("inner")))
    two_m_rows = nodes.groupBy("year").agg(F.sum("k").alias("two_m")).collect()
    two_m = F.broadcast(spark.createDataFrame([(r["year"], float(r["two_m"])) for r in two_m_rows],
                                              "year int, two_m double"))
    membership = nodes.select("year", F.col("v").alias("vid"), F.col("v").alias("label"))
    running = {r["year"] for r in two_m_rows}
    levels = {year: 0 for year in running}
    level = 0
    while running:
        level += 1
        active = sorted(running)
        state, gains = _local_moves(arcs.where(F.col("year").isin(active)), nodes.where(F.col("year").isin(active)),
                                    two_m, max_rounds, min_gain, rounds)
        for year in gains:
            levels[year] += 1
        if not gains:
            break
        moved_years = sorted(gains)
        in_moved = F.col("year").isin(moved_years)
        # years that moved nothing keep their graph; the others are replaced by their coarse graph
        new_arcs, new_nodes = _coarse_graph(arcs.where(in_moved), nodes.where(in_moved), state.where(in_moved))
        arcs = rounds.keep(arcs.where(~in_moved).unionByName(new_arcs))
        nodes = rounds.keep(nodes.where(~in_moved).unionByName(new_nodes))
        relabel = state.where(in_moved).select("year", F.col("v").alias("label"), F.col("c").alias("next"))
        membership = rounds.keep(membership.join(relabel, ["year", "label"], "left")
                                 .select("year", "vid", F.coalesce("next", "label").alias("label")))
        edges = {r["year"]: r["edges"] for r in arcs.where(in_moved).groupBy("year")
                 .agg((F.count("*") / 2).cast("long").alias("edges")).collect()}
        on_level(level, {year: edges.get(year, 0) for year in moved_years})
        # Louvain stops when a level gains (almost) nothing
        running = {year for year, gain in gains.items() if gain >= min_gain and edges.get(year, 0) > stop_edges}
    coarse = (arcs.where(F.col("v") < F.col("u")).select("year", F.col("v").alias("a"), F.col("u").alias("b"), "w")
              .unionByName(nodes.where(F.col("inner") > 0)
                           .select("year", F.col("v").alias("a"), F.col("v").alias("b"), F.col("inner").alias("w"))))
    return membership, coarse, levels


def _both_directions(edges: DataFrame) -> DataFrame:
    """year, v, u, w: each undirected edge (year, a, b, w) seen from both ends."""
    return (edges.select("year", F.col("a").alias("v"), F.col("b").alias("u"), "w")
            .unionByName(edges.select("year", F.col("b").alias("v"), F.col("a").alias("u"), "w")))


def _local_moves(arcs: DataFrame, nodes: DataFrame, two_m: DataFrame, max_rounds: int,
                 min_gain: float, rounds: Scratch) -> tuple[DataFrame, dict[int, float]]:
    """(year, v, c: every vertex's community after one level's rounds; {year: the level's Q gain}
    for the years whose Q rose).

    A year's round is kept if it raised Q. A year whose round lowered Q runs its next rounds
    strict (no two neighbours move at once) and stops when a strict round does not raise Q
    either; a year also stops when a round left Q as it was, or raised it by less than min_gain.
    """
    state = nodes.select("year", "v", F.col("v").alias("c"))  # nodes is read from files: a short plan
    q_now = _q_per_year(arcs, nodes, state, two_m)
    q_start = dict(q_now)
    running, strict, moved = set(q_now), set(), set()
    for _ in range(max_rounds):
        live = F.col("year").isin(sorted(running))
        proposed = rounds.keep(_one_round(arcs.where(live), nodes, state, two_m, rounds.written, strict))
        q_new = _q_per_year(arcs.where(live), nodes.where(live), proposed.where(live), two_m)
        better = {year for year in running if q_new.get(year, float("-inf")) > q_now[year] + _Q_EPSILON}
        log.debug("round %d: Q gains %s", rounds.written,
                  {year: round(q_new.get(year, 0.0) - q_now[year], 6) for year in sorted(running)})
        if better == running:
            state = proposed
        elif better:
            in_better = F.col("year").isin(sorted(better))
            state = rounds.keep(proposed.where(in_better).unionByName(state.where(~in_better)))
        moved |= better
        # a round that left Q as it was moved nothing: the level has converged
        worse = {year for year in running - better if q_new.get(year, float("-inf")) < q_now[year] - _Q_EPSILON}
        running = {year for year in better if q_new[year] - q_now[year] >= min_gain} | (worse - strict)
        strict |= worse
        q_now.update({year: q_new[year] for year in better})
        if not running:
            break
    return state, {year: q_now[year] - q_start[year] for year in moved}


def _one_round(arcs: DataFrame, nodes: DataFrame, state: DataFrame, two_m: DataFrame, draw: int,
               strict: set[int]) -> DataFrame:
    """year, v, c: every vertex of state after one round (vertices of years without arcs in `arcs`
    keep their community).

    Each vertex that gains by moving draws a priority (a hash of draw and its id). It moves unless
    a neighbour with a higher priority is leaving the community it wants to join, or joining the
    one it leaves: the moves that would undo each other's gain. Neighbours joining the same
    community together, as a star's leaves join their hub, move at once. In the `strict` years no
    two neighbours move at once.
    """
    sized = state.join(nodes.select("year", "v", "k"), ["year", "v"])
    totals = sized.groupBy("year", "c").agg(F.sum("k").alias("tot"))
    heard = (arcs.join(state.select("year", F.col("v").alias("u"), F.col("c").alias("cu")), ["year", "u"])
             .groupBy("year", "v", "cu").agg(F.sum("w").alias("k_in")))
    me = sized.join(totals, ["year", "c"]).join(two_m, "year")
    options = (heard.join(me, ["year", "v"])
               .join(totals.select("year", F.col("c").alias("cu"), F.col("tot").alias("tot_cu")), ["year", "cu"]))
    own = F.col("cu") == F.col("c")
    gain = F.col("k_in") - F.col("k") * F.col("tot_cu") / F.col("two_m")
    choices = options.groupBy("year", "v", "c", "k", "tot", "two_m").agg(
        F.sum(F.when(own, F.col("k_in")).otherwise(0.0)).alias("k_own"),
        # the biggest gain first, the smallest community among equals
        F.max(F.when(~own, F.struct(gain.alias("gain"), (-F.col("cu")).alias("smaller")))).alias("best"))
    stay = F.col("k_own") - F.col("k") * (F.col("tot") - F.col("k")) / F.col("two_m")
    priority = F.struct(F.xxhash64(F.lit(draw), "v").alias("draw"), F.col("v").alias("v"))
    wants = choices.where(F.col("best.gain") > stay + _MOVE_EPSILON).select(
        "year", "v", "c", (-F.col("best.smaller")).alias("moved_to"), priority.alias("priority"))
    theirs = wants.select("year", F.col("v").alias("u"), F.col("c").alias("their_c"),
                          F.col("moved_to").alias("their_move"), F.col("priority").alias("rival"))
    conflicting = (F.col("year").isin(sorted(strict)) | (F.col("their_c") == F.col("moved_to"))
                   | (F.col("their_move") == F.col("c")))
    rival = (arcs.select("year", "v", "u").join(wants.select("year", "v", "c", "moved_to"), ["year", "v"])
             .join(theirs, ["year", "u"]).where(conflicting)
             .groupBy("year", "v").agg(F.max("rival").alias("rival")))
    moves = (wants.join(rival, ["year", "v"], "left")
             .where(F.col("rival").isNull() | (F.col("priority") > F.col("rival"))).select("year", "v", "moved_to"))
    return (state.join(moves, ["year", "v"], "left")
            .select("year", "v", F.coalesce("moved_to", "c").alias("c")))


def _with_communities(arcs: DataFrame, state: DataFrame) -> DataFrame:
    """year, v, u, w, cv, cu: each arc with the communities of its two ends."""
    cv = state.select("year", "v", F.col("c").alias("cv"))
    cu = state.select("year", F.col("v").alias("u"), F.col("c").alias("cu"))
    return arcs.join(cv, ["year", "v"]).join(cu, ["year", "u"])


def _q_per_year(arcs: DataFrame, nodes: DataFrame, state: DataFrame, two_m: DataFrame) -> dict[int, float]:
    """{year: Q of state's partition}, for the weighted graph (arcs, nodes' self-loops)."""
    inside_arcs = (_with_communities(arcs, state).where(F.col("cv") == F.col("cu"))
                   .groupBy("year").agg((F.sum("w") / 2).alias("between")))
    per_node = state.join(nodes, ["year", "v"])
    tot_squares = (per_node.groupBy("year", "c").agg(F.sum("k").alias("tot"), F.sum("inner").alias("inner"))
                   .groupBy("year").agg(F.sum(F.col("tot") ** 2).alias("squares"), F.sum("inner").alias("inner")))
    q = (tot_squares.join(inside_arcs, "year", "left").join(two_m, "year")
         .select("year", ((F.coalesce("between", F.lit(0.0)) + F.col("inner")) / (F.col("two_m") / 2)
                          - F.col("squares") / F.col("two_m") ** 2).alias("q")))
    return {r["year"]: r["q"] for r in q.collect()}


def _coarse_graph(arcs: DataFrame, nodes: DataFrame, state: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(arcs, nodes) of the graph whose vertices are state's communities: edge weights between two
    communities summed, the weight inside a community its self-loop (`inner`)."""
    mapped = _with_communities(arcs, state)
    new_arcs = (mapped.where(F.col("cv") != F.col("cu"))
                .groupBy("year", F.col("cv").alias("v"), F.col("cu").alias("u")).agg(F.sum("w").alias("w")))
    # each inside edge was seen from both ends
    inside = (mapped.where(F.col("cv") == F.col("cu")).groupBy("year", F.col("cv").alias("v"))
              .agg((F.sum("w") / 2).alias("inside")))
    new_nodes = (nodes.join(state, ["year", "v"]).groupBy("year", F.col("c").alias("v"))
                 .agg(F.sum("k").alias("k"), F.sum("inner").alias("inner"))
                 .join(inside, ["year", "v"], "left")
                 .select("year", "v", "k", (F.col("inner") + F.coalesce("inside", F.lit(0.0))).alias("inner")))
    return new_arcs, new_nodes
