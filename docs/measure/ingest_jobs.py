"""Where one `valuenet ingest` spends its time: every Spark job it runs, from the Spark UI's REST API.

A measuring script, not part of valuenet. It generates the sample at the given scale (once; kept in
WORK/files), ingests it into a new warehouse WORK/w with the local profile and prints the time and
the peak resident memory of the process tree (Python and the driver JVM), then each Spark job of
0.3 s or more: when it started, its wall time, its tasks' summed run time and GC time, what it
spilled and shuffled, and what ran it.

    .venv/bin/python docs/measure/ingest_jobs.py --scale 10 --work W [--spark KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import time
import urllib.request
from datetime import datetime
from pathlib import Path

from valuenet.commands.benchmark import PeakMemory
from valuenet.commands.ingest import ingest
from valuenet.commands.sample import write_sample
from valuenet.config import load_config
from valuenet.spark import create_session


def _seconds(start: str, end: str) -> float:
    def parsed(text):
        return datetime.strptime(text[:23], "%Y-%m-%dT%H:%M:%S.%f")
    return (parsed(end) - parsed(start)).total_seconds()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=10.0)
    p.add_argument("--work", required=True)
    p.add_argument("--spark", action="append", default=[], metavar="KEY=VALUE", help="a Spark setting to try")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    work = Path(args.work)
    runtime = create_session(load_config(), ["spark.ui.enabled=true", "spark.ui.retainedJobs=5000",
                                             "spark.ui.retainedStages=10000", *args.spark],
                             str(work / "checkpoints"))
    spark = runtime.spark
    if not (work / "files" / "edges.csv").exists():
        write_sample(str(work / "files"), args.scale, 7)
    shutil.rmtree(work / "w", ignore_errors=True)
    started = time.time()
    with PeakMemory() as memory:
        ingest(spark, str(work / "files" / "nodes.csv"), str(work / "files" / "edges.csv"), str(work / "w"))
    print(f"ingest at scale {args.scale:g}: {time.time() - started:.1f} s, "
          f"peak of the process tree {memory.peak / 1024:.1f} GiB")

    api = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}"
    jobs = json.load(urllib.request.urlopen(f"{api}/jobs"))
    stages = {s["stageId"]: s for s in json.load(urllib.request.urlopen(f"{api}/stages"))}
    print("start     wall_s  task_s  gc_s  spill_MiB  shuffle_MiB  job")
    for job in sorted((j for j in jobs if "completionTime" in j), key=lambda j: j["submissionTime"]):
        wall = _seconds(job["submissionTime"], job["completionTime"])
        if wall < 0.3:
            continue
        done = [stages[s] for s in job["stageIds"] if s in stages and stages[s]["status"] == "COMPLETE"]
        print("%s %7.1f %7.1f %5.1f %10.1f %12.1f  %s" % (
            job["submissionTime"][11:19], wall, sum(s["executorRunTime"] for s in done) / 1000,
            sum(s["jvmGcTime"] for s in done) / 1000, sum(s["memoryBytesSpilled"] for s in done) / 2**20,
            sum(s["shuffleWriteBytes"] for s in done) / 2**20, (job.get("description") or job["name"])[:90]))


if __name__ == "__main__":
    main()
