"""SIGKILL the job at each stage: every Delta table is afterwards either as before or fully
updated (never partial), and a re-run completes the work.

The registry: a small calibrated sample (v1), analysed for 2020-2021 ("before"); then a
corrected edges file (v2: every fifth open relation that started by 2020 ends in 2020) is
delivered. A job working on v2 is killed at a stage; then the work is re-run to the end
("after"). Each table must equal its "before" or its "after" state.
"""

from __future__ import annotations

import csv
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from deltalake import DeltaTable

from tests.conftest import SAMPLE_YEARS as YEARS, interpreted_args
from valuenet import schemas, tables
from valuenet.commands.analyze import analyze
from valuenet.commands.ingest import ingest

DROP = ["run_id", "ingested_at"]


def state(warehouse: str, table: str) -> list[tuple]:
    """The table's rows (run ids and timestamps left out, floats rounded), sorted by key."""
    df = DeltaTable(tables.table_path(warehouse, table)).to_pandas()
    df = df.drop(columns=[c for c in DROP if c in df.columns]).sort_values(list(schemas.load(table).key)).reset_index(drop=True)
    return [tuple(tuple(v.tolist()) if isinstance(v, np.ndarray) else
                  None if _missing(v) else round(v, 9) if isinstance(v, float) else v for v in row)
            for row in df.astype(object).itertuples(index=False)]


def _missing(value) -> bool:
    return value is None or (not isinstance(value, (list, tuple)) and pd.isna(value))


def run_and_kill(args: list[str], pattern: str, delay: float, log: Path) -> str:
    """Start a valuenet job in its own process group; SIGKILL the group `delay` s after a stderr
    line containing `pattern`. Returns what the job printed. Fails if the job ended first.

    The killed JVM cannot remove its scratch folders (block manager, session files): they go
    beside the log, in the test's own temporary folder, instead of the machine's /tmp."""
    scratch = ["--spark", f"spark.local.dir={log.parent / 'spark-local'}"]
    process = subprocess.Popen([sys.executable, "-m", "valuenet.cli", *args, *interpreted_args(), *scratch],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True)
    seen = []
    for line in process.stderr:
        seen.append(line)
        if pattern in line:
            time.sleep(delay)
            break
    ended_first = process.poll() is not None
    if not ended_first:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    log.write_text("".join(seen))
    assert not ended_first and process.returncode == -signal.SIGKILL, "".join(seen)[-3000:]
    return "".join(seen)


@pytest.fixture(scope="module")
def delivered(analysed_sample, tmp_path_factory):
    """Template warehouse: v1 (the suite's analysed sample) ingested and analysed, v2 files beside
    it (not yet ingested). Tests work on copies of the template."""
    folder = tmp_path_factory.mktemp("crash")
    rows = list(csv.DictReader(open(analysed_sample["edges"], encoding="utf-8")))
    open_by_2020 = [r for r in rows if not r["end_year"] and int(r["start_year"]) <= 2020]
    for r in open_by_2020[::5]:
        r["end_year"] = "2020"
    edges_v2 = folder / "edges_v2.csv"
    with open(edges_v2, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return {"template": analysed_sample["warehouse"], "nodes": analysed_sample["nodes"], "edges_v2": str(edges_v2),
            "folder": folder}


def _left_behind(killed: dict, before: dict, after: dict) -> str:
    """Which state each table was left in, for the log (-s shows it)."""
    return ", ".join(f"{t} {'as before' if killed[t] == before[t] else 'fully updated'}"
                     + (" (unchanged by the delivery)" if before[t] == after[t] else "") for t in killed)


def _copy(delivered, name: str) -> str:
    target = delivered["folder"] / name
    shutil.copytree(delivered["template"], target)
    return str(target)


@pytest.mark.parametrize("stage, pattern, delay", [
    ("merging edges", "merging edges", 1.0),
])
def test_killed_ingest_leaves_each_table_before_or_after(runtime, delivered, stage, pattern, delay, tmp_path):
    warehouse = _copy(delivered, f"ingest-{stage.replace(' ', '-')}")
    before = {t: state(warehouse, t) for t in tables.INPUT_TABLES}
    printed = run_and_kill(["ingest", "--nodes", delivered["nodes"], "--edges", delivered["edges_v2"],
                            "--warehouse", warehouse], pattern, delay, tmp_path / "job.log")
    assert "driver JIT C1 only" in printed  # its own JVM, for a few hundred KB of files
    killed = {t: state(warehouse, t) for t in tables.INPUT_TABLES}
    ingest(runtime.spark, delivered["nodes"], delivered["edges_v2"], warehouse)  # the re-run
    after = {t: state(warehouse, t) for t in tables.INPUT_TABLES}
    assert before["edges"] != after["edges"]  # the delivery does change the table
    for table in tables.INPUT_TABLES:
        assert killed[table] in (before[table], after[table]), table
    print(f"killed at {stage!r}:", _left_behind(killed, before, after))


# One pass computes every year before the first write, so the kill that matters is amid the
# four commits (they run at once): each table must be as before or fully updated.
@pytest.mark.parametrize("stage, pattern, delay", [
    ("amid the writes", "writing years", 2.5),
])
def test_killed_analyze_leaves_each_year_before_or_after(runtime, config, delivered, stage, pattern, delay,
                                                        tmp_path):
    warehouse = _copy(delivered, f"analyze-{stage.replace(' ', '-')}")
    ingest(runtime.spark, delivered["nodes"], delivered["edges_v2"], warehouse)
    before = {t: state(warehouse, t) for t in tables.OUTPUT_TABLES}
    run_and_kill(["analyze", "--warehouse", warehouse, "--years", YEARS, "--no-tracking"], pattern, delay,
                 tmp_path / "job.log")
    killed = {t: state(warehouse, t) for t in tables.OUTPUT_TABLES}
    analyze(runtime, config, warehouse, YEARS, tracking=False)  # the re-run
    after = {t: state(warehouse, t) for t in tables.OUTPUT_TABLES}
    assert before["network_metrics"] != after["network_metrics"]
    for table in tables.OUTPUT_TABLES:
        assert killed[table] in (before[table], after[table]), table
    print(f"killed at {stage!r}:", _left_behind(killed, before, after))


def _outdated(caplog) -> list[str]:
    """The warnings of the last analyze about later years it made outdated."""
    found = [r.getMessage() for r in caplog.records if "outdated" in r.getMessage()]
    caplog.clear()
    return found


def test_resume_skips_exactly_the_years_written_from_the_same_inputs(runtime, config, delivered, caplog):
    caplog.set_level(logging.WARNING, logger="valuenet")
    warehouse = _copy(delivered, "resume")
    spark = runtime.spark
    version = tables.version(spark, warehouse, "network_metrics")
    rows = analyze(runtime, config, warehouse, YEARS, tracking=False, resume=True)
    assert [r["year"] for r in rows] == [2020, 2021]
    assert tables.version(spark, warehouse, "network_metrics") == version  # nothing recomputed or written
    assert _outdated(caplog) == []
    rows = analyze(runtime, config, warehouse, "2019-2021", tracking=False, resume=True)
    assert [r["year"] for r in rows] == [2019, 2020, 2021]
    assert tables.version(spark, warehouse, "network_metrics") == version + 1  # 2019 only
    # 2020 was compared with no year before it, and 2021 carries 2020's lineages on: both outdated now
    assert _outdated(caplog) == ["years 2020,2021 were compared with a year this run has replaced or added: their "
                                 "rank changes, movers and community lineage are outdated; re-analyse --years "
                                 "2020-2021 to update them"]
    written = tables.read(spark, warehouse, "network_metrics").where("year = 2019").count()
    assert written == 1
    # new inputs: nothing is skipped
    ingest(spark, delivered["nodes"], delivered["edges_v2"], warehouse)
    rows = analyze(runtime, config, warehouse, YEARS, tracking=False, resume=True)
    history = DeltaTable(tables.table_path(warehouse, "network_metrics")).history(1)[0]
    assert [r["year"] for r in rows] == [2020, 2021] and history["operation"] == "WRITE"
    assert tables.version(spark, warehouse, "network_metrics") == version + 2
    assert _outdated(caplog) == []  # no stored year follows 2021
