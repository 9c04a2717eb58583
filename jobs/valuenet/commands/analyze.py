"""valuenet analyze: build the year networks, compute their metrics in one pass, write Delta, log MLflow."""

from __future__ import annotations

import functools
import gc
import logging
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from valuenet import tables
from valuenet.commands.common import job_config, base_parser, parse_years, setup_logging
from valuenet.config import load_config, resolve_path
from valuenet.errors import ConfigError, TrackingLost, ValuenetError, YearsFailed
from valuenet.provenance import fingerprint, input_versions
from valuenet.metrics.attachment import new_relation_nodes
from valuenet.metrics.geography import flows, shares, tech_place_pairs
from valuenet.metrics.year_over_year import PREVIOUS_COLUMNS, YearOverYear, year_over_year
from valuenet.metrics.year_metrics import AlgorithmSettings, network_metrics, node_metrics, year_paths
from valuenet.report.year_table import format_year_table
from valuenet.scratch import Scratch
from valuenet.snapshot.network_filter import NetworkFilter, filter_options, filter_relations
from valuenet.snapshot.undirected_view import undirected_edges
from valuenet.snapshot.year_network import (YearNetwork, build_year_network, check_surrogate_keys,
                                            with_surrogate_keys, years_span)
from valuenet.spark import create_session
from valuenet.tracking.guarded import GuardedTracker
from valuenet.tracking.artifact_frames import artifact_frames_by_year, dynamics_frames_by_year, picture_frames_by_year
from valuenet.tracking.network_picture import PICTURE_NODES
from valuenet.tracking.layout import parent_params, run_tags, years_label
from valuenet.tracking.layout import version_params as year_version_params
from valuenet.tracking.runs import (MASK, Tracker, check_reachable, tracking_uri, without_credentials,
                                   year_run_inputs)

log = logging.getLogger("valuenet")


def parser():
    p = base_parser("valuenet analyze", "Compute the year networks' metrics into Delta and MLflow.")
    p.add_argument("--warehouse", help="warehouse folder or URI (default: conf warehouse)")
    p.add_argument("--years", help="2014-2022, 2022 or 2014,2018 (default: every year of the data)")
    p.add_argument("--filter", action="append", metavar="CLAUSE",
                   help="narrow the network before any metric (repeatable, AND): relation=tech_cooperation, "
                        "org_type=enterprise,university, platform, or platform_network (the report's Tables 5-6)")
    p.add_argument("--resume", action="store_true",
                   help="skip the years already written from the same input versions, filter and settings")
    p.add_argument("--as-of-run", metavar="RUN_ID",
                   help="re-run the year of this MLflow year run on exactly its input versions, filter and "
                        "settings (Delta time travel)")
    p.add_argument("--no-tracking", action="store_true", help="write Delta only, no MLflow runs")
    p.add_argument("--data-source", default=None, help="label of the data for the MLflow tag (default: from the table)")
    return p


def analyze(runtime, config: dict, warehouse: str, years_text: str | None, tracking: bool,
            data_source: str | None = None, network_filter: NetworkFilter = NetworkFilter(),
            resume: bool = False, as_of: dict[str, int] | None = None) -> list[dict]:
    """Analyse each year of the (filtered) registry; returns the network_metrics rows written (as dicts).

    With resume, years whose network_metrics row has the same provenance (input versions,
    filter, settings, code version) are skipped and their stored rows returned instead.
    as_of: read these Delta versions of nodes and edges instead of the latest (time travel).
    """
    spark = runtime.spark
    versions, keyed, edges, years = _inputs(spark, warehouse, years_text, network_filter, as_of)
    settings = AlgorithmSettings.from_config(config)
    provenance = input_versions(versions, network_filter.text, settings.as_params())
    done = _already_written(spark, warehouse, years, network_filter.text, provenance) if resume else {}
    if done:
        log.info("--resume: years %s are already written from the same inputs and settings: skipped",
                 ",".join(map(str, sorted(done))))
        years = [y for y in years if y not in done]
        if not years:
            edges.unpersist()
            keyed.unpersist()
            return sorted(done.values(), key=lambda r: r["year"])
    recorded = tables.read_source(warehouse)
    source = data_source or recorded.get("label", "unknown")
    synthetic = bool(recorded.get("synthetic", False))
    tracker = None
    if tracking:
        tracker = GuardedTracker(Tracker(config), warehouse=warehouse, filter_text=network_filter.text)
        log.info("MLflow: experiment %r at %s", config["mlflow"]["experiment"], tracker.uri)
    params = parent_params(years, network_filter.text, settings.as_params())
    tags = run_tags(source, warehouse, network_filter.text, runtime.versions)
    version_params = year_version_params(versions)
    results, failed = list(done.values()), {}
    per_pass = max(1, int(config["analyze"].get("years_per_pass") or len(years)))

    context = _PassContext(keyed=keyed, edges=edges, warehouse=warehouse, settings=settings, provenance=provenance,
                           filter_text=network_filter.text, tracker=tracker, version_params=version_params,
                           versions=versions, synthetic=synthetic, total=len(years),
                           tags=lambda year: {**tags, "valuenet.fingerprint": fingerprint(year, warehouse, provenance)})
    if tracker:
        tracker.start_parent(f"analyze {params['years']}", tags, params, config)
    try:
        for first in range(0, len(years), per_pass):
            written, failed_now = _analyse_pass(context, years[first:first + per_pass], first)
            results.extend(written)
            failed.update(failed_now)
            # Python reference cycles among the pass's DataFrames keep their JVM plans (about 100 MiB
            # a pass) until Python's collector runs, which JVM memory pressure never triggers.
            gc.collect()
    except BaseException as exc:
        if tracker:
            tracker.end_parent(failed, error=f"{type(exc).__name__}: {exc}")
        raise
    if tracker:
        tracker.year_trends(sorted(results, key=lambda r: r["year"]), synthetic, network_filter.text)
        tracker.end_parent(failed)
    _warn_of_outdated_later_years(spark, warehouse, [y for y in years if y not in failed], network_filter)
    edges.unpersist()
    keyed.unpersist()
    if failed:
        raise YearsFailed(failed, tracking_lost=tracker.lost if tracker else None)
    if tracker and tracker.lost:
        raise TrackingLost(tracker.lost, warehouse, [r["year"] for r in results], network_filter.text)
    return sorted(results, key=lambda r: r["year"])


def _inputs(spark, warehouse: str, years_text: str | None, network_filter: NetworkFilter,
            as_of: dict[str, int] | None) -> tuple[dict[str, int], DataFrame, DataFrame, list[int]]:
    """(the nodes and edges versions read, the keyed nodes, the filtered edges, the years to analyse):
    every year of the analyze reads the same versions (time travel). The output tables exist after it."""
    for table in ("nodes", "edges"):
        if not tables.exists(spark, warehouse, table):
            raise ValuenetError(f"{tables.table_path(warehouse, table)}: no such table; run `valuenet ingest` first")
    tables.ensure_tables(spark, warehouse, tables.OUTPUT_TABLES)
    versions = dict(as_of) if as_of else {t: tables.version(spark, warehouse, t) for t in ("nodes", "edges")}
    nodes = tables.read(spark, warehouse, "nodes", as_of=versions["nodes"])
    edges = filter_relations(network_filter, nodes,
                             tables.read(spark, warehouse, "edges", as_of=versions["edges"])).cache()
    keyed = with_surrogate_keys(nodes).cache()
    check_surrogate_keys(keyed)
    years = parse_years(years_text, years_span(edges))
    if not years:
        raise ValuenetError(f"{tables.table_path(warehouse, 'edges')}: no relations"
                            + (f" that pass --filter {network_filter.text}" if network_filter else "")
                            + ", so no year to analyse")
    return versions, keyed, edges, years


@dataclass
class _PassContext:
    """What every pass of one analyze shares."""

    keyed: DataFrame
    edges: DataFrame
    warehouse: str
    settings: AlgorithmSettings
    provenance: str
    filter_text: str
    tracker: GuardedTracker | None
    version_params: dict
    versions: dict[str, int]
    synthetic: bool
    total: int
    tags: Callable[[int], dict]


def _analyse_pass(ctx: _PassContext, years: list[int], first: int) -> tuple[list[dict], dict[int, str]]:
    """Compute, log and write one pass's years: (the network_metrics rows written, {year: error} of the
    years whose computation failed). A failed computation fails its years only; a failed write is raised
    (its years' runs marked failed), each output table holding the pass's years fully or as before."""
    spark, tracker = ctx.keyed.sparkSession, ctx.tracker
    try:
        previous = _previous_years(spark, ctx.warehouse, years, ctx.filter_text)
        outputs = _compute_years(ctx.keyed, ctx.edges, years, ctx.settings, ctx.provenance, ctx.filter_text,
                                 previous)
    except Exception as exc:  # noqa: BLE001 (one pass's failure must not lose the other passes)
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        for year in years:
            log.error("year %d failed: %s", year, error)
            if tracker:
                tracker.failed_year(year, ctx.tags(year), ctx.version_params, error)
        return [], {year: error for year in years}
    # every year's artifact frames in a few Spark jobs, made when the first year is logged
    frames = functools.cache(lambda: outputs.artifact_frames(ctx.keyed))
    dynamics_frames = functools.cache(outputs.dynamics_frames)
    picture_frames = functools.cache(lambda: outputs.picture_frames(ctx.keyed))
    for year in years:
        row, run_id, logging_started = outputs.rows[year], None, time.time()
        if tracker:
            run_id = tracker.year(
                year, ctx.tags(year), ctx.version_params,
                {t: tables.table_path(ctx.warehouse, t) for t in ctx.versions}, ctx.versions, row,
                lambda y=year: frames()[y], ctx.synthetic, outputs.seconds,
                outputs.dynamics.per_year[year], lambda y=year: dynamics_frames()[y],
                lambda y=year: picture_frames()[y])
        row["run_id"] = run_id
        log.info("[%d/%d] year %d%s: %s nodes, %s edges%s", first + years.index(year) + 1, ctx.total, year,
                 _of_filter(ctx.filter_text), f"{row['nodes']:,}", f"{row['edges']:,}",
                 f" (logged in {time.time() - logging_started:.1f} s)" if tracker else "")
    try:
        _write_years(spark, outputs, ctx.warehouse, ctx.filter_text)
    except BaseException:
        if tracker:
            tracker.mark_failed([r["run_id"] for r in outputs.rows.values()], "the Delta write of these years failed")
        raise
    finally:
        outputs.release()
    if tracker:
        tracker.retire_duplicates([r["run_id"] for r in outputs.rows.values()])
    return list(outputs.rows.values()), {}


def _of_filter(filter_text: str) -> str:
    """" of --filter X" for the log lines of a filtered network, told apart from the whole network's."""
    return f" of --filter {filter_text}" if filter_text else ""


class _Stages:
    """Wall time per stage of a pass, one log line per stage (progress without flooding the log)."""

    def __init__(self, years: list[int], filter_text: str):
        self.label = years_label(years) + _of_filter(filter_text)
        self.started = time.time()
        self.first = self.started

    def total(self) -> float:
        return time.time() - self.first

    def done(self, name: str) -> None:
        now = time.time()
        log.info("  years %s: %s in %.1f s", self.label, name, now - self.started)
        self.started = now


@dataclass
class YearsOutputs:
    """What one pass adds to the output tables: every frame carries `year` (cached until written)."""

    rows: dict[int, dict]
    per_node: DataFrame
    flows: DataFrame
    shares: DataFrame
    dynamics: YearOverYear
    relations: DataFrame
    cached: list
    scratch: Scratch
    seconds: float
    _node_rows: DataFrame | None = None

    def release(self) -> None:
        """Frees what the pass holds (its cached frames and scratch files): once it is written."""
        for df in self.cached:
            df.unpersist()
        self.scratch.delete()

    def artifact_frames(self, nodes: DataFrame) -> dict:
        """The pandas frames of every year's run artifacts (artifact_frames_by_year)."""
        return artifact_frames_by_year(self.per_node, self.flows, self.shares, nodes, sorted(self.rows))

    def dynamics_frames(self) -> dict:
        """The pandas frames of every year's year-over-year artifacts (dynamics_frames_by_year)."""
        return dynamics_frames_by_year(self.dynamics.movers, self.dynamics.robustness, self.dynamics.attachment,
                                       sorted(self.rows))

    def picture_frames(self, nodes: DataFrame) -> dict:
        """The pandas frames of every year's network picture (picture_frames_by_year)."""
        return picture_frames_by_year(self.node_rows(), self.relations, nodes, sorted(self.rows), PICTURE_NODES)

    def node_rows(self) -> DataFrame:
        """node_metrics rows of the pass (with vid, without filter and run id), cached: the pictures
        and the node_metrics commit both read them (scale 100: joining them takes 45 s)."""
        if self._node_rows is None:
            self._node_rows = self.dynamics.nodes.cache()
            self.cached.append(self._node_rows)
        return self._node_rows

    def tables(self, filter_text: str) -> dict[str, DataFrame]:
        """Every output table's rows of the pass, with filter and run ids (write them once logged)."""
        spark = self.per_node.sparkSession
        years = sorted(self.rows)
        node_rows = self.node_rows()
        year_rows = [{"year": y, **self.dynamics.per_year[y], "filter": filter_text, "run_id": self.rows[y]["run_id"]}
                     for y in years]
        return {"node_metrics": self.stamped(node_rows, filter_text),
                "flows": self.stamped(self.flows, filter_text),
                "shares": self.stamped(self.shares, filter_text),
                "network_metrics": spark.createDataFrame([self.rows[y] for y in years], schema=_schema("network_metrics")),
                "year_dynamics": spark.createDataFrame(year_rows, schema=_schema("year_dynamics")),
                "movers": self.stamped(self.dynamics.movers, filter_text),
                "community_lineage": self.stamped(self.dynamics.communities, filter_text),
                "robustness": self.stamped(self.dynamics.robustness, filter_text),
                "attachment": self.stamped(self.dynamics.attachment, filter_text)}

    def stamped(self, frame: DataFrame, filter_text: str) -> DataFrame:
        """frame with the filter and each year's run_id (known only after its metrics are logged)."""
        run_ids = F.create_map(*[x for year, row in self.rows.items()
                                 for x in (F.lit(year), F.lit(row["run_id"]).cast("string"))])
        return frame.select("*", F.lit(filter_text).alias("filter"), run_ids[F.col("year")].alias("run_id"))


def _compute_years(keyed, edges, years, settings, provenance: str, filter_text: str,
                   previous: DataFrame) -> YearsOutputs:
    """Every metric of these years in one pass, cached (no MLflow, no writes).

    previous: the stored node_metrics rows (PREVIOUS_COLUMNS) of the years before these that are
    not among them (_previous_years)."""
    stages = _Stages(years, filter_text)
    log.info("  years %s: computing in one pass", stages.label)
    network = build_year_network(keyed, edges, years)
    network.vertices.cache()
    network.relations.cache()
    # Communities, modularity, k-cores and robustness read the undirected view of the same
    # relations: Spark's cache serves every one of those plans, where each would group the
    # relations again (scale 100: a 140 MiB shuffle each time).
    undirected = undirected_edges(network.relations).cache()
    # The node metrics are written once as scratch files and read back (then cached): the year over
    # year measures, the artifacts and the table rows built on them are planned on a short plan that
    # Spark estimates by its size on disk, not on the whole lineage of every metric (docs/benchmarks.md).
    scratch = Scratch(keyed.sparkSession, "node-metrics")
    rest = _NeedingNoCommunities(network, edges, settings, stages)
    try:
        per_node = scratch.keep(node_metrics(network, settings, on_stage=stages.done, meanwhile=rest.compute)).cache()
        per_node.count()
        stages.done("node metrics")
        summaries = network_metrics(network, per_node, rest.paths, on_stage=stages.done)
        year_flows, year_shares = rest.flows, rest.shares
        dynamics = year_over_year(network, per_node, previous, new_relation_nodes(edges, years), settings,
                                  on_stage=stages.done,
                                  sizes={year: (row["nodes"], row["edges"]) for year, row in summaries.items()})
    except BaseException:
        scratch.delete()
        raise
    rows = {year: {"year": year, **summaries[year], "filter": filter_text, "input_versions": provenance,
                   "run_id": None} for year in years}
    return YearsOutputs(rows=rows, per_node=per_node, flows=year_flows, shares=year_shares, dynamics=dynamics,
                        relations=network.relations,
                        cached=[per_node, year_flows, year_shares, network.vertices, network.relations, undirected,
                                *dynamics.cached],
                        scratch=scratch, seconds=stages.total())


@dataclass
class _NeedingNoCommunities:
    """The metrics of a pass that need no communities: paths, flows and shares (cached), computed
    by `compute`, which node_metrics runs while Louvain's task runs."""

    network: YearNetwork
    edges: DataFrame
    settings: AlgorithmSettings
    stages: _Stages
    paths: dict | None = None
    flows: DataFrame | None = None
    shares: DataFrame | None = None

    def compute(self) -> None:
        self.paths = year_paths(self.network, self.settings)
        self.stages.done("paths")
        place_pairs = tech_place_pairs(self.network).cache()
        self.flows = flows(place_pairs).cache()
        self.shares = shares(place_pairs, self.network.years, self.edges).cache()
        self.flows.count(), self.shares.count()
        place_pairs.unpersist()
        self.stages.done("flows and shares")


def _previous_years(spark, warehouse: str, years: list[int], filter_text: str) -> DataFrame:
    """The stored node_metrics rows (PREVIOUS_COLUMNS) of the same filter for each year Y - 1 that
    is not in `years` while Y is: the previous years that year over year compares with (empty when
    none was analysed)."""
    wanted = sorted({y - 1 for y in years} - set(years))
    # detached: the pass's year-over-year frames are built on these rows, and the pass's own write of
    # node_metrics would re-plan and refill them (on a tiny registry 26 of the write's 74 Spark jobs)
    return tables.detached(tables.read(spark, warehouse, "node_metrics")
                           .where(F.col("year").isin(wanted) & (F.col("filter") == filter_text))
                           .select(*PREVIOUS_COLUMNS))


def _warn_of_outdated_later_years(spark, warehouse: str, written: list[int], network_filter: NetworkFilter) -> None:
    """Log the stored years whose year-over-year measures this run has made outdated.

    A year is compared with the year before it, and its lineage ids continue that year's: so a
    stored year Z not analysed now, but following a year written now through stored years only, was
    compared with a year that has since been replaced (or that it then lacked). Re-analysing those
    years (they then read the stored year before them) brings them up to date.
    """
    if not written:
        return
    stored = {r["year"] for r in tables.read(spark, warehouse, "network_metrics")
              .where(F.col("filter") == network_filter.text).select("year").distinct().collect()}
    outdated = set()
    for year in written:
        later = year + 1
        while later in stored and later not in written:
            outdated.add(later)
            later += 1
    if outdated:
        one = len(outdated) == 1
        log.warning("%s %s%s %s compared with a year this run has replaced or added: %s rank changes, movers and "
                    "community lineage are outdated; re-analyse --years %s%s to update them",
                    "year" if one else "years", ",".join(map(str, sorted(outdated))), _of_filter(network_filter.text),
                    "was" if one else "were", "its" if one else "their", years_label(sorted(outdated)),
                    filter_options(network_filter.text))


def _already_written(spark, warehouse: str, years: list[int], filter_text: str, provenance: str) -> dict[int, dict]:
    """network_metrics rows of these years and filter that were computed with this provenance."""
    rows = (tables.read(spark, warehouse, "network_metrics")
            .where(F.col("year").isin(years) & (F.col("filter") == filter_text)
                   & (F.col("input_versions") == provenance)).collect())
    return {r["year"]: r.asDict() for r in rows}


def _write_years(spark, outputs: YearsOutputs, warehouse: str, filter_text: str) -> None:
    """One Delta commit per output table for the pass's years, all at once: each (year, filter)
    fully replaced or untouched."""
    started = time.time()
    years = sorted(outputs.rows)
    log.info("  writing years %s%s: one commit per output table", years_label(years), _of_filter(filter_text))
    frames = outputs.tables(filter_text)
    tables.together(spark, {table: (lambda t=table: tables.replace_years(frames[t], warehouse, t, years, filter_text))
                     for table in frames})
    log.info("  wrote years %s%s to %s (%.1f s)", years_label(years), _of_filter(filter_text), ", ".join(frames),
             time.time() - started)


def _schema(table: str):
    from valuenet import schemas

    return schemas.load(table).struct()


def _masked(conf_option: str) -> str:
    """A --conf key=value option safe to print: credentials in a URI value masked."""
    key, sep, value = conf_option.partition("=")
    return key + sep + without_credentials(value) if "://" in value else conf_option


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(args.verbose)
    try:
        config, warehouse = job_config(args)
        network_filter = NetworkFilter.parse(args.filter)
        if not args.no_tracking or args.as_of_run:
            check_reachable(tracking_uri(config))
        as_of = None
        if args.as_of_run:
            earlier = year_run_inputs(tracking_uri(config), args.as_of_run)
            if earlier["config"]:
                config = load_config(args.conf, base=earlier["config"])
            args.years, network_filter, as_of = str(earlier["year"]), NetworkFilter.parse(earlier["filter"]), \
                earlier["versions"]
            if not args.warehouse and MASK in (earlier["warehouse"] or ""):
                raise ConfigError(f"--as-of-run {args.as_of_run}: the run's warehouse has credentials, masked in "
                                  f"MLflow ({earlier['warehouse']}): pass --warehouse")
            warehouse = resolve_path(args.warehouse or earlier["warehouse"] or config["warehouse"])
            log.info("--as-of-run %s: year %s, filter %r, nodes v%d, edges v%d", args.as_of_run, args.years,
                     network_filter.text, as_of["nodes"], as_of["edges"])
        AlgorithmSettings.from_config(config)  # a bad setting: one line before Spark starts
        runtime = create_session(config, args.spark, tables.checkpoint_path(warehouse, config),
                                 input_bytes=tables.stored_input_bytes(warehouse))
        log.info("analyze %s (%s)", warehouse, runtime.describe())
        rows = analyze(runtime, config, warehouse, args.years, not args.no_tracking, args.data_source,
                       network_filter, resume=args.resume, as_of=as_of)
    except TrackingLost as exc:
        # track checks the settings digest: it needs the same --conf options as this analyze
        log.error("%s%s", exc, "".join(f" --conf {shlex.quote(_masked(c))}" for c in args.conf))
        return exc.exit_code
    except ValuenetError as exc:
        log.error("%s", exc)
        return exc.exit_code
    print(format_year_table(rows))
    return 0

