"""valuenet track: log the MLflow runs of years already written to Delta.

For when the tracking server was down while `analyze` ran (or it ran with --no-tracking): the
stored rows of network_metrics, node_metrics, flows and shares are logged as one parent run and
one run per year, in the layout `analyze` logs (the same tags, fingerprint, params, metrics,
input datasets and artifacts), then those rows' run_id is pointed at the new year runs and
earlier runs of the same computations are retired.
"""

from __future__ import annotations

import json
import logging

from pyspark.sql import functions as F

from valuenet import tables
from valuenet.commands.common import analysed_networks, job_config, base_parser, parse_years, setup_logging
from valuenet.errors import ValuenetError
from valuenet.metrics.year_metrics import AlgorithmSettings
from valuenet.provenance import fingerprint, settings_digest
from valuenet.snapshot.network_filter import NetworkFilter
from valuenet.spark import create_session
from valuenet.tracking.artifact_frames import artifact_frames_by_year, dynamics_frames_by_year, picture_frames_by_year
from valuenet.tracking.network_picture import PICTURE_NODES
from valuenet.tracking.layout import parent_params, run_tags, version_params
from valuenet.tracking.runs import Tracker, check_reachable, tracking_uri

log = logging.getLogger("valuenet")


def parser():
    p = base_parser("valuenet track", "Log the MLflow runs of years already analysed into Delta "
                                      "(when the tracking server was down during analyze).")
    p.add_argument("--warehouse", help="warehouse folder or URI (default: conf warehouse)")
    p.add_argument("--years", help="2014-2022, 2022 or 2014,2018 (default: every stored year of the filter)")
    p.add_argument("--filter", action="append", metavar="CLAUSE",
                   help="the filter the years were analysed with, as given to analyze --filter")
    p.add_argument("--data-source", default=None, help="label of the data for the MLflow tag (default: from the table)")
    return p


def stored_years(spark, warehouse: str, years_text: str | None, filter_text: str) -> dict[int, dict]:
    """The stored network_metrics rows of these years (all stored years when None) and filter.

    Raises ValuenetError naming the years that have no row.
    """
    for table in tables.OUTPUT_TABLES:
        if not tables.exists(spark, warehouse, table):
            raise ValuenetError(f"{tables.table_path(warehouse, table)}: no such table; run `valuenet analyze` first")
    rows = tables.read(spark, warehouse, "network_metrics").where(F.col("filter") == filter_text)
    wanted = parse_years(years_text, None) if years_text else None
    if wanted:
        rows = rows.where(F.col("year").isin(wanted))
    found = {r["year"]: r.asDict() for r in rows.collect()}
    missing = sorted(set(wanted or []) - set(found))
    label = f" with --filter {filter_text}" if filter_text else ""
    if missing or not found:
        which = ",".join(map(str, missing)) if missing else "any year"
        raise ValuenetError(f"{tables.table_path(warehouse, 'network_metrics')}: no stored rows for {which}{label}; "
                            f"run `valuenet analyze` for them first (track only logs what Delta holds)")
    return found


def _check_settings(rows: dict[int, dict], filter_text: str, settings: AlgorithmSettings) -> None:
    """The settings logged as params must be the ones the rows were computed with."""
    digest = settings_digest(filter_text, settings.as_params())
    other = sorted(y for y, r in rows.items() if json.loads(r["input_versions"]).get("settings") != digest)
    if other:
        raise ValuenetError(f"years {','.join(map(str, other))} were analysed with other settings or another code "
                            f"version than this configuration (settings digest {digest}); pass the same --conf "
                            f"options as that analyze, or re-run `valuenet analyze` for them")


def _versions(row: dict) -> dict[str, int]:
    """The input table versions a stored network_metrics row was computed from."""
    return {t: int(v) for t, v in json.loads(row["input_versions"]).items() if t != "settings"}


def _picture_frames(spark, warehouse: str, rows: dict[int, dict], node_rows, network_filter: NetworkFilter) -> dict:
    """{year: the frames of its network picture} (picture_frames_by_year), each year's relations
    rebuilt from the input versions it was computed from, narrowed by the same filter."""
    found = {}
    per_node = node_rows.withColumn("vid", F.xxhash64("id"))  # the surrogate key of with_surrogate_keys
    versions = {y: (_versions(r)["nodes"], _versions(r)["edges"]) for y, r in rows.items()}
    for keyed, network in analysed_networks(spark, warehouse, network_filter, versions):
        found.update(picture_frames_by_year(per_node, network.relations, keyed, list(network.years), PICTURE_NODES))
    return found


def track(runtime, config: dict, warehouse: str, years_text: str | None,
          network_filter: NetworkFilter = NetworkFilter(), data_source: str | None = None) -> dict[int, str]:
    """Log the stored years as MLflow runs and point their Delta rows at them; returns {year: run id}."""
    spark = runtime.spark
    filter_text = network_filter.text
    rows = stored_years(spark, warehouse, years_text, filter_text)
    years = sorted(rows)
    settings = AlgorithmSettings.from_config(config)
    _check_settings(rows, filter_text, settings)
    recorded = tables.read_source(warehouse)
    synthetic = bool(recorded.get("synthetic", False))
    tags = run_tags(data_source or recorded.get("label", "unknown"), warehouse, filter_text, runtime.versions)
    params = parent_params(years, filter_text, settings.as_params())
    tracker = Tracker(config)
    log.info("MLflow: experiment %r at %s; logging years %s from Delta", config["mlflow"]["experiment"],
             tracker.uri, params["years"])
    run_ids: dict[int, str] = {}
    year_rows = {t: tables.read(spark, warehouse, t).where((F.col("filter") == filter_text) & F.col("year").isin(years))
                 for t in ("node_metrics", "flows", "shares")}
    frames = {}  # each year's artifacts name its nodes from the nodes version it was computed from
    for nodes_version in sorted({_versions(rows[y])["nodes"] for y in years}):
        these = [y for y in years if _versions(rows[y])["nodes"] == nodes_version]
        nodes = tables.read(spark, warehouse, "nodes", as_of=nodes_version)
        frames.update(artifact_frames_by_year(*(f.where(F.col("year").isin(these)) for f in year_rows.values()),
                                              nodes, these))
    stored = {t: tables.read(spark, warehouse, t).where((F.col("filter") == filter_text) & F.col("year").isin(years))
              for t in ("year_dynamics", "movers", "robustness", "attachment")}
    dynamics = {r["year"]: r.asDict() for r in stored.pop("year_dynamics").collect()}
    dynamics_frames = dynamics_frames_by_year(*stored.values(), years)
    pictures = _picture_frames(spark, warehouse, rows, year_rows["node_metrics"], network_filter)
    drawn = []
    with tracker.parent(f"analyze {params['years']}", {**tags, "valuenet.logged_by": "track"}, params,
                        config) as parent:
        for year in years:
            row = rows[year]
            versions = _versions(row)
            year_tags = {**tags, "valuenet.fingerprint": fingerprint(year, warehouse, row["input_versions"])}
            with tracker.year(year, year_tags, version_params(versions)) as run:
                drawn.append(tracker.log_year_contents(
                    year, {t: tables.table_path(warehouse, t) for t in versions}, versions, frames[year], row,
                    parent.info.run_id, synthetic, dynamics.get(year),
                    dynamics_frames[year] if year in dynamics else None, pictures[year]))
            run_ids[year] = run.info.run_id
            log.info("  year %d: run %s", year, run.info.run_id)
        tracker.log_year_trends(parent.info.run_id, [rows[y] for y in years], synthetic, filter_text)
        tracker.log_pictures_side_by_side(parent.info.run_id, [p for p in drawn if p is not None], synthetic)
    tables.together(spark, {table: (lambda t=table: tables.set_run_ids(spark, warehouse, t, filter_text, run_ids))
                     for table in tables.OUTPUT_TABLES})
    retired = tracker.retire_duplicates(list(run_ids.values()))
    log.info("run_id of years %s now points at the new runs in %s; %d earlier run(s) of the same "
             "computations retired", params["years"], ", ".join(tables.OUTPUT_TABLES), retired)
    return run_ids


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(args.verbose)
    try:
        config, warehouse = job_config(args)
        network_filter = NetworkFilter.parse(args.filter)
        check_reachable(tracking_uri(config))
        runtime = create_session(config, args.spark, tables.checkpoint_path(warehouse, config))
        log.info("track %s (%s)", warehouse, runtime.describe())
        run_ids = track(runtime, config, warehouse, args.years, network_filter, args.data_source)
    except ValuenetError as exc:
        log.error("%s", exc)
        return 2
    for year, run_id in sorted(run_ids.items()):
        print(f"year {year}: run {run_id}")
    return 0
