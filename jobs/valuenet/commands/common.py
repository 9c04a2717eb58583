"""Argument parsing and logging shared by the jobs (the edges of the pipeline)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from valuenet.errors import ConfigError


def setup_logging(verbose: bool = False) -> None:
    """valuenet's progress lines on stderr, one per stage; Spark's own noise stays in log4j2 (quiet)."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s valuenet: %(message)s", datefmt="%H:%M:%S", force=True)
    for noisy in ("py4j", "mlflow", "alembic", "urllib3", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def base_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """A parser with the options every job takes: --conf, --spark, --verbose."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                        help="override conf/valuenet.yaml, e.g. --conf analyze.pagerank.tol=1e-8")
    parser.add_argument("--spark", action="append", default=[], metavar="KEY=VALUE",
                        help="extra Spark setting, e.g. --spark spark.sql.shuffle.partitions=4")
    parser.add_argument("--profile", help="Spark profile: conf/spark-defaults.<profile>.conf (default: local)")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail in the progress log")
    return parser


def apply_common(args: argparse.Namespace, config: dict) -> None:
    if args.profile:
        config["spark"]["profile"] = args.profile


def job_config(args: argparse.Namespace) -> tuple[dict, str]:
    """The job's configuration (conf/valuenet.yaml, --conf, --profile) and its warehouse (--warehouse,
    else conf warehouse), resolved against the working folder."""
    from valuenet.config import load_config, resolve_path

    config = load_config(args.conf)
    apply_common(args, config)
    return config, resolve_path(args.warehouse or config["warehouse"])


def file_bytes(paths: list) -> int | None:
    """The size of these input files (str or Path) together; None when one is a URI or missing
    (not known here)."""
    names = [os.fspath(path) for path in paths]
    if any("://" in name or not os.path.isfile(name) for name in names):
        return None
    return sum(os.path.getsize(name) for name in names)


def parse_years(text: str | None, span: tuple[int, int] | None) -> list[int]:
    """'2014-2022', '2022' or '2014,2018' -> years; None -> every year of `span`."""
    if text is None:
        return list(range(span[0], span[1] + 1)) if span else []
    years: set[int] = set()
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                lo, hi = (int(x) for x in part.split("-", 1))
                if hi < lo:
                    raise ValueError
                years.update(range(lo, hi + 1))
            else:
                years.add(int(part))
    except ValueError:
        raise ConfigError(f"--years {text!r}: expected 2014-2022, 2022 or 2014,2018") from None
    return sorted(years)


def analysed_networks(spark, warehouse: str, network_filter, versions: dict[int, tuple]) -> list[tuple]:
    """The year networks of the years in `versions` ({year: (nodes version, edges version)}, None:
    the current one) rebuilt as analyze built them, narrowed by the same filter: one (keyed nodes,
    YearNetwork) per pair of versions, with the years analysed from it."""
    from valuenet import tables
    from valuenet.snapshot.network_filter import filter_relations
    from valuenet.snapshot.year_network import build_year_network, with_surrogate_keys

    groups: dict[tuple, list[int]] = {}
    for year, pair in sorted(versions.items()):
        groups.setdefault(pair, []).append(year)
    networks = []
    for (nodes_version, edges_version), years in groups.items():
        nodes = tables.read(spark, warehouse, "nodes", as_of=nodes_version)
        edges = filter_relations(network_filter, nodes, tables.read(spark, warehouse, "edges", as_of=edges_version))
        keyed = with_surrogate_keys(nodes)
        networks.append((keyed, build_year_network(keyed, edges, years)))
    return networks
