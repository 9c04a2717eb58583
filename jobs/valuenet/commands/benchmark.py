"""valuenet benchmark: per metric, wall time and peak memory of valuenet's Spark metrics on the
calibrated sample (the selected years in one pass, as analyze runs them), beside igraph (single
machine, one year graph after the other) on the same graphs. Nodes and edges are summed over the years.

A script that prints figures (never a timed test):

    valuenet benchmark --scale 1 --years 2014-2022
    valuenet benchmark --scale 10 --years 2022 --markdown >> docs/benchmarks.md

Each metric is forced (an aggregate of its own column) on its own so its time is its own; peak memory is the
largest resident set of this process and its children (the Spark JVM, Python workers)
sampled every 0.2 s during the metric.
"""

from __future__ import annotations

import logging
import os
import platform
import tempfile
import threading
import time
from pathlib import Path

from valuenet.commands.common import apply_common, base_parser, parse_years, setup_logging
from valuenet.config import load_config

log = logging.getLogger("valuenet")


def parser():
    p = base_parser("valuenet benchmark", "Per-year, per-metric wall time and peak memory, beside igraph.")
    p.add_argument("--scale", type=float, default=1.0, help="sample scale (1 = the report's size)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--years", default="2022", help="years to measure (default 2022)")
    p.add_argument("--work", help="folder for the sample and warehouse (default: a temporary folder)")
    p.add_argument("--no-igraph", action="store_true", help="skip the igraph column")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    return p


class PeakMemory:
    """Largest summed RSS of this process tree while the block runs (MiB)."""

    def __init__(self, interval: float = 0.2):
        self.interval, self.peak, self._stop = interval, 0.0, threading.Event()

    @staticmethod
    def tree_rss() -> float:
        import psutil

        me = psutil.Process()
        total = 0
        for process in [me, *me.children(recursive=True)]:
            try:
                total += process.memory_info().rss
            except psutil.Error:  # ended between the listing and the read
                continue
        return total / 2**20

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.tree_rss())
            self._stop.wait(self.interval)

    def __enter__(self):
        self.peak = self.tree_rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _timed(fn):
    with PeakMemory() as memory:
        started = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - started
    return value, seconds, memory.peak


def valuenet_years(runtime, settings, keyed, edges, years: list[int]) -> tuple[dict, list[tuple[str, float, float]]]:
    """Each metric of these years on Spark, all years in one pass as analyze runs them, forced one
    metric at a time: ({year: (nodes, edges)}, [(metric, s, peak MiB)])."""
    from pyspark.sql import functions as F

    from valuenet.metrics.clustering import average_clustering, local_clustering
    from valuenet.metrics.communities import modularity
    from valuenet.metrics.degrees import degrees
    from valuenet.metrics.geography import flows, shares
    from valuenet.metrics.paths import path_statistics
    from valuenet.metrics.year_metrics import _graphframes_metrics, community_partition
    from valuenet.snapshot.year_network import build_year_network

    network = build_year_network(keyed, edges, years)
    rows = []

    def build():
        network.vertices.cache()
        network.relations.cache()
        vertices = {r["year"]: r["n"] for r in network.vertices.groupBy("year").agg(F.count("*").alias("n")).collect()}
        relations = {r["year"]: r["n"] for r in network.relations.groupBy("year").agg(F.count("*").alias("n")).collect()}
        return {y: (vertices.get(y, 0), relations.get(y, 0)) for y in years}

    counts, s, peak = _timed(build)
    rows.append(("year network", s, peak))
    log.info("  year network: %.1f s", s)  # progress: at scale 100 a metric takes minutes
    # Each metric is forced by an aggregate of its own column: a bare count() lets Spark drop the
    # left joins that add the metric (their right side is unique per vertex), timing nothing.
    steps = [("degrees", lambda: degrees(network).agg(F.sum("degree")).collect())]
    if settings.with_graphframes:
        steps += [("pagerank+components", lambda: _graphframes_metrics(network, settings)
                   .agg(F.sum("pagerank"), F.countDistinct("component")).collect())]
    steps += [("clustering", lambda: average_clustering(local_clustering(network)).collect()),
              ("communities+modularity",
               lambda: modularity(network, community_partition(network, settings).cache()).collect()),
              ("paths", lambda: path_statistics(network, settings.exact_paths_max_nodes,
                                                settings.path_sample_sources, settings.seed)),
              ("flows+shares", lambda: (flows(network).count(), shares(network, edges).count()))]
    for name, step in steps:
        _, s, peak = _timed(step)
        rows.append((name, s, peak))
        log.info("  %s: %.1f s", name, s)
    network.vertices.unpersist()
    network.relations.unpersist()
    return counts, rows


def igraph_year(edges_pdf, year: int, exact_max_nodes: int, sample_sources: int, seed: int) -> dict[str, float]:
    """The same metrics with igraph / scipy on one machine: {metric: seconds}.

    Paths as valuenet chooses them: exact up to exact_max_nodes nodes, else BFS from the
    same number of uniformly drawn sources (all-pairs igraph would take hours at scale 10).
    """
    import igraph as ig
    import numpy as np
    import scipy.sparse as sp

    active = edges_pdf[(edges_pdf["start_year"] <= year)
                       & (edges_pdf["end_year"].isna() | (edges_pdf["end_year"] >= year))]
    times = {}
    started = time.perf_counter()
    pairs = active.loc[active["src"] != active["dst"], ["src", "dst"]].drop_duplicates()
    ids, codes = np.unique(np.concatenate([active["src"].to_numpy(), active["dst"].to_numpy()]),
                           return_inverse=True)
    src = np.searchsorted(ids, pairs["src"].to_numpy())
    dst = np.searchsorted(ids, pairs["dst"].to_numpy())
    g = ig.Graph(n=len(ids), edges=np.column_stack([src, dst]).tolist(), directed=True)
    times["year network"] = time.perf_counter() - started
    for name, fn in (("degrees", lambda: (g.indegree(), g.outdegree())),
                     ("pagerank+components", lambda: (g.pagerank(damping=0.85, directed=True),
                                                      g.connected_components(mode="weak")))):
        started = time.perf_counter()
        fn()
        times[name] = time.perf_counter() - started

    def clustering():  # Gephi / LDBC directed LCC by a direct count
        a = sp.csr_matrix((np.ones(len(src)), (src, dst)), shape=(len(ids), len(ids)))
        s = ((a + a.T) > 0).astype(np.float64)
        k = np.asarray(s.sum(axis=1)).ravel()
        # by blocks of rows: S @ A whole holds sum(k^2) entries (6.5e9 at scale 10, hubs squared)
        links = np.concatenate([np.asarray((s[r:r + 4096] @ a).multiply(s[r:r + 4096]).sum(axis=1)).ravel()
                                for r in range(0, s.shape[0], 4096)])
        return np.where(k > 1, links / np.maximum(k * (k - 1), 1), 0.0).mean()

    def louvain():
        u = g.as_undirected(mode="collapse")
        return u.community_multilevel().modularity

    def paths():
        if g.vcount() <= exact_max_nodes:
            return g.average_path_length(directed=True, unconn=True), g.diameter(directed=True, unconn=True)
        sources = np.random.default_rng(seed).choice(g.vcount(), size=sample_sources, replace=False)
        d = np.asarray(g.distances(source=sources.tolist(), mode="out"), dtype=np.float64)
        finite = np.isfinite(d) & (d > 0)
        return d[finite].mean(), d[finite].max()

    for name, fn in (("clustering", clustering), ("communities+modularity", louvain), ("paths", paths)):
        started = time.perf_counter()
        fn()
        times[name] = time.perf_counter() - started
    return times


def _ingested_sample(warehouse: str, scale: float, seed: int) -> bool:
    """True when the warehouse already holds the sample of this scale and seed, fully ingested
    (ingest records the source only after its commits)."""
    from valuenet import tables

    source = tables.read_source(warehouse)
    return (source.get("synthetic") is True and source.get("scale") == scale and source.get("seed") == seed
            and all(Path(tables.table_path(warehouse, t), "_delta_log").is_dir() for t in tables.INPUT_TABLES))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    import pandas as pd
    from deltalake import DeltaTable

    from valuenet import tables
    from valuenet.commands.ingest import ingest
    from valuenet.commands.sample import write_sample
    from valuenet.metrics.year_metrics import AlgorithmSettings
    from valuenet.report.tables import markdown
    from valuenet.snapshot.year_network import check_surrogate_keys, with_surrogate_keys
    from valuenet.spark import create_session

    args = parser().parse_args(argv)
    setup_logging(args.verbose)
    config = load_config(args.conf)
    apply_common(args, config)
    work = Path(args.work or tempfile.mkdtemp(prefix="valuenet-benchmark-"))
    warehouse = str(work / "warehouse")
    # generation and ingest take most of an hour at scale 100; the metrics are what is measured
    reused = _ingested_sample(warehouse, args.scale, args.seed)
    if not reused:  # generated before the JVM starts, so that its peak is the generator's own
        log.info("generating the sample (scale %g) in %s", args.scale, work)
        (nodes_path, edges_path), gen_s, gen_peak = _timed(lambda: write_sample(str(work / "sample"), args.scale,
                                                                                args.seed))
    runtime = create_session(config, args.spark, tables.checkpoint_path(warehouse, config))
    if reused:
        prepared = f"sample and warehouse reused from {work} (delete it to generate and ingest again)"
    else:
        log.info("ingesting it into %s", warehouse)
        _, ingest_s, ingest_peak = _timed(lambda: ingest(runtime.spark, str(nodes_path), str(edges_path), warehouse))
        prepared = (f"sample generation {gen_s:.1f} s (peak {gen_peak:,.0f} MiB); ingest {ingest_s:.1f} s "
                    f"(peak {ingest_peak:,.0f} MiB)")
    spark = runtime.spark
    keyed = with_surrogate_keys(tables.read(spark, warehouse, "nodes")).cache()
    check_surrogate_keys(keyed)
    edges = tables.read(spark, warehouse, "edges").cache()
    settings = AlgorithmSettings.from_config(config, runtime.has_graphframes)
    header = [f"# valuenet benchmark: scale {args.scale:g}, seed {args.seed}",
              f"# machine: {machine()}",
              f"# versions: {runtime.describe()}, python {platform.python_version()}",
              f"# spark: master {spark.sparkContext.master}, "
              f"shuffle partitions {spark.conf.get('spark.sql.shuffle.partitions')}",
              f"# {prepared}"]
    print("\n".join(header), flush=True)
    years = parse_years(args.years, None)
    log.info("measuring years %s on Spark, one metric at a time", args.years)
    counts, rows = valuenet_years(runtime, settings, keyed, edges, years)
    # valuenet's figures at once: at scale 100 the igraph / SciPy column takes far longer
    print(f"# valuenet: years {args.years} in one pass: "
          + "; ".join(f"{name} {seconds:.1f} s (peak {peak:,.0f} MiB)" for name, seconds, peak in rows), flush=True)
    records = [{"years": args.years, "nodes": sum(c[0] for c in counts.values()),
                "edges": sum(c[1] for c in counts.values()), "metric": name, "valuenet_s": round(seconds, 2),
                "peak_MiB": round(peak), "igraph_s": None} for name, seconds, peak in rows]
    # read only now, so that valuenet's peak memory does not count igraph's copy of the edges
    edges_pdf = None if args.no_igraph else DeltaTable(tables.table_path(warehouse, "edges")).to_pandas(
        columns=["src", "dst", "start_year", "end_year"])
    if edges_pdf is not None:
        reference: dict[str, float] = {}
        for year in years:  # igraph: one graph at a time
            log.info("igraph: year %d", year)
            for name, seconds in igraph_year(edges_pdf, year, settings.exact_paths_max_nodes,
                                             settings.path_sample_sources, settings.seed).items():
                reference[name] = reference.get(name, 0.0) + seconds
        for record in records:
            record["igraph_s"] = round(reference[record["metric"]], 2) if record["metric"] in reference else None
        if "pagerank+components" not in {r[0] for r in rows}:  # GraphFrames missing: igraph's figure alone
            records.append({"years": args.years, "nodes": records[0]["nodes"], "edges": records[0]["edges"],
                            "metric": "pagerank+components", "valuenet_s": None, "peak_MiB": None,
                            "igraph_s": round(reference["pagerank+components"], 2)})
    records.append({"years": args.years, "nodes": records[0]["nodes"], "edges": records[0]["edges"],
                    "metric": "TOTAL", "valuenet_s": round(sum(s for _, s, _ in rows), 2),
                    "peak_MiB": round(max(p for _, _, p in rows)),
                    # the same metrics on both sides
                    "igraph_s": round(sum(r["igraph_s"] or 0.0 for r in records if r["valuenet_s"] is not None), 2)
                    if edges_pdf is not None else None})
    table = pd.DataFrame(records)
    print()
    print(markdown(table, decimals=2) if args.markdown else table.to_string(index=False))
    return 0
