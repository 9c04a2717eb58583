"""valuenet ingest: validate raw nodes and edges files and keep them as Delta tables."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from pyspark.sql import functions as F

from valuenet import schemas, tables
from valuenet.commands.common import base_parser, file_bytes, job_config, setup_logging
from valuenet.config import resolve_path
from valuenet.errors import ValuenetError
from valuenet.ingest import validate
from valuenet.ingest.read import read_raw
from valuenet.spark import create_session

log = logging.getLogger("valuenet")


def parser():
    p = base_parser("valuenet ingest", "Validate nodes and edges files (CSV, Parquet or JSON) into Delta tables.")
    p.add_argument("--nodes", required=True, help="nodes file (.csv, .parquet or .json)")
    p.add_argument("--edges", required=True, help="edges file (.csv, .parquet or .json)")
    p.add_argument("--warehouse", help="warehouse folder or URI (default: conf warehouse)")
    return p


def ingest(spark, nodes_path: str, edges_path: str, warehouse: str) -> dict[str, dict[str, int]]:
    """Validate both files and merge them into the warehouse; returns counts per file.

    Whole-file problems raise InputFileError before any table is touched.
    """
    raw_nodes = read_raw(spark, nodes_path, schemas.load("nodes"))
    raw_edges = read_raw(spark, edges_path, schemas.load("edges"))
    tables.ensure_tables(spark, warehouse, tables.INPUT_TABLES)

    checked_nodes = validate.kept(validate.check_nodes(raw_nodes), "nodes").cache()
    counts = {nodes_path: _counts(checked_nodes)}
    good_nodes = validate.accepted_nodes(checked_nodes)
    # The stored ids held apart from their table: the nodes' commit below would otherwise make
    # Spark re-plan the cached edge checks built on them, which the edges' MERGE and the rejected
    # rows then computed again from the file (at scale 100: 30-40 s more, whenever the nodes'
    # commit finished before the edges' MERGE had begun reading).
    stored_ids = tables.detached(tables.read(spark, warehouse, "nodes").select("id"))
    known_ids = good_nodes.select("id").union(stored_ids)
    # how many ids there can be at most: the accepted nodes of this file and the stored ones
    fits = validate.broadcast_fits(counts[nodes_path]["accepted"] + stored_ids.count())
    checked_edges = validate.kept(validate.check_edges(raw_edges, known_ids, broadcast_ids=fits), "edges").cache()
    counts[edges_path] = _counts(checked_edges)
    # parallel relations are few: their keys go to every task, and only their rows are shuffled
    repeated = validate.repeated_keys(checked_edges).cache()
    accepted_edges = validate.accepted_edges(
        checked_edges, repeated if validate.broadcast_fits(repeated.count()) else None)

    # One commit per table, the three at once: a table is either as before or fully updated,
    # whatever happens. The edges were checked against the nodes before this (cached above).
    log.info("  merging nodes, merging edges, replacing the rejected rows of these files")
    rejected = validate.rejected(checked_nodes, "nodes").union(validate.rejected(checked_edges, "edges"))
    changed = tables.together(spark, {
        "nodes": lambda: tables.upsert(spark, good_nodes, warehouse, "nodes"),
        "edges": lambda: tables.upsert(spark, accepted_edges, warehouse, "edges"),
        "rejected": lambda: tables.replace_rejected(spark, rejected, warehouse, [nodes_path, edges_path])})
    tables.write_source(warehouse, _describe_source(nodes_path, edges_path))
    counts[nodes_path]["changed"] = changed["nodes"]
    counts[edges_path]["changed"] = changed["edges"]
    checked_nodes.unpersist()
    checked_edges.unpersist()
    repeated.unpersist()
    return counts


def _counts(checked) -> dict[str, int]:
    """read, accepted and rejected rows of a checked file (computes and caches it)."""
    row = checked.agg(F.count("*").alias("read"), F.count("reason").alias("rejected")).first()
    return {"read": row["read"], "accepted": row["read"] - row["rejected"], "rejected": row["rejected"]}


def _describe_source(nodes_path: str, edges_path: str) -> dict:
    """The data's label: a synthetic sample says so in the SAMPLE.json beside its files."""
    marker = Path(nodes_path).parent / "SAMPLE.json"
    if "://" not in nodes_path and marker.exists():
        sample = json.loads(marker.read_text(encoding="utf-8"))
        label = f"synthetic sample (scale {sample['scale']}, seed {sample['seed']})"
        return {"label": label, "synthetic": True, "nodes": nodes_path, "edges": edges_path, **sample}
    return {"label": Path(nodes_path).name, "synthetic": False, "nodes": nodes_path, "edges": edges_path}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(args.verbose)
    try:
        config, warehouse = job_config(args)
        nodes_path, edges_path = resolve_path(args.nodes), resolve_path(args.edges)
        runtime = create_session(config, args.spark, tables.checkpoint_path(warehouse, config),
                                 input_bytes=file_bytes([nodes_path, edges_path]))
        log.info("ingest into %s (%s)", warehouse, runtime.describe())
        started = time.time()
        counts = ingest(runtime.spark, nodes_path, edges_path, warehouse)
    except ValuenetError as exc:
        log.error("%s", exc)
        return 2
    for path, c in counts.items():
        print(f"{path}: {c['read']:,} rows read, {c['accepted']:,} accepted, {c['rejected']:,} rejected "
              f"({c['changed']:,} new or changed)")
    log.info("ingest done in %.1f s; rejected rows are in %s", time.time() - started,
             tables.table_path(warehouse, "rejected"))
    return 0
