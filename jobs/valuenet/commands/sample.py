"""valuenet sample: write the calibrated synthetic registry in the input format."""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from valuenet.commands.common import setup_logging
from valuenet.config import load_config
from valuenet.errors import ValuenetError
from valuenet.heap import freed_memory_reused

log = logging.getLogger("valuenet")


def parser():
    config = load_config()
    p = argparse.ArgumentParser(prog="valuenet sample", description="Write a calibrated synthetic registry.")
    p.add_argument("--out", required=True, help="folder for nodes and edges files")
    p.add_argument("--scale", type=float, default=float(config["sample"]["scale"]), help="size multiplier (default 1.0)")
    p.add_argument("--seed", type=int, default=int(config["sample"]["seed"]), help="random seed (default 7)")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def write_sample(out: str, scale: float, seed: int, fmt: str = "csv") -> tuple[Path, Path]:
    """Generate and write DIR/nodes.<fmt>, DIR/edges.<fmt> and DIR/SAMPLE.json (the synthetic label)."""
    from valuenet.sample.model import generate

    folder = Path(out)
    started = time.time()
    paths = folder / f"nodes.{fmt}", folder / f"edges.{fmt}"
    label_path = folder / "SAMPLE.json"
    label = {"synthetic": True, "scale": scale, "seed": seed, "generator": "valuenet.sample.model",
             "note": "Synthetic data calibrated to the 2023 report's published figures; not the private registry."}
    # each file is written beside its name and the three are renamed at the end: a write that
    # fails (a full disk) leaves neither a partial file nor a new file beside an old one
    parts = {path: path.with_name(path.name + ".part") for path in (*paths, label_path)}
    writing = folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with freed_memory_reused():
            nodes, edges = generate(scale=scale, seed=seed)
            for table, path in zip((nodes, edges), paths):
                writing = path
                _write_table(table, parts[path], fmt)
        writing = label_path
        parts[label_path].write_text(json.dumps(label, indent=1), encoding="utf-8")
        for path, part in parts.items():
            writing = path
            os.replace(part, path)
    except OSError as exc:
        for part in parts.values():
            part.unlink(missing_ok=True)
        raise ValuenetError(f"{writing}: cannot write the sample: {exc.strerror or exc}") from exc
    log.info("sample (scale %s, seed %d): %s nodes, %s relations in %.1f s -> %s", scale, seed,
             f"{nodes.num_rows:,}", f"{edges.num_rows:,}", time.time() - started, folder)
    return paths


def _write_table(table, path: Path, fmt: str) -> None:
    if fmt == "csv":
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    else:
        pq.write_table(table, path)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(args.verbose)
    try:
        nodes, edges = write_sample(args.out, args.scale, args.seed, args.format)
    except ValuenetError as exc:
        log.error("%s", exc)
        return exc.exit_code
    print(f"{nodes}\n{edges}")
    return 0
