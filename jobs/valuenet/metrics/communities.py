"""Communities (Louvain) and their modularity, on the undirected simple view of each year network.

Louvain runs as a kernel per year and attempt (applyInArrow over the year's undirected edge list
grouped by year and attempt, so the years and attempts of a run are spread over the shuffle
partitions), with igraph's C implementation (`community_multilevel`, resolution 1) and seeded
vertex orders (the best Q of a few), so that the partition is reproducible. A year graph of more
than one_task_max_edges edges is first coarsened by Louvain's levels run distributed
(distributed_louvain.py) until it has at most that many, and the kernel finishes the coarse,
weighted graph: no task ever holds more than one_task_max_edges edges. Modularity is then
recomputed from the `community` column with DataFrame operations, so Q always describes the
partition that is stored.
Label propagation (label_propagation.py, the `analyze.communities.method` alternative) is
distributed but floods on hub-heavy graphs and keeps less modularity (STACK.md).
"""

from __future__ import annotations

import logging

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

from valuenet.snapshot.undirected_view import undirected_edges
from valuenet.metrics.distributed_louvain import coarsen
from valuenet.metrics.kernel_graph import graph_of
from valuenet.snapshot.year_network import YearNetwork

log = logging.getLogger("valuenet")

_TRIED_ARROW = pa.schema([("year", pa.int32()), ("attempt", pa.int32()), ("modularity", pa.float64()),
                         ("vid", pa.int64()), ("community", pa.int64())])
_TRIED = from_arrow_schema(_TRIED_ARROW)


def _louvain_kernel(seed: int):
    """One Louvain attempt on one year's undirected weighted edges (a, b, w; a == b: a self-loop):
    every vertex with its community (labelled by its smallest vertex id) and the attempt's Q."""
    def kernel(table: pa.Table) -> pa.Table:
        import random

        import igraph as ig
        import numpy as np

        year, attempt = table.column("year")[0].as_py(), table.column("attempt")[0].as_py()
        a = table.column("a").to_numpy()
        b = table.column("b").to_numpy()
        w = table.column("w").to_numpy()
        vids, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
        pairs = codes.reshape(2, -1).T
        # the same graph gives the same partition whatever order the shuffle delivered its edges in
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))
        pairs, w = pairs[order], w[order]
        # Louvain depends on the vertex order: each attempt has its own seeded order
        ig.set_random_number_generator(random.Random(seed * 1_000_003 + attempt))
        order_of = np.random.default_rng([seed, attempt]).permutation(len(vids))
        graph = graph_of(len(vids), order_of[pairs], directed=False)
        # the year network itself is unweighted; a coarse graph carries its merged weights
        weighted = bool((w != 1.0).any() or (pairs[:, 0] == pairs[:, 1]).any())
        found = graph.community_multilevel(weights=w.tolist() if weighted else None)
        membership = np.asarray(found.membership)[order_of]
        # label each community by its smallest vid: stable, and independent of igraph's numbering
        order = np.argsort(membership, kind="stable")
        first = np.full(membership.max() + 1, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, membership[order], vids[order])
        n = len(vids)
        return pa.Table.from_arrays([pa.array(np.full(n, year), pa.int32()), pa.array(np.full(n, attempt), pa.int32()),
                                     pa.array(np.full(n, found.modularity), pa.float64()),
                                     pa.array(vids, pa.int64()), pa.array(first[membership], pa.int64())],
                                    schema=_TRIED_ARROW)
    return kernel


def communities(network: YearNetwork, seed: int = 7, tries: int = 5, tries_max_edges: int = 1_000_000,
                one_task_max_edges: int = 10_000_000, max_rounds: int = 30, min_gain: float = 1e-4) -> DataFrame:
    """year, vid, community for every vertex: Louvain on each year's undirected simple view, the
    best Q of `tries` seeded vertex orders (ties: the first order), or of the first order alone for
    a year of more than tries_max_edges undirected edges.

    A year of more than one_task_max_edges undirected edges is first coarsened by distributed
    Louvain levels (at most max_rounds rounds each; a level that gains less than min_gain Q is
    the last) until its coarse graph has at most one_task_max_edges edges; the kernel then runs
    on the coarse graph. A vertex without edges is a community of its own. Community ids are the
    smallest vid in the community. Every (year, attempt) is its own applyInArrow group; the
    groups are spread over the shuffle partitions by hash, so two attempts may share a task.
    """
    pairs = undirected_edges(network.relations).select("year", "a", "b", F.lit(1.0).alias("w"))
    edges_of_year = {r["year"]: r["count"] for r in pairs.groupBy("year").count().collect()}
    big = sorted(y for y, n in edges_of_year.items() if n > one_task_max_edges)
    membership = None
    if big:
        in_big = F.col("year").isin(big)
        coarsened = coarsen(pairs.where(in_big).select("year", "a", "b"), one_task_max_edges, max_rounds, min_gain,
                            on_level=lambda level, edges: log.info(
                                "communities: distributed Louvain level %d, coarse edges per year %s", level, edges))
        pairs = pairs.where(~in_big).unionByName(coarsened.coarse)
        membership = coarsened.membership
        edges_of_year.update({r["year"]: r["count"] for r in coarsened.coarse.groupBy("year").count().collect()})
    # A year's edges are copied once per attempt it runs: a big year's only once. The years are
    # named as literals: a count over a window by year would buffer a whole year in one task
    # (scale 100: 8 M rows spilled to disk, most of the communities' time).
    one_try = sorted(y for y, n in edges_of_year.items() if n > tries_max_edges)
    last = F.when(F.col("year").isin(one_try), 0).otherwise(max(1, tries) - 1).alias("last")
    attempts = F.explode(F.sequence(F.lit(0), F.col("last"))).alias("attempt")
    tried = (pairs.select("*", last).select("year", "a", "b", "w", attempts).groupBy("year", "attempt")
             .applyInArrow(_louvain_kernel(seed), _TRIED))
    # every vertex of a year keeps its community from the same attempt: the best Q, then the first
    best = tried.groupBy("year", "vid").agg(
        F.max_by("community", F.struct("modularity", (-F.col("attempt")).alias("earlier"))).alias("community"))
    found = network.vertices.select("year", "vid").join(best, ["year", "vid"], "left")
    if membership is None:
        return found.select("year", "vid", F.coalesce("community", "vid").alias("community"))
    # a coarsened year's vertices take their coarse vertex's community, named by its smallest vid
    coarse_community = best.select("year", F.col("vid").alias("label"), F.col("community").alias("coarse"))
    lifted = (membership.join(coarse_community, ["year", "label"])
              .select("year", "vid", F.col("coarse").alias("lifted")))
    labelled = (found.join(lifted, ["year", "vid"], "left")
                .select("year", "vid", F.coalesce("lifted", "community", "vid").alias("label")))
    return labelled.select("year", "vid", F.min("vid").over(Window.partitionBy("year", "label")).alias("community"))


def modularity(network: YearNetwork, partition: DataFrame) -> DataFrame:
    """year, modularity (Q, resolution 1, unweighted, undirected simple view), communities (count).

    One row per year of the partition. partition: year, vid, community. Q = sum over communities c
    of L_c / m - (d_c / 2m)^2, with m the undirected edges, L_c those inside c and d_c the degree
    sum of c; computed as L / m - sum_c d_c^2 / 4m^2 (L: edges inside any community, 2m = sum_c d_c)
    in one pass over the labelled edges. Q is null without edges.
    """
    pairs = undirected_edges(network.relations).select("year", "a", "b")
    side_a = partition.select("year", F.col("vid").alias("a"), F.col("community").alias("ca"))
    side_b = partition.select("year", F.col("vid").alias("b"), F.col("community").alias("cb"))
    labelled = pairs.join(side_a, ["year", "a"]).join(side_b, ["year", "b"])
    # each edge end credits its community with one degree, and with half an edge if the edge is inside it
    ends = labelled.select("year", F.explode(F.array(
        F.struct(F.col("ca").alias("community"), (F.col("ca") == F.col("cb")).alias("inside")),
        F.struct(F.col("cb").alias("community"), (F.col("ca") == F.col("cb")).alias("inside")))).alias("end"))
    per_community = ends.groupBy("year", "end.community").agg(
        F.count("*").alias("degree_sum"), F.count(F.when(F.col("end.inside"), 1)).alias("inside_ends"))
    per_year = per_community.groupBy("year").agg(
        (F.sum("degree_sum") / 2).alias("m"), (F.sum("inside_ends") / 2).alias("inside"),
        F.sum(F.col("degree_sum").cast("double") ** 2).alias("degree_squares"))
    q = (F.try_divide(F.col("inside").cast("double"), F.col("m").cast("double"))
         - F.try_divide(F.col("degree_squares"), 4 * F.col("m").cast("double") ** 2))
    counts = partition.groupBy("year").agg(F.countDistinct("community").alias("communities"))
    return counts.join(per_year.select("year", q.alias("modularity")), "year", "left")
