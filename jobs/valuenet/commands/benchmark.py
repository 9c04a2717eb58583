"""valuenet benchmark: per metric, wall time and peak memory of valuenet's Spark metrics on the
calibrated sample (the selected years in one pass, as analyze runs them), beside igraph (single
machine, one year graph after the other) on the same graphs. Nodes and edges are summed over the years.

A script that prints figures (never a timed test):

    valuenet benchmark --scale 1 --years 2014-2022
    valuenet benchmark --scale 10 --years 2022 --markdown >> docs/benchmarks.md
    valuenet benchmark --scale 1 --years 2014-2022 --pagerank-tolerances 1e-3,1e-4,1e-5,1e-6

PageRank and components are also run by valuenet's GraphFrames run for every year (what analyze does
for years too big for one task) and as "plain GraphFrames" (a year at a time, the options of the
GraphFrames docs), and the three PageRanks are compared with an exact solution.

Each metric is forced (an aggregate of its own column) on its own so its time is its own; peak memory is the
largest resident set of this process and its children (the Spark JVM, Python workers)
sampled every 0.2 s during the metric.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import tempfile
import threading
import time
from pathlib import Path

from valuenet.commands.benchmark_graphframes import errors, exact_pagerank, plain_graphframes
from valuenet.commands.common import apply_common, base_parser, file_bytes, parse_years, setup_logging
from valuenet.config import load_config
from valuenet.errors import ValuenetError

log = logging.getLogger("valuenet")


METRICS = ("degrees", "pagerank+components", "clustering", "communities+modularity", "paths", "flows+shares",
           "year-over-year", "pictures")


def parser():
    p = base_parser("valuenet benchmark", "Per-year, per-metric wall time and peak memory, beside igraph.")
    p.add_argument("--scale", type=float, default=1.0, help="sample scale (1 = the report's size)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--years", default="2022", help="years to measure (default 2022)")
    p.add_argument("--work", help="folder for the sample and warehouse (default: a temporary folder)")
    p.add_argument("--no-igraph", action="store_true", help="skip the igraph column")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    p.add_argument("--metrics", metavar="NAME,NAME,...",
                   help="measure only these metrics (default: all): " + ", ".join(METRICS))
    p.add_argument("--no-plain-graphframes", action="store_true",
                   help="skip the GraphFrames columns (valuenet's run for every year, and PageRank and "
                        "components a year at a time)")
    p.add_argument("--pagerank-passes", type=int, metavar="N",
                   help="instead of the metrics: PageRank + components of the years N times over, with the "
                        "time, the peak memory and the RDDs left persisted after each pass")
    p.add_argument("--pagerank-tolerances", metavar="TOL,TOL,...",
                   help="instead of the metrics: PageRank's error against an exact solution and its time, "
                        "for each of these GraphFrames tolerances (e.g. 1e-3,1e-4,1e-5,1e-6)")
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


def _flows_and_shares(network, years, edges) -> None:
    """Flows and shares computed as analyze does: the tech edges meet the places once."""
    from valuenet.metrics.geography import flows, shares, tech_place_pairs

    place_pairs = tech_place_pairs(network).cache()
    flows(place_pairs).count(), shares(place_pairs, years, edges).count()
    place_pairs.unpersist()


def _timed(fn):
    with PeakMemory() as memory:
        started = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - started
    return value, seconds, memory.peak


def valuenet_years(runtime, settings, keyed, edges, years: list[int], plain: bool = True,
                   metrics: tuple[str, ...] = METRICS) -> tuple[dict, list[tuple[str, float, float]], dict]:
    """Each metric of these years on Spark, all years in one pass as analyze runs them, forced one
    metric at a time: ({year: (nodes, edges)}, [(metric, s, peak MiB)], PageRank figures: valuenet's
    and (with plain) valuenet's GraphFrames run for every year and plain GraphFrames' time, peak
    and error against the exact PageRank)."""
    from pyspark.sql import functions as F

    from valuenet.metrics.clustering import average_clustering, local_clustering
    from valuenet.metrics.communities import modularity
    from valuenet.metrics.degrees import degrees
    from valuenet.metrics.year_metrics import community_partition, pagerank_and_components, year_paths
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
    # pagerank+components is what analyze runs: a year a task holds gets its clustering there too;
    # clustering is the distributed joins, which the years bigger than a task take
    steps = [("degrees", lambda: degrees(network).agg(F.sum("degree")).collect()),
             ("pagerank+components", lambda: ranked.append(pagerank_and_components(network, settings,
                                                                                   clustering=True))),
             ("clustering", lambda: average_clustering(local_clustering(network)).collect()),
             ("communities+modularity",
              lambda: modularity(network, community_partition(network, settings).cache()).collect()),
             ("paths", lambda: year_paths(network, settings)),
             ("flows+shares", lambda: _flows_and_shares(network, years, edges))]
    ranked = []  # held by a local checkpoint: computed when made
    for name, step in [(name, step) for name, step in steps if name in metrics]:
        _, s, peak = _timed(step)
        rows.append((name, s, peak))
        log.info("  %s: %.1f s", name, s)
    if {"year-over-year", "pictures"} & set(metrics):
        rows.extend(_on_node_metrics(network, keyed, edges, years, settings, metrics))
    if "pagerank+components" not in metrics:
        network.vertices.unpersist()
        network.relations.unpersist()
        return counts, rows, {}
    exact = exact_pagerank(network, settings.damping)
    pagerank = {"valuenet": errors(ranked[0].select("year", "vid", "pagerank").toPandas(), exact)}
    if plain:
        log.info("  valuenet's GraphFrames run: pagerank+components, every year with a relation")
        found, s, peak = _timed(lambda: pagerank_and_components(network, settings, one_task_max_edges=0)
                                .select("year", "vid", "pagerank").toPandas())
        pagerank["graphframes"] = errors(found, exact)
        pagerank["graphframes_s"], pagerank["graphframes_peak"] = s, peak
        log.info("  valuenet's GraphFrames run: %.1f s", s)
        log.info("  plain GraphFrames: pagerank+components a year at a time")
        found, s, peak = _timed(lambda: plain_graphframes(network))
        pagerank["plain"] = errors(found, exact)
        pagerank["plain_s"], pagerank["plain_peak"] = s, peak
        log.info("  plain GraphFrames: %.1f s", s)
    network.vertices.unpersist()
    network.relations.unpersist()
    return counts, rows, pagerank


def _on_node_metrics(network, keyed, edges, years: list[int], settings, metrics: tuple[str, ...]) -> list[tuple]:
    """The measures analyze computes from the node metrics: year over year (one row per stage, as
    analyze logs them; every year compared with the one before it in the pass) and the network
    pictures of the MLflow year runs (frames, layout, PNG and HTML of every year). The node metrics
    they read are computed first and not timed."""
    import io

    from pyspark.sql import functions as F

    from valuenet.metrics.attachment import new_relation_nodes
    from valuenet.metrics.year_metrics import node_metrics
    from valuenet.metrics.year_over_year import PREVIOUS_COLUMNS, year_over_year
    from valuenet.tracking import network_picture
    from valuenet.tracking.artifact_frames import picture_frames_by_year

    log.info("  node metrics (not timed: what the next measures read)")
    per_node = node_metrics(network, settings).cache()
    per_node.count()
    rows = []
    if "year-over-year" in metrics:
        stages, clock = [], [time.perf_counter()]

        def stage(name: str) -> None:
            now = time.perf_counter()
            stages.append((name, now - clock[0]))
            clock[0] = now

        nothing_before = per_node.select(*PREVIOUS_COLUMNS[:-1],
                                         F.lit(None).cast("string").alias("community_lineage")).limit(0)
        dynamics, _, peak = _timed(lambda: year_over_year(network, per_node, nothing_before,
                                                          new_relation_nodes(edges, years), settings, on_stage=stage))
        rows.extend((f"year over year: {name}", s, peak) for name, s in stages)
        log.info("  year over year: %s", ", ".join(f"{name} {s:.1f} s" for name, s in stages))
        for frame in dynamics.cached:
            frame.unpersist()

    def pictures():
        for year, (nodes, relations) in picture_frames_by_year(per_node, network.relations, keyed, years,
                                                               network_picture.PICTURE_NODES).items():
            _, figure, _ = network_picture.rendered(year, nodes, relations, synthetic=True)
            figure.savefig(io.BytesIO(), format="png")
            network_picture.close(figure)

    if "pictures" in metrics:
        _, s, peak = _timed(pictures)
        rows.append(("pictures (PNG + HTML of every year)", s, peak))
        log.info("  pictures: %.1f s", s)
    per_node.unpersist()
    return rows


@contextlib.contextmanager
def cached_network(keyed, edges, years: list[int]):
    """The year networks of these years, cached and counted while the block runs."""
    from valuenet.snapshot.year_network import build_year_network

    network = build_year_network(keyed, edges, years)
    network.vertices.cache()
    network.relations.cache()
    network.vertices.count(), network.relations.count()
    try:
        yield network
    finally:
        network.vertices.unpersist()
        network.relations.unpersist()


def repeated_passes(runtime, settings, keyed, edges, years: list[int], passes: int) -> list[dict]:
    """PageRank + components of these years `passes` times in GraphFrames (every year with a relation;
    what it persists is the question), as successive analyze passes would run them: per pass its
    time, the peak memory of the process tree and the RDDs still persisted after."""
    from valuenet.metrics.year_metrics import pagerank_and_components

    persisted = runtime.spark.sparkContext._jsc.getPersistentRDDs
    with cached_network(keyed, edges, years) as network:
        records = [{"pass": 0, "seconds": None, "peak_MiB": round(PeakMemory.tree_rss()),
                    "persisted_rdds": persisted().size()}]
        for number in range(1, passes + 1):
            _, s, peak = _timed(lambda: pagerank_and_components(network, settings, one_task_max_edges=0)
                                   .agg({"pagerank": "sum"}).collect())
            records.append({"pass": number, "seconds": round(s, 1), "peak_MiB": round(peak),
                            "persisted_rdds": persisted().size()})
            log.info("  pass %d: %.1f s, peak %.0f MiB", number, s, peak)
    return records


def tolerance_curve(settings, keyed, edges, years: list[int], tolerances: list[float]) -> list[dict]:
    """PageRank + components of these years in one GraphFrames run (every year with a relation) for
    each tolerance: time, peak memory, the largest per-year L1 distance to the exact PageRank, and
    whether the top 20 agree."""
    from valuenet.metrics.year_metrics import pagerank_and_components

    records = []
    with cached_network(keyed, edges, years) as network:
        exact = exact_pagerank(network, settings.damping)
        for tol in tolerances:
            found, s, peak = _timed(lambda t=tol: pagerank_and_components(network, settings, tol=t,
                                                                          one_task_max_edges=0)
                                    .select("year", "vid", "pagerank").toPandas())
            l1, same_top = errors(found, exact)
            records.append({"tol": tol, "seconds": round(s, 1), "peak_MiB": round(peak),
                            "max_year_L1": f"{l1:.2e}", "same_top_20": same_top})
            log.info("  tol %g: %.1f s, largest per-year L1 %.2e", tol, s, l1)
    return records


def igraph_year(edges_pdf, year: int, exact_max_nodes: int, sample_sources: int, seed: int,
                damping: float) -> dict[str, float]:
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
                     ("pagerank+components", lambda: (g.pagerank(damping=damping, directed=True),
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
    args = parser().parse_args(argv)
    setup_logging(args.verbose)
    try:
        return _benchmark(args)
    except ValuenetError as exc:
        log.error("%s", exc)
        return exc.exit_code


def _benchmark(args) -> int:
    import pandas as pd

    from valuenet import tables
    from valuenet.metrics.year_metrics import AlgorithmSettings
    from valuenet.report.tables import markdown
    from valuenet.snapshot.year_network import check_surrogate_keys, with_surrogate_keys

    config = load_config(args.conf)
    apply_common(args, config)
    work = Path(args.work or tempfile.mkdtemp(prefix="valuenet-benchmark-"))
    warehouse = str(work / "warehouse")
    runtime, prepared = _prepared(args, config, work, warehouse)
    spark = runtime.spark
    keyed = with_surrogate_keys(tables.read(spark, warehouse, "nodes")).cache()
    check_surrogate_keys(keyed)
    edges = tables.read(spark, warehouse, "edges").cache()
    settings = AlgorithmSettings.from_config(config)
    header = [f"# valuenet benchmark: scale {args.scale:g}, seed {args.seed}",
              f"# machine: {machine()}",
              f"# versions: {runtime.describe()}, python {platform.python_version()}",
              f"# spark: master {spark.sparkContext.master}, "
              f"shuffle partitions {spark.conf.get('spark.sql.shuffle.partitions')}",
              f"# {prepared}"]
    print("\n".join(header), flush=True)
    years = parse_years(args.years, None)
    if args.pagerank_passes:
        log.info("PageRank + components of years %s, %d passes", args.years, args.pagerank_passes)
        passes = pd.DataFrame(repeated_passes(runtime, settings, keyed, edges, years, args.pagerank_passes))
        print(f"# PageRank + components of years {args.years}, pass after pass (persisted_rdds: after the "
              f"pass; the input network's two cached frames count)")
        print(markdown(passes) if args.markdown else passes.to_string(index=False))
        return 0
    if args.pagerank_tolerances:
        log.info("PageRank's error against the exact solution, years %s, by tolerance", args.years)
        curve = pd.DataFrame(tolerance_curve(settings, keyed, edges, years,
                                             [float(t) for t in args.pagerank_tolerances.split(",")]))
        print(f"# PageRank + components of years {args.years} in one run, by GraphFrames tolerance "
              f"(components: {settings.components_algorithm}); L1 against a SciPy power iteration to 1e-12")
        print(markdown(curve) if args.markdown else curve.to_string(index=False))
        return 0
    table = _per_metric(args, runtime, settings, keyed, edges, years, warehouse)
    print()
    print(markdown(table, decimals=2) if args.markdown else table.to_string(index=False))
    return 0


def _prepared(args, config: dict, work: Path, warehouse: str):
    """(the Spark runtime, a line on how the warehouse was prepared): the sample of --scale and --seed
    generated and ingested into `warehouse`, or both reused when `work` already holds them."""
    from valuenet import tables
    from valuenet.commands.ingest import ingest
    from valuenet.commands.sample import write_sample
    from valuenet.spark import create_session

    # generation and ingest take minutes at scale 100; the metrics are what is measured
    reused = _ingested_sample(warehouse, args.scale, args.seed)
    if not reused:  # generated before the JVM starts, so that its peak is the generator's own
        log.info("generating the sample (scale %g) in %s", args.scale, work)
        (nodes_path, edges_path), gen_s, gen_peak = _timed(lambda: write_sample(str(work / "sample"), args.scale,
                                                                                args.seed))
    read_bytes = tables.stored_input_bytes(warehouse) if reused else file_bytes([nodes_path, edges_path])
    runtime = create_session(config, args.spark, tables.checkpoint_path(warehouse, config), input_bytes=read_bytes)
    if reused:
        return runtime, f"sample and warehouse reused from {work} (delete it to generate and ingest again)"
    log.info("ingesting it into %s", warehouse)
    _, ingest_s, ingest_peak = _timed(lambda: ingest(runtime.spark, str(nodes_path), str(edges_path), warehouse))
    return runtime, (f"sample generation {gen_s:.1f} s (peak {gen_peak:,.0f} MiB); ingest {ingest_s:.1f} s "
                     f"(peak {ingest_peak:,.0f} MiB)")


def _per_metric(args, runtime, settings, keyed, edges, years: list[int], warehouse: str):
    """The table of one row per metric: valuenet's seconds and peak memory over the years in one pass,
    plain GraphFrames' and igraph's seconds beside them (unless left out), and the total."""
    import pandas as pd
    from deltalake import DeltaTable

    from valuenet import tables

    log.info("measuring years %s on Spark, one metric at a time", args.years)
    metrics = tuple(args.metrics.split(",")) if args.metrics else METRICS
    unknown = sorted(set(metrics) - set(METRICS))
    if unknown:
        raise SystemExit(f"--metrics: {', '.join(unknown)} not among {', '.join(METRICS)}")
    counts, rows, pagerank = valuenet_years(runtime, settings, keyed, edges, years, not args.no_plain_graphframes,
                                            metrics)
    # valuenet's figures at once: at scale 100 the igraph / SciPy column takes far longer
    print(f"# valuenet: years {args.years} in one pass: "
          + "; ".join(f"{name} {seconds:.1f} s (peak {peak:,.0f} MiB)" for name, seconds, peak in rows), flush=True)
    if pagerank:
        print(f"# PageRank, largest per-year L1 distance to the exact solution (same top-20 order): valuenet "
              f"{pagerank['valuenet'][0]:.2e} ({pagerank['valuenet'][1]})"
              + (f"; valuenet's GraphFrames run for every year (tol {settings.tol:g}) "
                 f"{pagerank['graphframes'][0]:.2e} ({pagerank['graphframes'][1]}), pagerank+components "
                 f"{pagerank['graphframes_s']:.1f} s (peak {pagerank['graphframes_peak']:,.0f} MiB)"
                 if "graphframes" in pagerank else "")
              + (f"; plain GraphFrames (maxIter 20) {pagerank['plain'][0]:.2e} ({pagerank['plain'][1]}), "
                 f"pagerank+components {pagerank['plain_s']:.1f} s (peak {pagerank['plain_peak']:,.0f} MiB)"
                 if "plain" in pagerank else ""), flush=True)
    records = [{"years": args.years, "nodes": sum(c[0] for c in counts.values()),
                "edges": sum(c[1] for c in counts.values()), "metric": name, "valuenet_s": round(seconds, 2),
                "peak_MiB": round(peak), "igraph_s": None,
                "plain_graphframes_s": round(pagerank["plain_s"], 2)
                if name == "pagerank+components" and "plain_s" in pagerank else None}
               for name, seconds, peak in rows]
    # read only now, so that valuenet's peak memory does not count igraph's copy of the edges
    edges_pdf = None if args.no_igraph else DeltaTable(tables.table_path(warehouse, "edges")).to_pandas(
        columns=["src", "dst", "start_year", "end_year"])
    if edges_pdf is not None:
        reference: dict[str, float] = {}
        for year in years:  # igraph: one graph at a time
            log.info("igraph: year %d", year)
            for name, seconds in igraph_year(edges_pdf, year, settings.exact_paths_max_nodes,
                                             settings.path_sample_sources, settings.seed, settings.damping).items():
                reference[name] = reference.get(name, 0.0) + seconds
        for record in records:
            record["igraph_s"] = round(reference[record["metric"]], 2) if record["metric"] in reference else None
    records.append({"years": args.years, "nodes": records[0]["nodes"], "edges": records[0]["edges"],
                    "metric": "TOTAL", "valuenet_s": round(sum(s for _, s, _ in rows), 2),
                    "peak_MiB": round(max(p for _, _, p in rows)),
                    # the same metrics on both sides
                    "igraph_s": round(sum(r["igraph_s"] or 0.0 for r in records if r["valuenet_s"] is not None), 2)
                    if edges_pdf is not None else None})
    return pd.DataFrame(records)
