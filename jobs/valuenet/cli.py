"""The `valuenet` command: `valuenet <job> [options]`, the same jobs that spark-submit runs."""

from __future__ import annotations

import importlib
import sys

JOBS = {
    "sample": "write the calibrated synthetic registry",
    "ingest": "validate nodes and edges files into Delta tables",
    "analyze": "compute the year networks' metrics into Delta and MLflow",
    "track": "log the MLflow runs of years already in Delta (tracking was down during analyze)",
    "report": "print the report's tables for a warehouse",
    "export": "write the analysed years as one file for Gephi (GEXF 1.3, dynamic) or GraphML (one year)",
    "run": "the default end-to-end job",
    "benchmark": "per-year, per-metric time and memory on the sample, beside igraph",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in JOBS:
        print("usage: valuenet <job> [options]   (valuenet <job> --help for its options)\n")
        for name, text in JOBS.items():
            print(f"  {name:<8} {text}")
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(f"valuenet.commands.{argv[0]}")
    return module.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
