"""valuenet benchmark's PageRank and components figures: valuenet's one run over all years beside
"plain GraphFrames" (a year at a time, with the options the GraphFrames docs show), and PageRank's
error against an exact solution for a range of tolerances (the curve analyze.pagerank.tol is
chosen from).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from pyspark.sql import functions as F

from valuenet.snapshot.year_network import YearNetwork

log = logging.getLogger("valuenet")

TOP = 20


def plain_graphframes(network: YearNetwork) -> pd.DataFrame:
    """year, vid, pagerank (summing to 1), component: GraphFrames a year at a time as its docs show
    it, `pageRank(resetProbability=0.15, maxIter=20)` and `connectedComponents()` (their defaults
    otherwise), on the long vids (no re-indexing of string ids: the comparison favours it)."""
    from graphframes import GraphFrame

    frames = []
    for year in network.years:
        vertices = network.vertices.where(F.col("year") == year).select(F.col("vid").alias("id"))
        graph = GraphFrame(vertices, network.relations.where(F.col("year") == year).select("src", "dst"))
        ranks = graph.pageRank(resetProbability=0.15, maxIter=20).vertices
        labels = graph.connectedComponents()
        found = ranks.join(labels, "id").select(F.col("id").alias("vid"), "pagerank", "component").toPandas()
        found["pagerank"] /= found["pagerank"].sum()
        frames.append(found.assign(year=year))
        labels.unpersist()
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["year", "vid", "pagerank"])


def exact_pagerank(network: YearNetwork, damping: float, tol: float = 1e-12) -> dict[int, pd.Series]:
    """{year: PageRank by vid}, by a SciPy power iteration until the L1 change is below tol
    (dangling mass spread uniformly; NetworkX's semantics), on the year graphs collected to the driver."""
    import scipy.sparse as sp

    vertices = network.vertices.select("year", "vid").toPandas()
    relations = network.relations.select("year", "src", "dst").toPandas()
    exact = {}
    for year, group in vertices.groupby("year"):
        vids = np.sort(group["vid"].to_numpy())
        arcs = relations[relations["year"] == year]
        src, dst = np.searchsorted(vids, arcs["src"].to_numpy()), np.searchsorted(vids, arcs["dst"].to_numpy())
        n = len(vids)
        out = np.bincount(src, minlength=n).astype(np.float64)
        walk = sp.csr_matrix((1.0 / out[src], (dst, src)), shape=(n, n))  # column-stochastic on non-sinks
        sinks = out == 0
        x = np.full(n, 1.0 / n)
        for _ in range(100_000):
            nxt = damping * (walk @ x + x[sinks].sum() / n) + (1.0 - damping) / n
            change = np.abs(nxt - x).sum()
            x = nxt
            if change < tol:
                break
        exact[int(year)] = pd.Series(x, index=vids)
    return exact


def errors(found: pd.DataFrame, exact: dict[int, pd.Series]) -> tuple[float, bool]:
    """(largest per-year L1 distance to the exact PageRank, whether every year's top 20 has the
    exact top 20's values in the same order)."""
    worst, same_top = 0.0, True
    for year, want in exact.items():
        got = found[found["year"] == year].set_index("vid")["pagerank"].reindex(want.index)
        worst = max(worst, float(np.abs(got.to_numpy() - want.to_numpy()).sum()))
        ours = want[got.sort_values(ascending=False).index[:TOP]].to_numpy()
        same_top &= bool(np.allclose(ours, np.sort(want.to_numpy())[::-1][:TOP], rtol=0, atol=1e-12))
    return worst, same_top
