"""valuenet export: the analysed years of a warehouse as one file for Gephi (GEXF 1.3) or GraphML.

GEXF: one dynamic graph holding every chosen year (export/gexf.py says how), so Gephi's timeline
replays the years with each year's PageRank, degrees, community and clustering. GraphML: one
year, for igraph, NetworkX and yEd. The rows come from Delta (node_metrics for the nodes and their
measures, the year networks rebuilt from the input versions each year was analysed from for the
edges) and are written one at a time as Spark hands them over; the file is written under a
temporary name beside the target and renamed at the end, so a failed export leaves no half file.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import functions as F

from valuenet import __version__, tables
from valuenet.commands.common import analysed_networks, base_parser, job_config, parse_years, setup_logging
from valuenet.errors import ConfigError, ValuenetError
from valuenet.export import frames
from valuenet.export.gexf import write_gexf
from valuenet.export.graphml import write_graphml
from valuenet.export.values import gexf_type, graphml_type
from valuenet.snapshot.network_filter import NetworkFilter, filter_options
from valuenet.spark import create_session
from valuenet.tracking.layout import years_label
from valuenet.tracking.runs import without_credentials

log = logging.getLogger("valuenet")

FORMATS = {".gexf": "gexf", ".graphml": "graphml"}
SYNTHETIC = "synthetic sample: every figure is measured on generated data, not the institute's registry"


def parser():
    p = base_parser("valuenet export",
                    "Write the analysed years of a warehouse as one file: GEXF 1.3 for Gephi (one dynamic "
                    "graph, each node metric a value per year on Gephi's timeline) or GraphML (one year).")
    p.add_argument("--warehouse", help="warehouse folder or URI (default: conf warehouse)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="the file to write (.gexf or .graphml); written beside it under a temporary name first")
    p.add_argument("--years", help="2014-2022, 2022 or 2014,2018 (default: every analysed year of the filter)")
    p.add_argument("--filter", action="append", metavar="CLAUSE",
                   help="the filtered network, as given to analyze --filter (its node_metrics rows, and its "
                        "relations narrowed as analyze narrowed them); default: the whole network")
    p.add_argument("--top", type=int, metavar="N",
                   help="keep only the nodes that are among the N highest PageRanks of at least one exported "
                        "year (ties by id), with all their years, and only the edges between two kept nodes")
    p.add_argument("--format", choices=sorted(set(FORMATS.values())),
                   help="gexf (all chosen years, dynamic) or graphml (exactly one year); default: from the "
                        "suffix of --out")
    return p


@dataclass
class Exported:
    """What an export wrote."""

    path: Path
    format: str
    years: list[int]
    nodes: int
    edges: int
    size: int
    seconds: float

    def summary(self) -> str:
        return (f"exported {self.path}: {self.format}, years {years_label(self.years)}, {self.nodes:,} nodes, "
                f"{self.edges:,} edges, {_size(self.size)}, {self.seconds:.1f} s")


def output_format(out: str, given: str | None) -> str:
    """--format, else the format the suffix of --out names; a clear error for anything else."""
    if "://" in out:
        raise ConfigError(f"--out {out}: export writes a local file; give a path on this machine")
    if given:
        return given
    fmt = FORMATS.get(Path(out).suffix.lower())
    if fmt is None:
        raise ConfigError(f"--out {out}: cannot tell the format from its suffix; name it .gexf or .graphml, "
                          f"or pass --format gexf|graphml")
    return fmt


def check_one_year(fmt: str, years: list[int]) -> None:
    if fmt == "graphml" and len(years) != 1:
        raise ConfigError(f"--format graphml holds one year, not {years_label(years)}: pass --years with one "
                          f"year (GEXF holds several)")


def export(runtime, warehouse: str, out: str, years_text: str | None = None,
           network_filter: NetworkFilter = NetworkFilter(), top: int | None = None,
           fmt: str | None = None) -> Exported:
    """Export the analysed years (all of the filter's when years_text is None) to `out`."""
    started = time.monotonic()
    spark = runtime.spark
    fmt = output_format(out, fmt)
    if top is not None and top < 1:
        raise ConfigError(f"--top {top}: expected a number of nodes >= 1")
    filter_text = network_filter.text
    years = chosen_years(spark, warehouse, years_text, network_filter)
    check_one_year(fmt, years)
    for table in ("nodes", "edges"):
        if not tables.exists(spark, warehouse, table):
            raise ValuenetError(f"{tables.table_path(warehouse, table)}: no such table; the warehouse lost its "
                                f"input: run `valuenet ingest` and `valuenet analyze` again")

    metrics = (tables.read(spark, warehouse, "node_metrics")
               .where((F.col("filter") == filter_text) & F.col("year").isin(years)))
    measures = frames.measure_fields(metrics)
    versions = frames.analysed_versions(spark, warehouse, years, filter_text)
    relations = frames.year_relations(analysed_networks(spark, warehouse, network_filter, versions))
    kept = None
    if top:
        kept = frames.top_ids(metrics, top).cache()
        metrics = metrics.join(kept, "id", "left_semi")
        relations = frames.among(relations, kept)
    # static attributes as of the newest nodes version the chosen years were analysed from
    nodes_versions = [v for v, _ in versions.values() if v is not None]
    nodes = tables.read(spark, warehouse, "nodes", as_of=max(nodes_versions) if nodes_versions else None)
    node_frame = frames.node_rows(metrics, nodes, [f.name for f in measures])
    edge_frame = frames.edge_rows(relations)
    static = [f for f in nodes.schema.fields if f.name in frames.STATIC_ATTRIBUTES]
    edge_fields = [relations.schema[name] for name in frames.EDGE_VALUES]
    description = _description(warehouse, years, filter_text, top)
    log.info("export %s: %s, years %s%s%s", out, fmt, years_label(years),
             f", filter {filter_text}" if filter_text else "", f", top {top} by PageRank" if top else "")

    target = Path(out)
    try:
        with _replacing(target) as handle:
            nodes_rows, edges_rows = _rows(node_frame), _rows(edge_frame)
            if fmt == "gexf":
                counts = write_gexf(handle, years=years, static=_typed(static, gexf_type),
                                    measures=_typed(measures, gexf_type), edge_values=_typed(edge_fields, gexf_type),
                                    nodes=nodes_rows, edges=edges_rows, creator=f"valuenet {__version__}",
                                    description=description)
            else:
                counts = write_graphml(handle, year=years[0], filter_text=filter_text,
                                       static=_typed(static, graphml_type), measures=_typed(measures, graphml_type),
                                       edge_values=_typed(edge_fields, graphml_type), nodes=nodes_rows,
                                       edges=edges_rows, description=description)
    finally:
        if kept is not None:
            kept.unpersist()
    return Exported(target, fmt, years, *counts, target.stat().st_size, time.monotonic() - started)


def chosen_years(spark, warehouse: str, years_text: str | None, network_filter: NetworkFilter) -> list[int]:
    """The years to export: --years, each of which must be analysed with the filter, else every
    analysed year of the filter. Errors name the table and the command that fills it."""
    path = tables.table_path(warehouse, "node_metrics")
    clauses = filter_options(network_filter.text)
    with_filter = f" with --filter {network_filter.text}" if network_filter else ""
    if not tables.exists(spark, warehouse, "node_metrics"):
        raise ValuenetError(f"{path}: no such table; run `valuenet analyze --warehouse {warehouse}{clauses}` first")
    analysed = sorted(r["year"] for r in tables.read(spark, warehouse, "node_metrics")
                      .where(F.col("filter") == network_filter.text).select("year").distinct().collect())
    if not analysed:
        raise ValuenetError(f"{path}: no year analysed{with_filter}; run `valuenet analyze --warehouse {warehouse}"
                            f"{clauses}` first")
    if not years_text:
        return analysed
    years = parse_years(years_text, None)
    missing = sorted(set(years) - set(analysed))
    if missing:
        which = f"year{'s' if len(missing) > 1 else ''} {years_label(missing)}"
        raise ValuenetError(f"{path}: {which} not analysed{with_filter} (analysed: {years_label(analysed)}); "
                            f"run `valuenet analyze --warehouse {warehouse} --years {years_label(missing)}{clauses}` "
                            f"first")
    return years


class _replacing:
    """A binary file written under a temporary name beside `target` (the same folder, so the
    rename is atomic), renamed to `target` when the block ends without error and removed when it
    fails: a reader never sees a half file, and an existing target stays as it was until then."""

    def __init__(self, target: Path):
        self.target = target
        self.temporary = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.part")

    def __enter__(self):
        if self.target.is_dir():
            raise ConfigError(f"--out {self.target}: is a folder; give a file name ending in .gexf or .graphml")
        self.target.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: never another file; 0o666 less the umask: the permissions of any new file
        self.handle = os.fdopen(os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb",
                                buffering=1 << 20)
        return self.handle

    def __exit__(self, kind, error, trace):
        try:
            self.handle.close()
            if kind is None:
                os.replace(self.temporary, self.target)
        finally:
            if self.temporary.exists():
                self.temporary.unlink()
        return False


def _rows(frame):
    """The frame's rows, one partition at a time in the driver, from the first row asked for."""
    yield from frame.toLocalIterator()


def _typed(fields, to_type) -> list[tuple[str, str]]:
    return [(f.name, to_type(f.dataType)) for f in fields]


def _description(warehouse: str, years: list[int], filter_text: str, top: int | None) -> str:
    parts = [f"valuenet export of {without_credentials(warehouse)}", f"years {years_label(years)}",
             f"filter {filter_text or 'none (the whole network)'}"]
    if top:
        parts.append(f"the nodes among the top {top} by PageRank of at least one year, and the edges between them")
    if tables.read_source(warehouse).get("synthetic", False):
        parts.append(SYNTHETIC)
    return "; ".join(parts)


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size} bytes"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(args.verbose)
    try:
        config, warehouse = job_config(args)
        network_filter = NetworkFilter.parse(args.filter)
        fmt = output_format(args.out, args.format)  # a bad --out or --years: one line before Spark starts
        if args.years:
            check_one_year(fmt, parse_years(args.years, None))
        runtime = create_session(config, args.spark, tables.checkpoint_path(warehouse, config))
        log.info("export %s (%s)", warehouse, runtime.describe())
        exported = export(runtime, warehouse, args.out, args.years, network_filter, args.top, fmt)
    except ValuenetError as exc:
        log.error("%s", exc)
        return exc.exit_code
    print(exported.summary())
    return 0
