"""valuenet report: print the report's tables for a warehouse (no Spark needed: delta-rs reads the tables)."""

from __future__ import annotations

import argparse
import sys

from deltalake import DeltaTable

from valuenet import tables
from valuenet.config import load_config, resolve_path
from valuenet.report.tables import top_nodes
from valuenet.report.year_table import format_year_table


def parser():
    p = argparse.ArgumentParser(prog="valuenet report", description="Print the report's tables for a warehouse.")
    p.add_argument("--warehouse", help="warehouse folder (default: conf warehouse)")
    p.add_argument("--year", type=int, help="also print the top-20 tables (Tables 3 and 4) of this year")
    return p


def _read(warehouse: str, table: str, year: int | None = None):
    dt = DeltaTable(tables.table_path(warehouse, table))
    filters = [("year", "=", year)] if year is not None else None
    return dt.to_pandas(filters=filters)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    warehouse = resolve_path(args.warehouse or load_config()["warehouse"])
    try:
        network = _read(warehouse, "network_metrics")
    except Exception as exc:  # delta-rs: TableNotFoundError
        print(f"{tables.table_path(warehouse, 'network_metrics')}: cannot read ({exc}); run `valuenet analyze` first",
              file=sys.stderr)
        return 2
    synthetic = tables.read_source(warehouse).get("synthetic", False)
    rows = [{k: (None if v != v else v) for k, v in r.items()} for r in network.to_dict("records")]
    print("Table 2. The value network by year\n")
    print(format_year_table(rows, synthetic=synthetic))
    if args.year is not None:
        per_node = _read(warehouse, "node_metrics", args.year)
        nodes = _read(warehouse, "nodes")
        for number, kind, title in ((3, "sample", "sample enterprises"), (4, "relation", "relation nodes")):
            print(f"\nTable {number}. Top 20 {title} by degree, {args.year}\n")
            print(top_nodes(per_node, nodes, kind).to_string(index=False))
    return 0
