"""valuenet run: the default end-to-end job (sample when empty -> ingest -> analyze -> year table)."""

from __future__ import annotations

import logging
from pathlib import Path

from valuenet import tables
from valuenet.commands.analyze import analyze
from valuenet.commands.common import base_parser, file_bytes, job_config, setup_logging
from valuenet.commands.ingest import ingest
from valuenet.commands.sample import write_sample
from valuenet.errors import ValuenetError
from valuenet.metrics.year_metrics import AlgorithmSettings
from valuenet.report.year_table import format_year_table
from valuenet.snapshot.network_filter import NetworkFilter
from valuenet.spark import create_session
from valuenet.tracking.runs import check_reachable, tracking_uri, without_credentials

log = logging.getLogger("valuenet")


def parser():
    p = base_parser("valuenet run", "Sample (if the warehouse is empty), ingest, analyze 2014-2022, print the year table.")
    p.add_argument("--warehouse", help="warehouse folder (default: conf warehouse)")
    p.add_argument("--years", help="years of the whole network (default: conf run.years)")
    p.add_argument("--no-tracking", action="store_true")
    return p


def _write_sample(config: dict, warehouse: str) -> tuple[Path, Path]:
    """The calibrated sample of conf sample.scale and seed, written beside the warehouse: its nodes and edges files."""
    raw = Path(warehouse) / "_raw" / "sample"
    log.info("stage 1/3: the warehouse is empty, writing the calibrated sample to %s", raw)
    return write_sample(str(raw), float(config["sample"]["scale"]), int(config["sample"]["seed"]))


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(args.verbose)
    try:
        config, warehouse = job_config(args)
        if not args.no_tracking:
            check_reachable(tracking_uri(config))
        AlgorithmSettings.from_config(config)  # a bad setting: one line before Spark starts
        stored = tables.stored_input_bytes(warehouse)
        # a local warehouse without data gets the sample before Spark starts, which then knows its size
        sample = _write_sample(config, warehouse) if stored is None and "://" not in warehouse else None
        runtime = create_session(config, args.spark, tables.checkpoint_path(warehouse, config),
                                 input_bytes=file_bytes(list(sample)) if sample else stored)
        log.info("run: %s", runtime.describe())
        spark = runtime.spark
        if sample is None and not tables.exists(spark, warehouse, "edges"):  # a remote warehouse without data
            sample = _write_sample(config, warehouse)
        if sample:
            log.info("stage 2/3: ingest")
            for path, c in ingest(spark, *map(str, sample), warehouse).items():
                log.info("  %s: %s read, %s accepted, %s rejected", path, f"{c['read']:,}", f"{c['accepted']:,}",
                         f"{c['rejected']:,}")
        else:
            log.info("stages 1-2/3: the warehouse already holds data, analysing it as it is")
        years = args.years or str(config["run"]["years"])
        log.info("stage 3/3: analyze %s", years)
        rows = analyze(runtime, config, warehouse, years, not args.no_tracking)
        for extra in config["run"].get("filtered") or []:
            network_filter = NetworkFilter.parse(extra["filter"])
            log.info("stage 3/3: analyze %s of the filtered network --filter %s", extra["years"], network_filter.text)
            analyze(runtime, config, warehouse, str(extra["years"]), not args.no_tracking,
                    network_filter=network_filter)
    except ValuenetError as exc:
        log.error("%s", exc)
        return exc.exit_code
    print(format_year_table(rows, synthetic=tables.read_source(warehouse).get("synthetic", False)))
    print(f"\nDelta tables: {warehouse}")
    if not args.no_tracking:
        uri = without_credentials(tracking_uri(config))
        print(f"MLflow runs: {uri}  (open the UI: .venv/bin/mlflow ui --backend-store-uri {uri})")
    return 0
